"""Demo data for targets, added when seed_demo builds the school (tracking.signals.demo_school_built).

Shows the workflow part-way through: Year 7 generated and published but for one form waiting for
SLT, two change requests from hod.maths waiting for the Data Verification Team, a few raise
proposals, curricular targets for the demo parent's children (one kept among staff).
"""

from datetime import timedelta

from tracking import audit
from tracking.models import (
    AssessmentPoint,
    GradeValue,
    Horizon,
    Pupil,
    Subject,
    Target,
    TargetStatus,
    TeachingGroup,
    YearGroup,
)
from tracking.targets.flightpaths import flightpaths_install_defaults
from tracking.targets.generation import SOURCE_FLIGHT_PATH, target_generate
from tracking.targets.services import (
    curricular_target_create,
    target_agree,
    target_publish,
    target_request_change,
    targets_propose_raises,
)


def build_target_demo(sender, built, **kwargs):
    school = built.school
    staff = built.staff
    datamanager, hod = staff["datamanager"].user, staff["hod.maths"].user
    flightpaths_install_defaults(school=school, by=datamanager)
    # The seeded targets were published before Uplift: one history row each says so.
    published = list(
        Target.objects.filter(school=school, status=TargetStatus.PUBLISHED).select_related("grade")
    )
    audit.record_many(
        [
            {
                "action": "tracking.target.imported",
                "obj": t,
                "by": None,
                "after": {"grade": t.grade.code, "status": t.status, "published_grade": t.grade.code},
                "pupil": Pupil(pk=t.pupil_id),
                "note": "Published before Uplift (demo history)",
                "via": "demo",
            }
            for t in published
        ]
    )
    # Year 7: generated from the flight paths; SLT agreed and published them in September, all but
    # 7K's (pupils who joined late), which wait for SLT. Year 7's grades follow these targets.
    y7 = YearGroup.objects.get(school=school, number=7)
    Target.objects.filter(school=school, pupil__year_group=y7).delete()
    target_generate(school=school, year_group=y7, source=SOURCE_FLIGHT_PATH, by=datamanager)
    agreed = list(Target.objects.filter(school=school, pupil__year_group=y7).exclude(pupil__form__name="7K"))
    target_agree(targets=agreed, by=staff["slt"].user)
    target_publish(targets=agreed, by=staff["slt"].user)

    # Two change requests from the head of maths on her own Year 11 group.
    maths = Subject.objects.get(school=school, code="MA")
    y11_maths = TeachingGroup.objects.filter(
        subject=maths, year_group__number=11, academic_year=built.current_year
    ).order_by("name")
    hod_group = y11_maths.filter(teachers=staff["hod.maths"]).first() or y11_maths.last()
    if hod_group is None:
        return
    family_ids = {p.pk for children in built.family.values() for p in children}
    values = {
        v.step: v for v in GradeValue.objects.filter(scale=maths.scale) if not v.code.endswith(("+", "-"))
    }
    requests = (
        Target.objects.filter(pupil__in=hod_group.pupils.exclude(pk__in=family_ids), subject=maths)
        .select_related("grade")
        .order_by("pupil__legal_last_name")[:2]
    )
    reasons = [
        "Consistently working at grade 7 in mocks; the flight-path target undersells this pupil.",
        "Long illness in Year 10 (medical evidence on file); agreed with parents to adjust.",
    ]
    for target, reason, change in zip(requests, reasons, (1, -1), strict=False):
        grade = values.get(target.grade.step + change) or values.get(target.grade.step - change)
        target_request_change(target=target, grade=grade, reason=reason, by=hod)

    # A few raise proposals from Year 11's latest closed point, in maths (the HoD's queue).
    point = (
        AssessmentPoint.objects.filter(school=school, academic_year=built.current_year, year_group__number=11)
        .filter(is_locked=True)
        .order_by("-sequence")
        .first()
    )
    if point is not None:
        pupils = Pupil.objects.filter(teaching_groups__in=y11_maths).exclude(pk__in=family_ids)
        targets_propose_raises(point=point, by=datamanager, pupils=pupils, limit=4)

    # Curricular targets for the demo family (and a class target for teacher.english's Year 11 group).
    english = Subject.objects.get(school=school, code="EN")
    teacher_maths, teacher_english = staff["teacher.maths"].user, staff["teacher.english"].user
    today = built.today

    def teacher_of(child, subject, fallback):
        group = TeachingGroup.objects.filter(pupils=child, subject=subject).prefetch_related("teachers__user")
        teachers = [t.user for g in group for t in g.teachers.all()]
        return teachers[0] if teachers else fallback

    for child in built.family["parent"]:
        maths_teacher = teacher_of(child, maths, teacher_maths)
        english_teacher = teacher_of(child, english, teacher_english)
        curricular_target_create(
            pupil=child,
            subject=maths,
            text="Show every step of working in multi-step problems, so method marks are earned.",
            horizon=Horizon.HALF_TERM,
            review_on=today + timedelta(days=30),
            by=maths_teacher,
        )
        curricular_target_create(
            pupil=child,
            subject=english,
            text="Use a quotation as evidence in every analytical paragraph.",
            horizon=Horizon.LESSONS,
            review_on=today + timedelta(days=10),
            by=english_teacher,
        )
        curricular_target_create(
            pupil=child,
            subject=maths,
            text="Staff only: check homework is being handed in before the review.",
            horizon=Horizon.TERM,
            review_on=today + timedelta(days=60),
            share_with_family=False,
            by=maths_teacher,
        )
    english_group = TeachingGroup.objects.filter(
        teachers=staff["teacher.english"], year_group__number=11
    ).first()
    if english_group is not None:
        curricular_target_create(
            group=english_group,
            text="Plan each essay answer for five minutes before writing.",
            horizon=Horizon.TERM,
            review_on=today + timedelta(days=45),
            by=teacher_english,
        )
