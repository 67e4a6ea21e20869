"""Moving a school's records in from its MIS: a dry run first, then one atomic commit, every change audited.

A file with any problem saves nothing and lists every problem with the pupil and element. Pupils match by
UPN, so re-importing the same file changes nothing.
"""

import secrets
from dataclasses import dataclass, field

from tracking import audit
from tracking.mis.ctf import CtfError, parse
from tracking.mis.jobs import Importer, ImportFileError, Plan, job_commit, job_run, max_bytes, register
from tracking.models import (
    Guardian,
    GuardianLink,
    ImportJob,
    ImportKind,
    Pupil,
    User,
    YearGroup,
    prior_band_for,
)

RELATIONSHIPS = {
    "PAM": "Mother",
    "PAF": "Father",
    "STM": "Step-mother",
    "STF": "Step-father",
    "FOM": "Foster mother",
    "FOF": "Foster father",
    "CAR": "Carer",
    "GRM": "Grandmother",
    "GRF": "Grandfather",
    "REL": "Relative",
}
# Fields a CTF always carries, and those it may leave out (kept as they are when absent).
ALWAYS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "date_of_birth",
    "gender",
    "sen_status",
    "sen_need",
    "eal",
    "looked_after",
    "disadvantaged",
)
WHEN_GIVEN = ("ks2_reading", "ks2_maths", "attendance")


@dataclass
class CtfWork:
    creates: list = field(default_factory=list)  # (CtfPupil, {field: value})
    updates: list = field(default_factory=list)  # (Pupil, {field: (old, new)}, CtfPupil)
    unchanged: list = field(default_factory=list)  # (Pupil, CtfPupil)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _values(ctf_pupil, today, fsm_years):
    values = {
        "legal_first_name": ctf_pupil.forename,
        "legal_last_name": ctf_pupil.surname,
        "preferred_first_name": ctf_pupil.preferred_forename
        if ctf_pupil.preferred_forename != ctf_pupil.forename
        else "",
        "preferred_last_name": ctf_pupil.preferred_surname
        if ctf_pupil.preferred_surname != ctf_pupil.surname
        else "",
        "date_of_birth": ctf_pupil.date_of_birth,
        "gender": ctf_pupil.gender,
        "sen_status": ctf_pupil.sen_status,
        "sen_need": ctf_pupil.sen_need,
        "eal": ctf_pupil.eal,
        "looked_after": ctf_pupil.looked_after,
        "disadvantaged": ctf_pupil.disadvantaged(today, years=fsm_years),
    }
    values.update(ctf_pupil.ks2)
    if ctf_pupil.attendance is not None:
        values["attendance"] = ctf_pupil.attendance
    return values


def _comparable(value):
    return float(value) if hasattr(value, "as_tuple") else value


def _plan(school, parsed, today):
    plan = CtfWork(problems=list(parsed.problems))
    years = {y.number: y for y in YearGroup.objects.filter(school=school)}
    lowest = min(years) if years else None
    existing = {p.upn: p for p in Pupil.objects.filter(school=school, upn__in=[c.upn for c in parsed.pupils])}
    for ctf_pupil in parsed.pupils:
        plan.notes += [f"{ctf_pupil.element}: {note}" for note in ctf_pupil.notes]
        values = _values(ctf_pupil, today, school.fsm_ever_years)
        pupil = existing.get(ctf_pupil.upn)
        if pupil is None:
            year = years.get(ctf_pupil.nc_year)
            # A primary school's Year 6 file is how next September's Year 7 arrives.
            if year is None and ctf_pupil.nc_year is not None and ctf_pupil.nc_year + 1 == lowest:
                year = years[lowest]
            if year is None:
                plan.problems.append(
                    (f"{ctf_pupil.element} › NCyearActual", f"the school has no Year {ctf_pupil.nc_year}")
                )
                continue
            values["year_group"] = year
            plan.creates.append((ctf_pupil, values))
            continue
        changed = {
            name: (getattr(pupil, name), value)
            for name, value in values.items()
            if _comparable(getattr(pupil, name)) != _comparable(value)
        }
        if changed:
            plan.updates.append((pupil, changed, ctf_pupil))
        else:
            plan.unchanged.append((pupil, ctf_pupil))
    return plan


def _json(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "as_tuple"):
        return float(value)
    if isinstance(value, YearGroup):
        return str(value)
    return value


def _label(name):
    return str(Pupil._meta.get_field(name).verbose_name).capitalize()


def _describe(plan):
    rows = [
        {"key": c.upn, "upn": c.upn, "name": f"{c.forename} {c.surname}", "action": "create"}
        for c, _v in plan.creates
    ]
    rows += [
        {
            "key": p.upn,
            "upn": p.upn,
            "name": f"{c.forename} {c.surname}",
            "action": "update",
            "fields": {_label(name): [_json(old), _json(new)] for name, (old, new) in changed.items()},
        }
        for p, changed, c in plan.updates
    ]
    return rows


class CtfImporter(Importer):
    kind = ImportKind.CTF
    background = False

    def read(self, raw, job):
        try:
            parsed = parse(raw, max_bytes=max_bytes())
        except CtfError as error:
            raise ImportFileError(str(error)) from None
        job.version = parsed.version[:20]
        return parsed

    def plan(self, school, parsed, job, progress, today):
        work = _plan(school, parsed, today)
        return Plan(
            created=len(work.creates),
            updated=len(work.updates),
            unchanged=len(work.unchanged),
            problems=work.problems,
            notes=work.notes,
            changes=_describe(work),
            work=work,
        )

    def apply(self, school, plan, by, job):
        job.guardians_created = _apply(school, plan.work, by)


register(CtfImporter())


def ctf_import(*, school, raw, file_name, by, commit, today=None):
    """Read a CTF and either preview it (commit=False) or import it atomically; returns the ImportJob."""
    job = ImportJob(school=school, kind=ImportKind.CTF, file_name=file_name[:200], by=by, content=raw)
    return job_run(job=job, commit=commit, today=today)


def ctf_import_commit(*, job, by):
    """Commit a previewed job: the file is read again, so changes since the preview are respected."""
    return job_commit(job=job, by=by)


def _apply(school, plan, by):
    events = []
    for ctf_pupil, values in plan.creates:
        pupil = Pupil(school=school, upn=ctf_pupil.upn, **values)
        pupil.prior_band = prior_band_for(pupil.ks2_reading, pupil.ks2_maths)
        ctf_pupil.saved = pupil
    Pupil.objects.bulk_create([c.saved for c, _v in plan.creates], batch_size=500)
    for ctf_pupil, values in plan.creates:
        events.append(
            {
                "action": "tracking.pupil.imported",
                "obj": ctf_pupil.saved,
                "by": by,
                "after": {k: _json(v) for k, v in values.items()},
                "via": "CTF import",
                "pupil": ctf_pupil.saved,
            }
        )
    for pupil, changed, ctf_pupil in plan.updates:
        for name, (_old, new) in changed.items():
            setattr(pupil, name, new)
        pupil.save()
        ctf_pupil.saved = pupil
        events.append(
            {
                "action": "tracking.pupil.updated",
                "obj": pupil,
                "by": by,
                "before": {k: _json(old) for k, (old, _new) in changed.items()},
                "after": {k: _json(new) for k, (_old, new) in changed.items()},
                "via": "CTF import",
                "pupil": pupil,
            }
        )
    for pupil, ctf_pupil in plan.unchanged:
        ctf_pupil.saved = pupil
    everyone = (
        [c for c, _v in plan.creates] + [c for _p, _ch, c in plan.updates] + [c for _p, c in plan.unchanged]
    )
    created = link_guardians(school, everyone, by, events)
    audit.record_many(events)
    return created


def _ctf_relationship(code):
    return RELATIONSHIPS.get(code, "Parent")


def link_guardians(school, ctf_pupils, by, events, *, via="CTF import", relationship=_ctf_relationship):
    """Contacts with parental responsibility become guardians (matched by email, else by name).

    `ctf_pupils` have `.saved` (the Pupil) and `.contacts` (CtfContact). Decided first, then written in
    bulk: a whole intake is thousands of contacts. Returns how many guardians were created."""
    pupil_ids = [c.saved.pk for c in ctf_pupils]
    linked = set()
    for link in GuardianLink.objects.filter(pupil_id__in=pupil_ids).select_related("guardian__user"):
        user = link.guardian.user
        linked.add((link.pupil_id, user.first_name.lower(), user.last_name.lower()))
    emails = {c.email.lower() for p in ctf_pupils for c in p.contacts if c.email}
    known = {
        g.user.email.lower(): g
        for g in Guardian.objects.filter(school=school, user__email__in=emails).select_related("user")
    }
    new_users, links = {}, []  # key -> unsaved User; (pupil, key or Guardian, relationship)
    for ctf_pupil in ctf_pupils:
        pupil = ctf_pupil.saved
        for contact in ctf_pupil.contacts:
            name = (contact.forename.lower(), contact.surname.lower())
            if (pupil.pk, *name) in linked:
                continue
            linked.add((pupil.pk, *name))
            key = contact.email.lower() or name
            guardian = known.get(key)
            if guardian is None and key not in new_users:
                user = User(
                    username=f"{school.slug}-{secrets.token_hex(5)}",
                    first_name=contact.forename[:150],
                    last_name=contact.surname[:150],
                    email=contact.email[:254],
                    school=school,
                )
                user.set_unusable_password()  # families are invited to set one; nobody signs in as them
                new_users[key] = user
            links.append((pupil, guardian or key, relationship(contact.relationship)))
    User.objects.bulk_create(new_users.values(), batch_size=500)
    guardians = {key: Guardian(school=school, user=user) for key, user in new_users.items()}
    Guardian.objects.bulk_create(guardians.values(), batch_size=500)
    rows = [
        GuardianLink(
            guardian=g if isinstance(g, Guardian) else guardians[g], pupil=pupil, relationship=relationship
        )
        for pupil, g, relationship in links
    ]
    GuardianLink.objects.bulk_create(rows, batch_size=500)
    for link in rows:
        events.append(
            {
                "action": "tracking.guardian.linked",
                "obj": link,
                "by": by,
                "after": {"guardian": str(link.guardian), "relationship": link.relationship},
                "via": via,
                "pupil": link.pupil,
                "school": school,
            }
        )
    return len(guardians)
