from django.core.management.base import BaseCommand, CommandError

from interventions.presets import PRESETS, install_presets
from tracking.models import School


class Command(BaseCommand):
    help = "Install the shipped intervention rule presets (Laude, Hurworth, Longfield) for schools."

    def add_arguments(self, parser):
        parser.add_argument("--school", help="School slug (default: every school)")
        parser.add_argument(
            "--activate", choices=sorted(PRESETS), help="Preset to make active where none is chosen yet"
        )

    def handle(self, *args, school=None, activate=None, **options):
        schools = School.objects.all()
        if school:
            schools = schools.filter(slug=school)
            if not schools.exists():
                raise CommandError(f"No school with slug '{school}'.")
        for each in schools:
            install_presets(each, activate=activate)
            self.stdout.write(f"{each}: presets installed")
