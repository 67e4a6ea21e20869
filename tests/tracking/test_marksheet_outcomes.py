"""The words after Save sheet: exactly what is stored, by this save and by autosave before it."""

from tracking.marksheets import outcomes


def test_a_save_after_autosave_counts_every_stored_value_not_only_its_own():
    assert outcomes.saved(now=2, earlier=14) == (
        "Saved. All 16 values you changed are stored: 2 with this save, 14 as you left each row."
    )
    assert outcomes.saved(now=1, earlier=0) == "Saved 1 change."
    assert outcomes.saved(now=0, earlier=1) == (
        "Saved. Nothing new to store: the 1 value you changed was already saved as you left each row."
    )
    assert outcomes.saved(now=0, earlier=0) == "Saved: nothing had changed."


def test_a_refused_save_separates_what_waits_from_what_is_already_stored():
    result = outcomes.not_saved(errors=1, conflicts=0, pending=3, earlier=5)
    assert result.heading == "Not saved: 1 cell needs fixing"
    assert result.lines == (
        "This save stored nothing. To finish, fix the marked cell, then press Save sheet again.",
        "Waiting to be saved: 3 changes you typed. They are still in the sheet and saved with it.",
        "Already stored: 5 values saved as you left each row (marked ✓).",
    )
    clash = outcomes.not_saved(errors=0, conflicts=2, pending=0, earlier=0)
    assert clash.heading == "Not saved: someone else changed 2 cells"
    assert len(clash.lines) == 1
