"""Each shipped policy against hand-worked pupils, with flags routed to the right owners."""

import re
from pathlib import Path

from interventions.models import Flag, InterventionSettings, Rule, RulePreset
from interventions.presets import PRESETS, install_presets
from interventions.services import rules_run
from tests import factories as f

from .helpers import grade, subjects, use_preset


def test_installing_presets_twice_adds_nothing_and_keeps_a_schools_edits(world):
    install_presets(world.school, activate="laude")
    Rule.objects.filter(preset__code="laude", code="subject-gap").update(n=3)
    install_presets(world.school, activate="hurworth")
    assert RulePreset.objects.filter(school=world.school).count() == len(PRESETS)
    assert Rule.objects.filter(preset__school=world.school).count() == sum(
        len(p["rules"]) for p in PRESETS.values()
    )
    assert Rule.objects.get(preset__code="laude", code="subject-gap").n == 3
    # The school's first choice stands.
    assert InterventionSettings.objects.get(school=world.school).active_preset.code == "laude"


def test_laude_sends_a_pupil_two_grades_below_in_maths_to_the_maths_head_of_department(world):
    use_preset(world, "laude")
    grade(world, world.child, world.maths, "4", "6")
    rules_run(point=world.point)
    flag = Flag.objects.get(pupil=world.child, subject=world.maths, rule__code="subject-gap")
    assert flag.owner == world.hod
    # The department decides the level: the flag starts at 1 for its owner to set.
    assert flag.level == 1
    assert flag.reason == "Below expected now by 2 grades in Mathematics (4; expected now 6, target 6)"


def test_laude_flags_a_grade_3_as_working_below_uk_grade_4(world):
    use_preset(world, "laude")
    grade(world, world.child, world.maths, "3", "3")
    rules_run(point=world.point)
    flag = Flag.objects.get(pupil=world.child, rule__code="subject-below-4")
    assert flag.reason == "Working below grade 4 in Mathematics (3)"


def test_laude_raises_a_key_stage_flag_for_four_subjects_below_target(world):
    use_preset(world, "laude")
    extra = subjects(world, "History", "Geography")
    for subject in [world.maths, world.english, *extra]:
        grade(world, world.child, subject, "5", "6")
    rules_run(point=world.point)
    flag = Flag.objects.get(pupil=world.child, rule__code="ks-off-target")
    assert flag.subject is None and flag.scope == "key_stage"
    # Nobody coordinates KS4 in this world, so the head of Year 11 owns it.
    assert flag.owner == world.hoy
    assert flag.reason == "Below target in 4 subjects: English Language, Geography, History, Mathematics"


def test_a_key_stage_coordinator_takes_laude_key_stage_flags_before_the_head_of_year(world):
    coordinator = f.StaffFactory(school=world.school, roles=[("hoy", {"key_stage": 4})])
    use_preset(world, "laude")
    for subject in [world.maths, world.english, *subjects(world, "History", "Geography")]:
        grade(world, world.child, subject, "5", "6")
    rules_run(point=world.point)
    assert Flag.objects.get(pupil=world.child, rule__code="ks-off-target").owner == coordinator


def test_laude_form_tutor_acts_on_two_or_three_subjects_off_target_and_not_on_one(world):
    use_preset(world, "laude")
    grade(world, world.child, world.maths, "5", "6")
    grade(world, world.child, world.english, "5", "6")
    grade(world, world.classmate, world.maths, "5", "6")
    grade(world, world.classmate, world.english, "7", "6")
    rules_run(point=world.point)
    child = Flag.objects.get(pupil=world.child, scope="form_tutor")
    assert (child.level, child.owner) == (2, world.tutor)
    assert child.reason == "Off target in 2 subjects: English Language, Mathematics"
    # One subject: "not too much to worry about".
    assert not Flag.objects.filter(pupil=world.classmate).exists()


def test_laude_gives_four_subjects_off_target_to_the_key_stage_coordinator_not_the_tutor(world):
    use_preset(world, "laude")
    for subject in [world.maths, world.english, *subjects(world, "History", "Geography")]:
        grade(world, world.child, subject, "5", "6")
    rules_run(point=world.point)
    (flag,) = Flag.objects.filter(pupil=world.child)
    assert (flag.scope, flag.owner, flag.rule.code) == ("key_stage", world.hoy, "ks-off-target")


def _ks5(world):
    y12 = f.YearGroupFactory(school=world.school, number=12)
    form = f.FormGroupFactory(school=world.school, academic_year=world.year, year_group=y12, name="12A")
    tutor = f.StaffFactory(school=world.school, roles=["tutor"])
    form.tutors.add(tutor)
    pupil = f.PupilFactory(school=world.school, year_group=y12, form=form)
    point = f.AssessmentPointFactory(school=world.school, year_group=y12, academic_year=world.year)
    return pupil, point, tutor


def test_laude_ks5_tutor_acts_on_one_or_two_subjects_and_the_coordinator_from_three(world):
    use_preset(world, "laude")
    pupil, point, tutor = _ks5(world)
    history, geography, physics = subjects(world, "History", "Geography", "Physics")
    for subject in (history, geography):
        grade(world, pupil, subject, "C", "B", point=point, scale="alevel")
    rules_run(point=point)
    (flag,) = Flag.objects.filter(pupil=pupil)
    assert (flag.scope, flag.level, flag.owner) == ("form_tutor", 2, tutor)
    grade(world, pupil, physics, "C", "B", point=point, scale="alevel")
    rules_run(point=point)
    flags = Flag.objects.filter(pupil=pupil, status="open")
    assert [(fl.scope, fl.rule.code) for fl in flags] == [("key_stage", "ks5-off-target")]


def test_laude_tutor_and_key_stage_bands_do_not_overlap_in_any_key_stage():
    for ks in (3, 4, 5):
        tutor, coordinator = set(), set()
        for rule in PRESETS["laude"]["rules"]:
            if not rule.get(f"ks{ks}", True):
                continue
            if rule["kind"] == "off_target_bands":
                for low, high, _ in rule["bands"]:
                    tutor |= set(range(low, (high or 20) + 1))
            elif rule["kind"] == "count_below_target":
                coordinator |= set(range(rule["n"], 21))
        assert tutor and coordinator and not tutor & coordinator, ks


SEEDS = Path("/work/shared/seeds")
SEED_FILES = {
    "laude": "laude-secondary-tracking-and-target-setting-policy.txt",
    "hurworth": "hurworth-tracking-and-mentoring-policy.txt",
    "longfield": "longfield-tracking-and-mentoring-policy.txt",
}
# Headings Uplift puts before a role's duty, and its own glosses in brackets: not the policy's words.
GLOSSES = re.compile(
    r"^(The Head of Department|Assistant Headteachers|Raising Achievement Coordinator): |\(KS5:[^)]*\)"
)


def test_every_shipped_rule_quotes_its_policy_word_for_word():
    for code, preset in PRESETS.items():
        seed = SEEDS / SEED_FILES[code]
        # The policies' bullets ("either: - not on target ...") are quoted without their dashes.
        text = (
            " ".join(seed.read_text().replace("**", "").split()).replace(" - ", " ")
            if seed.exists()
            else None
        )
        for rule in preset["rules"]:
            assert rule["policy_quote"], (code, rule["code"])
            if text is None:
                continue
            quote = GLOSSES.sub("", rule["policy_quote"])
            for part in re.split(r"\.\.\.|either: |,? or; |\. ", quote):
                part = part.strip(" .,")
                assert len(part) < 13 or part in text, (code, rule["code"], part)


def test_longfield_and_hurworth_send_global_underachievement_to_the_role_their_policy_names(world):
    aht = f.StaffFactory(school=world.school, roles=["aht"])
    rac = f.StaffFactory(school=world.school, roles=[("rac", {"key_stage": 4})])
    for subject in [world.maths, world.english, *subjects(world, "History")]:
        grade(world, world.child, subject, "4", "6")
    use_preset(world, "longfield")
    rules_run(point=world.point)
    assert Flag.objects.get(pupil=world.child, scope="key_stage").owner == aht
    Flag.objects.all().delete()
    use_preset(world, "hurworth")
    rules_run(point=world.point)
    assert Flag.objects.get(pupil=world.child, scope="key_stage").owner == rac


def test_without_an_assistant_head_the_head_of_year_keeps_global_flags(world):
    for subject in [world.maths, world.english, *subjects(world, "History")]:
        grade(world, world.child, subject, "4", "6")
    use_preset(world, "longfield")
    rules_run(point=world.point)
    assert Flag.objects.get(pupil=world.child, scope="key_stage").owner == world.hoy


def test_longfield_counts_global_underachievement_in_subjects_two_grades_below(world):
    history, geography = subjects(world, "History", "Geography")
    for subject in (world.maths, world.english, history, geography):
        grade(world, world.child, subject, "5", "6")
    for subject in (world.maths, world.english):
        grade(world, world.classmate, subject, "4", "6")
    grade(world, world.classmate, history, "3", "6")
    use_preset(world, "longfield")
    rules_run(point=world.point)
    # One grade below in four subjects is not underachievement here; two or more in three is.
    assert not Flag.objects.filter(pupil=world.child).exists()
    flag = Flag.objects.get(pupil=world.classmate, scope="key_stage")
    assert flag.reason == "2+ grades below target in 3 subjects: English Language, History, Mathematics"


def test_rules_whose_policy_gives_no_number_are_set_by_the_school(world):
    presets = install_presets(world.school)
    longfield = presets["longfield"].rules.all()
    assert longfield and all(rule.set_by_school for rule in longfield)
    assert presets["hurworth"].rules.get(code="global").set_by_school
    assert not presets["laude"].rules.filter(set_by_school=True).exists()


def test_hurworth_flags_any_subject_below_target(world):
    use_preset(world, "hurworth")
    grade(world, world.child, world.maths, "5", "6")
    grade(world, world.child, world.english, "6", "6")
    rules_run(point=world.point)
    (flag,) = Flag.objects.filter(pupil=world.child)
    assert (flag.subject, flag.owner, flag.level) == (world.maths, world.hod, 1)
    assert flag.reason == "Below expected now in Mathematics (5; expected now 6, target 6)"


def test_the_prediction_counts_when_there_is_one(world):
    use_preset(world, "hurworth")
    grade(world, world.child, world.maths, "4", "6", predicted="6")
    rules_run(point=world.point)
    assert not Flag.objects.filter(pupil=world.child).exists()


def test_a_pupil_on_target_everywhere_raises_no_flags_under_any_preset(world):
    grade(world, world.child, world.maths, "6", "6")
    grade(world, world.child, world.english, "7", "6")
    for code in PRESETS:
        use_preset(world, code)
        rules_run(point=world.point)
    assert not Flag.objects.filter(pupil=world.child).exists()


def test_without_an_active_preset_no_rules_run(world):
    grade(world, world.child, world.maths, "1", "9")
    assert rules_run(point=world.point).raised == 0
    assert not Flag.objects.exists()


def test_every_shipped_rule_passes_the_admin_validation(world):
    install_presets(world.school)
    rules = list(Rule.objects.filter(preset__school=world.school))
    assert len({rule.preset_id for rule in rules}) == len(PRESETS)  # every preset's rules, not none
    for rule in rules:
        rule.full_clean()


def test_a_counting_rule_cannot_raise_subject_flags(world):
    import pytest
    from django.core.exceptions import ValidationError

    rule = install_presets(world.school)["laude"].rules.get(code="ks-off-target")
    rule.scope = "subject"
    with pytest.raises(ValidationError, match="counts subjects"):
        rule.full_clean()


def test_a_reason_names_the_grade_expected_now_and_the_target_without_calling_one_the_other(world):
    use_preset(world, "laude")
    # A second Year 11 point after world.point: at the first of two, the default flight path still
    # expects a grade below the end-of-Year-11 target (tracking.standing: expected now 6 for target 7).
    f.AssessmentPointFactory(
        school=world.school, academic_year=world.year, year_group=world.y11, name="Y11 Summer",
        sequence=world.point.sequence + 1,
    )  # fmt: skip
    grade(world, world.child, world.maths, "4", "7")
    rules_run(point=world.point)
    flag = Flag.objects.get(pupil=world.child, subject=world.maths, rule__code="subject-gap")
    assert flag.reason == "Below expected now by 2 grades in Mathematics (4; expected now 6, target 7)"
    assert "vs target" not in flag.reason


def test_rules_holding_a_presets_old_words_are_reworded_and_edited_ones_kept(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("interventions.migrations.0005_reasons_say_expected_now")
    install_presets(world.school)
    gap = Rule.objects.get(preset__code="laude", code="subject-gap")
    Rule.objects.filter(pk=gap.pk).update(reason_template=migration.OLD_GAP)
    edited = Rule.objects.get(preset__code="hurworth", code="any-below")
    Rule.objects.filter(pk=edited.pk).update(reason_template="Our words: {grade} vs target {target}")
    migration.forwards(apps, None)
    assert Rule.objects.get(pk=gap.pk).reason_template == migration.NEW_GAP
    assert Rule.objects.get(pk=edited.pk).reason_template == "Our words: {grade} vs target {target}"
