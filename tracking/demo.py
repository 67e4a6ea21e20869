"""A realistic, deterministic demo school, built with bulk inserts.

Dates are relative to the day it is built: the academic year is always under way, the current
half term's assessment window is open, and the two years before hold history.
"""

import math
import random
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import (
    AcademicYear,
    AssessmentPoint,
    Category,
    Department,
    FormGroup,
    GradeEntry,
    Guardian,
    GuardianLink,
    HalfTerm,
    Pupil,
    Qualification,
    Role,
    School,
    Staff,
    StaffRole,
    Subject,
    Target,
    TargetSource,
    TargetStatus,
    TeachingGroup,
    User,
    YearGroup,
    prior_band_for,
)
from .scales import install_standard_scales
from .signals import demo_school_built
from .upn import make_upn

DEMO_PASSWORD = "uplift-demo"

FIRST_NAMES = [
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Freya",
    "Florence",
    "Willow",
    "Grace",
    "Sophia",
    "Evie",
    "Poppy",
    "Ella",
    "Aisha",
    "Zara",
    "Maryam",
    "Hannah",
    "Chloe",
    "Ruby",
    "Sienna",
    "Layla",
    "Nia",
    "Eleanor",
    "Jessica",
    "Amira",
    "Daisy",
    "Harper",
    "Millie",
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Muhammad",
    "Leo",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Theo",
    "Jack",
    "Charlie",
    "Freddie",
    "Alfie",
    "Jacob",
    "Thomas",
    "Ethan",
    "Joshua",
    "Samuel",
    "Reuben",
    "Yusuf",
    "Ibrahim",
    "Kai",
    "Max",
    "Daniel",
    "Adam",
    "Ryan",
    "Kacper",
    "Tomasz",
    "Mateo",
    "Rohan",
    "Dylan",
    "Callum",
    "Finley",
    "Logan",
]
FIRST_MALE_NAME = FIRST_NAMES.index("Oliver")  # FIRST_NAMES lists girls' names, then boys'


def _title_for(first, drawn):
    """A title that fits the first name: the random draw stays the same, so the demo data does too."""
    male = FIRST_NAMES.index(first) >= FIRST_MALE_NAME
    if drawn == "Dr":
        return drawn
    if male:
        return "Mr"
    return "Ms" if drawn == "Mr" else drawn


LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Robinson",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
    "Mitchell",
    "Bailey",
    "Carter",
    "Cook",
    "Singh",
    "Shaw",
    "Bell",
    "Collins",
    "Morgan",
    "Kelly",
    "Begum",
    "Miller",
    "Cox",
    "Hussain",
    "Marshall",
    "Simpson",
    "Price",
    "Anderson",
    "Adams",
    "Wilkinson",
    "Ali",
    "Nowak",
    "Okafor",
    "Mensah",
    "Kowalski",
    "Ahmed",
    "Chen",
    "Nguyen",
    "Murphy",
    "Byrne",
]

# (name, code, department, category, scale code, qualification, taken in KS3, KS4 block)
SUBJECTS = (
    (
        "English Language",
        "EN",
        "English",
        Category.ENGLISH_LANGUAGE,
        "gcse",
        Qualification.GCSE,
        True,
        "core",
    ),
    (
        "English Literature",
        "EL",
        "English",
        Category.ENGLISH_LITERATURE,
        "gcse",
        Qualification.GCSE,
        False,
        "core",
    ),
    ("Mathematics", "MA", "Mathematics", Category.MATHS, "gcse", Qualification.GCSE, True, "core"),
    (
        "Combined Science",
        "SC",
        "Science",
        Category.COMBINED_SCIENCE,
        "gcse",
        Qualification.GCSE,
        True,
        "core",
    ),
    ("Religious Studies", "RS", "Humanities", Category.OTHER, "gcse", Qualification.GCSE, True, "core"),
    ("History", "HI", "Humanities", Category.HISTORY, "gcse", Qualification.GCSE, True, "humanity"),
    ("Geography", "GG", "Humanities", Category.GEOGRAPHY, "gcse", Qualification.GCSE, True, "humanity"),
    ("French", "FR", "Languages", Category.LANGUAGE, "gcse", Qualification.GCSE, True, "language"),
    ("Spanish", "SP", "Languages", Category.LANGUAGE, "gcse", Qualification.GCSE, True, "language"),
    (
        "Computer Science",
        "CS",
        "Computing",
        Category.COMPUTER_SCIENCE,
        "gcse",
        Qualification.GCSE,
        True,
        "option",
    ),
    ("Art and Design", "AR", "Creative Arts", Category.OTHER, "gcse", Qualification.GCSE, True, "option"),
    ("Sport (Technical Award)", "PE", "PE", Category.OTHER, "btec", Qualification.BTEC, False, "option"),
)

# Half terms: (name, start month, start day, end month, end day).
HALF_TERMS = (
    ("Autumn 1", 9, 2, 10, 23),
    ("Autumn 2", 11, 3, 12, 19),
    ("Spring 1", 1, 5, 2, 13),
    ("Spring 2", 2, 23, 3, 27),
    ("Summer 1", 4, 13, 5, 22),
    ("Summer 2", 6, 1, 7, 21),
)
KS4_POINT_TERMS = (1, 2, 3, 4, 5, 6)
KS3_POINT_TERMS = (2, 4, 6)
FORMS_PER_YEAR = 10
GROUP_SIZE = 30


class DemoRefused(Exception):
    pass


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


def build(*, pupils=1500, seed=1, today=None):
    """Build the demo school. Refuses when the database holds a school that is not a demo."""
    today = today or date.today()
    if School.objects.filter(is_demo=False).exists():
        raise DemoRefused(
            "This database holds a real school's data; seed_demo only builds into a demo database."
        )
    with transaction.atomic():
        _remove_previous_demo()
        return _Builder(pupils=pupils, seed=seed, today=today).run()


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
    FormGroup.objects.filter(school_id__in=ids).delete()
    demo.delete()


class _Builder:
    def __init__(self, *, pupils, seed, today):
        self.n_pupils = pupils
        self.rng = random.Random(seed)
        self.today = today
        self.password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes

    def run(self):
        self.school = School.objects.create(
            name="Riverside Academy", urn="149999", slug="riverside", is_demo=True
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
        from .cycle_demo import build_cycles

        build_cycles(self.built, self.points, self.today)
        self.built.staff = self.staff
        self.built.pupils = self.pupils
        self.built.family = self.family
        self.built.current_year = self.current_year
        self.built.today = self.today
        self.built.rng = self.rng
        demo_school_built.send(sender=School, built=self.built)
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
                terms = KS4_POINT_TERMS if number >= 10 else KS3_POINT_TERMS
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

    # -- people --------------------------------------------------------------------------------
    def _user(self, username, first, last, email=None):
        return User(
            username=username,
            first_name=first,
            last_name=last,
            school=self.school,
            email=email or f"{username}@riverside.example",
            password=self.password,
        )

    def _staff(self):
        rng = self.rng
        named = [
            ("slt", "Sarah", "Okafor", "Mrs", [(Role.SLT, {}), (Role.TEACHER, {})]),
            ("datamanager", "Dev", "Patel", "Mr", [(Role.DATA_MANAGER, {})]),
            (
                "hod.maths",
                "Helen",
                "Gray",
                "Ms",
                [(Role.HEAD_OF_DEPARTMENT, {"department": "Mathematics"}), (Role.TEACHER, {})],
            ),
            ("teacher.maths", "Tom", "Hughes", "Mr", [(Role.TEACHER, {})]),
            ("teacher.english", "Emma", "Clarke", "Ms", [(Role.TEACHER, {})]),
            ("tutor.11a", "Tariq", "Ahmed", "Mr", [(Role.FORM_TUTOR, {}), (Role.TEACHER, {})]),
            ("mentor", "Megan", "Lewis", "Mrs", [(Role.MENTOR, {}), (Role.TEACHER, {})]),
            ("senco", "Sam", "Newton", "Mx", [(Role.SENCO, {})]),
        ]
        users, staff_rows, role_rows = [], [], []
        for username, first, last, title, roles in named:
            users.append(self._user(username, first, last))
            staff_rows.append((title, roles))
        # Everyone else: enough teachers for every department, heads of department and of year.
        per_dept = {
            "English": 9,
            "Mathematics": 8,
            "Science": 8,
            "Humanities": 10,
            "Languages": 6,
            "Computing": 3,
            "Creative Arts": 3,
            "PE": 3,
        }
        self.dept_of_generated = []
        counter = 0
        for dept, n in per_dept.items():
            for i in range(n):
                counter += 1
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                roles = [(Role.TEACHER, {})]
                if i == 0 and dept != "Mathematics":
                    roles.append((Role.HEAD_OF_DEPARTMENT, {"department": dept}))
                users.append(self._user(f"staff{counter:03d}", first, last))
                staff_rows.append((_title_for(first, rng.choice(["Mr", "Mrs", "Ms", "Dr"])), roles))
                self.dept_of_generated.append(dept)
        # The data manager maintains scales, points and people in Django admin.
        users[1].is_staff = users[1].is_superuser = True
        User.objects.bulk_create(users)
        users = list(User.objects.filter(school=self.school).order_by("pk"))
        staff = Staff.objects.bulk_create(
            [
                Staff(
                    school=self.school,
                    user=u,
                    title=title,
                    initials=(u.first_name[:1] + u.last_name[:2]).upper(),
                )
                for u, (title, _) in zip(users, staff_rows, strict=True)
            ]
        )
        for member, (_, roles) in zip(staff, staff_rows, strict=True):
            for role, scope in roles:
                dept = self.departments.get(scope.get("department")) if scope.get("department") else None
                role_rows.append(StaffRole(staff=member, role=role, department=dept))
        self.staff = {u.username: s for u, s in zip(users, staff, strict=True)}
        self.by_dept = {d: [] for d in per_dept}
        for member, dept in zip(staff[len(named) :], self.dept_of_generated, strict=True):
            self.by_dept[dept].append(member)
        self.by_dept["Mathematics"][:0] = [self.staff["hod.maths"], self.staff["teacher.maths"]]
        self.by_dept["English"][:0] = [self.staff["teacher.english"]]
        self.by_dept["Science"].append(self.staff["mentor"])
        self.by_dept["Humanities"].append(self.staff["tutor.11a"])
        self.by_dept["Humanities"].append(self.staff["slt"])
        # Heads of year and key-stage coordinators come from the humanities and science teams.
        pool = self.by_dept["Humanities"][1:6] + self.by_dept["Science"][1:3]
        for number, member in zip(range(7, 12), pool, strict=False):
            role_rows.append(
                StaffRole(staff=member, role=Role.HEAD_OF_YEAR, year_group=self.year_groups[number])
            )
        role_rows.append(StaffRole(staff=pool[5], role=Role.HEAD_OF_YEAR, key_stage=3))
        role_rows.append(StaffRole(staff=pool[6], role=Role.HEAD_OF_YEAR, key_stage=4))
        StaffRole.objects.bulk_create(role_rows)
        self.built.counts["staff"] = len(staff)

    def _forms_and_pupils(self):
        rng = self.rng
        per_year = [self.n_pupils // 5 + (1 if i < self.n_pupils % 5 else 0) for i in range(5)]
        tutors = [s for s in self.staff.values() if s.user.username.startswith("staff")]
        rng.shuffle(tutors)
        forms, pupils, tutor_links = [], [], []
        self.forms = {}
        start_year = self.current_year.starts_on.year
        serial = 0
        for index, number in enumerate(range(7, 12)):
            year_forms = []
            for f in range(FORMS_PER_YEAR):
                form = FormGroup(
                    school=self.school,
                    academic_year=self.current_year,
                    year_group=self.year_groups[number],
                    name=f"{number}{'ABCDEFGHJK'[f]}",
                )
                forms.append(form)
                year_forms.append(form)
            self.forms[number] = year_forms
            for i in range(per_year[index]):
                serial += 1
                ks2_r, ks2_m = self._ks2()
                gender = rng.choice("FM") if rng.random() > 0.01 else "X"
                born = date(start_year - (number - 7) - 12, 9, 1) + timedelta(days=rng.randrange(365))
                disadvantaged = rng.random() < 0.27
                sen = "E" if rng.random() < 0.03 else ("K" if rng.random() < 0.13 else "N")
                pupils.append(
                    Pupil(
                        school=self.school,
                        upn=make_upn(
                            873, 4123, start_year - (number - 7), serial % 1000 + (serial // 1000) * 0
                        ),
                        legal_first_name=rng.choice(FIRST_NAMES),
                        legal_last_name=rng.choice(LAST_NAMES),
                        date_of_birth=born,
                        gender=gender,
                        year_group=self.year_groups[number],
                        form=year_forms[i % FORMS_PER_YEAR],
                        disadvantaged=disadvantaged,
                        sen_status=sen,
                        eal=rng.random() < 0.16,
                        looked_after=rng.random() < 0.01,
                        ks2_reading=ks2_r,
                        ks2_maths=ks2_m,
                        prior_band=prior_band_for(ks2_r, ks2_m),
                        attendance=round(min(100.0, max(62.0, rng.gauss(94.5 - 3 * disadvantaged, 4))), 1),
                    )
                )
        # UPNs must be unique: give each pupil its own serial within (year of entry).
        seen = {}
        for pupil in pupils:
            entry = pupil.upn[8:10]
            seen[entry] = seen.get(entry, 0) + 1
            pupil.upn = make_upn(873, 4123, int(entry), seen[entry])
        FormGroup.objects.bulk_create(forms)
        self.forms = {
            n: list(
                FormGroup.objects.filter(academic_year=self.current_year, year_group__number=n).order_by(
                    "name"
                )
            )
            for n in range(7, 12)
        }
        form_by_name = {f.name: f for fs in self.forms.values() for f in fs}
        for p in pupils:
            p.form = form_by_name[p.form.name]
        Pupil.objects.bulk_create(pupils, batch_size=1000)
        self.pupils = list(
            Pupil.objects.filter(school=self.school).select_related("year_group").order_by("pk")
        )
        # Tutors: tutor.11a has 11A; everyone else from the generated staff.
        through = FormGroup.tutors.through
        for fs in self.forms.values():
            for form in fs:
                tutor = self.staff["tutor.11a"] if form.name == "11A" else tutors.pop()
                tutor_links.append(through(formgroup_id=form.pk, staff_id=tutor.pk))
        through.objects.bulk_create(tutor_links)
        StaffRole.objects.bulk_create(
            [
                StaffRole(staff_id=link.staff_id, role=Role.FORM_TUTOR)
                for link in tutor_links
                if link.staff_id != self.staff["tutor.11a"].pk
            ]
        )
        self.built.counts["pupils"] = len(self.pupils)

    def _ks2(self):
        rng = self.rng
        if rng.random() < 0.04:  # arrived from abroad or absent at KS2: no scores
            return None, None
        base = rng.gauss(104, 6.5)
        clamp = lambda v: int(min(120, max(80, round(v))))  # noqa: E731
        return clamp(base + rng.gauss(0, 3)), clamp(base + rng.gauss(0, 3))

    def _guardians(self):
        """Every pupil has a parent with a login; `parent` has two children, one in Year 11."""
        rng = self.rng
        y11 = [p for p in self.pupils if p.year_group.number == 11]
        y8 = [p for p in self.pupils if p.year_group.number == 8]
        family = {"parent": [y11[0], y8[3]], "parent2": [y11[1]]}
        # Siblings share the family surname.
        for children in family.values():
            surname = children[0].legal_last_name
            for child in children[1:]:
                child.legal_last_name = surname
                child.save(update_fields=["legal_last_name"])
        claimed = {p.pk for children in family.values() for p in children}
        users = [
            self._user("parent", "Paula", family["parent"][0].legal_last_name, "parent@family.example"),
            self._user("parent2", "Peter", family["parent2"][0].legal_last_name, "parent2@family.example"),
        ]
        users[0].email, users[1].email = "parent@family.example", "parent2@family.example"
        others = [p for p in self.pupils if p.pk not in claimed]
        for pupil in others:
            first = rng.choice(FIRST_NAMES)
            users.append(
                self._user(
                    f"family{pupil.pk}", first, pupil.legal_last_name, f"family{pupil.pk}@family.example"
                )
            )
        User.objects.bulk_create(users, batch_size=1000)
        saved = {u.username: u for u in User.objects.filter(school=self.school, staff__isnull=True)}
        guardians = Guardian.objects.bulk_create(
            [Guardian(school=self.school, user=saved[u.username]) for u in users], batch_size=1000
        )
        by_user = {g.user_id: g for g in guardians}
        links = []
        for username, children in family.items():
            links += [
                GuardianLink(
                    guardian=by_user[saved[username].pk],
                    pupil=c,
                    relationship="Mother" if username == "parent" else "Father",
                )
                for c in children
            ]
        for pupil in others:
            links.append(GuardianLink(guardian=by_user[saved[f"family{pupil.pk}"].pk], pupil=pupil))
        GuardianLink.objects.bulk_create(links, batch_size=1000)
        self.family = family
        self.built.counts["guardians"] = len(guardians)

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

    # -- targets and grades --------------------------------------------------------------------
    def _target_step(self, pupil, subject):
        ks2 = pupil.ks2_mean if hasattr(pupil, "ks2_mean") else None
        if ks2 is None:
            ks2 = 103
        base = 5 + (ks2 - 104) / 4.2
        jitter = random.Random(f"target-{pupil.upn}-{subject.code}").gauss(0, 0.5)
        return base + jitter

    def _value(self, scale_code, level, allow_sub=True):
        """The scale value nearest to a continuous level (in whole-grade steps)."""
        values = self.values[scale_code]
        if scale_code == "gcse":
            level = min(9.3, max(0.6, level))
            whole = int(round(level))
            if whole <= 0:
                return next(v for v in values if v.code == "U")
            frac = level - whole
            suffix = "+" if allow_sub and frac > 0.17 else "-" if allow_sub and frac < -0.17 else ""
            code = f"{min(whole, 9)}{suffix}"
            return next(v for v in values if v.code == code)
        top = max(v.step for v in values)
        step = int(min(top, max(0, round(level * top / 9))))
        return next(v for v in values if v.step == step)

    def _targets(self):
        targets = []
        self.pupil_level = {}
        for pupil in self.pupils:
            for subject in self._subjects_for(pupil, pupil.year_group.number) + (
                [] if pupil.year_group.number >= 10 else []
            ):
                level = self._target_step(pupil, subject)
                grade = self._value(subject.scale.code, level, allow_sub=False)
                self.pupil_level[(pupil.pk, subject.pk)] = level
                targets.append(
                    Target(
                        school=self.school,
                        pupil=pupil,
                        subject=subject,
                        grade=grade,
                        source=TargetSource.FLIGHT_PATH,
                        source_detail="National expectations (KS2)",
                        status=TargetStatus.PUBLISHED,
                        published_grade=grade,
                    )
                )
        Target.objects.bulk_create(targets, batch_size=2000)
        self.built.counts["targets"] = len(targets)

    def _grades(self):
        """History for every closed point; the open window part-filled, the demo teachers' empty."""
        rng = self.rng
        entries = []
        demo_teachers = {self.staff[u].pk for u in ("teacher.maths", "teacher.english", "hod.maths")}
        points_by = {}
        for point in self.points:
            points_by.setdefault((point.academic_year_id, point.year_group.number), []).append(point)
        # A pupil's drift from target is persistent, so some sit above, on and below all along.
        drift = {p.pk: rng.gauss(0, 0.8) for p in self.pupils}
        for pupil in self.pupils:
            now = pupil.year_group.number
            for year in self.years:
                number = now - year.offset
                if number < 7:
                    continue
                points = sorted(points_by.get((year.pk, number), []), key=lambda p: p.sequence)
                subjects = self._subjects_for(pupil, number)
                n_points = len(points)
                for point in points:
                    is_open = year.offset == 0 and not point.is_locked and point.opens_on <= self.today
                    if year.offset == 0 and not point.is_locked and not is_open:
                        continue  # future point
                    for subject in subjects:
                        group = self.pupil_groups.get((pupil.pk, subject.pk)) if year.offset == 0 else None
                        if is_open:
                            if group is None or group.teacher.pk in demo_teachers:
                                continue
                            fill = zlib.crc32(group.name.encode()) % 10
                            if fill >= 7 or (fill >= 5 and rng.random() < 0.5):
                                continue
                        entries.append(self._entry(pupil, subject, point, number, n_points, drift, group))
        GradeEntry.objects.bulk_create(entries, batch_size=5000)
        self.built.counts["grade_entries"] = len(entries)

    def _entry(self, pupil, subject, point, number, n_points, drift, group):
        rng = self.rng
        target_level = self.pupil_level.get((pupil.pk, subject.pk)) or self._target_step(pupil, subject)
        # Progress through secondary school as a fraction: KS3 grades climb toward the KS4 target.
        through = ((number - 7) + point.sequence / n_points) / 5
        ks3_gap = max(0.0, (0.8 - through)) * 3.2 if number <= 9 else 0
        level = target_level + drift[pupil.pk] * min(1, through * 1.5) - ks3_gap + rng.gauss(0, 0.45)
        predicted_level = target_level + drift[pupil.pk] + rng.gauss(0, 0.35)
        scale = subject.scale.code
        current = self._value(scale, level)
        predicted = self._value(scale, predicted_level) if number >= 10 else None
        frac = predicted_level - round(predicted_level)
        security = ("H" if frac > 0.15 else "L" if frac < -0.15 else "M") if number >= 10 else ""
        effort = min(4, max(1, round(2.2 - drift[pupil.pk] * 0.6 + rng.gauss(0, 0.6))))
        return GradeEntry(
            school=self.school,
            pupil=pupil,
            subject=subject,
            point=point,
            teaching_group=group,
            current=current,
            predicted=predicted,
            security=security,
            effort=effort,
        )
