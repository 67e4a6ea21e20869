from decimal import Decimal

import pytest

from tracking.templatetags.uplift import percent


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("93.10"), "93.1%"),
        (Decimal("88.20"), "88.2%"),
        (Decimal("100.00"), "100.0%"),
        (Decimal("91.25"), "91.3%"),
        (Decimal("90"), "90.0%"),
        ("88.20", "88.2%"),
        (93.1, "93.1%"),
        (0, "0.0%"),
        (None, "—"),
        ("", "—"),
        ("n/a", "—"),
    ],
)
def test_attendance_is_shown_one_way_everywhere(value, shown):
    assert percent(value) == shown
