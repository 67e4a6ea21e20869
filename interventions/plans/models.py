"""Intervention plans (Laude appendices 1, 3 and 4), their reviews, and key-stage target groups."""

from django.db import models
from django.db.models import Q


class Tier(models.TextChoices):
    """Whose plan it is: Laude has one form each for a department, the KS coordinator and a tutor."""

    DEPARTMENT = "department", "Head of department"
    KEY_STAGE = "key_stage", "Key-stage coordinator"
    FORM_TUTOR = "form_tutor", "Form tutor"


# A flag's scope decides which plan answers it.
TIER_FOR_SCOPE = {"subject": Tier.DEPARTMENT, "key_stage": Tier.KEY_STAGE, "form_tutor": Tier.FORM_TUTOR}


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class ContactHow(models.TextChoices):
    NONE = "", "Not yet"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    LETTER = "letter", "Letter"
    TUTORIAL = "tutorial", "Tutorial in school"


class Plan(models.Model):
    """One pupil's intervention plan, pre-filled from the flag it answers."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="intervention_plans")
    flag = models.ForeignKey(
        "interventions.Flag", on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    tier = models.CharField(max_length=12, choices=Tier.choices)
    level = models.PositiveSmallIntegerField(default=1, help_text="Intervention level 1-3")
    form = models.ForeignKey(
        "tracking.FormGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "tracking.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subjects = models.ManyToManyField("tracking.Subject", related_name="+", blank=True)
    reason = models.TextField("reason for referral")
    actions = models.TextField("what will be done", blank=True)
    owner = models.ForeignKey(
        "tracking.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_plans"
    )
    start_date = models.DateField()
    review_date = models.DateField(null=True, blank=True)
    finished_on = models.DateField("date finished", null=True, blank=True)
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    parents_informed_on = models.DateField(null=True, blank=True)
    parents_informed_how = models.CharField(max_length=10, choices=ContactHow.choices, blank=True)
    parent_tutorial_on = models.DateField("parent tutorial", null=True, blank=True)
    on_report_from = models.DateField(null=True, blank=True)
    on_report_until = models.DateField(null=True, blank=True)
    start_point = models.ForeignKey(
        "tracking.AssessmentPoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The standing of each subject when the plan started: [{subject_id, subject, grade, target, gap}].
    start_standing = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            # From a flag in one step: a second click opens the plan already made.
            models.UniqueConstraint(
                fields=["flag"], condition=Q(flag__isnull=False), name="plan_unique_flag"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="plan_level_1_to_3"),
        ]
        indexes = [models.Index(fields=["school", "status"]), models.Index(fields=["pupil", "status"])]

    def __str__(self):
        return f"{self.pupil}: level {self.level} {self.get_tier_display().lower()} plan"

    @property
    def is_on_report(self):
        return self.on_report_from is not None


class Decision(models.TextChoices):
    CONTINUE = "continue", "Continue"
    STEP_UP = "step_up", "Step up a level"
    END = "end", "End the plan"


class PlanReview(models.Model):
    """The owner's decision after a later tracking event, with the pupil's standing then."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    point = models.ForeignKey("tracking.AssessmentPoint", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(blank=True)
    level_before = models.PositiveSmallIntegerField()
    level_after = models.PositiveSmallIntegerField()
    standing = models.JSONField(default=list, blank=True)
    by = models.ForeignKey("tracking.User", on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "point"], name="plan_review_once_per_point")]

    def __str__(self):
        return f"{self.plan}: {self.get_decision_display()} at {self.point}"


class TargetGroup(models.Model):
    """A key-stage coordinator's named group of pupils to track together (Laude appendix 2)."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    key_stage = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)
    owner = models.ForeignKey("tracking.Staff", on_delete=models.SET_NULL, null=True, related_name="+")
    pupils = models.ManyToManyField("tracking.Pupil", related_name="target_groups", blank=True)
    # The point the group was formed at: its progress is measured from here.
    start_point = models.ForeignKey(
        "tracking.AssessmentPoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["key_stage", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "key_stage", "name"], name="target_group_unique_name")
        ]

    def __str__(self):
        return self.name
