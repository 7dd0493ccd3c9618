"""Admin for groups (moving students), proposals, deliverables, extensions and submissions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from course.admin_base import (
    AdminRefusal,
    RelatedOnlyListFilter,
    RulesHistoryAdmin,
    ServiceSaveMixin,
    TeachingAdminMixin,
)
from course.templatetags.coursesite import timedelta_text

from .models import (
    Deliverable,
    Extension,
    Membership,
    PresentationSession,
    PresentationSlot,
    ProjectGroup,
    Proposal,
    Submission,
)
from .presentations import programme_publish, schedule_presentations, slots_retime, slots_swap
from .services import (
    group_mark_presented,
    membership_remove,
    membership_set,
    proposal_save,
    submission_feedback,
)

ONLY = RelatedOnlyListFilter


class MembershipInlineFormSet(BaseInlineFormSet):
    """Members must be accepted students of the group's own offering, also on the add page
    (where the group has no id yet, so Membership.clean cannot compare)."""

    def clean(self):
        super().clean()
        offering_id = self.instance.offering_id
        for form in self.forms:
            enrolment = form.cleaned_data.get("enrolment") if form.cleaned_data else None
            if enrolment is None or form.cleaned_data.get("DELETE"):
                continue
            if enrolment.offering_id != offering_id:
                raise ValidationError(gettext("A member is enrolled in another offering."))
            if not enrolment.is_accepted:
                raise ValidationError(gettext("Only accepted students can be in a group."))


class MembershipInline(TeachingAdminMixin, admin.TabularInline):
    """Members are added and removed through projects.services (membership_set and
    membership_remove, under the group's lock); ProjectGroupAdmin.save_formset calls them."""

    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    fields = ["enrolment", "joined_at", "added_by"]
    readonly_fields = ["joined_at", "added_by"]
    raw_id_fields = ["enrolment"]
    offering_path = "group__offering"


@admin.register(ProjectGroup)
class ProjectGroupAdmin(ServiceSaveMixin, TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "offering", "title", "proposal_status", "members", "presented",
                    "invite_code"]  # fmt: skip
    list_filter = [("offering", ONLY), "proposal__status", "presented"]
    search_fields = ["number", "invite_code", "proposal__title",
                     "memberships__enrolment__student__full_name",
                     "memberships__enrolment__student__email"]  # fmt: skip
    list_select_related = ["offering__course", "proposal"]
    inlines = [MembershipInline]
    fields = ["offering", "number", "invite_code", "created_by", "presented"]
    readonly_fields = ["created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__enrolment__student")

    @admin.display(description=_("proposal"))
    def title(self, group):
        proposal = getattr(group, "proposal", None)
        return proposal.title if proposal else ""

    @admin.display(description=_("proposal status"), ordering="proposal__status")
    def proposal_status(self, group):
        proposal = getattr(group, "proposal", None)
        return proposal.get_status_display() if proposal else ""

    @admin.display(description=_("members"))
    def members(self, group):
        return ", ".join(m.enrolment.student.full_name for m in group.memberships.all())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        Proposal.objects.get_or_create(group=obj, defaults={"updated_by": request.user})

    def save_formset(self, request, form, formset, change):
        """The members, through the services that lock the group."""
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if not inline_form.has_changed() and inline_form not in formset.deleted_forms:
                continue
            instance = inline_form.instance
            if inline_form in formset.deleted_forms:
                if instance.pk:
                    membership_remove(membership=instance)
            elif inline_form.cleaned_data.get("enrolment"):
                if instance.pk and "enrolment" in inline_form.changed_data:
                    membership_remove(membership=Membership.objects.get(pk=instance.pk))
                membership_set(
                    enrolment=inline_form.cleaned_data["enrolment"],
                    group=form.instance,
                    by=request.user,
                )
        return None


@admin.register(Membership)
class MembershipAdmin(ServiceSaveMixin, TeachingAdminMixin, admin.ModelAdmin):
    """Staff move a student to another group here (also after the group has submitted)."""

    list_display = ["student", "group", "offering", "joined_at", "added_by"]
    list_filter = [("group__offering", ONLY)]
    search_fields = ["enrolment__student__full_name", "enrolment__student__email"]
    list_select_related = ["enrolment__student", "group__offering__course", "added_by"]
    offering_path = "group__offering"
    raw_id_fields = ["enrolment"]
    fields = ["enrolment", "group", "joined_at", "added_by"]
    readonly_fields = ["joined_at", "added_by"]

    @admin.display(description=_("student"), ordering="enrolment__student__full_name")
    def student(self, membership):
        return membership.enrolment.student.full_name

    @admin.display(description=_("offering"))
    def offering(self, membership):
        return membership.group.offering

    def get_readonly_fields(self, request, obj=None):
        # A membership is one student's place: to put someone else in a group, add theirs.
        return [*self.readonly_fields, "enrolment"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Through the service that locks the groups involved (a move locks both)."""
        try:
            saved = membership_set(enrolment=obj.enrolment, group=obj.group, by=request.user)
        except ValidationError as error:
            raise AdminRefusal(error) from None
        obj.pk, obj.joined_at, obj.added_by = saved.pk, saved.joined_at, saved.added_by

    def delete_model(self, request, obj):
        membership_remove(membership=obj)


class ProposalAdminForm(forms.ModelForm):
    """Carries the version the page was opened with: a save based on an older one is refused
    (someone saved in between), as on the group's own page, and their text is shown."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Proposal
        fields = ["title", "description", "topics", "abstract"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        current = Proposal.objects.select_related("updated_by").get(pk=self.instance.pk)
        if data.get("loaded_version") != current.version:
            # Next time the form is based on their version: the editor combines and saves.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = current.version
            raise ValidationError(conflict_message(current))
        return data


def conflict_message(current: Proposal) -> str:
    who = current.updated_by.full_name if current.updated_by else gettext("Someone")
    when = formats.time_format(timezone.localtime(current.updated_at))
    message = gettext(
        "%(who)s saved this proposal at %(when)s, while you were editing; nothing was saved. "
        "Your text is still in the form. Theirs: title “%(title)s”; description "
        "“%(description)s”; abstract “%(abstract)s”. Combine them and save again."
    )
    return message % {
        "who": who,
        "when": when,
        "title": current.title,
        "description": current.description,
        "abstract": current.abstract,
    }


@admin.register(Proposal)
class ProposalAdmin(ServiceSaveMixin, TeachingAdminMixin, admin.ModelAdmin):
    """Every group gets its proposal when it is created: proposals are not added here."""

    list_display = ["__str__", "group", "offering", "status", "submitted_at", "decided_by"]
    list_filter = ["status", ("group__offering", ONLY)]
    search_fields = ["title", "description", "abstract"]
    list_select_related = ["group__offering__course", "decided_by"]
    offering_path = "group__offering"
    readonly_fields = ["group", "status", "version", "updated_at", "updated_by", "submitted_at",
                       "decided_at", "decided_by", "staff_comment", "decision_page"]  # fmt: skip
    fields = ["group", "title", "description", "topics", "abstract", *readonly_fields[1:],
              "loaded_version"]  # fmt: skip

    @admin.display(description=_("offering"))
    def offering(self, proposal):
        return proposal.group.offering

    def has_add_permission(self, request, obj=None):
        return False

    form = ProposalAdminForm

    def save_model(self, request, obj, form, change):
        """Through proposal_save(), which refuses an edit based on an outdated version (a
        student saved since the page was opened: the form said so, or, in the moment
        between, the save is rolled back and the page says so)."""
        try:
            proposal_save(
                proposal=obj,
                by=request.user,
                version=form.cleaned_data["loaded_version"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                topics=form.cleaned_data["topics"],
                abstract=form.cleaned_data["abstract"],
                as_staff=True,
            )
        except ValidationError as error:
            raise AdminRefusal(error) from None

    def save_related(self, request, form, formsets, change):
        pass  # the topics are saved by proposal_save()

    @admin.display(description=_("decide"))
    def decision_page(self, proposal):
        offering = proposal.group.offering
        url = reverse(
            "projects:staff_project",
            args=[offering.course.slug, offering.slug, proposal.group.number],
        )
        return format_html(
            '<a href="{}">{}</a>', url, gettext("Decide, give feedback, extend deadlines")
        )


@admin.register(Deliverable)
class DeliverableAdmin(TeachingAdminMixin, RulesHistoryAdmin):
    list_display = ["title", "offering", "due_at", "max_pages", "max_size_mb", "max_versions",
                    "max_total_mb", "accepts_late", "required"]  # fmt: skip
    list_filter = [("offering", ONLY), "required"]
    search_fields = ["title", "slug"]
    list_select_related = ["offering__course"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Extension)
class ExtensionAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["group", "deliverable", "due_at", "reason", "granted_by"]
    list_filter = [("deliverable__offering", ONLY)]
    search_fields = ["reason", "deliverable__title", "group__proposal__title",
                     "group__memberships__enrolment__student__full_name"]  # fmt: skip
    list_select_related = ["group", "deliverable", "granted_by"]
    offering_path = "group__offering"
    readonly_fields = ["granted_by", "granted_at"]

    def save_model(self, request, obj, form, change):
        obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Submission)
class SubmissionAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "group", "deliverable", "offering", "version", "pages",
                    "uploaded_at", "late", "has_feedback"]  # fmt: skip
    list_filter = [("deliverable__offering", ONLY), ("deliverable", ONLY),
                   ("late_by", admin.EmptyFieldListFilter)]  # fmt: skip
    search_fields = ["original_name", "deliverable__title", "group__proposal__title",
                     "group__memberships__enrolment__student__full_name",
                     "uploaded_by__full_name"]  # fmt: skip
    list_select_related = ["group__offering__course", "deliverable"]
    offering_path = "group__offering"
    readonly_fields = ["group", "deliverable", "version", "download", "original_name", "size",
                       "pages", "sha256", "uploaded_by", "uploaded_at", "late", "feedback_by",
                       "feedback_at"]  # fmt: skip
    fields = [*readonly_fields[:-2], "feedback", "feedback_by", "feedback_at"]

    @admin.display(description=_("late by"), ordering="late_by")
    def late(self, submission):
        """How late, in words ("2 days 3 hours"), not as a duration's digits."""
        return timedelta_text(submission.late_by)

    @admin.display(description=_("offering"), ordering="group__offering")
    def offering(self, submission):
        return submission.group.offering

    @admin.display(description=_("file"))
    def download(self, submission):
        if not submission.file:
            return gettext("removed: a superseded version, once the results were final")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("projects:download", args=[submission.pk]),
            gettext("Download"),
        )

    @admin.display(description=_("feedback"), boolean=True)
    def has_feedback(self, submission):
        return bool(submission.feedback)

    def has_add_permission(self, request, obj=None):
        return False  # groups upload; staff give feedback

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "feedback" in form.changed_data:
            submission_feedback(submission=obj, text=obj.feedback, by=request.user)


@admin.register(PresentationSession)
class PresentationSessionAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "offering", "room", "slot_minutes", "gap_minutes", "capacity"]
    list_filter = [("offering", ONLY)]
    search_fields = ["room"]
    list_select_related = ["offering__course"]
    actions = ["schedule", "publish"]

    @admin.display(description=_("slots"))
    def capacity(self, session):
        return session.capacity

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        slots_retime(session=obj)

    @admin.action(description=_("Schedule the projects into the selected sessions' offering"))
    def schedule(self, request, queryset):
        for offering in {session.offering for session in queryset}:
            try:
                result = schedule_presentations(offering=offering)
            except ValidationError as error:
                self.message_user(
                    request, f"{offering}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                placed = ngettext(
                    "%(count)s project placed", "%(count)s projects placed", len(result.placed)
                ) % {"count": len(result.placed)}
                kept = ngettext(
                    "%(count)s published slot kept",
                    "%(count)s published slots kept",
                    len(result.kept),
                ) % {"count": len(result.kept)}
                message = gettext(
                    "%(offering)s: %(placed)s, %(kept)s. Check the programme, then publish it."
                )
                self.message_user(
                    request,
                    message % {"offering": offering, "placed": placed, "kept": kept},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Publish the programme of the selected sessions"))
    def publish(self, request, queryset):
        try:
            count = programme_publish(sessions=queryset.select_related("offering__course"))
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                ngettext("%(count)s slot published.", "%(count)s slots published.", count)
                % {"count": count},
            )


@admin.register(PresentationSlot)
class PresentationSlotAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "session", "position", "group", "published", "presented"]
    list_filter = [("session__offering", ONLY), "published"]
    search_fields = ["group__proposal__title", "session__room"]
    list_select_related = ["session", "group"]
    offering_path = "session__offering"
    actions = ["swap", "mark_presented", "mark_not_presented"]
    readonly_fields = ["session", "position", "starts_at", "ends_at"]
    fields = ["session", "position", "starts_at", "ends_at", "group", "published"]

    def has_add_permission(self, request, obj=None):
        return False  # slots come from scheduling a presentation session (its admin action)

    @admin.display(description=_("presented"), boolean=True)
    def presented(self, slot):
        return slot.group.presented if slot.group else None

    @admin.action(description=_("Swap the projects of the two selected slots"))
    def swap(self, request, queryset):
        slots = list(queryset)
        if len(slots) != 2:
            self.message_user(request, gettext("Select exactly two slots to swap."), messages.ERROR)
            return
        try:
            slots_swap(first=slots[0], second=slots[1])
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request, gettext("The two projects swapped places."), messages.SUCCESS
            )

    def _mark(self, request, queryset, presented: bool):
        groups = ProjectGroup.objects.filter(slot__in=queryset).select_related("offering__course")
        try:
            for group in groups:
                group_mark_presented(group=group, presented=presented)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    @admin.action(description=_("Mark the selected slots' projects as presented"))
    def mark_presented(self, request, queryset):
        self._mark(request, queryset, True)

    @admin.action(description=_("Mark the selected slots' projects as not presented"))
    def mark_not_presented(self, request, queryset):
        self._mark(request, queryset, False)
