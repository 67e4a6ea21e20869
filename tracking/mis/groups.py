"""Teaching groups and who is in them, from a spreadsheet: one row per pupil in a group (and/or its
teachers), for the current academic year. Groups are matched by name; pupils and teachers are added,
never removed (a pupil who moved set keeps the old group until the data manager removes them)."""

import re

from tracking import audit
from tracking.mis.columns import Column
from tracking.mis.jobs import Plan, register
from tracking.mis.pupils import VIA
from tracking.mis.spreadsheets import SpreadsheetImporter, line, read_upn, read_year
from tracking.models import AcademicYear, ImportKind, Pupil, Staff, Subject, TeachingGroup, YearGroup

SEPARATORS = re.compile(r"[\s,;/]+")


class GroupImporter(SpreadsheetImporter):
    kind = ImportKind.GROUPS
    label = "Teaching groups and their pupils"
    description = (
        "One row per pupil in a class (with its subject code), and the class's teachers by staff code. "
        "New classes are made for this academic year; pupils and teachers are added to classes, never "
        "taken out."
    )
    key_label = "Class"
    noun = "classes"
    new_label = "New class"
    columns = (
        Column("group", "Class", True, ("group", "teaching group", "class code", "set", "class name")),
        Column("subject", "Subject code", True, ("subject", "course code", "course")),
        Column("upn", "UPN", aliases=("pupil upn", "unique pupil number")),
        Column("teacher", "Teacher codes", aliases=("teacher", "teachers", "staff code", "teacher code")),
        Column("year", "Year", aliases=("year group", "nc year")),
    )

    def mapping_rules(self, mapping):
        if not mapping.get("upn") and not mapping.get("teacher"):
            return [("Columns", "choose the column that holds UPN or teacher codes")]
        return []

    def plan(self, school, parsed, job, progress, today):
        problems = list(parsed.problems)
        current = AcademicYear.objects.filter(school=school, is_current=True).first()
        if current is None:
            problems.append(("file", "The school has no current academic year: set it up first."))
            return Plan(problems=problems)
        subjects = {s.code.upper(): s for s in Subject.objects.filter(school=school)}
        years = {y.number: y for y in YearGroup.objects.filter(school=school)}
        years_by_id = {y.pk: y for y in years.values()}
        staff = {s.code.upper(): s for s in Staff.objects.filter(school=school).exclude(code="")}
        upns = [read_upn(v.get("upn", ""))[0] for _n, v in parsed.rows]
        pupils = {p.upn: p for p in Pupil.objects.filter(school=school, upn__in=upns)}
        existing = {
            g.name.lower(): g
            for g in TeachingGroup.objects.filter(academic_year=current).select_related("subject")
        }
        members = set(
            TeachingGroup.pupils.through.objects.filter(teachinggroup__academic_year=current).values_list(
                "teachinggroup_id", "pupil_id"
            )
        )
        teaching = set(
            TeachingGroup.teachers.through.objects.filter(teachinggroup__academic_year=current).values_list(
                "teachinggroup_id", "staff_id"
            )
        )
        plans = {}  # lower name -> {"group", "new", "pupils": set, "teachers": set}
        for done, (number, raw) in enumerate(parsed.rows, start=1):
            progress(done)
            row = []
            name = raw["group"][:20]
            subject = subjects.get(raw["subject"].upper())
            if not name:
                row.append("the class name is blank")
            if subject is None:
                row.append(f"no subject has the code '{raw['subject']}'")
            pupil = None
            if raw.get("upn"):
                upn, why = read_upn(raw["upn"])
                pupil = pupils.get(upn)
                if why:
                    row.append(why)
                elif pupil is None:
                    row.append(f"no pupil with UPN {upn} is on the roll")
            teachers = []
            for code in SEPARATORS.split(raw.get("teacher", "").upper()):
                if code and code not in staff:
                    row.append(f"no member of staff has the code '{code}'")
                elif code:
                    teachers.append(staff[code])
            year = None
            if raw.get("year"):
                year = years.get(read_year(raw["year"]))
                if year is None:
                    row.append(f"the school has no year '{raw['year']}'")
            elif pupil is not None:
                year = years_by_id.get(pupil.year_group_id)
            entry = plans.get(name.lower())
            if entry is None and name and subject is not None:
                group = existing.get(name.lower())
                if group is None and year is None:
                    row.append(f"class {name} is new: give its year (a Year column, or a pupil's UPN)")
                elif group is None:
                    group = TeachingGroup(
                        school=school, academic_year=current, subject=subject, year_group=year, name=name
                    )
                if group is not None:
                    entry = plans[name.lower()] = {
                        "group": group,
                        "new": group.pk is None,
                        "pupils": set(),
                        "teachers": set(),
                    }
            if entry is not None and subject is not None and entry["group"].subject_id != subject.pk:
                row.append(f"class {name} is a {entry['group'].subject.code} class, not {subject.code}")
            problems += [(line(number), p) for p in row]
            if row or entry is None:
                continue
            group = entry["group"]
            if pupil is not None and (group.pk, pupil.pk) not in members:
                entry["pupils"].add(pupil)
            entry["teachers"].update(t for t in teachers if (group.pk, t.pk) not in teaching)
        created = [e for e in plans.values() if e["new"]]
        updated = [e for e in plans.values() if not e["new"] and (e["pupils"] or e["teachers"])]
        changes = [
            {
                "key": e["group"].name,
                "name": e["group"].subject.name,
                "action": "create" if e["new"] else "update",
                "detail": ("New class: " if e["new"] else "Adds ") + self._describe(e),
            }
            for e in created + updated
        ]
        return Plan(
            created=len(created),
            updated=len(updated),
            unchanged=len(plans) - len(created) - len(updated),
            problems=problems,
            changes=changes,
            work=created + updated,
        )

    @staticmethod
    def _describe(entry):
        parts = []
        if entry["pupils"]:
            parts.append(f"{len(entry['pupils'])} pupil{'s' if len(entry['pupils']) != 1 else ''}")
        if entry["teachers"]:
            parts.append("taught by " + ", ".join(sorted(t.code for t in entry["teachers"])))
        return "; ".join(parts) or "no one yet"

    def apply(self, school, plan, by, job):
        new = [e["group"] for e in plan.work if e["new"]]
        TeachingGroup.objects.bulk_create(new)
        pupil_rows, teacher_rows, events = [], [], []
        for entry in plan.work:
            group = entry["group"]
            pupil_rows += [
                TeachingGroup.pupils.through(teachinggroup_id=group.pk, pupil_id=p.pk)
                for p in entry["pupils"]
            ]
            teacher_rows += [
                TeachingGroup.teachers.through(teachinggroup_id=group.pk, staff_id=t.pk)
                for t in entry["teachers"]
            ]
            events.append(
                {
                    "action": "tracking.group.imported" if entry["new"] else "tracking.group.members_added",
                    "obj": group,
                    "by": by,
                    "after": {
                        "pupils_added": sorted(p.upn for p in entry["pupils"]),
                        "teachers_added": sorted(t.code for t in entry["teachers"]),
                    },
                    "via": VIA,
                }
            )
        TeachingGroup.pupils.through.objects.bulk_create(pupil_rows, batch_size=2000)
        TeachingGroup.teachers.through.objects.bulk_create(teacher_rows, batch_size=2000)
        audit.record_many(events)


register(GroupImporter())
