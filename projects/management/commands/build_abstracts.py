"""Build the book of abstracts of an offering as a PDF.

manage.py build_abstracts deep-learning/2016 -o book.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from course.models import Offering
from course.selectors import offering_by_path
from projects.book import book_pdf, book_projects


class Command(BaseCommand):
    help = "Build the book of abstracts (PDF) of an offering."

    def add_arguments(self, parser):
        parser.add_argument("offering", help="course/offering, e.g. deep-learning/2016")
        parser.add_argument("-o", "--output", help="file to write (default: book-<slug>.pdf)")

    def handle(self, *args, **options):
        try:
            offering = offering_by_path(options["offering"])
        except Offering.DoesNotExist as error:
            raise CommandError(str(error)) from None
        output = Path(
            options["output"] or f"book-of-abstracts-{offering.course.slug}-{offering.slug}.pdf"
        )
        content = book_pdf(offering)
        try:
            output.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        projects = len(book_projects(offering))
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {output} ({len(content) // 1024} KB, {projects} projects).")
        )
