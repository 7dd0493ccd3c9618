"""A student's project: their group, proposal and uploads, presentation wishes; and the
checked download of a submission (for the group and the offering's staff)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from accounts.pages import PersonalPageMixin
from accounts.selectors import own_enrolment
from course.downloads import stored_file_response

from .. import presentations, selectors, services
from ..forms import (
    JoinGroupForm,
    ProposalForm,
    UploadForm,
)
from ..models import Deliverable


def my_group_url(offering) -> str:
    return reverse(
        "projects:my_group",
        kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
    )


class StudentGroupMixin(LoginRequiredMixin):
    """The logged-in student's enrolment in the offering of the URL (404 without one)."""

    def get_enrolment(self):
        if not hasattr(self, "_enrolment"):
            self._enrolment = own_enrolment(
                user=self.request.user,
                course_slug=self.kwargs["course_slug"],
                offering_slug=self.kwargs["offering_slug"],
            )
        return self._enrolment

    def get_group(self):
        """The student's group; None unless they are (still) accepted in the course."""
        if not hasattr(self, "_group"):
            enrolment = self.get_enrolment()
            self._group = selectors.group_of(enrolment) if enrolment.is_accepted else None
        return self._group


class MyGroupView(PersonalPageMixin, StudentGroupMixin, TemplateView):
    """The student's project: group, partner, proposal and deliverables."""

    template_name = "projects/my_group.html"

    def get_context_data(self, proposal_form=None, conflict=None, **kwargs):
        enrolment = self.get_enrolment()
        offering = enrolment.offering
        group = self.get_group()
        context = {
            "enrolment": enrolment,
            "offering": offering,
            "course": offering.course,
            "section": "me",
            "group": group,
            "accepted": enrolment.is_accepted,
            "join_form": JoinGroupForm(initial={"code": self.request.GET.get("code", "")}),
            "conflict": conflict,
        }
        if group is not None:
            proposal = group.proposal
            context.update(
                proposal=proposal,
                proposal_form=proposal_form
                or ProposalForm(
                    offering=offering,
                    editable=proposal.is_editable,
                    initial={
                        "title": proposal.title,
                        "description": proposal.description,
                        "topics": list(proposal.topics.all()),
                        "abstract": proposal.abstract,
                        "version": proposal.version,
                    },
                ),
                locked=services.group_is_locked(group),
                rows=selectors.deliverable_rows(offering, group),
                upload_form=UploadForm(),
                invite_url=self.request.build_absolute_uri(
                    f"{my_group_url(offering)}?code={group.invite_code}"
                ),
                free_places=offering.group_size - len(group.memberships.all()),
                presentation=selectors.presentation_for(group),
            )
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        """Save (or submit) the proposal; a stale edit comes back with both versions."""
        group = self.get_group()
        if group is None:
            raise Http404("You are not in a group.")
        offering = group.offering
        proposal = group.proposal
        form = ProposalForm(request.POST, offering=offering, editable=proposal.is_editable)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(proposal_form=form))
        data = form.cleaned_data
        try:
            proposal = services.proposal_save(
                proposal=proposal,
                by=request.user,
                version=data["version"],
                title=data["title"] if proposal.is_editable else proposal.title,
                description=data["description"] if proposal.is_editable else proposal.description,
                topics=data["topics"] if proposal.is_editable else [],
                abstract=data["abstract"],
            )
        except services.ProposalConflict as conflict:
            messages.error(request, conflict.messages[0])
            # The form keeps the student's text but carries the new version number, so a
            # second save (after merging) goes through.
            post = request.POST.copy()
            post["version"] = conflict.current.version
            form = ProposalForm(post, offering=offering, editable=proposal.is_editable)
            form.is_valid()
            return self.render_to_response(
                self.get_context_data(proposal_form=form, conflict=conflict.current)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(my_group_url(offering))
        if "submit" in request.POST:
            try:
                services.proposal_submit(proposal=proposal, by=request.user)
            except ValidationError as error:
                messages.error(
                    request,
                    _("Saved, but not submitted: %(reasons)s")
                    % {"reasons": " ".join(error.messages)},
                )
                return redirect(my_group_url(offering))
            messages.success(request, _("Proposal submitted. You will be mailed the decision."))
        else:
            messages.success(request, _("Proposal saved."))
        return redirect(my_group_url(offering))


class GroupActionView(StudentGroupMixin, View):
    """Base of the small POST-only actions on the group page."""

    success = ""

    def act(self, request, enrolment):  # pragma: no cover - abstract
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        enrolment = self.get_enrolment()
        try:
            message = self.act(request, enrolment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, message)
        return redirect(my_group_url(enrolment.offering))


class GroupCreateView(GroupActionView):
    def act(self, request, enrolment):
        group = services.group_create(enrolment=enrolment, by=request.user)
        return _("%(group)s created. Send its invite code %(code)s to your partner.") % {
            "group": group,
            "code": group.invite_code,
        }


class GroupJoinView(GroupActionView):
    def act(self, request, enrolment):
        form = JoinGroupForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Type the invite code your partner gave you."))
        group = services.group_join(
            enrolment=enrolment, code=form.cleaned_data["code"], by=request.user
        )
        return _("You joined %(group)s.") % {"group": group}


class GroupLeaveView(GroupActionView):
    def act(self, request, enrolment):
        services.group_leave(enrolment=enrolment, by=request.user)
        return _("You left the group.")


class UploadView(StudentGroupMixin, View):
    def post(self, request, *args, **kwargs):
        group = self.get_group()
        if group is None:
            raise Http404("You are not in a group.")
        deliverable = get_object_or_404(
            Deliverable, offering=group.offering_id, slug=self.kwargs["slug"]
        )
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a PDF file to upload."))
        else:
            try:
                submission = services.submission_upload(
                    group=group,
                    deliverable=deliverable,
                    uploaded=form.cleaned_data["file"],
                    by=request.user,
                    closing_confirmed=form.cleaned_data["close_group"],
                )
            except ValidationError as error:
                messages.error(
                    request,
                    _("%(deliverable)s: not uploaded. %(reasons)s")
                    % {"deliverable": deliverable, "reasons": " ".join(error.messages)},
                )
            else:
                values = {
                    "deliverable": deliverable,
                    "version": submission.version,
                    "pages": submission.pages,
                }
                if submission.late_by:
                    message = ngettext(
                        "%(deliverable)s: version %(version)s uploaded (%(pages)s page). It came "
                        "after the deadline and is marked late.",
                        "%(deliverable)s: version %(version)s uploaded (%(pages)s pages). It came "
                        "after the deadline and is marked late.",
                        submission.pages,
                    )
                else:
                    message = ngettext(
                        "%(deliverable)s: version %(version)s uploaded (%(pages)s page).",
                        "%(deliverable)s: version %(version)s uploaded (%(pages)s pages).",
                        submission.pages,
                    )
                messages.success(request, message % values)
        # No anchor: the message at the top of the page must be seen, refusals above all.
        return redirect(my_group_url(group.offering))


class SubmissionDownloadView(LoginRequiredMixin, View):
    """Files are served only here: to the group's members and the offering's staff."""

    def get(self, request, pk):
        submission = get_object_or_404(
            selectors.submissions_visible_to(request.user).select_related(
                "deliverable__offering__course", "group"
            ),
            pk=pk,
        )
        if not submission.file:
            raise Http404("The file of this version was removed after the results were final.")
        offering = submission.deliverable.offering
        filename = (
            f"{offering.course.slug}-{offering.slug}-group{submission.group.number}-"
            f"{submission.deliverable.slug}-v{submission.version}.pdf"
        )
        return stored_file_response(
            submission.file.name, filename=filename, content_type="application/pdf", attachment=True
        )


class WishesView(StudentGroupMixin, View):
    """The group says which presentation sessions it prefers or cannot attend."""

    def post(self, request, *args, **kwargs):
        group = self.get_group()
        if group is None:
            raise Http404("You are not in a group.")
        sessions = list(group.offering.presentation_sessions.all())
        wishes = {}
        for session in sessions:
            value = request.POST.get(f"wish-{session.pk}", "")
            if value not in ("", "prefer", "cannot"):
                messages.error(request, _("Choose preferred, cannot attend or no preference."))
                return redirect(my_group_url(group.offering))
            wishes[session] = value
        try:
            presentations.wishes_save(group=group, wishes=wishes)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your presentation wishes are saved."))
        return redirect(f"{my_group_url(group.offering)}#presentation")
