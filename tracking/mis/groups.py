"""Teaching groups and who is in them, from a spreadsheet: one row per pupil in a group (and/or its
teachers), for the current academic year. Groups are matched by name; pupils and teachers are added.

Pupils are taken out of a group only when the data manager says the file lists every member of its
groups (the `replace_members` option, unticked by default): then a pupil in a group the file lists, but
not on any of that group's rows, leaves it. Groups the file does not mention, and a group the file
gives no pupils for, are left alone; teachers are never taken off."""

import re

from django.db.models import Q

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
        "New classes are made for this academic year; pupils and teachers are added to classes. Pupils "
        "are taken out only if you tick that the file lists every member of its classes."
    )
    key_label = "Class"
    noun = "classes"
    new_label = "New class"
    options = {
        "replace_members": (
            "This file lists every member of these classes (remove pupils not in it)",
            "Tick only for a full export of each class. A pupil in a class the file lists, but not on "
            "any of its rows, is taken out of that class; the dry run lists them first. Classes the "
            "file does not mention are left alone.",
        )
    }
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
        replace = bool(job.options.get("replace_members"))
        if replace and not job.mapping.get("upn"):
            return Plan(problems=[("file", "To remove pupils not in the file, the file needs a UPN column.")])
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
                        "listed": set(),  # every pupil on the group's rows
                        "removed": [],
                    }
            if entry is not None and subject is not None and entry["group"].subject_id != subject.pk:
                row.append(f"class {name} is a {entry['group'].subject.code} class, not {subject.code}")
            problems += [(line(number), p) for p in row]
            if row or entry is None:
                continue
            group = entry["group"]
            if pupil is not None:
                entry["listed"].add(pupil.pk)
                if (group.pk, pupil.pk) not in members:
                    entry["pupils"].add(pupil)
            entry["teachers"].update(t for t in teachers if (group.pk, t.pk) not in teaching)
        notes = []
        if replace and not problems:
            notes = self._plan_removals(plans, members)
        created = [e for e in plans.values() if e["new"]]
        updated = [
            e for e in plans.values() if not e["new"] and (e["pupils"] or e["teachers"] or e["removed"])
        ]
        changes = [
            {
                "key": e["group"].name,
                "name": e["group"].subject.name,
                "action": "create" if e["new"] else "update",
                "detail": self._detail(e),
            }
            for e in created + updated
        ]
        removals = [
            {"key": e["group"].name, "name": p.sorted_name, "action": "remove", "detail": f"Removes {p.upn}"}
            for e in updated
            for p in e["removed"]
        ]
        return Plan(
            created=len(created),
            updated=len(updated),
            unchanged=len(plans) - len(created) - len(updated),
            problems=problems,
            notes=notes,
            changes=changes + removals,
            work=created + updated,
        )

    @staticmethod
    def _plan_removals(plans, members):
        """With replace_members: each existing group's members who are on none of its rows leave it.
        A group whose rows name no pupil (teachers only) keeps its pupils, and says so."""
        notes = []
        in_file = {e["group"].pk: e for e in plans.values() if not e["new"]}
        leaving = {}  # pupil pk -> [entry]
        for group_id, pupil_id in members:
            entry = in_file.get(group_id)
            if entry is not None and entry["listed"] and pupil_id not in entry["listed"]:
                leaving.setdefault(pupil_id, []).append(entry)
        for entry in in_file.values():
            if not entry["listed"]:
                notes.append(
                    f"{entry['group'].name} has no pupils in the file, so none were taken out of it."
                )
        pupils = Pupil.objects.filter(pk__in=list(leaving)).order_by(
            "legal_last_name", "legal_first_name", "pk"
        )
        for pupil in pupils:
            for entry in leaving[pupil.pk]:
                entry["removed"].append(pupil)
        return notes

    @staticmethod
    def _describe(entry):
        parts = []
        if entry["pupils"]:
            parts.append(f"{len(entry['pupils'])} pupil{'s' if len(entry['pupils']) != 1 else ''}")
        if entry["teachers"]:
            parts.append("taught by " + ", ".join(sorted(t.code for t in entry["teachers"])))
        return "; ".join(parts)

    def _detail(self, entry):
        """'New class: 2 pupils; taught by JSM', 'Adds 1 pupil', 'Removes 1 pupil not in the file'."""
        if entry["new"]:
            return "New class: " + (self._describe(entry) or "no one yet")
        parts = [f"Adds {added}"] if (added := self._describe(entry)) else []
        if n := len(entry["removed"]):
            parts.append(
                f"{'removes' if parts else 'Removes'} {n} pupil{'s' if n != 1 else ''} not in the file"
            )
        return "; ".join(parts)

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
        leaving = Q()
        for entry in plan.work:
            if entry.get("removed"):
                group = entry["group"]
                leaving |= Q(teachinggroup_id=group.pk, pupil_id__in=[p.pk for p in entry["removed"]])
                events += [
                    {
                        "action": "tracking.group.member_removed",
                        "obj": group,
                        "by": by,
                        "pupil_id": p.pk,
                        "before": {"group": group.name, "upn": p.upn},
                        "after": {},
                        "note": "Not in a file that lists every member of the class",
                        "via": VIA,
                    }
                    for p in entry["removed"]
                ]
        if leaving:
            TeachingGroup.pupils.through.objects.filter(leaving).delete()
        audit.record_many(events)


register(GroupImporter())
