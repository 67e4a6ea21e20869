"""Import a DfE Common Transfer File from the command line (for a nightly sync or a first load)."""

from django.core.management.base import BaseCommand, CommandError

from tracking.mis.services import ctf_import, max_bytes
from tracking.models import ImportStatus, School


class Command(BaseCommand):
    help = (
        "Import pupils, contacts, SEN, FSM, attendance and KS2 results from a CTF. --dry-run saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; save nothing")
        parser.add_argument("--school", help="the school's slug (needed when there is more than one school)")

    def handle(self, *args, file, dry_run, school, **options):
        schools = School.objects.all() if not school else School.objects.filter(slug=school)
        if schools.count() != 1:
            names = ", ".join(School.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"choose the school with --school (one of: {names})")
        try:
            with open(file, "rb") as handle:
                raw = handle.read(max_bytes() + 1)
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        job = ctf_import(school=schools.get(), raw=raw, file_name=file, by=None, commit=not dry_run)
        for note in job.notes:
            self.stdout.write(f"note: {note}")
        if job.status == ImportStatus.REJECTED:
            problems = "\n".join(f"{where}: {message}" for where, message in job.problems)
            raise CommandError(f"{len(job.problems)} problem(s); nothing was saved.\n{problems}")
        prefix = "Dry run, nothing saved. Would be: " if dry_run else "Imported: "
        self.stdout.write(f"{prefix}{job.summary} (CTF version {job.version}).")
