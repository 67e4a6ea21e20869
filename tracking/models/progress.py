"""The Progress 8 estimates: the national A8 expected for each KS2 starting point, as school-edited data.

The DfE publishes a new table for each cohort (and has withdrawn it for some), so it is data the data
manager edits, never code. The table gives an estimate for each element too (English, maths, EBacc,
open); a school that has only the A8 column leaves them empty and sees no element Progress 8.
"""

from dataclasses import dataclass

from django.db import models

# The element estimate columns, by element (tracking.dashboards.attainment8.ELEMENTS).
ELEMENT_FIELDS = {
    "english": "estimated_english",
    "maths": "estimated_maths",
    "ebacc": "estimated_ebacc",
    "open": "estimated_open",
}


def _element_estimate(label):
    return models.DecimalField(
        f"estimated {label} element", max_digits=5, decimal_places=2, null=True, blank=True
    )


class ProgressEstimate(models.Model):
    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="progress_estimates")
    ks2_from = models.DecimalField(
        "KS2 mean scaled score from", max_digits=5, decimal_places=1, help_text="The band's lowest mean score"
    )
    estimated_a8 = models.DecimalField("estimated Attainment 8", max_digits=5, decimal_places=2)
    estimated_english = _element_estimate("English")
    estimated_maths = _element_estimate("maths")
    estimated_ebacc = _element_estimate("EBacc")
    estimated_open = _element_estimate("open")

    class Meta:
        ordering = ["school", "ks2_from"]
        constraints = [
            models.UniqueConstraint(fields=["school", "ks2_from"], name="progress_estimate_unique_band"),
        ]

    def __str__(self):
        return f"KS2 {self.ks2_from}+: {self.estimated_a8}"


@dataclass(frozen=True)
class Estimate:
    """One band's estimates as floats: A8, and each element's (None where the table has none)."""

    a8: float
    english: float | None
    maths: float | None
    ebacc: float | None
    open: float | None


def _float(value):
    return None if value is None else float(value)


class EstimateTable:
    """A school's estimates, loaded once: the estimate for a KS2 mean is the band it falls in."""

    def __init__(self, school):
        self.rows = [
            (float(start), Estimate(*map(_float, values)))
            for start, *values in ProgressEstimate.objects.filter(school=school).values_list(
                "ks2_from", "estimated_a8", *ELEMENT_FIELDS.values()
            )
        ]

    def __bool__(self):
        return bool(self.rows)

    def band_for(self, ks2_mean):
        """The Estimate of the band a KS2 mean falls in; None without KS2 data or below every band."""
        if ks2_mean is None:
            return None
        found = None
        for start, estimate in self.rows:
            if ks2_mean >= start:
                found = estimate
        return found

    def estimate_for(self, ks2_mean):
        """The estimated A8 for a KS2 mean (None as `band_for`)."""
        band = self.band_for(ks2_mean)
        return None if band is None else band.a8
