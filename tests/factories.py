"""factory_boy factories for every model tests need. One place, so tests read as stories."""

from datetime import date, timedelta

import factory
from django.contrib.auth.hashers import make_password

from mentoring.models import MentorAssignment
from tracking import models
from tracking.lib.scales import install_standard_scales

PASSWORD = "correct-horse-battery"
_HASH = None


def password_hash():
    global _HASH
    if _HASH is None:
        _HASH = make_password(PASSWORD)
    return _HASH


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.School
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")

    @factory.post_generation
    def scales(obj, create, extracted, **kwargs):
        if create:
            obj.scales_by_code = install_standard_scales(obj)


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AcademicYear
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    name = "2026/27"
    starts_on = date(2026, 9, 1)
    ends_on = date(2027, 8, 31)
    is_current = True


class YearGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.YearGroup
        skip_postgeneration_save = True
        django_get_or_create = ("school", "number")

    school = factory.SubFactory(SchoolFactory)
    number = 11


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(password_hash)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Staff
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        """roles=[Role.TEACHER, (Role.HEAD_OF_DEPARTMENT, {"department": dept})]"""
        if not create:
            return
        for item in extracted or [models.Role.TEACHER]:
            role, scope = item if isinstance(item, tuple) else (item, {})
            models.StaffRole.objects.create(staff=obj, role=role, **scope)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Department
        skip_postgeneration_save = True
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = "Mathematics"


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Subject
        skip_postgeneration_save = True
        django_get_or_create = ("school", "code")

    school = factory.SubFactory(SchoolFactory)
    department = factory.SubFactory(DepartmentFactory, school=factory.SelfAttribute("..school"))
    name = "Mathematics"
    code = factory.LazyAttribute(lambda s: s.name[:2].upper())
    category = models.Category.MATHS
    scale = factory.LazyAttribute(lambda s: s.school.scales.get(code="gcse"))


class FormGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FormGroup
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.LazyAttribute(lambda f: f.school.years.get(is_current=True))
    year_group = factory.LazyAttribute(lambda f: YearGroupFactory(school=f.school, number=11))
    name = factory.Sequence(lambda n: f"11F{n}")


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Pupil
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: f"T{n:012d}")
    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = date(2011, 3, 4)
    gender = "F"
    year_group = factory.LazyAttribute(lambda p: YearGroupFactory(school=p.school, number=11))
    ks2_reading = 104
    ks2_maths = 106


class TeachingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TeachingGroup
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.LazyAttribute(lambda g: g.school.years.get(is_current=True))
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    year_group = factory.LazyAttribute(lambda g: YearGroupFactory(school=g.school, number=11))
    name = factory.Sequence(lambda n: f"11Ma{n}")

    @factory.post_generation
    def teachers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.teachers.set(extracted)

    @factory.post_generation
    def pupils(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.pupils.set(extracted)


class AssessmentPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AssessmentPoint
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.LazyAttribute(lambda p: p.school.years.get(is_current=True))
    year_group = factory.LazyAttribute(lambda p: YearGroupFactory(school=p.school, number=11))
    name = factory.Sequence(lambda n: f"Y11 Point {n}")
    sequence = factory.Sequence(lambda n: n + 1)
    opens_on = factory.LazyFunction(lambda: date.today() - timedelta(days=3))
    closes_on = factory.LazyFunction(lambda: date.today() + timedelta(days=10))


def grade(school, code, scale="gcse"):
    return models.GradeValue.objects.get(scale__school=school, scale__code=scale, code=code)


class GradeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GradeEntry
        skip_postgeneration_save = True

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    point = factory.SubFactory(AssessmentPointFactory, school=factory.SelfAttribute("..school"))


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Target
        skip_postgeneration_save = True

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    grade = factory.LazyAttribute(lambda t: grade(t.school, "6"))
    source = models.TargetSource.FLIGHT_PATH
    status = models.TargetStatus.PUBLISHED
    published_grade = factory.SelfAttribute("grade")


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Guardian
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))

    @factory.post_generation
    def children(obj, create, extracted, **kwargs):
        if create and extracted:
            for pupil in extracted:
                models.GuardianLink.objects.create(guardian=obj, pupil=pupil)


class MentorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorAssignment
        skip_postgeneration_save = True

    school = factory.SelfAttribute("pupil.school")
    academic_year = factory.LazyAttribute(lambda m: m.pupil.school.years.get(is_current=True))
    mentor = factory.SubFactory(StaffFactory, school=factory.SelfAttribute("..school"))
    pupil = factory.SubFactory(PupilFactory)
