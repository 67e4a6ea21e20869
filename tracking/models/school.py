"""The school, its calendar, year groups and forms."""

from django.db import models


class School(models.Model):
    name = models.CharField(max_length=200)
    urn = models.CharField("URN", max_length=10, blank=True)
    slug = models.SlugField(unique=True)
    is_demo = models.BooleanField(default=False, help_text="Built by seed_demo; safe to rebuild.")
    # Words and colours for progress against target are the school's choice: red labels make
    # conversations at home emotive, so nothing here is hard-wired.
    label_above = models.CharField(max_length=40, default="Above target")
    label_on = models.CharField(max_length=40, default="On target")
    label_below = models.CharField(max_length=40, default="Below target")
    label_well_below = models.CharField(max_length=40, default="Well below target")
    colour_above = models.CharField(max_length=7, default="#1d70b8")
    colour_on = models.CharField(max_length=7, default="#00703c")
    colour_below = models.CharField(max_length=7, default="#b35900")
    colour_well_below = models.CharField(max_length=7, default="#8a1538")
    # How a grade stands against the grade expected now, in whole grades: the school's choice,
    # read only by tracking.standing (see that module for what each one decides).
    above_by = models.PositiveSmallIntegerField(
        "above from (grades over expected)",
        default=1,
        help_text="A grade this many whole grades or more over the grade expected now is above.",
    )
    below_by = models.PositiveSmallIntegerField(
        "below from (grades under expected)",
        default=1,
        help_text="This many whole grades or more under is below.",
    )
    well_below_by = models.PositiveSmallIntegerField(
        "well below from (grades under expected)",
        default=2,
        help_text="This many whole grades or more under is well below.",
    )
    floor_scale_code = models.CharField(
        "floor grade's scale",
        max_length=30,
        default="gcse",
        help_text="Code of the scale the floor grade is on.",
    )
    floor_step = models.PositiveSmallIntegerField(
        "floor grade",
        default=4,
        help_text='Whole grade a pupil should reach: "below 4" counts grades under it.',
    )
    fsm_ever_years = models.PositiveSmallIntegerField(
        "disadvantaged: free school meals within (years)",
        default=6,
        help_text="A pupil counts as disadvantaged if eligible for free school meals in this many years "
        "(pupil premium uses six). Applied when records are imported.",
    )
    retention_years = models.PositiveSmallIntegerField(
        "keep leavers' records for (years)",
        null=True,
        blank=True,
        help_text="Years after a pupil leaves before what identifies them is removed. Set by your school "
        "from its retention schedule; until it is set, nothing is removed.",
    )
    # The staffroom Data Board: a read-only screen opened by a signed link, not a login. The link
    # carries this key; changing it (the data manager's "new link") stops every old link at once.
    board_key = models.CharField(max_length=64, blank=True, help_text="Empty: the Data Board is off.")
    board_shows_pupils = models.BooleanField(
        "Data Board names pupils",
        default=False,
        help_text="Show pupils' names (the most improved) on the staffroom screen. Off: figures only.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(above_by__gte=1, below_by__gte=1, well_below_by__gt=models.F("below_by")),
                name="school_standing_thresholds_ordered",
            ),
        ]

    def __str__(self):
        return self.name


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="years")
    name = models.CharField(max_length=9, help_text="e.g. 2026/27")
    starts_on = models.DateField()
    ends_on = models.DateField()
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["school", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="academic_year_unique_name"),
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(is_current=True), name="one_current_year_per_school"
            ),
        ]

    def __str__(self):
        return self.name


class HalfTerm(models.Model):
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="half_terms")
    number = models.PositiveSmallIntegerField(help_text="1 to 6")
    name = models.CharField(max_length=40, help_text="e.g. Autumn 1")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="half_term_unique_number"),
        ]

    def __str__(self):
        return f"{self.name} {self.academic_year}"

    @property
    def term(self):
        return ("Autumn", "Spring", "Summer")[(self.number - 1) // 2]


def key_stage_for(year_number):
    if year_number <= 6:
        return 2
    if year_number <= 9:
        return 3
    if year_number <= 11:
        return 4
    return 5


class YearGroup(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="year_groups")
    number = models.PositiveSmallIntegerField(help_text="National curriculum year, 7 to 13")

    class Meta:
        ordering = ["school", "number"]
        constraints = [models.UniqueConstraint(fields=["school", "number"], name="year_group_unique")]

    def __str__(self):
        return f"Year {self.number}"

    @property
    def key_stage(self):
        return key_stage_for(self.number)


class FormGroup(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="forms")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="forms")
    year_group = models.ForeignKey(YearGroup, on_delete=models.PROTECT, related_name="forms")
    name = models.CharField(max_length=20, help_text="e.g. 11A")
    tutors = models.ManyToManyField("tracking.Staff", related_name="tutor_forms", blank=True)

    class Meta:
        ordering = ["year_group__number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="form_unique_name_per_year"),
        ]

    def __str__(self):
        return self.name
