"""Grade scales, subjects and teaching groups."""

from django.db import models

from .school import School


class GradeScale(models.Model):
    """An ordered set of grades. Scales are data the data manager edits, not code."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="scales")
    name = models.CharField(max_length=60)
    code = models.SlugField(max_length=30)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="scale_unique_code")]

    def __str__(self):
        return self.name


class GradeValue(models.Model):
    """One grade on a scale.

    `rank` orders every value (sub-grades included, higher is better); `step` is the whole-grade
    position, so 5+, 5 and 5- share a step and "below target by two grades" compares steps.
    """

    scale = models.ForeignKey(GradeScale, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(max_length=10, help_text="What teachers type and reports print, e.g. 5+ or A*")
    rank = models.SmallIntegerField()
    step = models.SmallIntegerField()
    points = models.DecimalField(max_digits=5, decimal_places=2, help_text="Points for averages and A8")
    aliases = models.CharField(max_length=60, blank=True, help_text="Other spellings, comma-separated")

    class Meta:
        ordering = ["scale", "-rank"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="grade_value_unique_code"),
            models.UniqueConstraint(fields=["scale", "rank"], name="grade_value_unique_rank"),
        ]

    def __str__(self):
        return self.code


class Qualification(models.TextChoices):
    GCSE = "gcse", "GCSE"
    A_LEVEL = "alevel", "A level"
    BTEC = "btec", "BTEC / technical award"
    KS3 = "ks3", "Key stage 3"
    OTHER = "other", "Other"


class Category(models.TextChoices):
    """Where a subject counts in Attainment 8 (DfE slot rules)."""

    ENGLISH_LANGUAGE = "english_language", "English language"
    ENGLISH_LITERATURE = "english_literature", "English literature"
    MATHS = "maths", "Maths"
    SCIENCE = "science", "Science (single)"
    COMBINED_SCIENCE = "combined_science", "Combined science"
    COMPUTER_SCIENCE = "computer_science", "Computer science"
    HISTORY = "history", "History"
    GEOGRAPHY = "geography", "Geography"
    LANGUAGE = "language", "Language"
    OTHER = "other", "Other"


class Subject(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subjects")
    department = models.ForeignKey("tracking.Department", on_delete=models.PROTECT, related_name="subjects")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=10)
    qualification = models.CharField(max_length=10, choices=Qualification.choices, default=Qualification.GCSE)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    scale = models.ForeignKey(GradeScale, on_delete=models.PROTECT, related_name="subjects")
    ks3_scale = models.ForeignKey(
        GradeScale,
        on_delete=models.PROTECT,
        related_name="ks3_subjects",
        null=True,
        blank=True,
        help_text="Scale used in years 7-9 when it differs from the main scale.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="subject_unique_code")]

    def __str__(self):
        return self.name

    def scale_for_year(self, year_number):
        if year_number <= 9 and self.ks3_scale_id:
            return self.ks3_scale
        return self.scale


class TeachingGroup(models.Model):
    """A class: one subject, one or more teachers, its pupils, for one academic year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teaching_groups")
    academic_year = models.ForeignKey(
        "tracking.AcademicYear", on_delete=models.CASCADE, related_name="groups"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="groups")
    year_group = models.ForeignKey("tracking.YearGroup", on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=20, help_text="e.g. 11Ma1")
    teachers = models.ManyToManyField("tracking.Staff", related_name="teaching_groups", blank=True)
    pupils = models.ManyToManyField("tracking.Pupil", related_name="teaching_groups", blank=True)

    class Meta:
        ordering = ["year_group__number", "subject__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="teaching_group_unique_name"),
        ]

    def __str__(self):
        return self.name
