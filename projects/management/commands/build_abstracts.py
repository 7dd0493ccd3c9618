"""Build the book of abstracts of an offering as a PDF.

manage.py build_abstracts deep-learning/2016 -o book.pdf
"""

from pathlib import Path

from django.core.management.base import CommandError

from course.commands import OfferingCommand
from projects.book import book_pdf, book_projects


class Command(OfferingCommand):
    help = "Build the book of abstracts (PDF) of an offering."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("-o", "--output", help="file to write (default: book-<slug>.pdf)")

    def handle_offering(self, offering, **options):
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
