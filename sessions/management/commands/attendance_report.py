"""Print an offering's attendance: rate, what is still needed, who is below the threshold.

manage.py attendance_report deep-learning/2016          # a table
manage.py attendance_report deep-learning/2016 --csv    # CSV, as the staff page exports
"""

from course.commands import OfferingCommand
from sessions.exports import write_attendance_csv
from sessions.selectors import attendance_overview


class Command(OfferingCommand):
    help = "Print the attendance of an offering's students; those below the threshold marked."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--csv", action="store_true", help="CSV with one column a session")

    def handle_offering(self, offering, **options):
        sessions, rows = attendance_overview(offering)
        if options["csv"]:
            write_attendance_csv(self.stdout, sessions, rows)
            return
        threshold = offering.attendance_threshold
        self.stdout.write(
            f"{offering}: {len(rows)} students, {len(sessions)} sessions held, "
            f"threshold {threshold} %"
        )
        width = max([len(r.enrolment.student.full_name) for r in rows] + [7])
        self.stdout.write(f"   {'student':<{width}}  rate  present excused absent  still needed")
        for row in sorted(rows, key=lambda r: r.enrolment.student.full_name):
            s = row.summary
            rate = "   –" if s.percent is None else f"{s.percent:3.0f}%"
            needed = f"{s.needed} of {s.remaining}" if s.reachable else "unreachable"
            line = (
                f"{'!' if s.at_risk else ' '}  {row.enrolment.student.full_name:<{width}}  "
                f"{rate}  {s.present:7} {s.excused:7} {s.absent:6}  {needed}"
            )
            self.stdout.write(self.style.ERROR(line) if s.at_risk else line)
        at_risk = sum(1 for r in rows if r.summary.at_risk)
        self.stdout.write(
            f"{at_risk} student(s) marked ! are below {threshold} % or cannot reach it."
        )
