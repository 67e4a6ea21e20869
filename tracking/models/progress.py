"""The Progress 8 estimates: the national A8 expected for each KS2 starting point, as school-edited data.

The DfE publishes a new table for each cohort (and has withdrawn it for some), so it is data the data
manager edits, never code.
"""

from django.db import models


class ProgressEstimate(models.Model):
    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="progress_estimates")
    ks2_from = models.DecimalField(
        "KS2 mean scaled score from", max_digits=5, decimal_places=1, help_text="The band's lowest mean score"
    )
    estimated_a8 = models.DecimalField("estimated Attainment 8", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["school", "ks2_from"]
        constraints = [
            models.UniqueConstraint(fields=["school", "ks2_from"], name="progress_estimate_unique_band"),
        ]

    def __str__(self):
        return f"KS2 {self.ks2_from}+: {self.estimated_a8}"


class EstimateTable:
    """A school's estimates, loaded once: the estimate for a KS2 mean is the band it falls in."""

    def __init__(self, school):
        self.rows = list(
            ProgressEstimate.objects.filter(school=school).values_list("ks2_from", "estimated_a8")
        )

    def __bool__(self):
        return bool(self.rows)

    def estimate_for(self, ks2_mean):
        if ks2_mean is None:
            return None
        found = None
        for start, estimate in self.rows:
            if ks2_mean >= float(start):
                found = float(estimate)
        return found
