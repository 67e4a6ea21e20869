"""Results from a spreadsheet: FFT estimates (as proposed targets, through target generation) and
historical grades at past assessment points. Every grade is read against its subject's own scale, and
every grade and target written is audited."""

from collections import defaultdict

from django.utils import timezone

from tracking import audit
from tracking.lib.grading import ScaleLookup, SubjectGrades, UnknownGrade
from tracking.marksheets.queries import entry_codes
from tracking.mis.columns import Column
from tracking.mis.jobs import Plan, register
from tracking.mis.pupils import UPN
from tracking.mis.spreadsheets import SpreadsheetImporter, line, read_upn
from tracking.models import AssessmentPoint, GradeEntry, GradeValue, ImportKind, Pupil, YearGroup
from tracking.targets.fft import FFT_LABELS
from tracking.targets.generation import SOURCE_FFT, target_generate

SUBJECT = Column("subject", "Subject code", True, ("subject", "course code", "subject_code"))
FFT_TYPES = {label.replace(" ", "").upper(): label for label, _text in FFT_LABELS}


def _pupils(school, parsed):
    upns = [read_upn(v["upn"])[0] for _n, v in parsed.rows]
    return {p.upn: p for p in Pupil.objects.filter(school=school, upn__in=upns, is_active=True)}


def _pupil(raw, pupils, row):
    upn, why = read_upn(raw["upn"])
    if why:
        row.append(why)
        return None
    pupil = pupils.get(upn)
    if pupil is None:
        row.append(f"no pupil with UPN {upn} is on the roll")
    return pupil


class FftImporter(SpreadsheetImporter):
    kind = ImportKind.FFT
    label = "FFT estimates"
    description = (
        "One row per pupil per subject: the FFT estimate grade, on the subject's scale. Each becomes the "
        "pupil's proposed target (agreed and published targets are kept), for SLT to agree and publish."
    )
    noun = "targets"
    columns = (
        UPN,
        SUBJECT,
        Column("estimate", "Estimate grade", True, ("estimate", "grade", "fft estimate", "estimate_grade")),
        Column("fft_type", "FFT type", aliases=("type", "estimate type", "benchmark"), help="e.g. FFT20"),
    )

    def plan(self, school, parsed, job, progress, today):
        problems = list(parsed.problems)
        grades = SubjectGrades(school)
        pupils = _pupils(school, parsed)
        estimates = defaultdict(dict)  # (year group id, FFT type) -> {(pupil id, subject id): grade}
        seen = {}
        for done, (number, raw) in enumerate(parsed.rows, start=1):
            progress(done)
            row = []
            pupil = _pupil(raw, pupils, row)
            subject = grades.subject(raw["subject"])
            grade = None
            if subject is None:
                row.append(f"no subject has the code '{raw['subject']}'")
            else:
                grade, problem = grades.grade(subject, raw["estimate"], blank="the estimate grade is blank")
                if problem:
                    row.append(problem)
            fft_type = "FFT"
            if raw.get("fft_type"):
                fft_type = FFT_TYPES.get(raw["fft_type"].replace(" ", "").upper())
                if fft_type is None:
                    row.append(f"FFT type '{raw['fft_type']}' is not one of {', '.join(FFT_TYPES.values())}")
            if pupil is not None and subject is not None:
                key = (pupil.pk, subject.pk)
                if key in seen:
                    row.append(f"{pupil.upn} {subject.code} appears twice (also line {seen[key]})")
                seen.setdefault(key, number)
            problems += [(line(number), p) for p in row]
            if not row:
                estimates[(pupil.year_group_id, fft_type)][(pupil.pk, subject.pk)] = grade
        plan = Plan(problems=problems, work=estimates)
        if problems:
            return plan
        years = YearGroup.objects.in_bulk([year_id for year_id, _t in estimates])
        kept = 0
        for (year_id, fft_type), wanted in estimates.items():
            result = target_generate(
                school=school,
                year_group=years[year_id],
                source=SOURCE_FFT,
                by=job.by,
                estimates=wanted,
                detail=fft_type,
                dry_run=True,
            )
            plan.created += result.created
            plan.updated += result.updated
            plan.unchanged += result.unchanged
            kept += result.kept
        if kept:
            plan.notes.append(
                f"{kept} target(s) already agreed, published or set by a teacher are kept as they are"
            )
        plan.work = (years, estimates)
        return plan

    def apply(self, school, plan, by, job):
        years, estimates = plan.work
        for (year_id, fft_type), wanted in estimates.items():
            target_generate(
                school=school,
                year_group=years[year_id],
                source=SOURCE_FFT,
                by=by,
                estimates=wanted,
                detail=fft_type,
            )


class GradesImporter(SpreadsheetImporter):
    kind = ImportKind.GRADES
    label = "Historical grades"
    description = (
        "One row per pupil per subject per assessment point: grades from before the school used Uplift. "
        "Points are named as on the assessment points pages (add an academic year column when a name "
        "repeats across years). Grades are checked against each subject's scale."
    )
    noun = "grades"
    new_label = "New grade"
    columns = (
        UPN,
        SUBJECT,
        Column("point", "Assessment point", True, ("point", "assessment", "data collection", "collection")),
        Column("academic_year", "Academic year", aliases=("year name", "school year")),
        Column("current", "Current grade", aliases=("current", "working at", "grade", "attainment")),
        Column("predicted", "Predicted grade", aliases=("predicted", "forecast", "predicted grade")),
        Column("effort", "Effort", aliases=("effort grade",)),
    )
    GRADE_FIELDS = ("current", "predicted")

    def mapping_rules(self, mapping):
        if not any(mapping.get(name) for name in ("current", "predicted", "effort")):
            return [("Columns", "choose the column that holds the current grade, predicted grade or effort")]
        return []

    def plan(self, school, parsed, job, progress, today):
        problems = list(parsed.problems)
        pupils = _pupils(school, parsed)
        grades = SubjectGrades(school)
        points = defaultdict(list)
        for point in AssessmentPoint.objects.filter(school=school).select_related(
            "academic_year", "year_group"
        ):
            points[point.name.strip().lower()].append(point)
        values_by_scale = defaultdict(list)
        for value in GradeValue.objects.filter(scale__school=school):
            values_by_scale[value.scale_id].append(value)
        lookups = {}
        rows, seen = [], {}
        for done, (number, raw) in enumerate(parsed.rows, start=1):
            progress(done)
            row = []
            pupil = _pupil(raw, pupils, row)
            subject = grades.subject(raw["subject"])
            if subject is None:
                row.append(f"no subject has the code '{raw['subject']}'")
            point = self._point(raw, points, row)
            found = {}
            if subject is not None and point is not None:
                scale = subject.scale_for_year(point.year_group.number)
                lookup = lookups.get(scale.pk)
                if lookup is None:
                    lookup = lookups[scale.pk] = ScaleLookup(scale, values_by_scale[scale.pk])
                for name in self.GRADE_FIELDS:
                    if name in raw:
                        try:
                            found[name] = lookup.parse(raw[name])
                        except UnknownGrade as error:
                            row.append(f"{name} grade: {error}")
            if "effort" in raw:
                effort = raw["effort"]
                if effort and effort not in {"1", "2", "3", "4"}:
                    row.append(f"effort '{effort}' is not 1, 2, 3 or 4")
                found["effort"] = int(effort) if effort in {"1", "2", "3", "4"} else None
            if pupil is not None and subject is not None and point is not None:
                key = (pupil.pk, subject.pk, point.pk)
                if key in seen:
                    row.append(
                        f"{pupil.upn} {subject.code} at {point.name} appears twice (also line {seen[key]})"
                    )
                seen.setdefault(key, number)
            problems += [(line(number), p) for p in row]
            if not row:
                rows.append((pupil, subject, point, found))
        existing = {}
        if rows and not problems:
            entries = GradeEntry.objects.filter(
                school=school,
                point__in={r[2].pk for r in rows},
                subject__in={r[1].pk for r in rows},
                pupil__in={r[0].pk for r in rows},
            ).select_related("current", "predicted")
            existing = {(e.pupil_id, e.subject_id, e.point_id): e for e in entries}
        creates, updates, unchanged, changes = [], [], 0, []
        for pupil, subject, point, found in rows:
            entry = existing.get((pupil.pk, subject.pk, point.pk))
            if entry is None:
                creates.append((pupil, subject, point, found))
                continue
            changed = {name: value for name, value in found.items() if getattr(entry, name) != value}
            if changed:
                updates.append((entry, pupil, point, changed))
                changes.append(
                    {
                        "key": pupil.upn,
                        "name": f"{pupil.full_name}, {subject.code}, {point.name}",
                        "action": "update",
                        "fields": {
                            name.capitalize(): [self._text(getattr(entry, name)), self._text(value)]
                            for name, value in changed.items()
                        },
                    }
                )
            else:
                unchanged += 1
        changes = [
            {
                "key": pupil.upn,
                "name": f"{pupil.full_name}, {subject.code}, {point.name}",
                "action": "create",
                "detail": ", ".join(f"{k} {self._text(v)}" for k, v in found.items() if v is not None),
            }
            for pupil, subject, point, found in creates
        ] + changes
        return Plan(
            created=len(creates),
            updated=len(updates),
            unchanged=unchanged,
            problems=problems,
            changes=changes,
            work=(creates, updates),
        )

    @staticmethod
    def _text(value):
        return "" if value is None else str(value)

    @staticmethod
    def _point(raw, points, row):
        name = raw["point"].strip()
        found = points.get(name.lower(), [])
        if raw.get("academic_year"):
            found = [p for p in found if p.academic_year.name == raw["academic_year"].strip()]
        if not found:
            in_year = f" in {raw['academic_year']}" if raw.get("academic_year") else ""
            row.append(f"no assessment point is called '{name}'{in_year}")
            return None
        if len(found) > 1:
            years = ", ".join(sorted({p.academic_year.name for p in found}))
            row.append(f"'{name}' is the name of points in {years}: add an academic year column")
            return None
        return found[0]

    def apply(self, school, plan, by, job):
        creates, updates = plan.work
        now = timezone.now()
        new = [
            GradeEntry(
                school=school,
                pupil=pupil,
                subject=subject,
                point=point,
                updated_by=by if by is not None and by.is_authenticated else None,
                **found,
            )
            for pupil, subject, point, found in creates
        ]
        GradeEntry.objects.bulk_create(new, batch_size=2000)
        events = [
            self._event(entry, pupil, point, by, {})
            for entry, (pupil, _s, point, _f) in zip(new, creates, strict=True)
        ]
        by_fields = defaultdict(list)
        for entry, pupil, point, changed in updates:
            before = entry_codes(entry)
            for name, value in changed.items():
                setattr(entry, name, value)
            entry.version += 1
            entry.updated_at = now
            entry.updated_by = by if by is not None and by.is_authenticated else None
            by_fields[tuple(sorted(changed))].append(entry)
            events.append(self._event(entry, pupil, point, by, before))
        for fields, entries in by_fields.items():
            GradeEntry.objects.bulk_update(
                entries, [*fields, "version", "updated_at", "updated_by"], batch_size=2000
            )
        audit.record_many(events, at=now)

    @staticmethod
    def _event(entry, pupil, point, by, before):
        return {
            "action": "tracking.grade.changed" if before else "tracking.grade.created",
            "obj": entry,
            "by": by,
            "before": before,
            "after": entry_codes(entry),
            "via": "grades import",
            "pupil": pupil,
            "note": point.name,
        }


register(FftImporter())
register(GradesImporter())
