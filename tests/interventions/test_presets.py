"""Each shipped policy against hand-worked pupils, with flags routed to the right owners."""

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
    assert flag.level == 2
    assert flag.reason == "Below target by 2 grades in Mathematics (4 vs target 6)"


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


def test_laude_form_tutor_gets_level_2_for_two_subjects_off_target_and_level_1_for_one(world):
    use_preset(world, "laude")
    grade(world, world.child, world.maths, "5", "6")
    grade(world, world.child, world.english, "5", "6")
    grade(world, world.classmate, world.maths, "5", "6")
    grade(world, world.classmate, world.english, "7", "6")
    rules_run(point=world.point)
    child = Flag.objects.get(pupil=world.child, rule__code="tutor-bands")
    classmate = Flag.objects.get(pupil=world.classmate, rule__code="tutor-bands")
    assert (child.level, child.owner) == (2, world.tutor)
    assert (classmate.level, classmate.owner) == (1, world.tutor)
    assert child.reason == "Off target in 2 subjects: English Language, Mathematics"


def test_hurworth_flags_any_subject_below_target(world):
    use_preset(world, "hurworth")
    grade(world, world.child, world.maths, "5", "6")
    grade(world, world.child, world.english, "6", "6")
    rules_run(point=world.point)
    (flag,) = Flag.objects.filter(pupil=world.child)
    assert (flag.subject, flag.owner, flag.level) == (world.maths, world.hod, 1)
    assert flag.reason == "Below target in Mathematics (5 vs target 6)"


def test_longfield_gives_the_form_tutor_level_3_for_four_subjects_off_target(world):
    use_preset(world, "longfield")
    for subject in [world.maths, world.english, *subjects(world, "History", "Geography")]:
        grade(world, world.child, subject, "5", "6")
    rules_run(point=world.point)
    tutor = Flag.objects.get(pupil=world.child, rule__code="tutor-bands")
    year = Flag.objects.get(pupil=world.child, rule__code="global")
    assert (tutor.level, tutor.owner) == (3, world.tutor)
    assert (year.level, year.owner) == (3, world.hoy)


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
