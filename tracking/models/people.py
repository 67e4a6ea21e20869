"""Users, staff with their roles, pupils and the guardians who may see them."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from .school import School


class User(AbstractUser):
    """A login. Staff and guardians hang off it; `school` scopes everything they see."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    is_trust_admin = models.BooleanField(
        default=False, help_text="Sees every school in the trust (multi-academy trust central team)."
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            # A superuser is the platform operator and belongs to no school: school staff never are.
            models.CheckConstraint(
                condition=models.Q(is_superuser=False) | models.Q(school__isnull=True),
                name="superuser_belongs_to_no_school",
                violation_error_message="School staff cannot be superusers: only the platform operator is.",
            ),
        ]

    @property
    def display_name(self):
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    HEAD_OF_DEPARTMENT = "hod", "Head of department"
    HEAD_OF_YEAR = "hoy", "Head of year / key-stage coordinator"
    FORM_TUTOR = "tutor", "Form tutor"
    MENTOR = "mentor", "Academic mentor"
    SENCO = "senco", "SENCo / assistant SENCo"
    SLT = "slt", "Senior leadership"
    # Named by the policies as owning global underachievement (Longfield, Hurworth).
    ASSISTANT_HEAD = "aht", "Assistant headteacher"
    RAISING_ACHIEVEMENT = "rac", "Raising achievement coordinator"
    DATA_MANAGER = "data", "Data manager"


class Department(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="department_unique_name")]

    def __str__(self):
        return self.name


class Staff(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff")
    title = models.CharField(max_length=10, blank=True)
    initials = models.CharField(max_length=5, blank=True)
    code = models.CharField(
        "staff code", max_length=10, blank=True, help_text="The MIS's staff code, e.g. JSM (imports match it)"
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "staff"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "code"], condition=~models.Q(code=""), name="staff_unique_code"
            ),
        ]

    def __str__(self):
        return self.name_of(self.title, self.user.first_name, self.user.last_name, self.user.username)

    # The fields `name_of` takes, in its order, read from a row that joins the staff member.
    NAME_FIELDS = ("title", "user__first_name", "user__last_name", "user__username")

    @staticmethod
    def name_of(title, first_name, last_name, username):
        """`str(staff)` from plain values (a list of hundreds spares the model objects)."""
        name = f"{first_name} {last_name}".strip() or username
        return f"{title} {name}".strip()


# Roles that may lead one key stage (a head of year's key stage makes them its coordinator).
KEY_STAGE_LEADS = (Role.HEAD_OF_YEAR, Role.ASSISTANT_HEAD, Role.RAISING_ACHIEVEMENT)


class StaffRole(models.Model):
    """One role a member of staff holds, with its scope where the role has one."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=10, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, help_text="For heads of department."
    )
    year_group = models.ForeignKey(
        "tracking.YearGroup", on_delete=models.CASCADE, null=True, blank=True, help_text="For heads of year."
    )
    key_stage = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For key-stage coordinators; for an assistant headteacher or raising achievement "
        "coordinator, the key stage they lead (blank: every key stage).",
    )

    class Meta:
        ordering = ["staff", "role"]
        constraints = [
            # Scope fields belong to the roles they scope: a teacher "of Maths" must not edit Maths.
            models.CheckConstraint(
                condition=models.Q(department__isnull=True) | models.Q(role="hod"),
                name="staffrole_department_only_for_hod",
            ),
            models.CheckConstraint(
                condition=models.Q(year_group__isnull=True) | models.Q(role="hoy"),
                name="staffrole_year_only_for_hoy",
            ),
            models.CheckConstraint(
                condition=models.Q(key_stage__isnull=True) | models.Q(role__in=["hoy", "aht", "rac"]),
                name="staffrole_stage_only_for_key_stage_leads",
            ),
        ]

    def __str__(self):
        scope = self.department or self.year_group or (self.key_stage and f"KS{self.key_stage}") or ""
        return f"{self.get_role_display()} {scope}".strip()

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.role == Role.HEAD_OF_DEPARTMENT:
            if self.department_id is None:
                errors["department"] = "A head of department needs their department."
        elif self.department_id is not None:
            errors["department"] = "Only a head of department has a department."
        if self.role == Role.HEAD_OF_YEAR:
            if (self.year_group_id is None) == (self.key_stage is None):
                errors["year_group"] = (
                    "A head of year has a year group, or a key-stage coordinator a key stage."
                )
        else:
            if self.year_group_id is not None:
                errors["year_group"] = "Only a head of year has a year group."
            if self.key_stage is not None and self.role not in KEY_STAGE_LEADS:
                errors["key_stage"] = (
                    "Only a key-stage coordinator, assistant headteacher or raising achievement "
                    "coordinator has a key stage."
                )
        if self.key_stage is not None and self.key_stage not in (3, 4, 5):
            errors["key_stage"] = "Key stage 3, 4 or 5."
        staff_school = self.staff.school_id if self.staff_id else None
        if self.department_id and self.department.school_id != staff_school:
            errors["department"] = "That department belongs to another school."
        if self.year_group_id and self.year_group.school_id != staff_school:
            errors["year_group"] = "That year group belongs to another school."
        if errors:
            raise ValidationError(errors)


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other / not stated"


class SenStatus(models.TextChoices):
    NONE = "N", "None"
    SUPPORT = "K", "SEN support"
    EHCP = "E", "EHC plan"


class SenNeed(models.TextChoices):
    """A pupil's primary type of SEN need: the DfE's codes, as the school census and the CTF write them."""

    NONE = "", "Not recorded"
    SPLD = "SPLD", "Specific learning difficulty"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    SLCN = "SLCN", "Speech, language and communication needs"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Visual impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    ASD = "ASD", "Autistic spectrum disorder"
    OTH = "OTH", "Other difficulty or disability"
    NSA = "NSA", "SEN support but no specialist assessment of type of need"


class PriorBand(models.TextChoices):
    LOW = "low", "Low"
    MIDDLE = "middle", "Middle"
    HIGH = "high", "High"
    UNKNOWN = "", "No KS2 data"


def prior_band_for(reading, maths):
    """DfE-style prior-attainment band from the mean KS2 scaled score (below 100 low, 110+ high)."""
    scores = [s for s in (reading, maths) if s is not None]
    if not scores:
        return PriorBand.UNKNOWN
    mean = sum(scores) / len(scores)
    if mean < 100:
        return PriorBand.LOW
    if mean >= 110:
        return PriorBand.HIGH
    return PriorBand.MIDDLE


class Pupil(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="pupils")
    upn = models.CharField("UPN", max_length=13)
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    preferred_last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    year_group = models.ForeignKey("tracking.YearGroup", on_delete=models.PROTECT, related_name="pupils")
    form = models.ForeignKey(
        "tracking.FormGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="pupils"
    )
    disadvantaged = models.BooleanField("disadvantaged / pupil premium", default=False)
    sen_status = models.CharField("SEN", max_length=1, choices=SenStatus.choices, default=SenStatus.NONE)
    sen_need = models.CharField(
        "primary SEN need", max_length=4, choices=SenNeed.choices, blank=True, default=SenNeed.NONE
    )
    eal = models.BooleanField("EAL", default=False)
    looked_after = models.BooleanField(default=False)
    ks2_reading = models.PositiveSmallIntegerField("KS2 reading scaled score", null=True, blank=True)
    ks2_maths = models.PositiveSmallIntegerField("KS2 maths scaled score", null=True, blank=True)
    prior_band = models.CharField(
        "prior attainment", max_length=6, choices=PriorBand.choices, blank=True, editable=False
    )
    attendance = models.DecimalField("attendance %", max_digits=5, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True, help_text="The day the pupil left the school.")
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when retention removed what identifies the pupil."
    )

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        constraints = [models.UniqueConstraint(fields=["school", "upn"], name="pupil_unique_upn")]
        indexes = [models.Index(fields=["school", "year_group"])]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # Stored rather than computed so group analysis can filter and aggregate in the database.
        self.prior_band = prior_band_for(self.ks2_reading, self.ks2_maths)
        super().save(*args, **kwargs)

    @property
    def first_name(self):
        return self.preferred_first_name or self.legal_first_name

    @property
    def last_name(self):
        return self.preferred_last_name or self.legal_last_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def sorted_name(self):
        return self.sorted_name_of(
            self.legal_first_name, self.legal_last_name, self.preferred_first_name, self.preferred_last_name
        )

    # The fields `sorted_name_of` takes, in its order (for values_list reads).
    SORTED_NAME_FIELDS = (
        "legal_first_name",
        "legal_last_name",
        "preferred_first_name",
        "preferred_last_name",
    )

    @staticmethod
    def sorted_name_of(legal_first_name, legal_last_name, preferred_first_name, preferred_last_name):
        """`sorted_name` of a pupil read as plain values (a page of thousands spares the model objects)."""
        return f"{preferred_last_name or legal_last_name}, {preferred_first_name or legal_first_name}"

    @property
    def ks2_mean(self):
        return self.ks2_mean_of(self.ks2_reading, self.ks2_maths)

    @staticmethod
    def ks2_mean_of(reading, maths):
        scores = [s for s in (reading, maths) if s is not None]
        return sum(scores) / len(scores) if scores else None


class Guardian(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guardians")
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="guardian")
    pupils = models.ManyToManyField(Pupil, related_name="guardians", through="GuardianLink")

    def __str__(self):
        return self.user.get_full_name() or self.user.username


class GuardianLink(models.Model):
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE)
    relationship = models.CharField(max_length=40, default="Parent")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guardian", "pupil"], name="guardian_link_unique")]

    def __str__(self):
        return f"{self.guardian} ({self.relationship}) of {self.pupil}"
