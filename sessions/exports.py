"""Attendance as CSV, for the staff page and `attendance_report --csv`."""

from django.utils import timezone

from course.exports import csv_writer


def write_attendance_csv(stream, sessions, rows) -> None:
    """One line per student: name, email, level, counts, rate, needed, at risk, sessions."""
    writer = csv_writer(stream)
    writer.writerow(
        ["name", "email", "level", "present", "excused", "absent", "rate_percent", "needed",
         "reachable", "at_risk"]
        + [timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M") for s in sessions]
    )  # fmt: skip
    for row in rows:
        summary = row.summary
        writer.writerow(
            [
                row.enrolment.student.full_name,
                row.enrolment.student.email,
                row.enrolment.get_level_display(),
                summary.present,
                summary.excused,
                summary.absent,
                "" if summary.percent is None else f"{summary.percent:.1f}",
                "" if summary.needed is None else summary.needed,
                "yes" if summary.reachable else "no",
                "yes" if summary.at_risk else "no",
                *row.cells,
            ]
        )
