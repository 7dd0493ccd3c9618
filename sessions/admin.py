"""Admin for session series, sessions and attendance, limited to the offerings taught; for
grading's scales and rubric; and, for administrators only, the data protection requests
(accounts' model, carried out by sessions/privacy.py, which gathers from every app)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.enums import DataRequestKind, DataRequestStatus
from accounts.models import DataRequest
from course.admin_base import (
    AdminRefusal,
    ReadOnlyAdmin,
    RelatedOnlyListFilter,
    RulesHistoryAdmin,
    SafeActionsMixin,
    ServiceSaveMixin,
    TeachingAdminMixin,
)
from course.rules import offering_id_of

from . import privacy
from .forms import GenerateSessionsForm
from .models import (
    Attendance,
    AttendanceChange,
    DiscussionSession,
    FinalGrade,
    GradeChange,
    GradingScale,
    ProjectAssessment,
    ResultsEvent,
    Rubric,
    RubricCriterion,
    RubricLevel,
    ScaleGrade,
    SessionSeries,
)
from .services import generate_sessions, session_record_change, session_set_cancelled

ONLY = RelatedOnlyListFilter


@admin.register(SessionSeries)
class SessionSeriesAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "offering", "weekday", "start_time", "end_time", "room"]
    list_filter = [("offering", ONLY), "weekday"]
    search_fields = ["room"]
    list_select_related = ["offering__course"]
    actions = ["generate"]

    @admin.action(description=_("Generate dated sessions for the selected series' offering"))
    def generate(self, request, queryset):
        offerings = {series.offering for series in queryset}
        if len(offerings) != 1:
            self.message_user(
                request, gettext("Select the series of one offering."), messages.ERROR
            )
            return None
        offering = offerings.pop()
        form = GenerateSessionsForm(
            request.POST if "apply" in request.POST else None,
            initial={"start": offering.start_date, "end": offering.end_date},
        )
        if "apply" in request.POST and form.is_valid():
            try:
                result = generate_sessions(offering=offering, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                created, skipped = len(result.created), len(result.skipped_dates)
                self.message_user(
                    request,
                    # Translators: the three parts are the messages that follow.
                    gettext("%(created)s, %(existing)s, %(skipped)s.")
                    % {
                        "created": ngettext(
                            "%(count)d session created", "%(count)d sessions created", created
                        )
                        % {"count": created},
                        "existing": ngettext(
                            "%(count)d existed already",
                            "%(count)d existed already",
                            result.existing,
                        )
                        % {"count": result.existing},
                        "skipped": ngettext(
                            "%(count)d skipped as a holiday",
                            "%(count)d skipped as holidays",
                            skipped,
                        )
                        % {"count": skipped},
                    },
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:discussions_discussionsession_changelist")
                    + f"?offering__id__exact={offering.pk}"
                )
        return TemplateResponse(
            request,
            "admin/discussions/sessionseries/generate.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Generate sessions for %(offering)s") % {"offering": offering},
                "form": form,
                "offering": offering,
                "queryset": queryset,
                "series": list(offering.session_series.all()),
            },
        )


@admin.register(DiscussionSession)
class DiscussionSessionAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "offering", "module", "room", "is_cancelled", "self_check_in",
                    "register_link"]  # fmt: skip
    list_filter = [("offering", ONLY), ("module", ONLY), "is_cancelled", "self_check_in"]
    list_select_related = ["offering__course", "module"]
    date_hierarchy = "starts_at"
    search_fields = ["room", "topic", "module__title"]
    actions = ["cancel", "reinstate"]
    fields = ["offering", "module", "starts_at", "ends_at", "room", "topic", "is_cancelled",
              "cancel_reason", "self_check_in", "series", "sequence"]  # fmt: skip
    readonly_fields = ["series", "sequence"]

    @admin.display(description=_("attendance"))
    def register_link(self, session):
        offering = session.offering
        url = reverse(
            "sessions:register",
            kwargs={
                "course_slug": offering.course.slug,
                "offering_slug": offering.slug,
                "session_id": session.pk,
            },
        )
        return format_html('<a href="{}">{}</a>', url, gettext("Take attendance"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            session_record_change(session=obj, changed=form.changed_data)

    def _set_cancelled(self, request, queryset, cancelled: bool):
        count = 0
        for session in queryset.select_related("offering__course"):
            try:
                count += session_set_cancelled(session=session, cancelled=cancelled)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return
        if cancelled:
            done = ngettext("%(count)d session cancelled.", "%(count)d sessions cancelled.", count)
        else:
            done = ngettext(
                "%(count)d session reinstated.", "%(count)d sessions reinstated.", count
            )
        self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Cancel selected sessions"))
    def cancel(self, request, queryset):
        self._set_cancelled(request, queryset, True)

    @admin.action(description=_("Reinstate selected cancelled sessions"))
    def reinstate(self, request, queryset):
        self._set_cancelled(request, queryset, False)


class ChangeInline(TeachingAdminMixin, admin.TabularInline):
    model = AttendanceChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "old_status", "old_active", "new_status", "new_active", "changed_by",
              "via"]  # fmt: skip
    readonly_fields = fields
    offering_path = "attendance__session__offering"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    """Read-only: attendance is taken on the register page, which logs every change."""

    list_display = ["student", "session", "status", "active", "updated_by", "updated_at"]
    list_filter = [("session__offering", ONLY), "status", "active"]
    search_fields = ["enrolment__student__full_name", "enrolment__student__email"]
    list_select_related = ["enrolment__student", "session", "updated_by"]
    offering_path = "session__offering"
    inlines = [ChangeInline]
    readonly_fields = ["session", "enrolment", "status", "active", "updated_by", "updated_at"]

    @admin.display(description=_("student"), ordering="enrolment__student__full_name")
    def student(self, record):
        return record.enrolment.student.full_name


# Grading ------------------------------------------------------------------------------------


class GradingSetupMixin(TeachingAdminMixin):
    """Scales and the rubric decide grades: once the results are signed off they are
    read-only too, until the course responsible unlocks the results."""

    def _allowed(self, request, action, obj=None):
        if action != "view" and obj is not None and self._signed_off(request, obj):
            return False
        return super()._allowed(request, action, obj)

    def _signed_off(self, request, obj) -> bool:
        offering_id = offering_id_of(obj)
        cache = request.__dict__.setdefault("_signed_off_offerings", {})
        if offering_id not in cache:
            cache[offering_id] = ResultsEvent.objects.filter(offering_id=offering_id).signed_off()
        return cache[offering_id]


class ScaleGradeFormSet(BaseInlineFormSet):
    """A grade some student has cannot be renamed or removed: the grade would vanish."""

    def clean(self):
        super().clean()
        scale = self.instance
        if scale.pk is None:
            return
        given = set(
            FinalGrade.objects.filter(
                enrolment__offering=scale.offering_id, enrolment__level=scale.level
            ).values_list("grade", flat=True)
        )
        for form in self.forms:
            if form.instance.pk is None:
                continue
            code = form.initial.get("code")
            removed = form in self.deleted_forms
            if code in given and (removed or "code" in form.changed_data):
                raise ValidationError(
                    gettext(
                        "Students have the grade “%(code)s”: it can be relabelled but not "
                        "renamed or removed."
                    ),
                    code="grade_given",
                    params={"code": code},
                )


class ScaleGradeInline(GradingSetupMixin, admin.TabularInline):
    model = ScaleGrade
    formset = ScaleGradeFormSet
    extra = 0
    fields = ["code", "label", "passing", "equivalent"]
    offering_path = "scale__offering"


@admin.register(GradingScale)
class GradingScaleAdmin(GradingSetupMixin, RulesHistoryAdmin):
    """MSc U/3/4/5 and PhD U/G/VG by default; `equivalent` maps project grades onto them."""

    history_parts = ((ScaleGrade, "scale"),)

    list_display = ["offering", "level", "name", "grade_codes"]
    list_filter = [("offering", ONLY), "level"]
    list_select_related = ["offering__course"]
    inlines = [ScaleGradeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grades")

    @admin.display(description=_("grades"))
    def grade_codes(self, scale):
        return ", ".join(g.code for g in scale.grades.all())


class RubricCriterionInline(GradingSetupMixin, admin.TabularInline):
    model = RubricCriterion
    extra = 0
    fields = ["order", "name", "description", "levels_link"]
    readonly_fields = ["levels_link"]
    offering_path = "rubric__offering"

    @admin.display(description=_("levels"))
    def levels_link(self, criterion):
        if not criterion.pk:
            return gettext("Save first, then add levels.")
        url = reverse("admin:discussions_rubriccriterion_change", args=[criterion.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Edit levels"))


@admin.register(Rubric)
class RubricAdmin(GradingSetupMixin, RulesHistoryAdmin):
    history_parts = ((RubricCriterion, "rubric"),)
    list_display = ["__str__", "points_for_3", "points_for_4", "points_for_5"]
    list_filter = [("offering", ONLY)]
    list_select_related = ["offering__course"]
    inlines = [RubricCriterionInline]


class RubricLevelInline(GradingSetupMixin, admin.TabularInline):
    model = RubricLevel
    extra = 0
    fields = ["points", "label", "insufficient"]
    offering_path = "criterion__rubric__offering"


@admin.register(RubricCriterion)
class RubricCriterionAdmin(GradingSetupMixin, RulesHistoryAdmin):
    history_parts = ((RubricLevel, "criterion"),)
    list_display = ["name", "rubric", "order"]
    list_filter = [("rubric__offering", ONLY)]
    list_select_related = ["rubric__offering__course"]
    offering_path = "rubric__offering"
    inlines = [RubricLevelInline]


@admin.register(ProjectAssessment)
class ProjectAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["group", "offering", "assessor", "suggested", "grade", "updated_at"]
    list_filter = [("group__offering", ONLY), "grade"]
    search_fields = ["group__proposal__title", "assessor__full_name"]
    list_select_related = ["group__offering__course", "assessor"]
    offering_path = "group__offering"

    @admin.display(description=_("offering"))
    def offering(self, assessment):
        return assessment.group.offering


@admin.register(FinalGrade)
class FinalGradeAdmin(ReadOnlyAdmin):
    list_display = ["student", "offering", "grade", "proposed", "reason", "set_by", "set_at"]
    list_filter = [("enrolment__offering", ONLY), "grade"]
    list_select_related = ["enrolment__student", "enrolment__offering__course", "set_by"]
    search_fields = ["enrolment__student__full_name", "enrolment__student__email"]
    offering_path = "enrolment__offering"

    @admin.display(description=_("student"), ordering="enrolment__student__full_name")
    def student(self, grade):
        return grade.enrolment.student.full_name

    @admin.display(description=_("offering"))
    def offering(self, grade):
        return grade.enrolment.offering


@admin.register(GradeChange)
class GradeChangeAdmin(FinalGradeAdmin):
    list_display = ["student", "offering", "old_grade", "new_grade", "proposed", "reason",
                    "changed_by", "changed_at"]  # fmt: skip
    list_filter = [("enrolment__offering", ONLY)]
    list_select_related = ["enrolment__student", "enrolment__offering__course", "changed_by"]


@admin.register(ResultsEvent)
class ResultsEventAdmin(ReadOnlyAdmin):
    list_display = ["offering", "action", "by", "at", "reason"]
    list_filter = [("offering", ONLY), "action"]
    search_fields = ["reason", "by__full_name"]
    list_select_related = ["offering__course", "by"]


# Data protection (administrators only) --------------------------------------------------------


@admin.register(DataRequest)
class DataRequestAdmin(ServiceSaveMixin, SafeActionsMixin, admin.ModelAdmin):
    """A person's requests for a copy of their data or its erasure (sessions/privacy.py).

    For administrators alone: no teaching rule grants these permissions, so teaching staff
    neither list nor open them. The rows are the record of what was asked and done, so they
    are never deleted or edited; an administrator records a request made by letter with
    "Add", carries erasures out and downloads a copy with the actions.
    """

    list_display = ["person_ref", "person", "kind", "status", "requested_at", "handled_at",
                    "handled_by"]  # fmt: skip
    list_filter = ["kind", "status"]
    search_fields = ["person__email", "person__full_name", "person_ref"]
    list_select_related = ["person", "handled_by"]
    raw_id_fields = ["person"]
    actions = ["carry_out_erasure", "download_copy"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["person", "kind"]
        return ["person", "person_ref", "kind", "status", "erasure_now", "requested_at",
                "requested_by", "handled_at", "handled_by", "outcome"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # the record of a request stays

    @admin.display(description=_("what erasure would do now"))
    def erasure_now(self, data_request):
        if data_request.person is None or data_request.status != DataRequestStatus.OPEN:
            return "—"
        return str(privacy.erasure_plan(data_request.person))

    def save_model(self, request, obj, form, change):
        """Recording a request (the only save: existing rows are read-only)."""
        if change:
            return
        try:
            saved = privacy.data_request_make(person=obj.person, kind=obj.kind, by=request.user)
        except ValidationError as error:
            raise AdminRefusal(error) from None
        obj.pk, obj.person_ref, obj.requested_at = saved.pk, saved.person_ref, saved.requested_at

    @admin.action(description=_("Carry out the selected erasure requests"), permissions=["change"])
    def carry_out_erasure(self, request, queryset):
        for data_request in queryset.filter(kind=DataRequestKind.ERASURE).order_by("pk"):
            try:
                done = privacy.person_erase(data_request=data_request, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"{done.person_ref}: {done.outcome}", messages.SUCCESS)

    @admin.action(description=_("Download a copy of the person's data"), permissions=["change"])
    def download_copy(self, request, queryset):
        requests = list(queryset.select_related("person")[:2])
        if len(requests) != 1 or requests[0].person is None:
            self.message_user(
                request, gettext("Select one request whose account still exists."), messages.ERROR
            )
            return None
        person = requests[0].person
        privacy.export_record(person=person, by=request.user)
        response = FileResponse(privacy.person_export_zip(person), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="coursesite-data-{requests[0].person_ref.replace(" ", "-")}.zip"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
