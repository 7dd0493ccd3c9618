"""Groups, proposals, submissions: every write of the projects app goes through here."""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from accounts.enums import MailKind
from accounts.mailing import absolute_url, in_language_of, queue_mail
from accounts.models import Enrolment, User
from course.archive import ensure_writable
from course.caching import bump_records
from course.models import Offering
from course.services import offering_lock

from .enums import ProposalStatus
from .models import (
    Deliverable,
    Extension,
    Membership,
    ProjectGroup,
    Proposal,
    ProposalEvent,
    Submission,
)
from .validators import check_pdf

logger = logging.getLogger(__name__)


def _moment(moment: datetime) -> str:
    """A deadline in a message: the date and time in the reader's language."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# Groups ----------------------------------------------------------------------------------


def group_is_locked(group: ProjectGroup) -> bool:
    """After the first submission (proposal or file) only staff change the membership."""
    proposal = getattr(group, "proposal", None)
    submitted = proposal is not None and proposal.status != ProposalStatus.DRAFT
    return submitted or group.submissions.exists()


def _check_accepted(enrolment: Enrolment) -> None:
    if not enrolment.is_accepted:
        raise ValidationError(
            gettext("Only students accepted in the course can form project groups.")
        )


@transaction.atomic
def group_create(*, enrolment: Enrolment, by: User) -> ProjectGroup:
    """Create a group with the student as its first member and an empty draft proposal.

    Refused when the student is not accepted or is in a group already.
    """
    ensure_writable(enrolment.offering)
    _check_accepted(enrolment)
    offering = offering_lock(enrolment.offering)
    if Membership.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(gettext("You are in a project group already."))
    number = (offering.project_groups.aggregate(n=Max("number"))["n"] or 0) + 1
    group = ProjectGroup.objects.create(offering=offering, number=number, created_by=by)
    try:
        with transaction.atomic():
            Membership.objects.create(group=group, enrolment=enrolment, added_by=by)
    except IntegrityError:
        raise ValidationError(gettext("You are in a project group already.")) from None
    Proposal.objects.create(group=group, updated_by=by)
    return group


@transaction.atomic
def group_join(*, enrolment: Enrolment, code: str, by: User) -> ProjectGroup:
    """Join the group with this invite code, if it has a free place.

    The group row is locked while the members are counted, so two students taking the last
    place at once cannot both get it. Refused (nothing changes) for an unknown code, a group
    of another offering, a full or locked group, or a student in a group already.
    """
    ensure_writable(enrolment.offering)
    _check_accepted(enrolment)
    code = "".join(code.split()).upper()
    group = (
        ProjectGroup.objects.select_for_update()
        .select_related("offering")
        .filter(invite_code=code, offering=enrolment.offering_id)
        .first()
    )
    if group is None:
        raise ValidationError(
            gettext("No group of this course has that code. Check it with your partner.")
        )
    if Membership.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(gettext("You are in a project group already: leave it first."))
    size = group.offering.group_size
    if group.memberships.count() >= size:
        message = ngettext(
            "%(group)s is full: groups have at most %(size)s member.",
            "%(group)s is full: groups have at most %(size)s members.",
            size,
        )
        raise ValidationError(message % {"group": group, "size": size})
    if group_is_locked(group):
        raise ValidationError(
            gettext("%(group)s has submitted work already: ask a teaching assistant to add you.")
            % {"group": group}
        )
    try:
        with transaction.atomic():
            Membership.objects.create(group=group, enrolment=enrolment, added_by=by)
    except IntegrityError:
        raise ValidationError(gettext("You are in a project group already.")) from None
    return group


@transaction.atomic
def group_leave(*, enrolment: Enrolment, by: User) -> None:
    """Leave the group; an empty group is removed. Refused once the group has submitted."""
    ensure_writable(enrolment.offering)
    membership = Membership.objects.select_related("group").filter(enrolment=enrolment).first()
    if membership is None:
        raise ValidationError(gettext("You are not in a project group."))
    group = ProjectGroup.objects.select_for_update().get(pk=membership.group_id)
    if group_is_locked(group):
        raise ValidationError(
            gettext(
                "Your group has submitted work: to change who is in it, ask a teaching assistant."
            )
        )
    membership.delete()
    if not group.memberships.exists():
        group.delete()


@transaction.atomic
def membership_set(*, enrolment: Enrolment, group: ProjectGroup, by: User) -> Membership:
    """Staff put a student in a group: added, or moved from the group they are in.

    Every group involved is locked (in id order, so two moves cannot deadlock) while the
    membership changes, as group_join() locks the group it counts. Staff may go beyond the
    offering's group size and may move students of a group that has submitted (in 2016 one
    project had a single member). Refused, changing nothing: a student of another offering
    or one not accepted. The group left behind keeps its proposal and submissions.
    """
    ensure_writable(group.offering)
    if enrolment.offering_id != group.offering_id:
        raise ValidationError(gettext("The student is enrolled in another offering."))
    if not enrolment.is_accepted:
        raise ValidationError(gettext("Only accepted students can be in a group."))
    current = Membership.objects.filter(enrolment=enrolment).first()
    involved = {group.pk} | ({current.group_id} if current else set())
    list(ProjectGroup.objects.select_for_update().filter(pk__in=involved).order_by("pk"))
    current = Membership.objects.filter(enrolment=enrolment).first()  # as it is under the lock
    if current is None:
        try:
            with transaction.atomic():
                return Membership.objects.create(group=group, enrolment=enrolment, added_by=by)
        except IntegrityError:
            raise ValidationError(gettext("The student was put in a group a moment ago.")) from None
    if current.group_id != group.pk:
        current.group, current.added_by, current.joined_at = group, by, timezone.now()
        current.save(update_fields=["group", "added_by", "joined_at"])
    return current


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Staff take a student out of their group (under the group's lock). The group stays,
    with its proposal and submissions, even when it has no member left."""
    ensure_writable(membership.group.offering)
    ProjectGroup.objects.select_for_update().filter(pk=membership.group_id).first()
    Membership.objects.filter(pk=membership.pk).delete()


def students_without_group(offering: Offering):
    return (
        Enrolment.objects.accepted()
        .filter(offering=offering, membership__isnull=True)
        .select_related("student")
        .order_by("student__full_name")
    )


@transaction.atomic
def remind_students_without_group(*, offering: Offering, by: User) -> int:
    """Queue a reminder to every accepted student without a group. Returns how many."""
    ensure_writable(offering)
    link = absolute_url(
        reverse(
            "projects:my_group",
            kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
        )
    )
    count = 0
    for enrolment in students_without_group(offering):
        values = {
            "course": offering.course.title,
            "offering": offering.name,
            "name": enrolment.student.full_name,
            "size": offering.group_size,
            "link": link,
        }
        with in_language_of(enrolment.student):
            subject = gettext("%(course)s %(offering)s: find a project partner") % values
            body = (
                gettext(
                    "Dear %(name)s,\n\n"
                    "you are not in a project group yet. Projects are done in groups of "
                    "%(size)s: create a group and send its invite code to your "
                    "partner, or join your partner's group with their code:\n\n%(link)s\n"
                )
                % values
            )
        queue_mail(
            to_email=enrolment.student.email,
            subject=subject,
            body=body,
            kind=MailKind.OTHER,
            offering=offering,
            recipient=enrolment.student,
        )
        count += 1
    return count


# Proposals -------------------------------------------------------------------------------


ABSTRACT_MAX_CHARACTERS = 2000


class ProposalConflict(ValidationError):
    """Someone saved the proposal after the editor loaded it."""

    def __init__(self, current: Proposal):
        self.current = current
        who = current.updated_by.full_name if current.updated_by else gettext("Someone")
        when = formats.time_format(timezone.localtime(current.updated_at))
        super().__init__(
            gettext(
                "%(who)s saved the proposal at %(when)s, while you were editing. Nothing of "
                "yours is lost: your text is in the form below and theirs next to it. Combine "
                "them and save again."
            )
            % {"who": who, "when": when}
        )


def proposal_save(
    *,
    proposal: Proposal,
    by: User,
    version: int,
    title: str,
    description: str,
    topics,
    abstract: str,
    as_staff: bool = False,
) -> Proposal:
    """Save an edit if it is based on the latest version, else raise ProposalConflict.

    For the group: title, description and topics can change while the proposal is a draft
    or needs revision; the abstract until the proposal is rejected and the abstracts'
    deadline. Staff (`as_staff`, the admin) may correct any field at any time; their edits
    are refused on an outdated version too, so neither side overwrites the other.
    """
    ensure_writable(proposal.group.offering)
    abstract = abstract.strip()
    if len(abstract) > ABSTRACT_MAX_CHARACTERS:
        raise ValidationError(
            gettext("The abstract is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(abstract), "limit": ABSTRACT_MAX_CHARACTERS}
        )
    with transaction.atomic():
        current = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("updated_by", "group__offering")
            .get(pk=proposal.pk)
        )
        if current.version != version:
            raise ProposalConflict(current)
        deadline = current.group.offering.abstracts_deadline
        if as_staff:
            pass  # staff correct what they must, whatever the state
        elif abstract != current.abstract and deadline and timezone.now() > deadline:
            raise ValidationError(
                gettext("Abstracts could be changed until %(deadline)s.")
                % {"deadline": _moment(deadline)}
            )
        elif current.status == ProposalStatus.REJECTED:
            raise ValidationError(gettext("The proposal was rejected and can no longer be edited."))
        if current.is_editable or as_staff:
            current.title = title.strip()
            current.description = description.strip()
        elif (title.strip(), description.strip()) != (current.title, current.description):
            raise ValidationError(
                gettext("The proposal is submitted: only its abstract can change now.")
            )
        current.abstract = abstract
        current.version += 1
        current.updated_at = timezone.now()
        current.updated_by = by
        current.save()
        if current.is_editable or as_staff:
            current.topics.set(topics)
    return current


def _notify_group(proposal: Proposal, write: Callable[[], tuple[str, str]]) -> None:
    """Mail every member: `write()` gives the subject and the text, called in each member's
    own language."""
    group = proposal.group
    offering = group.offering
    for membership in group.memberships.select_related("enrolment__student"):
        student = membership.enrolment.student
        with in_language_of(student):
            subject, body = write()
            subject = gettext("%(course)s %(offering)s: %(subject)s") % {
                "course": offering.course.title,
                "offering": offering.name,
                "subject": subject,
            }
            body = gettext("Dear %(name)s,\n\n%(body)s\n") % {
                "name": student.full_name,
                "body": body,
            }
        queue_mail(
            to_email=student.email,
            subject=subject,
            body=body,
            kind=MailKind.OTHER,
            offering=offering,
            recipient=student,
            review=offering.decisions_need_review,
        )


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by: User) -> Proposal:
    """Hand in the proposal for a decision. It needs a title, a description and a topic."""
    ensure_writable(proposal.group.offering)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_editable:
        raise ValidationError(
            gettext("The proposal is %(status)s already.")
            % {"status": proposal.get_status_display().lower()}
        )
    missing = [
        name
        for name, present in (
            (gettext("a title"), proposal.title),
            (gettext("a description"), proposal.description),
            (gettext("at least one course topic"), proposal.topics.exists()),
        )
        if not present
    ]
    if missing:
        raise ValidationError(
            gettext("Before submitting, give the proposal %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = timezone.now()
    proposal.save(update_fields=["status", "submitted_at"])
    ProposalEvent.objects.create(proposal=proposal, status=proposal.status, by=by)
    return proposal


DECISIONS = {ProposalStatus.ACCEPTED, ProposalStatus.REVISION, ProposalStatus.REJECTED}


@transaction.atomic
def proposal_decide(*, proposal: Proposal, status: str, comment: str, by: User) -> Proposal:
    """Accept a submitted proposal, ask for a revision or reject it, and tell the group.

    A revision request or a rejection needs a comment saying why.
    """
    ensure_writable(proposal.group.offering)
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("group__offering__course")
        .get(pk=proposal.pk)
    )
    if status not in DECISIONS:
        raise ValidationError(gettext("Decide accept, revision requested or reject."))
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ValidationError(
            gettext("“%(proposal)s” is %(status)s, not waiting for a decision.")
            % {"proposal": proposal, "status": proposal.get_status_display().lower()}
        )
    comment = comment.strip()
    if status != ProposalStatus.ACCEPTED and not comment:
        raise ValidationError(gettext("Say in the comment what the group should change, or why."))
    proposal.status = status
    proposal.staff_comment = comment
    proposal.decided_at = timezone.now()
    proposal.decided_by = by
    proposal.save(update_fields=["status", "staff_comment", "decided_at", "decided_by"])
    ProposalEvent.objects.create(proposal=proposal, status=status, comment=comment, by=by)
    offering = proposal.group.offering
    link = absolute_url(
        reverse(
            "projects:my_group",
            kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
        )
    )

    def write() -> tuple[str, str]:
        texts: dict[str, str] = {
            ProposalStatus.ACCEPTED: gettext("your project proposal “%(proposal)s” is accepted."),
            ProposalStatus.REVISION: gettext(
                "please revise your project proposal “%(proposal)s” and submit it again."
            ),
            ProposalStatus.REJECTED: gettext(
                "your project proposal “%(proposal)s” is not accepted."
            ),
        }
        subjects: dict[str, str] = {
            ProposalStatus.ACCEPTED: gettext("proposal accepted"),
            ProposalStatus.REVISION: gettext("proposal revision requested"),
            ProposalStatus.REJECTED: gettext("proposal rejected"),
        }
        body = texts[status] % {"proposal": proposal}
        if comment:
            body += "\n\n" + gettext("Comment from the teachers:\n%(comment)s") % {
                "comment": comment
            }
        return subjects[status], f"{body}\n\n{link}"

    _notify_group(proposal, write)
    return proposal


# Deliverables and submissions ------------------------------------------------------------


def check_upload_quota(*, group: ProjectGroup, deliverable: Deliverable, size: int) -> None:
    """Refuse (ValidationError) an upload of `size` bytes that would take the group past the
    deliverable's number of versions or megabytes. The files of superseded versions removed
    after the results were signed off no longer count towards the megabytes."""
    kept = Submission.objects.filter(deliverable=deliverable, group=group).aggregate(
        versions=Count("pk"), size=Sum("size", filter=~Q(file=""))
    )
    used = kept["size"] or 0
    values = {
        "deliverable": deliverable,
        "count": kept["versions"],
        "versions": deliverable.max_versions,
        "used": used / 1024 / 1024,
        "mb": deliverable.max_total_mb,
    }
    if kept["versions"] >= deliverable.max_versions:
        message = ngettext(
            "Your group has uploaded %(count)s version of “%(deliverable)s”, the limit is "
            "%(versions)s. Ask a teaching assistant if you need to upload another.",
            "Your group has uploaded %(count)s versions of “%(deliverable)s”, the limit is "
            "%(versions)s. Ask a teaching assistant if you need to upload another.",
            kept["versions"],
        )
        raise ValidationError(message % values, code="quota_versions")
    if used + size > deliverable.max_total_mb * 1024 * 1024:
        message = gettext(
            "Your group's versions of “%(deliverable)s” take %(used).1f MB; with this file "
            "they would pass the limit of %(mb)s MB. Ask a teaching assistant if you need to "
            "upload another."
        )
        raise ValidationError(message % values, code="quota_size")


def submission_upload(
    *, group: ProjectGroup, deliverable: Deliverable, uploaded, by: User, now=None
) -> Submission:
    """Store a new version of the group's deliverable after checking the file.

    Refused with ValidationError, storing nothing, when the file is not a readable PDF, is
    too large or too long, comes after the deadline of a deliverable that takes no late
    submissions, or would take the group past the deliverable's quota (versions, and
    megabytes of the versions kept). A late one is kept with how late it came.
    """
    ensure_writable(group.offering)
    now = now or timezone.now()
    if deliverable.offering_id != group.offering_id:
        raise ValidationError(gettext("This deliverable belongs to another course."))
    due = deliverable.due_for(
        Extension.objects.filter(deliverable=deliverable, group=group).first()
    )
    if now > due and not deliverable.accepts_late:
        raise ValidationError(
            gettext(
                "The deadline was %(due)s and “%(deliverable)s” takes no late submissions. "
                "Ask a teaching assistant for an extension."
            )
            % {"due": _moment(due), "deliverable": deliverable}
        )
    check_upload_quota(group=group, deliverable=deliverable, size=uploaded.size or 0)
    checked = check_pdf(
        uploaded, max_size_mb=deliverable.max_size_mb, max_pages=deliverable.max_pages
    )
    # The file is checked before the transaction: reading a PDF may take seconds (SQLite
    # would hold every other write meanwhile). Then the lock makes version numbers of two
    # uploads at once come out 1 and 2, not 1 and 1, and the quota hold against uploads at
    # once: it is asked again under the lock.
    with transaction.atomic():
        ProjectGroup.objects.select_for_update().get(pk=group.pk)
        check_upload_quota(group=group, deliverable=deliverable, size=len(checked.content))
        version = (
            Submission.objects.filter(deliverable=deliverable, group=group).aggregate(
                v=Max("version")
            )["v"]
            or 0
        ) + 1
        submission = Submission(
            deliverable=deliverable,
            group=group,
            version=version,
            original_name=(uploaded.name or "upload.pdf")[-255:],
            size=len(checked.content),
            pages=checked.pages,
            sha256=checked.sha256,
            uploaded_by=by,
            uploaded_at=now,
            late_by=(now - due) if now > due else None,
        )
        submission.file.save("upload.pdf", ContentFile(checked.content), save=False)
        try:
            submission.save()
        except Exception:
            submission.file.delete(save=False)  # no orphan file when the row is not written
            raise
    return submission


@transaction.atomic
def extension_grant(
    *, deliverable: Deliverable, group: ProjectGroup, due_at: datetime, reason: str, by: User
) -> Extension:
    ensure_writable(group.offering)
    if due_at <= deliverable.due_at:
        raise ValidationError(
            gettext("An extension must end after the deliverable's own deadline.")
        )
    extension, _ = Extension.objects.update_or_create(
        deliverable=deliverable,
        group=group,
        defaults={
            "due_at": due_at,
            "reason": reason,
            "granted_by": by,
            "granted_at": timezone.now(),
        },
    )
    return extension


@transaction.atomic
def submission_feedback(*, submission: Submission, text: str, by: User) -> Submission:
    ensure_writable(submission.group.offering)
    submission.feedback = text.strip()
    submission.feedback_by = by
    submission.feedback_at = timezone.now()
    submission.save(update_fields=["feedback", "feedback_by", "feedback_at"])
    return submission


@transaction.atomic
def group_mark_presented(*, group: ProjectGroup, presented: bool | None) -> ProjectGroup:
    """Record on the presentation day whether the group presented (None: not known yet).

    Grading counts "project presented" as one of the conditions to pass.
    """
    ensure_writable(group.offering)
    group.presented = presented
    group.save(update_fields=["presented"])
    return group


# Retention --------------------------------------------------------------------------------


@transaction.atomic
def superseded_files_remove(*, offering_ids: Iterable[int]) -> int:
    """Remove the files of the superseded versions in these offerings: every upload of a
    group's deliverable but the latest. Sessions asks for it once an offering's results are
    signed off (sessions/privacy.py); archives included, as nothing else changes.

    The rows stay, with an empty file: when each version came and how late (grading judges
    a deliverable by its first upload), its size, pages, checksum and feedback. Returns how
    many files go. Side effects: Submission.file emptied; the files deleted from the storage
    once the transaction commits (a rollback leaves them where the rows point); records
    versions bumped.
    """
    later = Submission.objects.filter(
        deliverable=OuterRef("deliverable"),
        group=OuterRef("group"),
        version__gt=OuterRef("version"),
    )
    superseded = (
        Submission.objects.filter(deliverable__offering__in=list(offering_ids))
        .exclude(file="")
        .filter(Exists(later))
    )
    rows = list(superseded.values_list("pk", "file", "deliverable__offering_id"))
    Submission.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(file="")
    for offering_id in {offering for _, _, offering in rows}:
        bump_records(offering_id)  # update() sends no signal
    names = [name for _, name, _ in rows]
    transaction.on_commit(lambda: _delete_stored(names))
    return len(rows)


def _delete_stored(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # the row no longer points at it: an orphan at worst, logged
            logger.exception("Could not delete the superseded file %s", name)
