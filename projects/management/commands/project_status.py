"""Print an offering's project groups: members, proposal state and each deliverable's state.

manage.py project_status deep-learning/2016
manage.py project_status deep-learning/2016 --csv
"""

from course.commands import OfferingCommand
from projects.exports import write_status_csv
from projects.selectors import project_status_rows
from projects.services import students_without_group


class Command(OfferingCommand):
    help = "Print groups, members, proposal state and deliverables of an offering."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--csv", action="store_true", help="CSV instead of a table")

    def handle_offering(self, offering, **options):
        deliverables, rows = project_status_rows(offering)
        if options["csv"]:
            write_status_csv(self.stdout, deliverables, rows)
            return
        self.stdout.write(f"{offering}: {len(rows)} groups")
        for group, cells in rows:
            members = ", ".join(m.enrolment.student.full_name for m in group.memberships.all())
            proposal = group.proposal
            self.stdout.write(
                f"{group}: {proposal.title or '(no title)'} [{proposal.get_status_display()}]"
            )
            self.stdout.write(f"    members: {members}")
            for deliverable, submission, state in cells:
                version = f" (v{submission.version}, {submission.pages} p.)" if submission else ""
                self.stdout.write(f"    {deliverable.title}: {state}{version}")
        alone = [e.student.full_name for e in students_without_group(offering)]
        if alone:
            self.stdout.write(self.style.WARNING(f"Without a group: {', '.join(alone)}"))
