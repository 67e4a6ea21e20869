"""The pure rule engine: no database, so hypothesis can throw thousands of pupils at it."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interventions.rules import (
    ANY_BELOW_TARGET,
    BELOW_GRADE,
    BELOW_TARGET_BY,
    COUNT_BELOW_GRADE,
    COUNT_BELOW_TARGET,
    FORM_TUTOR,
    KEY_STAGE,
    OFF_TARGET_BANDS,
    SUBJECT,
    PupilFacts,
    RuleSpec,
    SubjectFact,
    check_template,
    evaluate,
    format_bands,
    parse_bands,
)

GAP = RuleSpec(
    1,
    SUBJECT,
    BELOW_TARGET_BY,
    n=2,
    level=2,
    reason_template="Below target by {diff} grades in {subject} ({grade} vs target {target})",
)
BELOW_4 = RuleSpec(
    2,
    SUBJECT,
    BELOW_GRADE,
    thresholds={"gcse": (4, "4"), "ten": (5, "5")},
    reason_template="Working below grade {threshold} in {subject} ({grade})",
)
ANY = RuleSpec(3, SUBJECT, ANY_BELOW_TARGET, reason_template="Below target in {subject}")
COUNT = RuleSpec(
    4,
    KEY_STAGE,
    COUNT_BELOW_TARGET,
    n=4,
    level=2,
    reason_template="Below target in {count} subjects: {subjects}",
)
COUNT_GRADE = RuleSpec(
    5,
    KEY_STAGE,
    COUNT_BELOW_GRADE,
    n=3,
    thresholds={"gcse": (4, "4")},
    reason_template="Below 4 in {count} subjects",
)
BANDS = RuleSpec(
    6,
    FORM_TUTOR,
    OFF_TARGET_BANDS,
    bands=((1, 1, 1), (2, 3, 2), (4, None, 3)),
    reason_template="Off target in {count} subject(s)",
)
ALL_RULES = [GAP, BELOW_4, ANY, COUNT, COUNT_GRADE, BANDS]
BELOW_TARGET_RULES = [GAP, ANY, COUNT, BANDS]  # fmt: skip


def fact(subject_id, grade, target, name=None, scale="gcse"):
    return SubjectFact(
        subject_id, name or f"Subject {subject_id}", scale, str(grade), grade, str(target), target
    )


def pupil(*facts, ks=4):
    return PupilFacts(1, ks, tuple(facts))


def test_a_pupil_two_grades_below_target_in_maths_gets_a_subject_flag_with_the_reason_in_words():
    (proposal,) = evaluate(pupil(fact(7, 4, 6, "Mathematics")), [GAP])
    assert proposal.subject_id == 7 and proposal.level == 2 and proposal.scope == SUBJECT
    assert proposal.reason == "Below target by 2 grades in Mathematics (4 vs target 6)"


def test_one_grade_below_target_is_not_enough_for_the_two_grade_rule():
    assert evaluate(pupil(fact(7, 5, 6)), [GAP]) == []


def test_working_below_grade_uses_each_scales_own_threshold():
    spanish = fact(8, 4, 4, "Lengua", scale="ten")  # below Spanish 5
    maths = fact(7, 4, 4, "Mathematics")  # a 4 is not below 4
    proposals = evaluate(pupil(spanish, maths), [BELOW_4])
    assert [p.subject_id for p in proposals] == [8]
    assert proposals[0].reason == "Working below grade 5 in Lengua (4)"


def test_a_subject_on_a_scale_without_a_threshold_is_never_below_it():
    assert evaluate(pupil(fact(9, 0, 4, scale="alevel")), [BELOW_4]) == []


def test_four_subjects_below_target_raise_one_key_stage_flag_naming_them():
    facts = [fact(i, 4, 5, f"S{i}") for i in range(1, 5)]
    (proposal,) = evaluate(pupil(*facts), [COUNT])
    assert proposal.subject_id is None and proposal.scope == KEY_STAGE
    assert proposal.reason == "Below target in 4 subjects: S1, S2, S3, S4"
    assert evaluate(pupil(*facts[:3]), [COUNT]) == []


def test_a_counting_rule_can_count_only_subjects_some_grades_below():
    well = RuleSpec(
        7, KEY_STAGE, COUNT_BELOW_TARGET, n=3, grades=2, reason_template="{grades}+ below in {count}"
    )
    facts = [fact(1, 4, 6), fact(2, 3, 6), fact(3, 5, 6), fact(4, 5, 6)]
    assert evaluate(pupil(*facts), [well]) == []
    (proposal,) = evaluate(pupil(*facts, fact(5, 2, 4)), [well])
    assert proposal.reason == "2+ below in 3"


@pytest.mark.parametrize(("off", "level"), [(0, None), (1, 1), (2, 2), (3, 2), (4, 3), (7, 3)])
def test_the_form_tutor_level_follows_the_number_of_subjects_off_target(off, level):
    facts = [fact(i, 4 if i <= off else 6, 5) for i in range(1, 9)]
    proposals = evaluate(pupil(*facts), [BANDS])
    assert [p.level for p in proposals] == ([] if level is None else [level])


def test_rules_only_apply_in_their_key_stages():
    ks5_only = RuleSpec(1, SUBJECT, BELOW_TARGET_BY, key_stages=frozenset({5}), n=1)
    assert evaluate(pupil(fact(1, 3, 6), ks=4), [ks5_only]) == []
    assert len(evaluate(pupil(fact(1, 3, 6), ks=5), [ks5_only])) == 1


def test_a_subject_without_a_target_or_grade_is_never_below_target():
    no_target = SubjectFact(1, "Art", "gcse", "2", 2, None, None)
    no_grade = SubjectFact(2, "Music", "gcse", None, None, "6", 6)
    assert evaluate(pupil(no_target, no_grade), BELOW_TARGET_RULES) == []


# Pure functions: on a busy machine a draw may stall, which says nothing about the rules.
unhurried = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
steps = st.integers(min_value=0, max_value=9)
subject_rows = st.lists(st.tuples(steps, steps), min_size=0, max_size=12)


def _facts(rows, shift=0):
    return pupil(*[fact(i, max(0, g - shift), t) for i, (g, t) in enumerate(rows, start=1)])


@unhurried
@given(subject_rows)
def test_a_pupil_on_or_above_target_everywhere_never_gets_a_below_target_flag(rows):
    rows = [(max(g, t), t) for g, t in rows]
    assert evaluate(_facts(rows), BELOW_TARGET_RULES) == []


@unhurried
@given(subject_rows, st.integers(min_value=0, max_value=4))
def test_lower_grades_never_mean_fewer_flags_or_lower_levels(rows, shift):
    before = evaluate(_facts(rows), ALL_RULES)
    after = evaluate(_facts(rows, shift), ALL_RULES)
    assert len(after) >= len(before)
    levels_before = {(p.scope, p.subject_id): p.level for p in before}
    levels_after = {(p.scope, p.subject_id): p.level for p in after}
    for key, level in levels_before.items():
        assert levels_after[key] >= level


@unhurried
@given(subject_rows)
def test_every_subject_flag_names_a_subject_and_every_cross_subject_flag_names_none(rows):
    for proposal in evaluate(_facts(rows), ALL_RULES):
        assert (proposal.subject_id is not None) == (proposal.scope == SUBJECT)
        assert 1 <= proposal.level <= 3


@unhurried
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(0, 3), st.integers(1, 3)), max_size=4))
def test_bands_that_parse_print_back_to_the_same_bands(raw):
    text = ", ".join(f"{low}-{low + width}:{level}" for low, width, level in raw)
    try:
        bands = parse_bands(text)
    except ValueError:
        return
    assert parse_bands(format_bands(bands)) == bands


@pytest.mark.parametrize(
    ("text", "message"),
    [("1:1, 1-3:2", "overlap"), ("two:1", "not a band"), ("1:5", "level must be"), ("3-1:1", "backwards")],
)
def test_bad_bands_are_refused_with_a_reason(text, message):
    with pytest.raises(ValueError, match=message):
        parse_bands(text)


def test_a_reason_template_with_an_unknown_placeholder_is_refused():
    with pytest.raises(ValueError, match="Unknown placeholder"):
        check_template("Below in {subjct}")
    check_template("Below target by {diff} in {subject}")


def test_a_subject_s_reason_agrees_with_its_count():
    from interventions.rules import render_reason

    template = "Off target in {count} subject(s): {subjects}"
    assert render_reason(template, count=1, subjects="Maths") == "Off target in 1 subject: Maths"
    assert render_reason(template, count=3, subjects="A, B, C") == "Off target in 3 subjects: A, B, C"


@unhurried
@given(subject_rows)
def test_a_pupil_gets_at_most_one_flag_per_owner_level(rows):
    proposals = evaluate(_facts(rows), ALL_RULES)
    keys = [(p.scope, p.subject_id) for p in proposals]
    assert len(keys) == len(set(keys))


def test_two_rules_catching_one_subject_make_one_flag_with_both_reasons_at_the_higher_level():
    (proposal,) = evaluate(pupil(fact(7, 3, 6, "Mathematics")), [GAP, BELOW_4])
    assert (proposal.rule_id, proposal.rule_ids, proposal.level) == (GAP.id, (GAP.id, BELOW_4.id), 2)
    assert proposal.reason == (
        "Below target by 3 grades in Mathematics (3 vs target 6); Working below grade 4 in Mathematics (3)"
    )
