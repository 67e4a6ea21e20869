"""The Agreement for Examination Success (Longfield, Hurworth): one per Year 11 pupil a year."""

from django.db import models


class ExamAgreement(models.Model):
    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey("tracking.AcademicYear", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="exam_agreements")
    issued_on = models.DateField(null=True, blank=True)
    pupil_signed_on = models.DateField("signed by the pupil", null=True, blank=True)
    parent_signed_on = models.DateField("signed by a parent", null=True, blank=True)
    returned_on = models.DateField("returned to school", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pupil__legal_last_name", "pupil__legal_first_name"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "pupil"], name="exam_agreement_once_a_year")
        ]

    def __str__(self):
        return f"Agreement for Examination Success: {self.pupil}"

    @property
    def stage(self):
        if self.returned_on:
            return "returned"
        if self.issued_on:
            return "issued"
        return "not_issued"
