"""The projects overview as CSV, for the staff page and `manage.py project_status --csv`."""

from django.utils.translation import pgettext

from course.exports import csv_writer


def write_status_csv(stream, deliverables, rows) -> None:
    writer = csv_writer(stream)
    headers = [
        pgettext("a column of the projects CSV", "group"),
        pgettext("a column of the projects CSV", "members"),
        pgettext("a column of the projects CSV", "title"),
        pgettext("a column of the projects CSV", "proposal"),
    ]
    writer.writerow(headers + [d.title for d in deliverables])
    for group, cells in rows:
        members = "; ".join(m.enrolment.student.full_name for m in group.memberships.all())
        row = [group.number, members, group.proposal.title, group.proposal.get_status_display()]
        for _deliverable, submission, state in cells:
            row.append(f"{state} v{submission.version}" if submission else state)
        writer.writerow(row)
