"""Pupils from a spreadsheet: the roll (create or update by UPN), and KS2 results or attendance for pupils
already on it. A column the file has is the truth for that field (a blank cell clears it); a field the file
has no column for is left as it is."""

from collections import defaultdict
from decimal import Decimal

from tracking import audit
from tracking.mis.columns import Column
from tracking.mis.jobs import Plan, register
from tracking.mis.spreadsheets import (
    SpreadsheetImporter,
    line,
    read_bool,
    read_date,
    read_gender,
    read_number,
    read_upn,
    read_year,
)
from tracking.models import AcademicYear, FormGroup, ImportKind, Pupil, SenNeed, YearGroup, prior_band_for

UPN = Column("upn", "UPN", True, ("unique pupil number", "pupil upn"))
KS2_READING = Column(
    "ks2_reading", "KS2 reading", aliases=("ks2 read", "ks2 reading scaled score", "reading scaled score")
)
KS2_MATHS = Column(
    "ks2_maths", "KS2 maths", aliases=("ks2 mat", "ks2 maths scaled score", "maths scaled score")
)
ATTENDANCE = Column(
    "attendance", "Attendance %", aliases=("attendance", "attendance percentage", "% attendance")
)
PUPIL_COLUMNS = (
    UPN,
    Column("legal_last_name", "Surname", True, ("legal surname", "last name", "family name")),
    Column("legal_first_name", "Forename", True, ("legal forename", "first name", "given name")),
    Column("preferred_last_name", "Preferred surname", aliases=("preferred last name",)),
    Column("preferred_first_name", "Preferred forename", aliases=("preferred first name", "known as")),
    Column("date_of_birth", "Date of birth", True, ("dob", "birth date")),
    Column("gender", "Sex", True, ("gender",)),
    Column("year", "Year", True, ("nc year", "year group", "ncyearactual", "national curriculum year")),
    Column("form", "Form", aliases=("reg group", "registration group", "tutor group", "reg")),
    Column("sen_status", "SEN", aliases=("sen status", "sen provision")),
    Column(
        "sen_need",
        "SEN need",
        aliases=("primary need", "primary sen need", "sen need type", "sen type", "sen primary need"),
    ),
    Column("eal", "EAL", aliases=("english as an additional language",)),
    Column("disadvantaged", "Pupil premium", aliases=("pp", "disadvantaged", "ever 6 fsm", "fsm6")),
    Column("looked_after", "Looked after", aliases=("lac", "cla", "in care")),
    KS2_READING,
    KS2_MATHS,
    ATTENDANCE,
)
SEN_CODES = {
    "": "N",
    "n": "N",
    "none": "N",
    "no": "N",
    "k": "K",
    "sen support": "K",
    "support": "K",
    "e": "E",
    "s": "E",
    "ehcp": "E",
    "ehc plan": "E",
    "statement": "E",
}
# A primary need by the DfE's code (SPLD, SEMH...) or its name, in any case.
SEN_NEEDS = {code.lower(): code for code in SenNeed.values} | {
    str(label).lower(): code for code, label in SenNeed.choices if code
}
BOOLEANS = ("eal", "disadvantaged", "looked_after")
KS2_NOT_A_SCORE = {"a", "b", "m", "n", "t", "l", "u", "q", "x", "h", "p", "s", "f", "d"}
VIA = "spreadsheet import"


def _json(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, YearGroup | FormGroup):
        return str(value)
    return value


def _shown(value):
    """A value as the dry run shows it (yes/no rather than True/False)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _json(value)


def _comparable(value):
    return float(value) if isinstance(value, Decimal) else value


class PupilFieldsImporter(SpreadsheetImporter):
    """Pupil records by UPN; `creates` says whether pupils not yet on the roll are added or refused."""

    creates = True

    def __init__(self, kind, label, columns, *, creates, description):
        self.kind, self.label, self.columns, self.creates = kind, label, columns, creates
        self.description = description

    def mapping_rules(self, mapping):
        optional = [c for c in self.columns if c is not UPN]
        if not self.creates and not any(mapping.get(c.name) for c in optional):
            names = " or ".join(c.label for c in optional)
            return [("Columns", f"choose the column that holds {names}")]
        return []

    def plan(self, school, parsed, job, progress, today):
        problems = list(parsed.problems)
        years = {y.number: y for y in YearGroup.objects.filter(school=school)}
        current = AcademicYear.objects.filter(school=school, is_current=True).first()
        forms = {}
        if current is not None:
            forms = {f.name.lower(): f for f in FormGroup.objects.filter(academic_year=current)}
        new_forms = {}  # lower name -> unsaved FormGroup
        if "form" in parsed.mapped and current is None:
            problems.append(("Columns", "the school has no current academic year, so forms cannot be set"))
        upns = {values.get("upn", ""): read_upn(values.get("upn", "")) for _n, values in parsed.rows}
        existing = {
            p.upn: p
            for p in Pupil.objects.filter(
                school=school, upn__in=[u for u, _why in upns.values()]
            ).select_related("form", "year_group")
        }
        seen = {}
        creates, updates, unchanged, notes = [], [], [], []
        for done, (number, raw) in enumerate(parsed.rows, start=1):
            progress(done)
            where = line(number)
            row_problems = []
            upn, why = upns[raw["upn"]]
            if why:
                row_problems.append(why)
            elif upn in seen:
                row_problems.append(f"UPN {upn} appears twice (also line {seen[upn]})")
            seen.setdefault(upn, number)
            values = self._values(raw, years, row_problems, notes, where)
            form_name = values.pop("form_name", None)
            if form_name is not None:
                values["form"] = self._form(
                    form_name, values.get("year_group"), forms, new_forms, current, row_problems
                )
            pupil = existing.get(upn)
            if pupil is None and not why and not self.creates:
                row_problems.append(f"no pupil with UPN {upn} is on the roll")
            problems += [(where, p) for p in row_problems]
            if row_problems:
                continue
            if pupil is None:
                creates.append((upn, values))
                continue
            changed = {
                name: (getattr(pupil, name), value)
                for name, value in values.items()
                if _comparable(getattr(pupil, name)) != _comparable(value)
            }
            if changed:
                updates.append((pupil, changed))
            else:
                unchanged.append(pupil)
        changes = [
            {"key": upn, "name": f"{v['legal_first_name']} {v['legal_last_name']}", "action": "create"}
            for upn, v in creates
        ] + [
            {
                "key": p.upn,
                "name": p.full_name,
                "action": "update",
                "fields": {self._label(n): [_shown(old), _shown(new)] for n, (old, new) in changed.items()},
            }
            for p, changed in updates
        ]
        if new_forms:
            notes.append(f"New forms: {', '.join(sorted(f.name for f in new_forms.values()))}")
        return Plan(
            created=len(creates),
            updated=len(updates),
            unchanged=len(unchanged),
            problems=problems,
            notes=notes,
            changes=changes,
            work=(creates, updates, list(new_forms.values())),
        )

    @staticmethod
    def _label(name):
        label = str(Pupil._meta.get_field(name).verbose_name)
        return label[:1].upper() + label[1:]

    def _values(self, raw, years, problems, notes, where):
        values = {}
        for name in ("legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name"):
            if name in raw:
                text = raw[name][:100]
                if not text and name.startswith("legal"):
                    problems.append(f"the {'surname' if 'last' in name else 'forename'} is blank")
                values[name] = text
        if "date_of_birth" in raw:
            born = read_date(raw["date_of_birth"])
            if born is None:
                problems.append(f"date of birth '{raw['date_of_birth']}' is not a date (e.g. 2014-03-04)")
            values["date_of_birth"] = born
        if "gender" in raw:
            values["gender"] = read_gender(raw["gender"])
            if values["gender"] is None:
                problems.append(f"sex '{raw['gender']}' is not M, F or X")
        if "year" in raw:
            number = read_year(raw["year"])
            values["year_group"] = years.get(number)
            if values["year_group"] is None:
                problems.append(
                    f"the school has no Year {number}"
                    if number is not None
                    else f"year '{raw['year']}' is not a year (e.g. 7 or Year 7)"
                )
        if "form" in raw:
            values["form_name"] = raw["form"][:20]
        if "sen_status" in raw:
            values["sen_status"] = SEN_CODES.get(raw["sen_status"].lower())
            if values["sen_status"] is None:
                problems.append(f"SEN '{raw['sen_status']}' is not N, K (SEN support) or E (EHC plan)")
        if "sen_need" in raw:
            values["sen_need"] = SEN_NEEDS.get(raw["sen_need"].strip().lower())
            if values["sen_need"] is None:
                codes = ", ".join(code for code in SenNeed.values if code)
                problems.append(f"SEN need '{raw['sen_need']}' is not one of the DfE's codes ({codes})")
        for name in BOOLEANS:
            if name in raw:
                values[name] = read_bool(raw[name])
                if values[name] is None:
                    problems.append(f"{self._label(name)} '{raw[name]}' is not yes or no")
        for name in ("ks2_reading", "ks2_maths"):
            if name in raw:
                values[name] = self._ks2(raw[name], name, problems, notes, where)
        if "attendance" in raw:
            values["attendance"] = self._attendance(raw["attendance"], problems)
        return values

    def _ks2(self, text, name, problems, notes, where):
        if not text:
            return None
        if text.lower() in KS2_NOT_A_SCORE:
            notes.append(f"{where}: {self._label(name)} '{text}' is not a scaled score (kept out)")
            return None
        score = read_number(text)
        if score is None or score != score.to_integral_value() or not 80 <= score <= 120:
            problems.append(f"{self._label(name)} '{text}' is not a scaled score from 80 to 120")
            return None
        return int(score)

    @staticmethod
    def _attendance(text, problems):
        if not text:
            return None
        value = read_number(text)
        if value is not None and not text.endswith("%") and "." in text and value <= 1:
            value *= 100  # a fraction, as Excel stores a cell formatted as a percentage
        if value is None or not 0 <= value <= 100:
            problems.append(f"attendance '{text}' is not a percentage from 0 to 100")
            return None
        return value.quantize(Decimal("0.01"))

    @staticmethod
    def _form(name, year_group, forms, new_forms, current, problems):
        if not name or current is None:
            return None
        form = forms.get(name.lower()) or new_forms.get(name.lower())
        if form is None:
            if year_group is None:
                return None
            form = new_forms[name.lower()] = FormGroup(
                school_id=current.school_id, academic_year=current, year_group=year_group, name=name
            )
        elif year_group is not None and form.year_group_id != year_group.pk:
            problems.append(f"form {form.name} is a Year {form.year_group.number} form")
        return form

    def apply(self, school, plan, by, job):
        creates, updates, new_forms = plan.work
        FormGroup.objects.bulk_create(new_forms)
        events = []
        pupils = []
        for upn, values in creates:
            pupil = Pupil(school=school, upn=upn, **values)
            pupil.prior_band = prior_band_for(pupil.ks2_reading, pupil.ks2_maths)
            pupils.append(pupil)
        Pupil.objects.bulk_create(pupils, batch_size=1000)
        for pupil, (_upn, values) in zip(pupils, creates, strict=True):
            events.append(
                {
                    "action": "tracking.pupil.imported",
                    "obj": pupil,
                    "by": by,
                    "after": {k: _json(v) for k, v in values.items()},
                    "via": VIA,
                    "pupil": pupil,
                }
            )
        by_fields = defaultdict(list)
        for pupil, changed in updates:
            for name, (_old, new) in changed.items():
                setattr(pupil, name, new)
            fields = set(changed)
            if fields & {"ks2_reading", "ks2_maths"}:
                pupil.prior_band = prior_band_for(pupil.ks2_reading, pupil.ks2_maths)
                fields.add("prior_band")
            by_fields[tuple(sorted(fields))].append(pupil)
            events.append(
                {
                    "action": "tracking.pupil.updated",
                    "obj": pupil,
                    "by": by,
                    "before": {k: _json(old) for k, (old, _new) in changed.items()},
                    "after": {k: _json(new) for k, (_old, new) in changed.items()},
                    "via": VIA,
                    "pupil": pupil,
                }
            )
        for fields, group in by_fields.items():
            Pupil.objects.bulk_update(group, fields, batch_size=1000)
        audit.record_many(events)


register(
    PupilFieldsImporter(
        ImportKind.PUPILS,
        "Pupils",
        PUPIL_COLUMNS,
        creates=True,
        description="The roll: one row per pupil. New UPNs are added; pupils already here are updated.",
    )
)
register(
    PupilFieldsImporter(
        ImportKind.KS2,
        "KS2 results",
        (UPN, KS2_READING, KS2_MATHS),
        creates=False,
        description="KS2 reading and maths scaled scores (80-120) for pupils already on the roll.",
    )
)
register(
    PupilFieldsImporter(
        ImportKind.ATTENDANCE,
        "Attendance",
        (UPN, Column("attendance", "Attendance %", True, ATTENDANCE.aliases)),
        creates=False,
        description="Each pupil's attendance this year as a percentage, for pupils already on the roll.",
    )
)
