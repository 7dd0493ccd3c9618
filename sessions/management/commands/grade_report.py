"""Print an offering's grades, or export them for the university's records system.

manage.py grade_report deep-learning/2016                     # a table with every condition
manage.py grade_report deep-learning/2016 --csv               # records CSV on stdout
manage.py grade_report deep-learning/2016 --xlsx -o out.xlsx  # records Excel workbook
"""

import sys

from django.core.management.base import CommandError
from django.utils import timezone

from course.commands import OfferingCommand
from sessions.grading.exports import write_records_csv, write_records_xlsx
from sessions.grading.sheet import grade_sheet


class Command(OfferingCommand):
    help = "Print the grades of an offering's students, or export them as CSV or Excel."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--csv", action="store_true", help="the records export as CSV")
        kind.add_argument("--xlsx", action="store_true", help="the records export as Excel")
        parser.add_argument(
            "-o", "--output", help="file to write (required for --xlsx unless stdout is a file)"
        )

    def handle_offering(self, offering, **options):
        sheet = grade_sheet(offering)
        if options["xlsx"]:
            return self.write_xlsx(sheet, options["output"])
        if options["csv"]:
            if options["output"]:
                with open(options["output"], "w", newline="", encoding="utf-8") as out:
                    write_records_csv(out, sheet)
            else:
                write_records_csv(self.stdout, sheet)
            return None
        return self.write_table(sheet)

    def write_xlsx(self, sheet, output):
        if output:
            with open(output, "wb") as out:
                write_records_xlsx(out, sheet)
            self.stderr.write(f"Wrote {len(sheet.rows)} students to {output}.")
            return
        if sys.stdout.isatty():
            raise CommandError("An Excel file is binary: give -o FILE or redirect the output.")
        write_records_xlsx(sys.stdout.buffer, sheet)

    def write_table(self, sheet):
        state = sheet.state
        status = (
            f"signed off {timezone.localtime(state.signed_off_at):%Y-%m-%d}"
            if state.locked
            else "not signed off"
        )
        self.stdout.write(f"{sheet.offering}: {len(sheet.rows)} students, results {status}")
        width = max([len(r.enrolment.student.full_name) for r in sheet.rows] + [7])
        self.stdout.write(f"   {'student':<{width}}  level  proposed  grade  missing or pending")
        for row in sheet.rows:
            grade = row.final.grade if row.graded else "-"
            proposed = row.proposed.code if row.proposed else "-"
            note = "" if row.eligibility.eligible else row.eligibility.explain()
            if not note and row.proposed is None:
                note = row.proposal_note
            flag = "!" if not row.graded else ("*" if row.differs_from_proposal else " ")
            line = (
                f"{flag}  {row.enrolment.student.full_name:<{width}}  "
                f"{row.enrolment.get_level_display():<5}  {proposed:<8}  {grade:<5}  {note}"
            )
            self.stdout.write(self.style.ERROR(line) if flag == "!" else line)
        self.stdout.write(
            f"{len(sheet.ungraded)} student(s) marked ! have no grade; * differs from the "
            "proposal (the reason is on the student's grading page)."
        )
