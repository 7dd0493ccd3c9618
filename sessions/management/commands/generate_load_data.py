"""Generate a university-scale database: many courses, offerings and students, for the
benchmark (scripts/benchmark.py --scale university) and for trying the site at size.

    manage.py generate_load_data                       # 300 courses, 900 offerings, 30,000 students
    manage.py generate_load_data --courses 3 --offerings-per-course 3 --students 200
    manage.py generate_load_data --database-check      # afterwards: are the sizes as asked?

A data generator, not user writes: rows go straight into the tables with bulk_create in
batches (sessions/demo/load_data.py says what it makes and which rules it keeps by
construction). The demo (load_demo), when loaded, stays as it is; run load_demo first,
then this. The same --seed and sizes give the same data, with dates relative to today.
It refuses to run twice on one database, and refuses production settings without --force
(the generated accounts share a published password).

--database-check reads back what is there, compares it with the sizes given and prints
the counts and the database's size; with generated data already present it only checks
(nothing is written). It exits with an error when anything differs.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.demo import load_data


class Command(BaseCommand):
    help = "Generate a university-scale database (bulk rows; keeps the demo) for benchmarks."

    def add_arguments(self, parser):
        defaults = load_data.Sizes()
        parser.add_argument("--courses", type=int, default=defaults.courses)
        parser.add_argument(
            "--offerings-per-course",
            type=int,
            default=defaults.offerings_per_course,
            help="The last is open for registration, the one before it running, the earlier "
            "ones archived (default %(default)s).",
        )
        parser.add_argument("--students", type=int, default=defaults.students)
        parser.add_argument(
            "--sessions",
            type=int,
            default=defaults.sessions,
            help="Discussion sessions per offering (default %(default)s).",
        )
        parser.add_argument("--seed", type=int, default=2016)
        parser.add_argument(
            "--database-check",
            action="store_true",
            help="Check the generated data against the sizes given and print the counts; "
            "when it is there already, only check.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Generate even though the settings say this is a production database.",
        )

    def handle(self, *args, **options):
        if settings.COURSESITE_ENVIRONMENT == "production" and not options["force"]:
            raise CommandError(
                "This is a production database (COURSESITE_ENVIRONMENT=production): thousands "
                "of accounts with a published password would be created. Use --force if you "
                "mean it."
            )
        sizes = load_data.Sizes(
            courses=options["courses"],
            offerings_per_course=options["offerings_per_course"],
            students=options["students"],
            sessions=options["sessions"],
        )
        if min(sizes.courses, sizes.offerings_per_course, sizes.students, sizes.sessions) < 1:
            raise CommandError("Every size must be at least 1.")
        check_only = options["database_check"] and load_data.generated_exists()
        if not check_only:
            self.generate(sizes, options["seed"])
        if options["database_check"]:
            self.check_data(sizes)

    def generate(self, sizes: load_data.Sizes, seed: int) -> None:
        self.stdout.write(
            f"Generating {sizes.courses} courses × {sizes.offerings_per_course} offerings, "
            f"{sizes.students} students, {sizes.sessions} sessions per offering (seed {seed}):"
        )
        started = time.monotonic()
        try:
            counts = load_data.generate(sizes, seed=seed, say=self.stdout.write)
        except load_data.AlreadyGenerated as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {sum(counts.values()):,} rows in {time.monotonic() - started:.0f} s; "
                f"database size {load_data.database_size()}."
            )
        )
        self.stdout.write(
            f"Every generated account's password is {load_data.PASSWORD}, e.g. "
            f"student00000@{load_data.EMAIL_DOMAIN} (a student), "
            f"teacher0001@{load_data.EMAIL_DOMAIN} (a teaching assistant)."
        )

    def check_data(self, sizes: load_data.Sizes) -> None:
        for name, count in load_data.generated_counts().items():
            self.stdout.write(f"  {name:<22} {count:>10,}")
        self.stdout.write(f"  {'database size':<22} {load_data.database_size():>10}")
        problems = load_data.check(sizes)
        if problems:
            raise CommandError(
                "The generated data differs from the sizes asked: " + "; ".join(problems)
            )
        self.stdout.write(self.style.SUCCESS("The generated data has the sizes asked for."))
