import time

from django.core.management.base import BaseCommand, CommandError

from tracking import standing
from tracking.demo.data import DEMO_PASSWORD
from tracking.demo.school import build, refresh_statistics
from tracking.lib.errors import DomainError
from tracking.models import School


class Command(BaseCommand):
    help = (
        "Build the demo trust with dates relative to today: Riverside Academy, the smaller Hillside School "
        "and the trust's own login."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pupils", type=int, default=1500, help="Pupils across Years 7-11 (default 1500)"
        )
        parser.add_argument(
            "--hillside-pupils",
            type=int,
            default=None,
            help="Pupils at Hillside, the trust's second school (default: --pupils / 5, 60 to 300; 0: none)",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed builds the same school"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any school exists already"
        )

    def handle(self, *args, pupils, hillside_pupils, seed, if_empty, **options):
        if if_empty and School.objects.exists():
            self.stdout.write("A school exists already; not seeding.")
            return
        if pupils < 50:
            raise CommandError("--pupils must be at least 50 so every demo role has pupils to work with")
        if hillside_pupils is None:
            hillside_pupils = min(300, max(60, pupils // 5))
        if 0 < hillside_pupils < 50:
            raise CommandError("--hillside-pupils must be 0 or at least 50")
        started = time.monotonic()
        try:
            built = build(pupils=pupils, seed=seed, hillside_pupils=hillside_pupils)
        except DomainError as refusal:
            raise CommandError(str(refusal)) from None
        # Every grade's held standing worked out now, not by the first leader to open a dashboard.
        standing.refresh_held()
        refresh_statistics()  # after the commit too: bulk-loaded tables need planner statistics
        for school in (built, built.hillside):
            if school is not None:
                counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in school.counts.items())
                self.stdout.write(self.style.SUCCESS(f"Built {school.school}: {counts}"))
        self.stdout.write(f"Took {time.monotonic() - started:.1f}s.")
        self.stdout.write(f"Demo logins use the password '{DEMO_PASSWORD}'.")
