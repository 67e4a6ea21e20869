"""Remove what identifies leavers once the retention period has passed (the scheduler runs it daily)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tracking.models import School
from tracking.privacy.retention import retention_run


class Command(BaseCommand):
    help = "Anonymise leavers past their school's retention period. --dry-run lists them, changing nothing."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--school", help="one school's slug (default: every school)")
        parser.add_argument("--today", help="yyyy-mm-dd, to check what a later date would remove")

    def handle(self, *args, dry_run, school, today, **options):
        schools = School.objects.filter(slug=school) if school else School.objects.all()
        if school and not schools.exists():
            raise CommandError(f"no school with the slug '{school}'")
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today '{today}' is not a date (yyyy-mm-dd)") from None
        for each in schools:
            result = retention_run(school=each, dry_run=dry_run, today=day)
            self.stdout.write(result.message)
            for _pk, name, left_on in result.pupils:
                self.stdout.write(f"  {name}, left {left_on:%d %B %Y}")
