"""Flight paths: from KS2 prior attainment to an end-of-KS4 grade, and the expected grade on the way.

The shipped default follows national expectations (DfE KS2-to-KS4 transition: a pupil at the
expected standard, mean scaled score around 104, typically reaches a grade 5; each ~4 points of
KS2 scaled score is about one GCSE grade). Schools edit the tables: they are data.
"""

import bisect
import csv
import io
from collections import defaultdict

from django.db import transaction

from tracking import audit
from tracking.lib.exports import safe_cell
from tracking.lib.grading import SubjectGrades
from tracking.mis.columns import Column
from tracking.mis.uploads import UploadRejected, read_upload
from tracking.models import FlightPath, FlightPathRow, GradeValue, Subject
from tracking.standing import grade_at_step

# (mean KS2 scaled score from, GCSE grade): the national-expectations default.
DEFAULT_BANDS = ((80, 2), (94, 3), (98, 4), (102, 5), (106, 6), (110, 7), (114, 8), (118, 9))
DEFAULT_NAME = "National expectations (KS2)"
KS2_MIN, KS2_MAX = 80, 120


def _default_grade(values, gcse_grade):
    """A GCSE grade from the default bands, translated to a subject's own scale by its share of the top."""
    top = max(v.step for v in values)
    if top == 9:
        return grade_at_step(values, gcse_grade)
    return grade_at_step(values, round(gcse_grade * top / 9))


@transaction.atomic
def flightpaths_install_defaults(*, school, by=None):
    """Give every subject without a flight path the national-expectations default. Returns how many."""
    subjects = list(Subject.objects.filter(school=school, flight_path__isnull=True).select_related("scale"))
    if not subjects:
        return 0
    values = defaultdict(list)
    for value in GradeValue.objects.filter(scale__in={s.scale_id for s in subjects}):
        values[value.scale_id].append(value)
    paths = FlightPath.objects.bulk_create(
        [FlightPath(school=school, subject=s, name=DEFAULT_NAME) for s in subjects]
    )
    rows = []
    for path, subject in zip(paths, subjects, strict=True):
        for ks2_from, grade in DEFAULT_BANDS:
            rows.append(
                FlightPathRow(
                    flight_path=path,
                    ks2_from=ks2_from,
                    grade=_default_grade(values[subject.scale_id], grade),
                )
            )
    FlightPathRow.objects.bulk_create(rows)
    audit.record_many(
        [{"action": "tracking.flightpath.installed", "obj": p, "by": by, "note": DEFAULT_NAME} for p in paths]
    )
    return len(paths)


class FlightPathTable:
    """Every subject's flight path for a school, loaded once, for generating thousands of targets."""

    def __init__(self, school):
        self.paths = {}
        self.bands = {}
        rows = defaultdict(list)
        for row in FlightPathRow.objects.filter(flight_path__school=school).select_related("grade"):
            rows[row.flight_path_id].append(row)
        for path in FlightPath.objects.filter(school=school):
            self.paths[path.subject_id] = path
            ordered = sorted(rows[path.pk], key=lambda r: r.ks2_from)
            self.bands[path.subject_id] = ([r.ks2_from for r in ordered], [r.grade for r in ordered])

    def grade_for(self, subject_id, ks2_mean):
        if ks2_mean is None or subject_id not in self.bands:
            return None
        starts, grades = self.bands[subject_id]
        index = bisect.bisect_right(starts, ks2_mean) - 1
        if not grades:
            return None
        return grades[max(index, 0)]


def flightpaths_csv(school):
    """The school's flight paths as CSV text (subject, ks2_from, grade): download, edit, upload."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["subject", "ks2_from", "grade"])
    for row in (
        FlightPathRow.objects.filter(flight_path__school=school)
        .select_related("flight_path__subject", "grade")
        .order_by("flight_path__subject__code", "ks2_from")
    ):
        writer.writerow([safe_cell(row.flight_path.subject.code), row.ks2_from, safe_cell(row.grade.code)])
    return out.getvalue()


COLUMNS = (
    Column("subject", "Subject", True, ("subject code",)),
    Column("ks2_from", "KS2 from", True, ("ks2",)),
    Column("grade", "Grade", True),
)


@transaction.atomic
def flightpaths_import(*, school, upload, by):
    """Replace the flight paths of the subjects named in a CSV or XLSX file. Rejects the whole file on any
    bad row (UploadRejected)."""
    lines, errors = read_upload(upload, columns=COLUMNS)
    grades = SubjectGrades(school)
    parsed, seen = defaultdict(list), set()
    for number, row in lines:
        problems = []
        subject = grades.subject(row["subject"])
        if subject is None:
            problems.append(f"unknown subject code '{row['subject'].strip()}'")
        try:
            ks2_from = int(row["ks2_from"].strip())
            if not KS2_MIN <= ks2_from <= KS2_MAX:
                problems.append(f"KS2 score {ks2_from} is outside {KS2_MIN}-{KS2_MAX}")
        except ValueError:
            ks2_from = None
            problems.append(f"'{row['ks2_from'].strip()}' is not a whole-number KS2 score")
        grade = None
        if subject is not None:
            grade, problem = grades.grade(subject, row["grade"], blank="grade is blank")
            if problem:
                problems.append(problem)
            if ks2_from is not None:
                key = (subject.pk, ks2_from)
                if key in seen:
                    problems.append(f"{subject.code} from {ks2_from} appears twice")
                seen.add(key)
        if problems:
            errors.append((number, "; ".join(problems)))
        else:
            parsed[subject].append((ks2_from, grade))
    if errors:
        raise UploadRejected(sorted(errors))
    if not parsed:
        raise UploadRejected([(1, "the file has a header but no rows")])
    existing = {p.subject_id: p for p in FlightPath.objects.filter(school=school, subject__in=list(parsed))}
    new_rows, events = [], []
    for subject, rows in parsed.items():
        path = existing.get(subject.pk)
        if path is None:
            path = FlightPath.objects.create(school=school, subject=subject, name="Uploaded")
        before = list(path.rows.values_list("ks2_from", "grade__code"))
        path.rows.all().delete()
        path.name = "Uploaded"
        path.save(update_fields=["name", "updated_at"])
        new_rows += [FlightPathRow(flight_path=path, ks2_from=k, grade=g) for k, g in rows]
        events.append(
            {
                "action": "tracking.flightpath.uploaded",
                "obj": path,
                "by": by,
                "before": {"rows": before},
                "after": {"rows": [(k, g.code) for k, g in sorted(rows, key=lambda r: r[0])]},
                "via": "flight path upload",
            }
        )
    FlightPathRow.objects.bulk_create(new_rows)
    audit.record_many(events)
    return len(new_rows)
