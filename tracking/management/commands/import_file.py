"""Import a spreadsheet (CSV or XLSX) from the command line, for a nightly sync or a first load."""

import os

from django.core.management.base import BaseCommand, CommandError

from tracking.mis.jobs import max_bytes
from tracking.mis.kinds import SPREADSHEET_KINDS, spreadsheet_import
from tracking.models import ImportStatus, School


class Command(BaseCommand):
    help = (
        "Import a spreadsheet of one kind (pupils, staff, guardians, groups, ks2, attendance, fft, grades). "
        "Columns are those the school last chose on the imports page, else recognised by name. "
        "--dry-run saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[str(kind) for kind in SPREADSHEET_KINDS])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; save nothing")
        parser.add_argument("--school", help="the school's slug (needed when there is more than one school)")
        parser.add_argument(
            "--replace-members",
            action="store_true",
            help="groups only: the file lists every member of its classes, so pupils in those classes "
            "but not in the file are taken out of them (without it, pupils are only ever added)",
        )

    def handle(self, *args, kind, file, dry_run, school, replace_members, **options):
        if replace_members and kind != "groups":
            raise CommandError("--replace-members is for the groups import only")
        schools = School.objects.all() if not school else School.objects.filter(slug=school)
        if schools.count() != 1:
            names = ", ".join(School.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"choose the school with --school (one of: {names})")
        try:
            if os.path.getsize(file) > max_bytes():  # refused before it is read
                raise CommandError(f"{file} is larger than the {max_bytes() // (1024 * 1024)} MB limit")
            with open(file, "rb") as handle:
                raw = handle.read()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        job = spreadsheet_import(
            school=schools.get(),
            kind=kind,
            raw=raw,
            file_name=os.path.basename(file),
            by=None,
            commit=not dry_run,
            options={"replace_members": replace_members},
        )
        for note in job.notes:
            self.stdout.write(f"note: {note}")
        if job.status == ImportStatus.REJECTED:
            problems = "\n".join(f"{where}: {message}" for where, message in job.problems)
            raise CommandError(f"{len(job.problems)} problem(s); nothing was saved.\n{problems}")
        prefix = "Dry run, nothing saved. Would be: " if dry_run else "Imported: "
        self.stdout.write(f"{prefix}{job.summary} ({job.rows_total} rows).")
        removed = [c for c in job.changes if c.get("action") == "remove"]
        if replace_members:
            verb = "would be removed" if dry_run else "removed"
            self.stdout.write(f"{len(removed)} membership{'' if len(removed) == 1 else 's'} {verb}.")
            for change in removed:
                self.stdout.write(
                    f"  {change['key']}: {change['name']} ({change['detail'].removeprefix('Removes ')})"
                )
