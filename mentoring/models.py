"""Academic mentors and the pupils they mentor."""

from django.core.validators import MinValueValidator
from django.db import models

# Without a school's own choice: two months, so this month's and last month's sheets can be reprinted.
RAG_SHEETS_KEPT_DAYS = 62


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
    # The Academic RAG's words and colours are the school's, as the traffic lights' are (the defaults
    # pass WCAG AA with white text; each word is shown with its colour, never the colour alone).
    label_red = models.CharField(max_length=40, default="Red: concern")
    label_amber = models.CharField(max_length=40, default="Amber: some concern")
    label_green = models.CharField(max_length=40, default="Green: on track")
    colour_red = models.CharField(max_length=7, default="#a4262c")
    colour_amber = models.CharField(max_length=7, default="#8a5300")
    colour_green = models.CharField(max_length=7, default="#00703c")
    # Longfield opens the RAG monthly but names no day or length: both are the school's choice.
    rag_opens_day = models.PositiveSmallIntegerField(
        "RAG opens on day",
        default=1,
        help_text="Day of the month the Academic RAG opens (1-28); the school's choice.",
    )
    rag_days_open = models.PositiveSmallIntegerField(
        "RAG open for (days)",
        default=10,
        help_text="How many days teachers have to enter it; the school's choice.",
    )
    # Printed sheets carry every mentee's ratings and teachers' comments: kept only while they are of use.
    rag_sheets_kept_days = models.PositiveSmallIntegerField(
        "keep printed RAG sheets for (days)",
        default=RAG_SHEETS_KEPT_DAYS,
        validators=[MinValueValidator(1)],
        help_text="Printed RAG sheet PDFs are deleted this many days after they were made (a nightly task); "
        "the school's choice. They can be made again from the month's ratings while those are kept.",
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


class Rating(models.TextChoices):
    """Red / Amber / Green. The words and colours shown are the school's (MentoringSettings)."""

    RED = "R", "Red"
    AMBER = "A", "Amber"
    GREEN = "G", "Green"


class RagWindow(models.Model):
    """A month's Academic RAG (Longfield): teachers rate and comment on the mentored year groups."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey("tracking.AcademicYear", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the RAG is for.")
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="The last day teachers may enter ratings.")
    year_groups = models.ManyToManyField("tracking.YearGroup", related_name="+")

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="rag_window_once_a_month"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="rag_window_order"
            ),
        ]

    def __str__(self):
        return f"Academic RAG {self.month:%B %Y}"

    def is_open_on(self, day):
        return self.opens_on <= day <= self.closes_on


class RagEntry(models.Model):
    """One teacher's rating and comment for one pupil in one subject, in one month's window."""

    window = models.ForeignKey(RagWindow, on_delete=models.CASCADE, related_name="entries")
    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="rag_entries")
    subject = models.ForeignKey("tracking.Subject", on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(max_length=1, choices=Rating.choices)
    comment = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey("tracking.User", on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pupil_id", "subject_id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "pupil", "subject"], name="rag_entry_once_per_subject")
        ]
        indexes = [models.Index(fields=["pupil", "subject"])]

    def __str__(self):
        return f"{self.pupil} {self.subject}: {self.get_rating_display()}"


class ActionOwner(models.TextChoices):
    HEAD_OF_DEPARTMENT = "hod", "Head of department"
    MENTOR = "mentor", "Mentor"
    SLT = "slt", "Senior leadership"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class RagAction(models.Model):
    """What SLT decide to do about a RAG comment, whose job it is and by when."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey(RagWindow, on_delete=models.CASCADE, related_name="actions")
    entry = models.ForeignKey(
        RagEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="rag_actions")
    subject = models.ForeignKey(
        "tracking.Subject", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField("action")
    owner_kind = models.CharField(max_length=6, choices=ActionOwner.choices)
    owner = models.ForeignKey(
        "tracking.Staff", on_delete=models.SET_NULL, null=True, related_name="rag_actions"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey("tracking.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["school", "status"]), models.Index(fields=["pupil", "status"])]

    def __str__(self):
        return f"{self.pupil}: {self.text[:60]}"


class RagBreakfast(models.Model):
    """A mentor's feedback at the month's Mentoring RAG Breakfast (Longfield)."""

    window = models.ForeignKey(RagWindow, on_delete=models.CASCADE, related_name="breakfasts")
    mentor = models.ForeignKey("tracking.Staff", on_delete=models.CASCADE, related_name="+")
    feedback = models.TextField()
    further_actions = models.TextField("further actions asked of SLT", blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["window", "mentor"]
        constraints = [models.UniqueConstraint(fields=["window", "mentor"], name="rag_breakfast_once")]

    def __str__(self):
        return f"{self.mentor} at the {self.window} breakfast"


class SheetJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class RagSheetJob(models.Model):
    """Printed monthly RAG sheets made in the background: one mentor's, or every mentor's (mentor empty)."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey(RagWindow, on_delete=models.CASCADE, related_name="sheet_jobs")
    mentor = models.ForeignKey(
        "tracking.Staff", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey("tracking.User", on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=SheetJobStatus.choices, default=SheetJobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    seconds = models.FloatField(null=True, blank=True, help_text="How long the PDF took to make.")
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"RAG sheets {self.window} for {self.mentor or 'every mentor'}"

    @property
    def percent(self):
        return (
            100
            if self.status == SheetJobStatus.DONE
            else int(100 * self.done / self.total)
            if self.total
            else 0
        )


class RagSheetPart(models.Model):
    """A share of an every-mentor job, rendered by one worker; the last to finish joins them."""

    job = models.ForeignKey(RagSheetJob, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    mentor_ids = models.JSONField(default=list)
    pdf = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="rag_sheet_part_once")]

    def __str__(self):
        return f"{self.job}: part {self.index + 1}"
