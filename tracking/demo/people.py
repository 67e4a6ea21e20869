"""The demo school's people: staff and their roles, forms and pupils, guardians."""

import random
from datetime import date, timedelta

from tracking.demo.data import FIRST_NAMES, FORM_SIZE, FORMS_PER_YEAR, LAST_NAMES, _title_for
from tracking.lib.upn import make_upn
from tracking.models import (
    FormGroup,
    Guardian,
    GuardianLink,
    Pupil,
    Role,
    Staff,
    StaffRole,
    User,
    prior_band_for,
)

# Primary needs in a mainstream secondary, roughly as the DfE's SEN statistics have them: SEMH, specific
# learning difficulties and speech and language most often at SEN support; autism most often with a plan.
SEN_NEED_WEIGHTS = {
    "K": {"SEMH": 24, "SPLD": 19, "SLCN": 15, "MLD": 13, "ASD": 9, "OTH": 5, "NSA": 5, "PD": 3, "HI": 3,
          "VI": 2, "MSI": 1, "SLD": 1},
    "E": {"ASD": 36, "SEMH": 18, "SLCN": 14, "MLD": 8, "SPLD": 6, "PD": 6, "HI": 4, "SLD": 4, "VI": 2,
          "OTH": 1, "MSI": 1},
}  # fmt: skip
# Scaled-score points a disadvantaged pupil's KS2 results are drawn below the others'.
KS2_DISADVANTAGED_GAP = 3


def sen_need_for(pupil):
    """A SEN pupil's primary need, drawn from the UPN so it stays put across rebuilds."""
    weights = SEN_NEED_WEIGHTS.get(pupil.sen_status)
    if not weights:
        return ""
    draw = random.Random(f"sen-need-{pupil.upn}")
    return draw.choices(list(weights), weights=list(weights.values()))[0]


class PeopleBuilder:
    """Mixed into the demo builder: everything here reads and sets attributes of one build."""

    # -- people --------------------------------------------------------------------------------
    def _user(self, name, first, last, email=None):
        """A login named `name` in this school ("slt"; Hillside's is "hillside.slt")."""
        username = self.profile.login(name)
        return User(
            username=username,
            first_name=first,
            last_name=last,
            school=self.school,
            email=email or f"{username}@{self.profile.domain}",
            password=self.password,
        )

    def _staff(self):
        rng = self.rng
        named = [
            (
                "slt",
                "Sarah",
                "Okafor",
                "Mrs",
                # The assistant head for tracking: global underachievement is hers (Longfield).
                [(Role.SLT, {}), (Role.ASSISTANT_HEAD, {}), (Role.TEACHER, {})],
            ),
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
        # A larger school has more teachers, not fuller timetables: above 1,500 pupils each department
        # grows in proportion, so a teacher of the 6,000-pupil demo teaches as many groups as at 1,500.
        grow = max(1.0, self.n_pupils / 1500)
        self.dept_of_generated = []
        counter = 0
        for dept, n in per_dept.items():
            for i in range(round(n * grow)):
                counter += 1
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                roles = [(Role.TEACHER, {})]
                if i == 0 and dept != "Mathematics":
                    roles.append((Role.HEAD_OF_DEPARTMENT, {"department": dept}))
                users.append(self._user(f"staff{counter:03d}", first, last))
                staff_rows.append((_title_for(first, rng.choice(["Mr", "Mrs", "Ms", "Dr"])), roles))
                self.dept_of_generated.append(dept)
        # The data manager maintains scales, points and people in Django admin (their school's only:
        # school staff are never superusers).
        users[1].is_staff = True
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
        # Keyed by the login's name within the school ("slt"), whatever prefix the school gives it.
        prefix = len(self.profile.login_prefix)
        self.staff = {u.username[prefix:]: s for u, s in zip(users, staff, strict=True)}
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
        tutors = [s for name, s in self.staff.items() if name.startswith("staff")]
        rng.shuffle(tutors)
        forms, pupils, tutor_links = [], [], []
        self.forms = {}
        start_year = self.current_year.starts_on.year
        serial = 0
        for index, number in enumerate(range(7, 12)):
            year_forms = []
            # Forms of about 30, as in a real school: a bigger demo has more forms, not bigger ones.
            for f in range(max(FORMS_PER_YEAR, -(-per_year[index] // FORM_SIZE))):
                form = FormGroup(
                    school=self.school,
                    academic_year=self.current_year,
                    year_group=self.year_groups[number],
                    name=f"{number}{_form_letters(f)}",
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
                if disadvantaged:
                    ks2_r, ks2_m = _behind(ks2_r), _behind(ks2_m)
                sen = "E" if rng.random() < 0.03 else ("K" if rng.random() < 0.13 else "N")
                pupils.append(
                    Pupil(
                        school=self.school,
                        upn=make_upn(
                            *self.profile.upn_school,
                            start_year - (number - 7),
                            serial % 1000 + (serial // 1000) * 0,
                        ),
                        legal_first_name=rng.choice(FIRST_NAMES),
                        legal_last_name=rng.choice(LAST_NAMES),
                        date_of_birth=born,
                        gender=gender,
                        year_group=self.year_groups[number],
                        form=year_forms[i % len(year_forms)],
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
        # UPNs must be unique: give each pupil its own serial within (year of entry). A UPN's serial has
        # three digits, so past 999 pupils in a year (seed_demo --pupils 6000) the next establishment
        # number carries on the count.
        seen = {}
        la_code, estab = self.profile.upn_school
        for pupil in pupils:
            entry = pupil.upn[8:10]
            seen[entry] = n = seen.get(entry, 0) + 1
            pupil.upn = make_upn(la_code, estab + (n - 1) // 999, int(entry), (n - 1) % 999 + 1)
        for pupil in pupils:
            pupil.sen_need = sen_need_for(pupil)
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
        # A very large demo has more forms than staff: the staff then tutor two forms each.
        through = FormGroup.tutors.through
        given = 0
        for fs in self.forms.values():
            for form in fs:
                if form.name == "11A":
                    tutor = self.staff["tutor.11a"]
                else:
                    tutor = tutors[len(tutors) - 1 - given % len(tutors)]
                    given += 1
                tutor_links.append(through(formgroup_id=form.pk, staff_id=tutor.pk))
        through.objects.bulk_create(tutor_links)
        tutor_ids = {link.staff_id for link in tutor_links} - {self.staff["tutor.11a"].pk}
        StaffRole.objects.bulk_create(
            [StaffRole(staff_id=pk, role=Role.FORM_TUTOR) for pk in sorted(tutor_ids)]
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
            self._user("parent", "Paula", family["parent"][0].legal_last_name),
            self._user("parent2", "Peter", family["parent2"][0].legal_last_name),
        ]
        users[0].email = f"{users[0].username}@family.example"
        users[1].email = f"{users[1].username}@family.example"
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
                    guardian=by_user[saved[self.profile.login(username)].pk],
                    pupil=c,
                    relationship="Mother" if username == "parent" else "Father",
                )
                for c in children
            ]
        for pupil in others:
            links.append(
                GuardianLink(guardian=by_user[saved[self.profile.login(f"family{pupil.pk}")].pk], pupil=pupil)
            )
        GuardianLink.objects.bulk_create(links, batch_size=1000)
        self.family = family
        self.built.counts["guardians"] = len(guardians)


def _behind(score):
    """A disadvantaged pupil's KS2 scaled score: England's disadvantaged pupils start secondary school
    about three scaled-score points behind the others (the rest of the draw is left as it was)."""
    return None if score is None else max(80, score - KS2_DISADVANTAGED_GAP)


FORM_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0 on a register


def _form_letters(index):
    """A, B, ... Z, then AA, AB, ...: the form's name after its year."""
    if index < len(FORM_LETTERS):
        return FORM_LETTERS[index]
    first, second = divmod(index, len(FORM_LETTERS))
    return FORM_LETTERS[first - 1] + FORM_LETTERS[second]
