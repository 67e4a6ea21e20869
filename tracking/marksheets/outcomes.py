"""What a marksheet tells the teacher after Save sheet: exactly what is stored and what is not.

Rows also save on their own as the teacher leaves them (autosave), so a full save often stores only
the last few changes. The words count both, so "Saved 2 changes" never hides the other 14 values the
teacher typed, and "Not saved" never suggests that rows already marked ✓ were lost.
"""

from dataclasses import dataclass


def _values(n):
    return f"{n} value{'' if n == 1 else 's'}"


def _changes(n):
    return f"{n} change{'' if n == 1 else 's'}"


def saved(*, now, earlier):
    """After a successful Save sheet: `now` values stored by it, `earlier` stored by autosave before it."""
    if now and earlier:
        return (
            f"Saved. All {_values(now + earlier)} you changed are stored: {now} with this save, "
            f"{earlier} as you left each row."
        )
    if now:
        return f"Saved {_changes(now)}."
    if earlier:
        return (
            f"Saved. Nothing new to store: the {_values(earlier)} you changed "
            f"{'was' if earlier == 1 else 'were'} already saved as you left each row."
        )
    return "Saved: nothing had changed."


@dataclass(frozen=True)
class NotSaved:
    """The error summary of a refused Save sheet."""

    heading: str
    lines: tuple


def not_saved(*, errors, conflicts, pending, earlier):
    """Save sheet refused: `errors` cells to fix or `conflicts` to choose, `pending` other typed changes
    waiting, `earlier` values already stored by autosave."""
    if errors:
        heading = f"Not saved: {errors} cell{' needs' if errors == 1 else 's need'} fixing"
        todo = "fix the marked cell" + ("" if errors == 1 else "s") + ", then press Save sheet again."
    else:
        heading = f"Not saved: someone else changed {conflicts} cell{'' if conflicts == 1 else 's'}"
        todo = "choose “keep mine” or “take theirs” for each marked cell, then save again."
    lines = [f"This save stored nothing. To finish, {todo}"]
    if pending:
        lines.append(
            f"Waiting to be saved: {_changes(pending)} you typed. "
            f"{'It is' if pending == 1 else 'They are'} still in the sheet and saved with it."
        )
    if earlier:
        lines.append(f"Already stored: {_values(earlier)} saved as you left each row (marked ✓).")
    return NotSaved(heading, tuple(lines))
