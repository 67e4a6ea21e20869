"""A realistic, deterministic demo school, built with bulk inserts.

Dates are relative to the day it is built: the academic year is always under way, the current
half term's assessment window is open, and the two years before hold history.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from tracking.demo.data import (
    DEMO_PASSWORD,
    GROUP_SIZE,
    HALF_TERMS,
    KS3_POINT_TERMS,
    KS4_POINT_TERMS,
    SUBJECTS,
    Y7_POINT_TERMS,
)
from tracking.demo.estimates import seed_progress_estimates
from tracking.demo.grades import GradesBuilder
from tracking.demo.people import PeopleBuilder
from tracking.lib.errors import DomainError
from tracking.lib.scales import install_standard_scales
from tracking.models import (
    AcademicYear,
    AssessmentPoint,
    Department,
    FormGroup,
    GradeEntry,
    HalfTerm,
    Pupil,
    School,
    Subject,
    Target,
    TeachingGroup,
    User,
    YearGroup,
)
from tracking.signals import demo_school_built


@dataclass(frozen=True)
class DemoSchool:
    """Who a demo school is: the same builder makes each one."""

    name: str
    urn: str
    slug: str
    login_prefix: str  # "" for Riverside's logins ("slt"), "hillside." for Hillside's ("hillside.slt")
    domain: str
    upn_school: tuple  # (local authority, establishment) numbers in its pupils' UPNs

    def login(self, name):
        return f"{self.login_prefix}{name}"


RIVERSIDE = DemoSchool("Riverside Academy", "149999", "riverside", "", "riverside.example", (873, 4123))
HILLSIDE = DemoSchool("Hillside School", "149998", "hillside", "hillside.", "hillside.example", (873, 4124))
# The trust's own central team: works in either school, choosing one with the school switcher.
TRUST_LOGIN = "trust"


@dataclass
class Built:
    school: School
    years: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def year_start_for(today):
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _half_term_dates(start_year, number):
    name, sm, sd, em, ed = HALF_TERMS[number - 1]
    sy = start_year if sm >= 9 else start_year + 1
    ey = start_year if em >= 9 else start_year + 1
    return name, date(sy, sm, sd), date(ey, em, ed)


def build(*, pupils=1500, seed=1, today=None, hillside_pupils=0):
    """Build the demo trust: Riverside (`pupils`), Hillside too when `hillside_pupils` is given, and the
    trust's login. Refuses when the database holds a school that is not a demo. Returns Riverside's build,
    with Hillside's as `built.hillside` (or None).

    `today` is the school's date (the site's time zone, as every page reads it), not the machine's: a
    machine ahead of the school's time zone would otherwise build a day the school has not reached."""
    today = today or timezone.localdate()
    if School.objects.filter(is_demo=False).exists():
        raise DomainError(
            "not_demo",
            "This database holds a real school's data; seed_demo only builds into a demo database.",
        )
    with transaction.atomic():
        _remove_previous_demo()
        built = _Builder(profile=RIVERSIDE, pupils=pupils, seed=seed, today=today).run()
        built.hillside = None
        if hillside_pupils:
            # Its own seed: different names and results, the same shape of school.
            built.hillside = _Builder(
                profile=HILLSIDE, pupils=hillside_pupils, seed=seed + 1000, today=today
            ).run()
            _trust_login(built)
        return built


def demo_now(today):
    """The moment a demo built for `today` stands at: now's time of day on that date. Everything the demo
    does "as of now" (cycle stages reached, registers taken, slips sent) reads this clock, so a demo
    built for a day ahead of the real one is as consistent as one built for today."""
    return timezone.now() + timedelta(days=(today - timezone.localdate()).days)


def _trust_login(built):
    """`trust`: the trust's central team, in no one school (is_trust_admin), with the demo password."""
    User.objects.create(
        username=TRUST_LOGIN,
        first_name="Tamsin",
        last_name="Reid",
        email="trust@trust.example",
        password=built.staff["slt"].user.password,  # the demo password, already hashed
        is_trust_admin=True,
    )


def refresh_statistics():
    """The database plans a query from its tables' statistics, which autovacuum refreshes only some time
    after a bulk load: until then, queries over tables just filled may be planned as nested loops
    (minutes instead of milliseconds). The demo refreshes them itself once its rows are in.

    Only Uplift's own tables: a bare ANALYZE inside seed_demo's transaction also analyses the cluster's
    shared catalogues and holds their lock until commit, so another database's ANALYZE (or a second
    demo being built on the same server) waits minutes for it."""
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def _remove_previous_demo():
    demo = School.objects.filter(is_demo=True)
    if not demo.exists():
        return
    from django.apps import apps

    # Delete leaf-first so PROTECT foreign keys never block a rebuild: every model that points at a
    # school is emptied for the demo schools, GradeEntry and Target before the things they protect.
    ids = list(demo.values_list("pk", flat=True))
    GradeEntry.objects.filter(school_id__in=ids).delete()
    Target.objects.filter(school_id__in=ids).delete()
    for model in apps.get_models():
        if model._meta.app_label != "tracking" and any(
            f.name == "school" and f.is_relation for f in model._meta.fields
        ):
            model.objects.filter(school_id__in=ids).delete()
    Pupil.objects.filter(school_id__in=ids).delete()
    TeachingGroup.objects.filter(school_id__in=ids).delete()
    AssessmentPoint.objects.filter(school_id__in=ids).delete()
    Subject.objects.filter(school_id__in=ids).delete()
    User.objects.filter(school_id__in=ids).delete()
    User.objects.filter(username=TRUST_LOGIN, school__isnull=True, is_trust_admin=True).delete()
    FormGroup.objects.filter(school_id__in=ids).delete()
    demo.delete()


class _Builder(PeopleBuilder, GradesBuilder):
    def __init__(self, *, profile, pupils, seed, today):
        self.profile = profile
        self.n_pupils = pupils
        self.rng = random.Random(seed)
        self.today = today
        self.password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes

    def run(self):
        profile = self.profile
        self.school = School.objects.create(
            name=profile.name, urn=profile.urn, slug=profile.slug, is_demo=True
        )
        self.built = Built(school=self.school)
        self.scales = install_standard_scales(self.school)
        self.values = {code: list(scale.values.all()) for code, scale in self.scales.items()}
        self._calendar()
        self._departments_and_subjects()
        self._staff()
        self._forms_and_pupils()
        self._guardians()
        self._teaching_groups()
        self._targets()
        self._grades()
        self.built.counts["progress_estimate_bands"] = seed_progress_estimates(self.school)
        refresh_statistics()
        self.built.profile = self.profile
        self.built.staff = self.staff
        self.built.now = demo_now(self.today)
        from tracking.demo.cycles import build_cycles

        build_cycles(self.built, self.points, self.today)
        self.built.pupils = self.pupils
        self.built.family = self.family
        self.built.current_year = self.current_year
        self.built.today = self.today
        self.built.rng = self.rng
        demo_school_built.send(sender=School, built=self.built)
        refresh_statistics()
        return self.built

    # -- calendar ------------------------------------------------------------------------------
    def _calendar(self):
        start = year_start_for(self.today)
        self.years = []
        for back in (2, 1, 0):
            sy = start.year - back
            year = AcademicYear.objects.create(
                school=self.school,
                name=f"{sy}/{(sy + 1) % 100:02d}",
                starts_on=date(sy, 9, 1),
                ends_on=date(sy + 1, 8, 31),
                is_current=back == 0,
            )
            year.offset = back
            self.years.append(year)
            HalfTerm.objects.bulk_create(
                [
                    HalfTerm(
                        academic_year=year,
                        number=n,
                        name=_half_term_dates(sy, n)[0],
                        starts_on=_half_term_dates(sy, n)[1],
                        ends_on=_half_term_dates(sy, n)[2],
                    )
                    for n in range(1, 7)
                ]
            )
        self.current_year = self.years[-1]
        self.built.years = self.years
        self.year_groups = {n: YearGroup.objects.create(school=self.school, number=n) for n in range(7, 14)}
        self._points()

    def _current_half_term_number(self):
        sy = self.current_year.starts_on.year
        number = 1
        for n in range(1, 7):
            _, starts, _ = _half_term_dates(sy, n)
            if starts - timedelta(days=10) <= self.today:
                number = n
        return number

    def _points(self):
        """Points per year group; the current half term's window is open today whatever the date."""
        current_ht = self._current_half_term_number()
        self.current_ht = current_ht
        points = []
        for year in self.years:
            half_terms = {h.number: h for h in year.half_terms.all()}
            for number in range(7, 12):
                terms = {7: Y7_POINT_TERMS}.get(number, KS4_POINT_TERMS if number >= 10 else KS3_POINT_TERMS)
                for seq, ht in enumerate(terms, start=1):
                    half = half_terms[ht]
                    opens, closes = half.ends_on - timedelta(days=14), half.ends_on - timedelta(days=2)
                    locked = True
                    if year.offset == 0:
                        if ht == current_ht or (
                            ht < current_ht
                            and ht == max(t for t in terms if t <= current_ht)
                            and current_ht not in terms
                        ):
                            opens = min(opens, self.today - timedelta(days=5))
                            closes = max(closes, self.today + timedelta(days=9))
                            locked = False
                        elif ht > current_ht:
                            locked = False
                    points.append(
                        AssessmentPoint(
                            school=self.school,
                            academic_year=year,
                            year_group=self.year_groups[number],
                            half_term=half,
                            name=f"Y{number} {half.name}",
                            sequence=seq,
                            opens_on=opens,
                            closes_on=closes,
                            collects_predicted=number >= 10,
                            collects_security=number >= 10,
                            is_locked=locked,
                        )
                    )
        AssessmentPoint.objects.bulk_create(points)
        self.points = list(
            AssessmentPoint.objects.filter(school=self.school).select_related("year_group", "academic_year")
        )

    # -- curriculum ----------------------------------------------------------------------------
    def _departments_and_subjects(self):
        names = sorted({row[2] for row in SUBJECTS})
        self.departments = {n: Department.objects.create(school=self.school, name=n) for n in names}
        self.subjects = {}
        for name, code, dept, category, scale, qual, ks3, block in SUBJECTS:
            subject = Subject.objects.create(
                school=self.school,
                department=self.departments[dept],
                name=name,
                code=code,
                qualification=qual,
                category=category,
                scale=self.scales[scale],
            )
            subject.ks3, subject.block = ks3, block
            self.subjects[code] = subject

    # -- classes -------------------------------------------------------------------------------
    def _subjects_for(self, pupil, year_number):
        """A pupil's subjects in a given year: everything in KS3, core plus options in KS4."""
        rng = random.Random(f"subjects-{pupil.upn}")  # keyed on UPN: stable across rebuilds
        if year_number <= 9:
            return [s for s in self.subjects.values() if s.ks3]
        chosen = [s for s in self.subjects.values() if s.block == "core"]
        chosen.append(self.subjects[rng.choice(["HI", "GG"])])
        chosen.append(self.subjects[rng.choice(["FR", "SP"])])
        chosen += [self.subjects[c] for c in rng.sample(["CS", "AR", "PE"], 2)]
        return chosen

    def _teaching_groups(self):
        groups, members, teacher_links = [], [], []
        through = TeachingGroup.pupils.through
        self.pupil_groups = {}
        load = {s.pk: 0 for s in self.staff.values()}
        for number in range(7, 12):
            year_pupils = [p for p in self.pupils if p.year_group.number == number]
            for subject in self.subjects.values():
                takers = [p for p in year_pupils if subject in self._subjects_for(p, number)]
                if not takers:
                    continue
                # Sets by prior attainment in maths and science; mixed ability elsewhere.
                if subject.code in ("MA", "SC"):
                    takers.sort(key=lambda p: -(p.ks2_maths or 100))
                n_groups = max(1, math.ceil(len(takers) / GROUP_SIZE))
                for g in range(n_groups):
                    group = TeachingGroup(
                        school=self.school,
                        academic_year=self.current_year,
                        subject=subject,
                        year_group=self.year_groups[number],
                        name=f"{number}{subject.code}{g + 1}",
                    )
                    group.members = (
                        takers[g::n_groups]
                        if subject.code not in ("MA", "SC")
                        else takers[g * GROUP_SIZE : (g + 1) * GROUP_SIZE]
                    )
                    group.teacher = self._pick_teacher(subject, number, g, load)
                    groups.append(group)
        TeachingGroup.objects.bulk_create(groups)
        for group in groups:
            teacher_links.append(
                TeachingGroup.teachers.through(teachinggroup_id=group.pk, staff_id=group.teacher.pk)
            )
            for pupil in group.members:
                members.append(through(teachinggroup_id=group.pk, pupil_id=pupil.pk))
                self.pupil_groups[(pupil.pk, group.subject_id)] = group
        TeachingGroup.teachers.through.objects.bulk_create(teacher_links)
        through.objects.bulk_create(members, batch_size=2000)
        self.groups = groups
        self.built.counts["teaching_groups"] = len(groups)

    def _pick_teacher(self, subject, number, index, load):
        dept = subject.department.name
        team = self.by_dept[dept]
        special = {
            "teacher.maths": ("MA", {11: (0, 1), 10: (0,), 8: (0,)}),
            "hod.maths": ("MA", {11: (2,), 9: (0,)}),
            "teacher.english": ("EN", {11: (0, 1), 10: (0,), 7: (0,)}),
            "tutor.11a": ("HI", {11: (0,)}),
            "mentor": ("SC", {11: (3,)}),
            "slt": ("RS", {11: (4,)}),
        }
        for username, (code, years) in special.items():
            if subject.code == code and index in years.get(number, ()):
                member = self.staff[username]
                load[member.pk] += 1
                return member
        reserved = {self.staff[u].pk for u in special}
        candidates = [s for s in team if s.pk not in reserved] or team
        member = min(candidates, key=lambda s: (load[s.pk], s.pk))
        load[member.pk] += 1
        return member
