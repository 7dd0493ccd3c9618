"""The result mail each student gets at sign-off, and queueing it through the outbox.

Each mail is written in its reader's language (accounts.mailing.language_of()). The grade's
code and label are the offering's own texts, as they are.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.enums import MailKind
from accounts.mailing import MailDraft, absolute_url, language_of, queue_mails
from course.caching import bump_records

from ..models import FinalGrade
from .sheet import GradeSheet, SheetRow, grade_sheet


def says_what_was_missing(row: SheetRow) -> bool:
    """A failing grade of a student who did not meet the conditions: the mail lists them."""
    grade = row.final_grade
    return grade is not None and not grade.passing and not row.eligibility.eligible


def result_mail_text(row: SheetRow, sheet: GradeSheet) -> tuple[str, str]:
    """The subject and body of a graded student's result mail."""
    offering = sheet.offering
    final, grade = row.final, row.final_grade
    if final is None or grade is None:
        raise ValueError(f"{row.enrolment} has no grade on their scale: no result to mail.")
    link = absolute_url(
        reverse(
            "student:offering",
            kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
        )
    )
    title = f"{offering.course.title} ({offering.name})"
    subject = _("[%(title)s] Your result: %(grade)s") % {"title": title, "grade": grade.code}
    if grade.label:
        result = _("the results of %(title)s are final. Your grade is %(grade)s (%(label)s).")
    else:
        result = _("the results of %(title)s are final. Your grade is %(grade)s.")
    lines = [
        _("Dear %(name)s,") % {"name": row.enrolment.student.full_name},
        "",
        result % {"title": title, "grade": grade.code, "label": grade.label},
    ]
    if final.notified_grade:
        subject = _("[%(title)s] Your result has changed: %(grade)s") % {
            "title": title,
            "grade": grade.code,
        }
        lines += [
            "",
            _("This replaces the grade %(grade)s we mailed you before.")
            % {"grade": final.notified_grade},
        ]
    if not grade.passing:
        if says_what_was_missing(row):
            missing = _("What was missing: %(conditions)s.")
            lines += ["", missing % {"conditions": row.eligibility.explain()}]
        elif final.reason:
            lines += ["", _("The examiners' reason: %(reason)s") % {"reason": final.reason}]
        else:
            lines += ["", _("The project did not reach a passing grade.")]
    lines += [
        "",
        _(
            "The grade is reported to the university's records system as %(grade)s for "
            "%(course_code)s. Your page: %(link)s"
        )
        % {"grade": grade.code, "course_code": offering.course.code, "link": link},
        "",
        "-- ",
        title,
    ]
    return subject, "\n".join(lines) + "\n"


def queue_result_mails(sheet: GradeSheet) -> int:
    """Queue a result mail to every student not yet mailed their current grade (all of them
    at the first sign-off, those whose grade changed after an unlock), through the outbox.
    Returns how many. Side effects: OutgoingMail rows; FinalGrade.notified_grade.

    Every student must have a grade: results_sign_off() refuses before that.
    """
    due: list[tuple[SheetRow, FinalGrade]] = []
    for row in sheet.rows:
        if row.final is None:
            raise ValueError(f"{row.enrolment} has no grade: no result to mail.")
        if row.final.notified_grade != row.final.grade:
            due.append((row, row.final))
    texts: dict[int, tuple[str, str]] = {}
    by_language: dict[str, list[SheetRow]] = {}
    for row, _final in due:
        by_language.setdefault(language_of(row.enrolment.student), []).append(row)
    worded_in = translation.get_language()
    for language, rows in by_language.items():
        with translation.override(language):
            if language != worded_in and any(says_what_was_missing(r) for r in rows):
                # The conditions were worded when the sheet was made: word them again for
                # the readers of this language (one sheet of theirs, a fixed number of queries).
                enrolments = [r.enrolment for r in rows]
                rows = grade_sheet(sheet.offering, enrolments=enrolments, fresh=True).rows
            for row in rows:
                texts[row.enrolment.pk] = result_mail_text(row, sheet)
    drafts = []
    for row, _final in due:
        subject, body = texts[row.enrolment.pk]
        drafts.append(
            MailDraft(
                to_email=row.enrolment.student.email,
                subject=subject,
                body=body,
                kind=MailKind.RESULT,
                offering=sheet.offering,
                recipient=row.enrolment.student,
            )
        )
    queue_mails(drafts)
    for _row, final in due:
        final.notified_grade = final.grade
    FinalGrade.objects.bulk_update([final for _row, final in due], ["notified_grade"])
    bump_records(sheet.offering.pk)  # bulk_update() sends no signal
    return len(drafts)
