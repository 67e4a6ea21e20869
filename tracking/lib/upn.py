"""Unique Pupil Numbers: the DfE check letter (first character) over the twelve that follow."""

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def check_letter(body):
    """Check letter for the 12 characters after it (digits, or a letter in the last place)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else CHECK_LETTERS.index(char)
        total += value * weight
    return CHECK_LETTERS[total % 23]


def make_upn(la_code, estab, year, serial):
    body = f"{la_code:03d}{estab:04d}{year % 100:02d}{serial:03d}"
    return check_letter(body) + body


def is_valid(upn):
    upn = (upn or "").strip().upper()
    if len(upn) != 13 or upn[0] not in CHECK_LETTERS:
        return False
    body = upn[1:]
    if not body[:11].isdigit() or not (body[11].isdigit() or body[11] in CHECK_LETTERS):
        return False
    return check_letter(body) == upn[0]
