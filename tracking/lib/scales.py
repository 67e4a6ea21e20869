"""The grade scales a new school starts with. They are data: the data manager edits them in admin."""

from decimal import Decimal

from tracking.models import GradeScale, GradeValue


def _gcse_values():
    values = []
    rank = 100
    for grade in range(9, 0, -1):
        for suffix, nudge in (("+", Decimal("0.33")), ("", Decimal("0")), ("-", Decimal("-0.33"))):
            values.append((f"{grade}{suffix}", rank, grade, Decimal(grade) + nudge, ""))
            rank -= 1
    values.append(("U", rank, 0, Decimal(0), "0,X"))
    return values


STANDARD_SCALES = {
    "gcse": ("GCSE 9–1 (with optional sub-grades)", _gcse_values()),
    "alevel": (
        "A level A*–U",
        [
            ("A*", 7, 6, Decimal(60), "A+"),
            ("A", 6, 5, Decimal(50), ""),
            ("B", 5, 4, Decimal(40), ""),
            ("C", 4, 3, Decimal(30), ""),
            ("D", 3, 2, Decimal(20), ""),
            ("E", 2, 1, Decimal(10), ""),
            ("U", 1, 0, Decimal(0), ""),
        ],
    ),
    "btec": (
        "BTEC / technical award",
        [
            ("D*", 5, 4, Decimal("8.5"), "L2D*,DISTINCTION*"),
            ("D", 4, 3, Decimal(7), "L2D,DISTINCTION"),
            ("M", 3, 2, Decimal("5.5"), "L2M,MERIT"),
            ("P", 2, 1, Decimal(4), "L2P,PASS"),
            ("U", 1, 0, Decimal(0), "FAIL"),
        ],
    ),
    "ks3": (
        "KS3 working-at bands",
        [
            ("Mastering", 4, 4, Decimal(4), "MA,MAS"),
            ("Secure", 3, 3, Decimal(3), "S,SE,SEC"),
            ("Developing", 2, 2, Decimal(2), "D,DE,DEV"),
            ("Emerging", 1, 1, Decimal(1), "E,EM,EMG"),
        ],
    ),
    "ten": (
        "0–10 (Spanish curriculum)",
        [(str(n), n, n, Decimal(n), "") for n in range(10, -1, -1)],
    ),
}


def install_standard_scales(school):
    """Create the standard scales for a school; returns {code: GradeScale}."""
    scales = {}
    values = []
    for code, (name, rows) in STANDARD_SCALES.items():
        scale = GradeScale.objects.create(school=school, name=name, code=code)
        scales[code] = scale
        for value_code, rank, step, points, aliases in rows:
            values.append(
                GradeValue(scale=scale, code=value_code, rank=rank, step=step, points=points, aliases=aliases)
            )
    GradeValue.objects.bulk_create(values)
    return scales
