"""The demo school's Progress 8 estimates table: ILLUSTRATIVE figures, not the DfE's.

The DfE publishes the Attainment 8 expected at each KS2 starting point for each cohort; this repository
holds no copy of it. So that the demo can show Progress 8, each demo school gets a made-up table of the
same shape (an S-shaped rise of A8 with the KS2 mean scaled score, about 20 at 95 and about 70 at 118),
which a real school replaces with the DfE's published table for the cohort on the estimates page. The
A8/P8 page and the editor say so on a demo school. Each band's element estimates are fixed shares of its
A8 estimate, adding up to it as a national table's do.
"""

import math
from decimal import Decimal

from tracking.models import ProgressEstimate
from tracking.models.progress import ELEMENT_FIELDS

# Bands on the KS2 mean scaled score scale (80-120): everything below 86 together, then a band a point.
BAND_STARTS = (80, *range(86, 121))
# The curve's ceiling, midpoint and spread, chosen (not fitted to any national data) so that the demo's
# own grades give a Progress 8 near 0 with a believable spread.
CEILING, MIDPOINT, SPREAD = 85.0, 106.2, 8.9
# Each element's share of the A8 estimate (English, maths, EBacc; open takes the rest), also made up.
ELEMENT_SHARES = (0.21, 0.19, 0.31)


def illustrative_a8(ks2_mean):
    """The illustrative estimate for a KS2 mean: a logistic curve, rising fastest around 105."""
    return CEILING / (1 + math.exp(-(ks2_mean - MIDPOINT) / SPREAD))


def illustrative_bands():
    """[(KS2 from, estimated A8, English, maths, EBacc, open)]: each band takes the curve at its middle."""
    bands = []
    for start, end in zip(BAND_STARTS, (*BAND_STARTS[1:], 121), strict=True):
        middle = (start + end - 0.5) / 2  # KS2 means go up in halves: 86-86.5 is the band from 86
        a8 = Decimal(f"{illustrative_a8(middle):.2f}")
        elements = [Decimal(f"{float(a8) * share:.2f}") for share in ELEMENT_SHARES]
        bands.append((Decimal(start), a8, *elements, a8 - sum(elements)))
    return bands


def seed_progress_estimates(school):
    """Give a demo school its illustrative estimates table; returns the number of bands."""
    rows = [
        ProgressEstimate(
            school=school,
            ks2_from=start,
            estimated_a8=a8,
            **dict(zip(ELEMENT_FIELDS.values(), elements, strict=True)),
        )
        for start, a8, *elements in illustrative_bands()
    ]
    ProgressEstimate.objects.bulk_create(rows)
    return len(rows)
