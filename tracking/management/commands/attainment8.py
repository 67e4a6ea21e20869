"""Compute Attainment 8 / Progress 8 for pupils described in a JSON file (format: the A8 reference)."""

import json

from django.core.management.base import BaseCommand, CommandError

from tracking.dashboards.attainment8 import A8Error, attainment8, entries_for

MAX_BYTES = 20 * 1024 * 1024


def _label(result, index):
    name = result.get("subject") if isinstance(result, dict) else None
    return f"result {index + 1} ({name})" if name else f"result {index + 1}"


def score_document(document):
    """The output document for an input document, or a list of every problem found."""
    if not isinstance(document, dict) or not isinstance(document.get("pupils"), list):
        return None, ['the file must be a JSON object with a "pupils" list']
    out, problems = [], []
    for p_index, pupil in enumerate(document["pupils"]):
        if not isinstance(pupil, dict):
            problems.append(f"pupil {p_index + 1}: not an object")
            continue
        who = f"pupil {pupil.get('id', p_index + 1)!s}"
        results = pupil.get("results")
        if not isinstance(results, list):
            problems.append(f'{who}: "results" must be a list')
            continue
        estimate = pupil.get("estimated_a8")
        if estimate is not None and (isinstance(estimate, bool) or not isinstance(estimate, (int, float))):
            problems.append(f"{who}: estimated_a8 '{estimate}' is not a number")
            continue
        entries, ok = [], True
        for r_index, result in enumerate(results):
            if not isinstance(result, dict):
                problems.append(f"{who}, {_label(result, r_index)}: not an object")
                ok = False
                continue
            try:
                entries += entries_for(
                    result.get("subject") or result.get("category", "?"),
                    result.get("category"),
                    grade=result.get("grade"),
                    points=result.get("points"),
                )
            except A8Error as error:
                problems.append(f"{who}, {_label(result, r_index)}: {error}")
                ok = False
        if not ok:
            continue
        breakdown = attainment8(entries)
        out.append(
            {
                "id": pupil.get("id"),
                "attainment8": breakdown.attainment8,
                "english": breakdown.english,
                "maths": breakdown.maths,
                "ebacc": breakdown.ebacc,
                "open": breakdown.open,
                "english_double_weighted": breakdown.english_double_weighted,
                "progress8": breakdown.progress8(estimate),
            }
        )
    return ({"pupils": out} if not problems else None), problems


class Command(BaseCommand):
    help = "Print Attainment 8 / Progress 8 as JSON for the pupils in FILE.json (DfE slot rules)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON file in the format of the A8 reference")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        if len(raw) > MAX_BYTES:
            raise CommandError(f"{file} is larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            document = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{file} is not valid JSON: line {error.lineno}: {error.msg}") from None
        output, problems = score_document(document)
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(json.dumps(output, indent=2))
