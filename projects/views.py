"""Public project pages, the student's group page, file downloads and the staff overview."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts.selectors import own_enrolment
from course.pages import OfferingPageMixin, OfferingStaffMixin

from . import book, presentations, selectors, services
from .enums import ProposalStatus
from .exports import write_status_csv
from .forms import (
    DecisionForm,
    ExtensionForm,
    FeedbackForm,
    JoinGroupForm,
    ProposalForm,
    UploadForm,
)
from .models import Deliverable, Submission


class ProjectListView(OfferingPageMixin, TemplateView):
    """The public list of proposals, like the 2016 page's "Project proposals"."""

    template_name = "projects/project_list.html"
    section = "projects"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            groups=list(selectors.public_projects(self.get_offering())), **kwargs
        )


class ProjectDetailView(OfferingPageMixin, TemplateView):
    template_name = "projects/project_detail.html"
    section = "projects"

    def get_context_data(self, **kwargs):
        group = next(
            (
                g
                for g in selectors.public_projects(self.get_offering()).filter(
                    number=self.kwargs["number"]
                )
            ),
            None,
        )
        if group is None:
            raise Http404("No such project.")
        return super().get_context_data(group=group, **kwargs)


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


class MyGroupView(StudentGroupMixin, TemplateView):
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
                messages.error(request, "Saved, but not submitted: " + " ".join(error.messages))
                return redirect(my_group_url(offering))
            messages.success(request, "Proposal submitted. You will be mailed the decision.")
        else:
            messages.success(request, "Proposal saved.")
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
        return f"{group} created. Send its invite code {group.invite_code} to your partner."


class GroupJoinView(GroupActionView):
    def act(self, request, enrolment):
        form = JoinGroupForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Type the invite code your partner gave you.")
        group = services.group_join(
            enrolment=enrolment, code=form.cleaned_data["code"], by=request.user
        )
        return f"You joined {group}."


class GroupLeaveView(GroupActionView):
    def act(self, request, enrolment):
        services.group_leave(enrolment=enrolment, by=request.user)
        return "You left the group."


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
            messages.error(request, "Choose a PDF file to upload.")
        else:
            try:
                submission = services.submission_upload(
                    group=group,
                    deliverable=deliverable,
                    uploaded=form.cleaned_data["file"],
                    by=request.user,
                )
            except ValidationError as error:
                messages.error(request, f"{deliverable}: not uploaded. " + " ".join(error.messages))
            else:
                late = (
                    " It came after the deadline and is marked late." if submission.late_by else ""
                )
                messages.success(
                    request,
                    f"{deliverable}: version {submission.version} uploaded "
                    f"({submission.pages} page{'s' if submission.pages != 1 else ''}).{late}",
                )
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
        offering = submission.deliverable.offering
        filename = (
            f"{offering.course.slug}-{offering.slug}-group{submission.group.number}-"
            f"{submission.deliverable.slug}-v{submission.version}.pdf"
        )
        response = FileResponse(
            submission.file.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# Staff -------------------------------------------------------------------------------------


class ProjectStatusView(OfferingStaffMixin, TemplateView):
    """Every group with members, proposal state and deliverables; students without a group."""

    template_name = "projects/staff_status.html"
    section = "staff"

    def get_permission_required(self):
        if self.request.method == "POST":
            return ("projects.remind_students",)
        return ("projects.view_project_overview",)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            offering = self.get_offering()
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="projects-{offering.course.slug}-{offering.slug}.csv"'
            )
            write_status_csv(response, *selectors.project_status_rows(offering))
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        deliverables, rows = selectors.project_status_rows(offering)
        return super().get_context_data(
            deliverables=deliverables,
            rows=rows,
            without_group=list(services.students_without_group(offering)),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            count = services.remind_students_without_group(
                offering=self.get_offering(), by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Reminder queued to {count} student(s) in the outbox.")
        return redirect(request.path)


class StaffProjectView(OfferingStaffMixin, TemplateView):
    """One group for staff: decide the proposal, give feedback, grant an extension."""

    template_name = "projects/staff_project.html"
    section = "staff"
    # The rule each of the page's forms needs (an unknown action is refused by post()).
    ACTION_RULES = {
        "decide": "projects.decide_proposal",
        "feedback": "projects.give_feedback",
        "presented": "projects.mark_presented",
        "extension": "projects.grant_extension",
    }

    def get_permission_required(self):
        if self.request.method == "POST":
            action = self.request.POST.get("action", "")
            return (self.ACTION_RULES.get(action, "projects.view_project_overview"),)
        return ("projects.view_project_overview",)

    def get_group(self):
        return get_object_or_404(
            selectors.groups_with_proposals(self.get_offering()), number=self.kwargs["number"]
        )

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        group = self.get_group()
        return super().get_context_data(
            group=group,
            events=list(group.proposal.events.select_related("by")),
            rows=selectors.deliverable_rows(offering, group),
            decision_form=kwargs.pop("decision_form", None) or DecisionForm(),
            extension_form=kwargs.pop("extension_form", None) or ExtensionForm(offering=offering),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        offering = self.get_offering()
        group = self.get_group()
        action = request.POST.get("action")
        try:
            if action == "decide":
                form = DecisionForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Choose accept, revision or reject.")
                services.proposal_decide(
                    proposal=group.proposal,
                    status=form.cleaned_data["status"],
                    comment=form.cleaned_data["comment"],
                    by=request.user,
                )
                messages.success(
                    request,
                    f"Proposal {ProposalStatus(form.cleaned_data['status']).label.lower()}; "
                    "the group's mail is in the outbox.",
                )
            elif action == "feedback":
                form = FeedbackForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("The feedback form was incomplete.")
                submission = get_object_or_404(
                    Submission, group=group, pk=form.cleaned_data["submission"]
                )
                services.submission_feedback(
                    submission=submission, text=form.cleaned_data["feedback"], by=request.user
                )
                messages.success(request, f"Feedback saved on {submission}.")
            elif action == "presented":
                value = request.POST.get("presented")
                if value not in ("yes", "no"):
                    raise ValidationError("Say yes or no.")
                services.group_mark_presented(group=group, presented=value == "yes")
                messages.success(request, f"{group}: presentation marked.")
            elif action == "extension":
                form = ExtensionForm(request.POST, offering=offering)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(extension_form=form))
                extension = services.extension_grant(
                    group=group, by=request.user, **form.cleaned_data
                )
                messages.success(
                    request,
                    f"{extension.deliverable}: {group} has until "
                    f"{timezone.localtime(extension.due_at):%Y-%m-%d %H:%M}.",
                )
            else:
                raise ValidationError("Unknown action.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(request.path)


# Presentations and the book of abstracts ---------------------------------------------------


class ProgrammeView(OfferingPageMixin, TemplateView):
    """The public programme: per session, its slots in order with project and presenters."""

    template_name = "projects/programme.html"
    section = "presentations"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        staff = self.request.user.has_perm("course.see_offering_internals", offering)
        return super().get_context_data(
            sessions=selectors.programme(offering, include_unpublished=staff), **kwargs
        )


class BookMixin(OfferingPageMixin):
    def get_offering(self):
        offering = super().get_offering()
        if not offering.publish_book and not self.request.user.has_perm(
            "course.see_offering_internals", offering
        ):
            raise Http404("The book of abstracts is not published.")
        return offering


class BookPageView(BookMixin, TemplateView):
    template_name = "projects/book_page.html"
    section = "projects"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        return super().get_context_data(
            groups=book.book_projects(offering), year=offering.start_date.year, **kwargs
        )


class BookPdfView(BookMixin, View):
    def get(self, request, *args, **kwargs):
        offering = self.get_offering()
        response = HttpResponse(book.book_pdf(offering), content_type="application/pdf")
        filename = f"book-of-abstracts-{offering.course.slug}-{offering.slug}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


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
                messages.error(request, "Choose preferred, cannot attend or no preference.")
                return redirect(my_group_url(group.offering))
            wishes[session] = value
        try:
            presentations.wishes_save(group=group, wishes=wishes)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your presentation wishes are saved.")
        return redirect(f"{my_group_url(group.offering)}#presentation")
