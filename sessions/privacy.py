"""Privacy: what the site holds about a person, a copy of it, its erasure, and how long the
rest is kept (docs/SECURITY.md).

It lives at the top of the app order (docs/ARCHITECTURE.md) because it gathers from every
app: the account and enrolments (accounts), quizzes and watched lectures (course), the
group and its work (projects), attendance and grades (sessions).

- `person_data()` / `person_export_zip()`: everything held about a person, as JSON, with
  their group's uploaded files: for the person on /accounts/data/, or for an administrator.
- `erasure_plan()` and `person_erase()`: erasure at the person's request, carried out by an
  administrator (the admin's data protection requests). The rule for what is kept:
  `ERASURE_RULE` below.
- `retention_purge()`: the nightly purge of what has served its purpose (run_periodic_jobs).

`PERSON_REFERENCES` lists every reference to a person in the apps' models and what the
export and the erasure do with it; a test fails when a model gains one not listed there.
"""

import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.enums import DataRequestKind, DataRequestStatus, MailKind
from accounts.mailing import (
    MailDraft,
    absolute_url,
    in_language_of,
    mail_bodies_purge,
    queue_mails,
)
from accounts.models import DataRequest, Enrolment, ExternalIdentity, OutgoingMail, User
from accounts.services import rejected_answers_purge
from accounts.throttling import login_records_erase, login_records_purge
from course.caching import bump_offering
from course.models import QuizAnswer, QuizAttempt, Staff, WatchedPart
from projects.models import (
    Membership,
    PresentationSlot,
    ProjectGroup,
    Proposal,
    ProposalEvent,
    Submission,
)

from .models import (
    Attendance,
    AttendanceChange,
    CheckInFailure,
    FinalGrade,
    GradeChange,
    HomeVisit,
    ProjectAssessment,
    ResultsEvent,
    SentReminder,
)
from .services import check_in_failures_purge, superseded_files_purge

logger = logging.getLogger(__name__)

#: What the erasure keeps (docs/SECURITY.md, "Erasure"). Swedish universities must keep the
#: results of an examination; the records office needs, for each result, who (the name: the
#: results list it receives identifies students by name and level), the course code, the
#: grade and the examination date (the sign-off). So for every signed-off grade the account
#: is reduced to that record: the name, the enrolment's level, the grade with its history,
#: in its offering (course code, sign-off date). The address becomes a placeholder (the
#: person can sign up again with it), the account can no longer log in, and everything else
#: is deleted. Without a signed-off grade the account is deleted.
ERASURE_RULE = _(
    "Accounts without a signed-off grade are deleted with everything in them. An account "
    "with signed-off grades is reduced to the results record the university must keep: the "
    "name, and per result the course code, level, grade (with its history) and examination "
    "date; the email address is replaced, the account can no longer log in, everything else "
    "is deleted."
)
ERASED_DOMAIN = "erased.invalid"

#: Every reference to a person (an account, or an enrolment: a person in an offering) in the
#: apps' models, with what the export and the erasure do with it.
PERSON_REFERENCES: dict[str, str] = {
    # accounts
    "accounts.Enrolment.student": "exported; deleted, or kept as the results record",
    "accounts.Enrolment.decided_by": "staff: not exported; the staff member's own",
    "accounts.EnrolmentDecision.enrolment": "exported; deleted",
    "accounts.EnrolmentDecision.decided_by": "staff: not exported",
    "accounts.OutgoingMail.recipient": "exported; deleted (also by address)",
    "accounts.OutgoingMail.enrolment": "exported with the mails; deleted",
    "accounts.OutgoingMail.approved_by": "staff: not exported",
    "accounts.DataRequest.person": "exported; kept as the record of the request",
    "accounts.DataRequest.requested_by": "kept as the record of the request",
    "accounts.DataRequest.handled_by": "staff: not exported",
    "accounts.AccessToken.user": "exported (name, scope, dates; never the token); deleted",
    "accounts.ExternalIdentity.user": "not exported (the provider's id); deleted",
    # course
    "course.Staff.user": "exported (teaching); staff accounts are not erased here",
    "course.Announcement.author": "staff: staff accounts are not erased here",
    "course.QuizAttempt.enrolment": "exported with the answers; deleted",
    "course.WatchedPart.enrolment": "exported; deleted",
    "course.HistoricalOffering.history_user": "staff: set to empty when deleted",
    # projects
    "projects.ProjectGroup.created_by": "not exported (the group is); emptied",
    "projects.Membership.enrolment": "exported; deleted (a group left empty goes too)",
    "projects.Membership.added_by": "staff: not exported",
    "projects.Proposal.updated_by": "not exported (the proposal is); emptied",
    "projects.Proposal.decided_by": "staff: not exported",
    "projects.ProposalEvent.by": "not exported (the events are); emptied",
    "projects.Extension.granted_by": "staff: not exported",
    "projects.Submission.uploaded_by": "exported as uploaded by them or not; emptied",
    "projects.Submission.feedback_by": "staff: not exported",
    "projects.HistoricalDeliverable.history_user": "staff: set to empty when deleted",
    # sessions
    "discussions.Attendance.enrolment": "exported; deleted",
    "discussions.Attendance.updated_by": "not exported (their own check-in); emptied",
    "discussions.AttendanceChange.changed_by": "not exported; emptied",
    "discussions.CheckInFailure.user": "exported; deleted",
    "discussions.HomeVisit.enrolment": "exported; deleted",
    "discussions.ProjectAssessment.assessor": "staff: staff accounts are not erased here",
    "discussions.FinalGrade.enrolment": "exported; deleted, or kept when signed off",
    "discussions.FinalGrade.set_by": "staff: not exported",
    "discussions.GradeChange.enrolment": "exported; deleted, or kept when signed off",
    "discussions.GradeChange.changed_by": "staff: not exported",
    "discussions.ResultsEvent.by": "staff: not exported",
    "discussions.ResultsExport.requested_by": "staff: not exported",
    "discussions.SentReminder.recipient": "not exported (the mails are); deleted",
    "discussions.HistoricalGradingScale.history_user": "staff: set to empty when deleted",
    "discussions.HistoricalScaleGrade.history_user": "staff: set to empty when deleted",
    "discussions.HistoricalRubric.history_user": "staff: set to empty when deleted",
    "discussions.HistoricalRubricCriterion.history_user": "staff: set to empty when deleted",
    "discussions.HistoricalRubricLevel.history_user": "staff: set to empty when deleted",
}


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# The export ---------------------------------------------------------------------------------


def person_data(user: User, *, now=None) -> dict[str, Any]:
    """Everything the site holds about `user`, and nothing about anybody else: no other
    student's name, and no staff member's name (who decided, graded or changed something
    is the staff member's data; what they decided is in). JSON-ready with DjangoJSONEncoder.
    The group's uploaded files are named here and added by person_export_zip()."""
    now = now or timezone.now()
    enrolments = list(
        Enrolment.objects.filter(student=user)
        .select_related("offering__course")
        .order_by("offering__start_date", "pk")
    )
    # The keys are the copy's structure, the same in every language (a program may read
    # it); the texts and the choices' labels are in the person's language.
    return {
        "about": {
            "what": gettext("Everything coursesite holds about you, as of the time below."),
            "site": settings.SITE_URL,
            "made_at": _when(now),
            "erasure_rule": str(ERASURE_RULE),
        },
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "email_confirmed_at": _when(user.email_verified_at),
            "active": user.is_active,
            "administrator": user.is_superuser,
            "has_a_password": user.has_usable_password(),
            # The feed's address is a secret: that it exists is the data, not the secret.
            "personal_calendar_feed": bool(user.calendar_token),
        },
        # The API's tokens: what they are for and when; the token itself exists nowhere.
        "access_tokens": [
            {
                "name": token.name,
                "scope": token.get_scope_display(),
                "created_at": _when(token.created_at),
                "expires_at": _when(token.expires_at),
                "last_used_at": _when(token.last_used_at),
                "revoked_at": _when(token.revoked_at),
            }
            for token in user.access_tokens.order_by("created_at", "pk")
        ],
        "enrolments": [_enrolment_data(enrolment) for enrolment in enrolments],
        "teaching": [
            {
                "offering": str(staff.offering),
                "role": staff.get_role_display(),
                "name_shown": staff.name,
                "contact_email_shown": staff.email,
            }
            for staff in Staff.objects.filter(user=user).select_related("offering__course")
        ],
        "check_in_failures": [
            {"session": _when(failure.session.starts_at), "at": _when(failure.at)}
            for failure in CheckInFailure.objects.filter(user=user)
            .select_related("session")
            .order_by("at")
        ],
        "mails": [
            {
                "to": mail.to_email,
                "subject": mail.subject,
                "text": mail.body if mail.body_removed_at is None else _removed_mail_text(mail),
                "kind": mail.get_kind_display(),
                "status": mail.get_status_display(),
                "written_at": _when(mail.created_at),
                "sent_at": _when(mail.sent_at),
            }
            for mail in _mails_to(user).order_by("created_at", "pk")
        ],
        "data_requests": [
            {
                "kind": request.get_kind_display(),
                "status": request.get_status_display(),
                "requested_at": _when(request.requested_at),
                "handled_at": _when(request.handled_at),
                "outcome": request.outcome,
            }
            for request in DataRequest.objects.filter(person=user).order_by("requested_at")
        ],
    }


def _removed_mail_text(mail: OutgoingMail) -> str:
    days = settings.RETENTION_MAIL_BODY_DAYS
    return ngettext(
        "(removed on %(date)s: mail texts are kept %(days)d day)",
        "(removed on %(date)s: mail texts are kept %(days)d days)",
        days,
    ) % {
        "date": formats.date_format(timezone.localtime(mail.body_removed_at), "SHORT_DATE_FORMAT"),
        "days": days,
    }


def _mails_to(user: User):
    return OutgoingMail.objects.filter(Q(recipient=user) | Q(to_email=user.email))


def _enrolment_data(enrolment: Enrolment) -> dict[str, Any]:
    offering = enrolment.offering
    final = FinalGrade.objects.filter(enrolment=enrolment).first()
    signed_off = ResultsEvent.objects.filter(offering=offering).signed_off()
    return {
        "course": offering.course.title,
        "course_code": offering.course.code,
        "offering": offering.name,
        "level": enrolment.get_level_display(),
        "programme": enrolment.programme,
        "motivation": enrolment.motivation,
        "status": enrolment.get_status_display(),
        "applied_at": _when(enrolment.applied_at),
        "enrolled_on": enrolment.enrolled_on,
        "decided_at": _when(enrolment.decided_at),
        "decisions": [
            {
                "from": d.get_old_status_display() if d.old_status else "",
                "to": d.get_new_status_display(),
                "at": _when(d.decided_at),
                "note": d.note,
            }
            for d in enrolment.decisions.order_by("decided_at", "pk")
        ],
        "attendance": _attendance_data(enrolment),
        "quiz_attempts": _quiz_data(enrolment),
        "lectures_watched": [
            {
                "lecture": str(w.lecture),
                "part": str(w.part) if w.part else "",
                "at": _when(w.watched_at),
            }
            for w in WatchedPart.objects.filter(enrolment=enrolment)
            .select_related("lecture", "part")
            .order_by("watched_at", "pk")
        ],
        "announcements_seen_until": _when(
            HomeVisit.objects.filter(enrolment=enrolment)
            .values_list("announcements_seen_until", flat=True)
            .first()
        ),
        "group": _group_data(enrolment),
        "grade": None
        if final is None
        else {
            "grade": final.grade,
            "proposed_by_the_rules": final.proposed,
            "reason": final.reason,
            "set_at": _when(final.set_at),
            "final": signed_off,
            "mailed_to_you": final.notified_grade,
        },
        "grade_changes": [
            {
                "from": change.old_grade,
                "to": change.new_grade,
                "proposed": change.proposed,
                "reason": change.reason,
                "at": _when(change.changed_at),
            }
            for change in GradeChange.objects.filter(enrolment=enrolment).order_by(
                "changed_at", "pk"
            )
        ],
    }


def _attendance_data(enrolment: Enrolment) -> list[dict[str, Any]]:
    records = (
        Attendance.objects.filter(enrolment=enrolment)
        .select_related("session__module")
        .prefetch_related("changes")
        .order_by("session__starts_at")
    )
    return [
        {
            "session": _when(record.session.starts_at),
            "room": record.session.room,
            "module": str(record.session.module or ""),
            "status": record.get_status_display(),
            "active_participation": record.active,
            "changes": [
                {
                    "from": change.old_status,
                    "to": change.new_status,
                    "at": _when(change.changed_at),
                    "via": change.via,
                }
                for change in record.changes.all()
            ],
        }
        for record in records
    ]


def _quiz_data(enrolment: Enrolment) -> list[dict[str, Any]]:
    attempts = (
        QuizAttempt.objects.filter(enrolment=enrolment)
        .select_related("quiz")
        .order_by("quiz__opens_at", "number")
    )
    answers: dict[int, list[QuizAnswer]] = {}
    for answer in (
        QuizAnswer.objects.filter(attempt__enrolment=enrolment)
        .select_related("question")
        .prefetch_related("choices")
        .order_by("question__order", "pk")
    ):
        answers.setdefault(answer.attempt_id, []).append(answer)
    return [
        {
            "quiz": attempt.quiz.title,
            "attempt": attempt.number,
            "submitted_at": _when(attempt.submitted_at),
            "score": attempt.score,
            "out_of": attempt.max_score,
            "answers": [
                {
                    "question": answer.question.text,
                    "choices": [choice.text for choice in answer.choices.all()],
                    "number": answer.numeric_value,
                    "right": answer.is_correct,
                }
                for answer in answers.get(attempt.pk, [])
            ],
        }
        for attempt in attempts
    ]


def _group_data(enrolment: Enrolment) -> dict[str, Any] | None:
    membership = (
        Membership.objects.filter(enrolment=enrolment).select_related("group__offering").first()
    )
    if membership is None:
        return None
    group = membership.group
    proposal = Proposal.objects.filter(group=group).first()
    slot = PresentationSlot.objects.filter(group=group).select_related("session").first()
    return {
        "number": group.number,
        "joined_at": _when(membership.joined_at),
        "members": group.memberships.count(),
        "presented": group.presented,
        "proposal": None
        if proposal is None
        else {
            "title": proposal.title,
            "description": proposal.description,
            "abstract": proposal.abstract,
            "status": proposal.get_status_display(),
            "submitted_at": _when(proposal.submitted_at),
            "decided_at": _when(proposal.decided_at),
            "staff_comment": proposal.staff_comment,
            "events": [
                {"status": e.get_status_display(), "comment": e.comment, "at": _when(e.at)}
                for e in ProposalEvent.objects.filter(proposal=proposal).order_by("at", "pk")
            ],
        },
        "submissions": [
            {
                "deliverable": s.deliverable.title,
                "version": s.version,
                "file_name": s.original_name,
                "size": s.size,
                "pages": s.pages,
                "uploaded_at": _when(s.uploaded_at),
                "uploaded_by_you": s.uploaded_by_id == enrolment.student_id,
                "late_by": s.late_by,
                "feedback": s.feedback,
                "file_in_this_download": _file_path(s) if s.file else None,
            }
            for s in _group_submissions(group)
        ],
        "extensions": [
            {"deliverable": x.deliverable.title, "until": _when(x.due_at), "reason": x.reason}
            for x in group.extensions.select_related("deliverable").order_by("due_at")
        ],
        "presentation": None
        if slot is None
        else {"starts_at": _when(slot.starts_at), "room": slot.session.room},
        "project_grades": [
            a.get_grade_display()
            for a in ProjectAssessment.objects.filter(group=group).order_by("created_at")
        ],
    }


def _group_submissions(group: ProjectGroup):
    return (
        Submission.objects.filter(group=group)
        .select_related("deliverable__offering__course")
        .order_by("deliverable__due_at", "version")
    )


def _file_path(submission: Submission) -> str:
    offering = submission.deliverable.offering
    return (
        f"files/{offering.course.slug}-{offering.slug}/group{submission.group.number}/"
        f"{submission.deliverable.slug}-v{submission.version}.pdf"
    )


EXPORT_README = _(
    "This is everything coursesite holds about you (data.json), with the files\n"
    "your project group uploaded (files/). The erasure of your data can be asked for on\n"
    "%(url)s ; what is kept then: %(rule)s\n"
)


def person_export_zip(user: User, *, now=None) -> IO[bytes]:
    """A zip of person_data() as data.json and their groups' stored files, in a temporary
    file (spilled to disk past 16 MB), rewound for reading. Reads only."""
    data = person_data(user, now=now)
    # Handed to the response, which closes it: no context manager here.
    archive = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(
            "README.txt",
            # The page's address: the README once named /me/data/, which never existed.
            EXPORT_README
            % {
                "url": settings.SITE_URL.rstrip("/") + reverse("student:my_data"),
                "rule": ERASURE_RULE,
            },
        )
        zipped.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        for membership in Membership.objects.filter(enrolment__student=user).select_related(
            "group"
        ):
            for submission in _group_submissions(membership.group):
                if submission.file:
                    with default_storage.open(submission.file.name, "rb") as stored:
                        zipped.writestr(_file_path(submission), stored.read())
    archive.seek(0)
    return archive


@transaction.atomic
def export_record(*, person: User, by: User) -> DataRequest:
    """Record that a copy of the person's data was handed out (to them, or to an
    administrator for them): the requests list keeps who had it and when. Side effects: a
    DataRequest, done; an open export request of the person is closed by it."""
    now = timezone.now()
    DataRequest.objects.filter(
        person=person, kind=DataRequestKind.EXPORT, status=DataRequestStatus.OPEN
    ).update(
        status=DataRequestStatus.DONE,
        handled_at=now,
        handled_by=by,
        outcome=gettext("A copy was downloaded."),
    )
    return DataRequest.objects.create(
        person=person,
        person_ref=_ref(person),
        kind=DataRequestKind.EXPORT,
        status=DataRequestStatus.DONE,
        requested_at=now,
        requested_by=by,
        handled_at=now,
        handled_by=by,
        outcome=gettext("Downloaded by the person.")
        if by.pk == person.pk
        else gettext("Downloaded by an administrator for the person."),
    )


def _ref(user: User) -> str:
    return f"account {user.pk}"


# Requests ---------------------------------------------------------------------------------


@transaction.atomic
def data_request_make(*, person: User, kind: str, by: User) -> DataRequest:
    """Record a request: the person's own (erasure, on /accounts/data/), or one an administrator
    received by letter or mail. Refused (ValidationError) while the same kind is open.
    Side effects: a DataRequest, open, for the administrators."""
    if kind not in DataRequestKind.values:
        raise ValidationError(gettext("Choose a copy of the data or its erasure."))
    if DataRequest.objects.filter(person=person, kind=kind, status=DataRequestStatus.OPEN).exists():
        raise ValidationError(
            gettext("This request is open already: an administrator will handle it.")
        )
    data_request = DataRequest.objects.create(
        person=person, person_ref=_ref(person), kind=kind, requested_by=by
    )
    if by.pk == person.pk:  # an administrator who records a request knows of it
        _tell_administrators(data_request)
    return data_request


def _tell_administrators(data_request: DataRequest) -> None:
    """A mail to every administrator, through the outbox (each in their own language): a
    request is waiting."""
    link = absolute_url(reverse("admin:accounts_datarequest_change", args=[data_request.pk]))

    def draft(admin: User) -> MailDraft:
        with in_language_of(admin):
            kind = data_request.get_kind_display().lower()
            return MailDraft(
                to_email=admin.email,
                subject=gettext("Data protection request: %(kind)s") % {"kind": kind},
                body=gettext(
                    "%(person)s asked for: %(kind)s.\n\n"
                    "See and carry it out in the administration: %(link)s\n"
                )
                % {"person": data_request.person_ref, "kind": kind, "link": link},
                kind=MailKind.OTHER,
                recipient=admin,
            )

    queue_mails(draft(admin) for admin in User.objects.filter(is_superuser=True, is_active=True))


# Erasure ----------------------------------------------------------------------------------


@dataclass
class ErasurePlan:
    """What erasing a person would do now: refused (`refusal` says why), the account
    deleted (`kept` empty), or reduced to the results of the offerings in `kept`."""

    refusal: str = ""
    kept: list[Enrolment] = field(default_factory=list)

    @property
    def deletes_account(self) -> bool:
        return not self.refusal and not self.kept

    def __str__(self):
        if self.refusal:
            return gettext("Not now: %(refusal)s") % {"refusal": self.refusal}
        if not self.kept:
            return gettext("The account is deleted with everything in it.")
        results = ", ".join(f"{e.offering} ({e.offering.course.code})" for e in self.kept)
        return gettext(
            "The account is reduced to the results the university must keep: %(results)s. "
            "Everything else is deleted."
        ) % {"results": results}


def erasure_plan(user: User) -> ErasurePlan:
    """The rules of erasure (ERASURE_RULE). Refused for teaching staff and administrators
    (their decisions and assessments are part of other people's records: an administrator
    unlinks them first) and while the person is accepted in an offering whose examination
    is still open: not finished or archived, results not signed off. Their group, grades and
    attendance are then still being decided, so they withdraw first, or ask again after the
    sign-off."""
    if user.is_superuser or user.is_staff:
        return ErasurePlan(refusal=gettext("administrators' accounts are not erased here."))
    if (
        Staff.objects.filter(user=user).exists()
        or ProjectAssessment.objects.filter(assessor=user).exists()
    ):
        return ErasurePlan(
            refusal=gettext(
                "the account teaches or assessed projects: an administrator unlinks its "
                "staff entries first."
            )
        )
    accepted = list(
        Enrolment.objects.accepted().filter(student=user).select_related("offering__course")
    )
    signed = ResultsEvent.objects.filter(
        offering__in=[e.offering_id for e in accepted]
    ).signed_off_offering_ids()
    running = [e for e in accepted if e.offering_id not in signed and not e.offering.is_archive]
    if running:
        names = ", ".join(str(e.offering) for e in running)
        return ErasurePlan(
            refusal=ngettext(
                "the examination of %(names)s is still open (results not signed off). "
                "Withdraw from it first, or ask again once the results are final.",
                "the examinations of %(names)s are still open (results not signed off). "
                "Withdraw from them first, or ask again once the results are final.",
                len(running),
            )
            % {"names": names}
        )
    graded = set(
        FinalGrade.objects.filter(
            enrolment__in=[e.pk for e in accepted if e.offering_id in signed]
        ).values_list("enrolment_id", flat=True)
    )
    return ErasurePlan(kept=[e for e in accepted if e.pk in graded])


def person_erase(*, data_request: DataRequest, by: User) -> DataRequest:
    """Carry out an open erasure request, in one transaction, as `erasure_plan()` says.

    Refused with ValidationError, changing nothing, when the request is not an open erasure
    or the plan refuses (the request stays open). Archived offerings are no obstacle: the
    right to erasure comes before their being read-only.

    Side effects, for the person: their mails, log-in records, check-in failures, applications and
    enrolments (with their attendance, quiz answers, watched lectures, decisions, group
    memberships; groups left without members are deleted with their work and files) are
    deleted, and their name is removed from what stays of shared groups (uploads, proposal
    edits). Then the account is deleted, or, with signed-off grades, reduced to the results
    record (ERASURE_RULE; each kept grade gets a GradeChange noting the erasure). The
    request is marked done with what was done; the offerings' caches are bumped; the
    erasure is logged. Files are deleted from the storage once the transaction commits.
    """
    with transaction.atomic():
        data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
        if data_request.kind != DataRequestKind.ERASURE:
            raise ValidationError(gettext("This is not an erasure request."))
        if data_request.status != DataRequestStatus.OPEN:
            raise ValidationError(gettext("This request was handled already."))
        person = data_request.person
        if person is None:
            raise ValidationError(gettext("The account is gone already."))
        person = User.objects.select_for_update().get(pk=person.pk)
        plan = erasure_plan(person)
        if plan.refusal:
            raise ValidationError(f"{data_request.person_ref}: {plan.refusal}")
        offering_ids = set(
            Enrolment.objects.filter(student=person).values_list("offering_id", flat=True)
        )
        files = _erase_records(person, kept=plan.kept, by=by)
        now = timezone.now()
        if plan.kept:
            _reduce_account(person)
            outcome = gettext(
                "Reduced to the results record (%(offerings)s); everything else deleted."
            ) % {"offerings": ", ".join(str(e.offering) for e in plan.kept)}
        else:
            person.delete()
            outcome = gettext("The account and everything in it deleted.")
        data_request.refresh_from_db()  # the person may be gone (SET_NULL)
        data_request.status = DataRequestStatus.DONE
        data_request.handled_at = now
        data_request.handled_by = by
        data_request.outcome = outcome
        data_request.save()
        for offering_id in offering_ids:
            bump_offering(offering_id)  # public pages (projects), staff and student pages
        transaction.on_commit(lambda: _delete_files(files))
    logger.info(
        "Erasure request %s (%s) carried out by %s: %s",
        data_request.pk,
        data_request.person_ref,
        by.pk,
        outcome,
    )
    return data_request


def _erase_records(person: User, *, kept: list[Enrolment], by: User) -> list[str]:
    """Delete the person's records but those of `kept`; returns the stored files to delete."""
    kept_ids = {e.pk for e in kept}
    _mails_to(person).delete()
    login_records_erase(username=person.email)  # log-ins and wrong passwords (django-axes)
    CheckInFailure.objects.filter(user=person).delete()
    ExternalIdentity.objects.filter(user=person).delete()  # the university log-in's link
    SentReminder.objects.filter(recipient=person).delete()
    files = _leave_groups(person)
    # Their name on what stays of shared records: their own check-ins, group edits.
    Attendance.objects.filter(updated_by=person).update(updated_by=None)
    AttendanceChange.objects.filter(changed_by=person).update(changed_by=None)
    Submission.objects.filter(uploaded_by=person).update(uploaded_by=None)
    Proposal.objects.filter(updated_by=person).update(updated_by=None)
    ProposalEvent.objects.filter(by=person).update(by=None)
    ProjectGroup.objects.filter(created_by=person).update(created_by=None)
    Enrolment.objects.filter(student=person).exclude(pk__in=kept_ids).delete()
    # What a kept result needs is the enrolment (offering, level) and its grades.
    Attendance.objects.filter(enrolment__in=kept_ids).delete()
    QuizAttempt.objects.filter(enrolment__in=kept_ids).delete()
    WatchedPart.objects.filter(enrolment__in=kept_ids).delete()
    HomeVisit.objects.filter(enrolment__in=kept_ids).delete()
    for enrolment in Enrolment.objects.filter(pk__in=kept_ids):
        enrolment.decisions.all().delete()
        enrolment.programme = enrolment.motivation = ""
        enrolment.decided_by = None
        enrolment.save(update_fields=["programme", "motivation", "decided_by"])
        _note_erasure_on_grade(enrolment, by)
    return files


def _leave_groups(person: User) -> list[str]:
    """Remove the person from their groups; a group left without members goes with its
    proposal, uploads (files returned), assessments and wishes: its work was theirs alone."""
    files: list[str] = []
    for membership in Membership.objects.filter(enrolment__student=person).select_related("group"):
        group = membership.group
        membership.delete()
        if group.memberships.exists():
            continue
        submissions = Submission.objects.filter(group=group)
        files += [name for name in submissions.values_list("file", flat=True) if name]
        submissions.delete()  # PROTECTed from the group's deletion: its records go first
        group.delete()
    return files


def _note_erasure_on_grade(enrolment: Enrolment, by: User) -> None:
    """A kept grade no longer has the records it was based on (attendance, the group): it
    is explained, so the grade sheet and a later sign-off take it as it is, and its history
    says why."""
    final = FinalGrade.objects.filter(enrolment=enrolment).first()
    if final is None:
        return
    note = gettext(
        "The student's records were erased at their request on %(date)s; the grade was final "
        "and is kept."
    ) % {"date": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")}
    final.reason = f"{final.reason} {note}".strip()
    final.save(update_fields=["reason"])
    GradeChange.objects.create(
        enrolment=enrolment,
        old_grade=final.grade,
        new_grade=final.grade,
        proposed=final.proposed,
        reason=note,
        changed_by=by,
    )


def _reduce_account(person: User) -> None:
    person.email = f"erased-{person.pk}@{ERASED_DOMAIN}"
    person.set_unusable_password()
    person.is_active = False
    person.is_staff = person.is_superuser = False
    person.calendar_token = None
    person.access_tokens.all().delete()  # a reduced account must not be usable by the API
    person.email_verified_at = None
    person.last_login = None
    person.save()
    person.groups.clear()
    person.user_permissions.clear()


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # the rows are gone: an orphan file at worst, logged
            logger.exception("Could not delete the erased file %s", name)


# Retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeReport:
    mail_bodies: int
    check_in_failures: int
    rejected_answers: int
    superseded_files: int
    login_records: int

    def __str__(self):
        return (
            f"{self.mail_bodies} mail text(s), {self.check_in_failures} check-in failure(s), "
            f"{self.rejected_answers} rejected application(s)' answers, "
            f"{self.superseded_files} superseded file(s), "
            f"{self.login_records} log-in record(s) removed"
        )


def retention_purge(*, now=None) -> PurgeReport:
    """Purge everything whose retention period is over (README "Retention"; the periods are
    settings): sent mails' texts, wrong check-in codes, rejected applicants' free-text
    answers, superseded submission files of offerings whose results are final, log-in
    records (django-axes' logs, and attempts that no longer count). Each purge
    is a transaction of its own and says what it removed."""
    now = now or timezone.now()
    return PurgeReport(
        mail_bodies=mail_bodies_purge(now=now),
        check_in_failures=check_in_failures_purge(now=now),
        rejected_answers=rejected_answers_purge(now=now),
        superseded_files=superseded_files_purge(now=now),
        login_records=login_records_purge(now=now),
    )
