"""Staff pages: every group's state (with CSV and a reminder), and one group's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from accounts.pages import PersonalPageMixin
from course.caching import fragment_key
from course.pages import OfferingStaffMixin

from .. import selectors, services
from ..enums import ProposalStatus
from ..exports import write_status_csv
from ..forms import (
    DecisionForm,
    ExtensionForm,
    FeedbackForm,
)
from ..models import Submission


class ProjectStatusView(PersonalPageMixin, OfferingStaffMixin, TemplateView):
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

        def table() -> dict:  # made when the cached table is out of date
            deliverables, rows = selectors.project_status_rows(offering)
            small = [g for g, _cells in rows if len(g.memberships.all()) < offering.group_size]
            return {"deliverables": deliverables, "rows": rows, "small_groups": small}

        return super().get_context_data(
            table=SimpleLazyObject(table),
            fragment=fragment_key(offering, "projects-overview"),
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
            messages.success(
                request,
                ngettext(
                    "Reminder queued to %(count)s student in the outbox.",
                    "Reminder queued to %(count)s students in the outbox.",
                    count,
                )
                % {"count": count},
            )
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
                    raise ValidationError(_("Choose accept, revision or reject."))
                services.proposal_decide(
                    proposal=group.proposal,
                    status=form.cleaned_data["status"],
                    comment=form.cleaned_data["comment"],
                    by=request.user,
                )
                decided = {
                    ProposalStatus.ACCEPTED: _(
                        "Proposal accepted; the group's mail is in the outbox."
                    ),
                    ProposalStatus.REVISION: _(
                        "Proposal revision requested; the group's mail is in the outbox."
                    ),
                    ProposalStatus.REJECTED: _(
                        "Proposal rejected; the group's mail is in the outbox."
                    ),
                }
                messages.success(request, decided[form.cleaned_data["status"]])
            elif action == "feedback":
                form = FeedbackForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("The feedback form was incomplete."))
                submission = get_object_or_404(
                    Submission, group=group, pk=form.cleaned_data["submission"]
                )
                services.submission_feedback(
                    submission=submission, text=form.cleaned_data["feedback"], by=request.user
                )
                messages.success(
                    request, _("Feedback saved on %(submission)s.") % {"submission": submission}
                )
            elif action == "presented":
                value = request.POST.get("presented")
                if value not in ("yes", "no"):
                    raise ValidationError(_("Say yes or no."))
                services.group_mark_presented(group=group, presented=value == "yes")
                messages.success(request, _("%(group)s: presentation marked.") % {"group": group})
            elif action == "extension":
                form = ExtensionForm(request.POST, offering=offering)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(extension_form=form))
                extension = services.extension_grant(
                    group=group, by=request.user, **form.cleaned_data
                )
                due = timezone.localtime(extension.due_at)
                messages.success(
                    request,
                    _("%(deliverable)s: %(group)s has until %(due)s.")
                    % {
                        "deliverable": extension.deliverable,
                        "group": group,
                        "due": formats.date_format(due, "SHORT_DATETIME_FORMAT"),
                    },
                )
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(request.path)
