"""Academic mentors and the pupils they mentor."""

from django.db import models


class MentorAssignment(models.Model):
    """A pupil's academic mentor for a year (Longfield: every Year 11 pupil from September)."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey("tracking.AcademicYear", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("tracking.Staff", on_delete=models.CASCADE, related_name="mentees")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="mentor_assignments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "pupil"], name="one_mentor_per_pupil_per_year"),
        ]

    def __str__(self):
        return f"{self.mentor} mentors {self.pupil}"


class MentoringSettings(models.Model):
    """How a school runs mentoring. Without a row, Year 11 is mentored (Longfield's policy)."""

    school = models.OneToOneField("tracking.School", on_delete=models.CASCADE, related_name="+")
    year_groups = models.ManyToManyField(
        "tracking.YearGroup",
        related_name="+",
        blank=True,
        help_text="The year groups whose pupils have an academic mentor (Year 11, or Years 10 and 11).",
    )

    class Meta:
        verbose_name_plural = "mentoring settings"

    def __str__(self):
        return f"Mentoring at {self.school}"


class MeetingKind(models.TextChoices):
    FORMAL = "formal", "Formal"
    INFORMAL = "informal", "Informal"


class MentorMeeting(models.Model):
    """A mentor's meeting with a mentee (Longfield: formally and informally, at least once a month)."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey("tracking.AcademicYear", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="mentor_meetings")
    mentor = models.ForeignKey("tracking.Staff", on_delete=models.CASCADE, related_name="mentor_meetings")
    held_on = models.DateField("date")
    kind = models.CharField(max_length=10, choices=MeetingKind.choices)
    discussed = models.TextField("what was discussed")
    targets_agreed = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    parents_involved = models.BooleanField("parents or carers involved", default=False)
    recorded_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["pupil", "held_on"]), models.Index(fields=["mentor", "held_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} meeting with {self.pupil} on {self.held_on:%d %b %Y}"


class SlipKind(models.TextChoices):
    POSITIVE = "positive", "Positive"
    CONCERN = "concern", "Concern"


class MentoringSlip(models.Model):
    """A teacher's note to a pupil's mentor (Hurworth): positive or a concern, and what to improve."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey("tracking.AcademicYear", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="mentoring_slips")
    subject = models.ForeignKey("tracking.Subject", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=SlipKind.choices)
    message = models.TextField("what the mentor should know")
    to_improve = models.TextField("targets for improvement", blank=True)
    sent_by = models.ForeignKey("tracking.Staff", on_delete=models.CASCADE, related_name="slips_sent")
    mentor = models.ForeignKey("tracking.Staff", on_delete=models.CASCADE, related_name="slips_received")
    sent_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(
        MentorMeeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="slips"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["mentor", "discussed_at"]), models.Index(fields=["pupil", "sent_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} slip about {self.pupil} ({self.subject})"
