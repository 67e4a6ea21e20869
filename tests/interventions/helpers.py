"""Hand-worked pupils for the rule tests: targets and grades at a point, in a line each."""

from interventions.models import Flag, Scope
from interventions.presets import install_presets
from tests import factories as f


def subjects(world, *names):
    """Extra subjects (with their own departments) beyond the world's maths and English."""
    made = []
    for name in names:
        dept = f.DepartmentFactory(school=world.school, name=name)
        made.append(f.SubjectFactory(school=world.school, department=dept, name=name, code=name[:3].upper()))
    return made


def grade(world, pupil, subject, grade_code, target_code=None, point=None, scale="gcse", predicted=None):
    """Give `pupil` a grade (and target) in `subject` at `point` (world.point by default)."""
    if target_code is not None:
        f.TargetFactory(
            school=world.school, pupil=pupil, subject=subject, grade=f.grade(world.school, target_code, scale)
        )
    return f.GradeEntryFactory(
        school=world.school,
        pupil=pupil,
        subject=subject,
        point=point or world.point,
        current=f.grade(world.school, grade_code, scale) if grade_code else None,
        predicted=f.grade(world.school, predicted, scale) if predicted else None,
    )


def later_point(world, **kwargs):
    """A second Year 11 point after world.point. The school's flight paths expect the end-of-Year-11
    target from the start of Year 11, so world.point is still judged against the target itself
    (tracking.standing otherwise expects a grade less early in Year 11)."""
    from tracking.models import FlightPath, Subject

    for subject in Subject.objects.filter(school=world.school):
        FlightPath.objects.update_or_create(school=world.school, subject=subject, defaults={"gap_y10": 0})
    kwargs.setdefault("sequence", world.point.sequence + 1)
    return f.AssessmentPointFactory(school=world.school, year_group=world.y11, **kwargs)


def use_preset(world, code):
    presets = install_presets(world.school)
    settings = world.school.intervention_settings
    settings.active_preset = presets[code]
    settings.save()
    return presets[code]


def child_flag(world, scope=Scope.SUBJECT):
    """A flag on world.child, owned as the rules would route it (subject: maths HoD; tutor: the tutor)."""
    owner = {Scope.SUBJECT: world.hod, Scope.FORM_TUTOR: world.tutor, Scope.KEY_STAGE: world.hoy}[scope]
    flag, _ = Flag.objects.get_or_create(
        school=world.school,
        pupil=world.child,
        point=world.point,
        scope=scope,
        subject=world.maths if scope == Scope.SUBJECT else None,
        defaults={"level": 2,
                  "reason": "Below expected now by 2 grades in Mathematics (4; expected now 6, target 6)",
                  "owner": owner, "raised_at": "2026-11-20T10:00:00Z", "source": "manual"},
    )  # fmt: skip
    return flag


def child_plan(world, scope=Scope.SUBJECT):
    """A plan made from child_flag by its owner, as the 'Start a plan' button makes it."""
    from interventions.plans import services as plan_services

    flag = child_flag(world, scope)
    plan, _ = plan_services.plan_from_flag(flag=flag, by=flag.owner.user)
    return plan
