"""Check that the lecture videos and external links of an offering still answer.

    manage.py check_links deep-learning/2016 [--timeout 5] [--workers 8]

Broken or unreachable lecture links are marked, and the lectures page shows them as
possibly unavailable. A network failure is reported, never a crash: the exit status is 0.
"""

from course.commands import OfferingCommand
from course.links import check_links


class Command(OfferingCommand):
    help = "Check every lecture and external link of an offering (concurrently)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--timeout", type=float, default=5.0, help="seconds per link")
        parser.add_argument("--workers", type=int, default=8, help="links checked at once")

    def handle_offering(self, offering, **options):
        results = check_links(offering, timeout=options["timeout"], workers=options["workers"])
        for result in results:
            line = f"{result.status:<12} {result.label}: {result.url} ({result.detail})"
            self.stdout.write(self.style.SUCCESS(line) if result.status == "ok" else line)
        bad = sum(1 for r in results if r.status != "ok")
        self.stdout.write(f"{len(results)} link(s) checked, {bad} not working.")
