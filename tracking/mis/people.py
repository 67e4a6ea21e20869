"""Staff (matched by staff code) and parents and carers (linked to pupils by UPN) from a spreadsheet."""

import re
from collections import defaultdict
from types import SimpleNamespace

from tracking import audit
from tracking.mis.columns import Column
from tracking.mis.ctf import CtfContact
from tracking.mis.jobs import Plan, register
from tracking.mis.pupils import UPN, VIA
from tracking.mis.services import link_guardians
from tracking.mis.spreadsheets import SpreadsheetImporter, line, read_bool, read_upn
from tracking.models import GuardianLink, ImportKind, Pupil, Staff, User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STAFF_CODE = re.compile(r"^[A-Z0-9]{1,10}$")


def read_email(text, problems):
    if text and not EMAIL.match(text):
        problems.append(f"'{text}' is not an email address")
        return ""
    return text.lower()


class StaffImporter(SpreadsheetImporter):
    kind = ImportKind.STAFF
    label = "Staff"
    description = (
        "One row per member of staff, matched by staff code (or, for staff already here without a code, "
        "by email). New staff get an account without a password: they set one from the sign-in page's "
        "'forgotten password' link. Roles are given on the staff pages."
    )
    key_label = "Staff code"
    noun = "staff"
    new_label = "New member of staff"
    columns = (
        Column("code", "Staff code", True, ("code", "staff id", "teacher code")),
        Column("last_name", "Surname", True, ("last name", "legal surname", "family name")),
        Column("first_name", "Forename", True, ("first name", "legal forename", "preferred forename")),
        Column("title", "Title", aliases=("salutation",)),
        Column("email", "Email", aliases=("work email", "email address", "school email")),
        Column("initials", "Initials"),
    )

    def plan(self, school, parsed, job, progress, today):
        problems = list(parsed.problems)
        staff = list(Staff.objects.filter(school=school).select_related("user"))
        by_code = {s.code.upper(): s for s in staff if s.code}
        by_email = {s.user.email.lower(): s for s in staff if not s.code and s.user.email}
        usernames = {f"{school.slug}.{(v.get('code') or '').lower()}" for _n, v in parsed.rows}
        taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        seen, creates, updates, unchanged, changes = {}, [], [], 0, []
        for done, (number, raw) in enumerate(parsed.rows, start=1):
            progress(done)
            row = []
            code = raw["code"].upper()
            if not STAFF_CODE.match(code):
                row.append(f"staff code '{raw['code']}' must be 1 to 10 letters or digits")
            elif code in seen:
                row.append(f"staff code {code} appears twice (also line {seen[code]})")
            seen.setdefault(code, number)
            values = {
                "first_name": raw["first_name"][:150],
                "last_name": raw["last_name"][:150],
            }
            for name in ("first_name", "last_name"):
                if not values[name]:
                    row.append(f"the {'surname' if name == 'last_name' else 'forename'} is blank")
            if "email" in raw:
                values["email"] = read_email(raw["email"], row)
            for name, size in (("title", 10), ("initials", 5)):
                if name in raw:
                    values[name] = raw[name][:size]
            member = by_code.get(code) or by_email.get(values.get("email") or "-")
            if member is None and f"{school.slug}.{code.lower()}" in taken:
                row.append(f"the sign-in name {school.slug}.{code.lower()} is already someone else's")
            problems += [(line(number), p) for p in row]
            if row:
                continue
            name = f"{values['first_name']} {values['last_name']}"
            if member is None:
                creates.append((code, values))
                changes.append({"key": code, "name": name, "action": "create"})
                continue
            if not member.code:
                values["code"] = code
            changed = {k: (self._get(member, k), v) for k, v in values.items() if self._get(member, k) != v}
            if changed:
                updates.append((member, changed))
                changes.append(
                    {
                        "key": code,
                        "name": name,
                        "action": "update",
                        "fields": {k.replace("_", " ").capitalize(): list(v) for k, v in changed.items()},
                    }
                )
            else:
                unchanged += 1
        return Plan(
            created=len(creates),
            updated=len(updates),
            unchanged=unchanged,
            problems=problems,
            changes=changes,
            work=(creates, updates),
        )

    @staticmethod
    def _get(member, name):
        return getattr(member.user if name in ("first_name", "last_name", "email") else member, name)

    def apply(self, school, plan, by, job):
        creates, updates = plan.work
        users = []
        for code, values in creates:
            user = User(
                username=f"{school.slug}.{code.lower()}",
                first_name=values["first_name"],
                last_name=values["last_name"],
                email=values.get("email", ""),
                school=school,
            )
            user.set_unusable_password()  # they set one through the password reset page
            users.append(user)
        User.objects.bulk_create(users, batch_size=500)
        members = [
            Staff(
                school=school,
                user=user,
                code=code,
                title=values.get("title", ""),
                initials=values.get("initials")
                or (values["first_name"][:1] + values["last_name"][:1]).upper(),
            )
            for user, (code, values) in zip(users, creates, strict=True)
        ]
        Staff.objects.bulk_create(members, batch_size=500)
        events = [
            {
                "action": "tracking.staff.imported",
                "obj": member,
                "by": by,
                "after": {
                    "code": member.code,
                    "name": member.user.get_full_name(),
                    "email": member.user.email,
                },
                "via": VIA,
            }
            for member in members
        ]
        user_fields, staff_fields = defaultdict(list), defaultdict(list)
        for member, changed in updates:
            for name, (_old, new) in changed.items():
                target = member.user if name in ("first_name", "last_name", "email") else member
                setattr(target, name, new)
            on_user = tuple(sorted(n for n in changed if n in ("first_name", "last_name", "email")))
            on_staff = tuple(sorted(n for n in changed if n not in on_user))
            if on_user:
                user_fields[on_user].append(member.user)
            if on_staff:
                staff_fields[on_staff].append(member)
            events.append(
                {
                    "action": "tracking.staff.updated",
                    "obj": member,
                    "by": by,
                    "before": {k: old for k, (old, _new) in changed.items()},
                    "after": {k: new for k, (_old, new) in changed.items()},
                    "via": VIA,
                }
            )
        for fields, rows in user_fields.items():
            User.objects.bulk_update(rows, fields, batch_size=500)
        for fields, rows in staff_fields.items():
            Staff.objects.bulk_update(rows, fields, batch_size=500)
        audit.record_many(events)


class GuardianImporter(SpreadsheetImporter):
    kind = ImportKind.GUARDIANS
    label = "Parents and carers"
    description = (
        "One row per parent or carer of a pupil (by the pupil's UPN). A parent of two children is one "
        "person when the email matches. Parents are linked to their children; they get no password until "
        "they are invited."
    )
    noun = "links to a child"
    new_label = "New link"
    columns = (
        UPN,
        Column("last_name", "Contact surname", True, ("surname", "parent surname", "contact last name")),
        Column("first_name", "Contact forename", True, ("forename", "parent forename", "contact first name")),
        Column("title", "Title", aliases=("contact title",)),
        Column("email", "Email", aliases=("contact email", "parent email", "email address")),
        Column("relationship", "Relationship", aliases=("relation", "relationship to pupil")),
        Column(
            "responsibility",
            "Parental responsibility",
            aliases=("responsibility", "has parental responsibility", "pr"),
            help="If given, only rows with Yes are imported.",
        ),
    )

    def plan(self, school, parsed, job, progress, today):
        problems, notes = list(parsed.problems), []
        upns = [read_upn(v["upn"])[0] for _n, v in parsed.rows]
        pupils = {p.upn: p for p in Pupil.objects.filter(school=school, upn__in=upns)}
        linked = {
            (pupil_id, first.lower(), last.lower())
            for pupil_id, first, last in GuardianLink.objects.filter(pupil__in=pupils.values()).values_list(
                "pupil_id", "guardian__user__first_name", "guardian__user__last_name"
            )
        }
        seen, contacts, unchanged, changes = {}, defaultdict(list), 0, []
        for done, (number, raw) in enumerate(parsed.rows, start=1):
            progress(done)
            row = []
            upn, why = read_upn(raw["upn"])
            pupil = pupils.get(upn)
            if why:
                row.append(why)
            elif pupil is None:
                row.append(f"no pupil with UPN {upn} is on the roll")
            first, last = raw["first_name"][:150], raw["last_name"][:150]
            if not first or not last:
                row.append("the contact's forename and surname are both needed")
            email = read_email(raw.get("email", ""), row)
            responsible = read_bool(raw["responsibility"]) if "responsibility" in raw else True
            if responsible is None:
                row.append(f"parental responsibility '{raw['responsibility']}' is not yes or no")
            key = (upn, first.lower(), last.lower())
            if key in seen and not row:
                row.append(f"{first} {last} is listed for {upn} twice (also line {seen[key]})")
            seen.setdefault(key, number)
            problems += [(line(number), p) for p in row]
            if row:
                continue
            if not responsible:
                notes.append(f"Line {number}: {first} {last} has no parental responsibility (kept out)")
                continue
            if (pupil.pk, first.lower(), last.lower()) in linked:
                unchanged += 1
                continue
            contact = CtfContact(
                title=raw.get("title", "")[:10],
                forename=first,
                surname=last,
                relationship=raw.get("relationship", ""),
                email=email,
            )
            contacts[pupil].append(contact)
            changes.append(
                {
                    "key": upn,
                    "name": f"{first} {last}",
                    "action": "create",
                    "detail": f"{contact.relationship or 'Parent'} of {pupil.full_name}",
                }
            )
        return Plan(
            created=len(changes),
            unchanged=unchanged,
            problems=problems,
            notes=notes,
            changes=changes,
            work=[SimpleNamespace(saved=pupil, contacts=found) for pupil, found in contacts.items()],
        )

    def apply(self, school, plan, by, job):
        events = []
        job.guardians_created = link_guardians(
            school, plan.work, by, events, via=VIA, relationship=lambda text: text[:40] or "Parent"
        )
        audit.record_many(events)


register(StaffImporter())
register(GuardianImporter())
