"""Admin for teaching staff: each model is limited to the offerings the user teaches."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .admin_base import RelatedOnlyListFilter, RulesHistoryAdmin, TeachingAdminMixin
from .archive import is_archived
from .copying import created_text, offering_copy
from .forms import CopyOfferingForm, VideoLectureForm
from .links import check_offering_links
from .models import (
    Announcement,
    Course,
    Module,
    Offering,
    Quiz,
    QuizChoice,
    QuizQuestion,
    Staff,
    VideoLecture,
)
from .quizzes import validate_question
from .services import offering_add_creator_as_staff

TEXT_PLACEHOLDERS_HELP = gettext_lazy(
    "Texts may show the offering's data, always current (also in next year's copy): "
    "{start} and {end}, {threshold}, {presentations} (the presentation days) and "
    "{deliverable:slug} (a deliverable's due date, e.g. {deliverable:project-report})."
)


class StaffInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.request.user.is_superuser:
            return
        for form in self.deleted_forms:
            if form.instance.user_id:
                raise ValidationError(
                    _(
                        "%(name)s has an account with staff rights: only administrators "
                        "remove their entry."
                    )
                    % {"name": form.instance.name}
                )
        for form in self.forms:
            if form.instance.user_id and "role" in form.changed_data:
                raise ValidationError(
                    _(
                        "%(name)s has an account: only administrators change their role "
                        "(the course responsible signs off the results)."
                    )
                    % {"name": form.instance.name}
                )


class StaffInline(TeachingAdminMixin, admin.TabularInline):
    model = Staff
    formset = StaffInlineFormSet
    extra = 0
    fields = ["order", "name", "role", "description", "email", "user"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def get_readonly_fields(self, request, obj=None):
        # Linking an account grants admin rights: administrators decide that.
        return [] if request.user.is_superuser else ["user"]


class ModuleInline(TeachingAdminMixin, admin.TabularInline):
    model = Module
    extra = 0
    fields = ["order", "title", "slug", "kind"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


class LectureInline(TeachingAdminMixin, admin.TabularInline):
    model = VideoLecture
    form = VideoLectureForm
    extra = 0
    fields = ["order", "speaker", "title", "parts_notation", "url"]
    offering_path = "module__offering"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parts")


@admin.register(Course)
class CourseAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["title", "code", "credits", "level", "offering_count"]
    search_fields = ["title", "code", "description"]
    prepopulated_fields = {"slug": ["title"]}
    offering_path = "offerings"
    fieldsets = [
        (None, {"fields": ["title", "code", "slug", "summary"]}),
        (
            gettext_lazy("Content"),
            {"fields": ["description", "teaching_format", "audience", "prerequisites"]},
        ),
        (gettext_lazy("Credits and level"), {"fields": ["credits", "credit_unit", "level"]}),
    ]

    def get_queryset(self, request):
        # A subquery: counting over the join that limits staff to their courses would count
        # only the offerings they teach.
        total = (
            Offering.objects.filter(course=OuterRef("pk"))
            .order_by()
            .values("course")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(offering_total=Coalesce(Subquery(total), 0))
            .distinct()
        )

    @admin.display(description=gettext_lazy("offerings"), ordering="offering_total")
    def offering_count(self, course):
        return course.offering_total


@admin.register(Offering)
class OfferingAdmin(TeachingAdminMixin, RulesHistoryAdmin):
    list_display = [
        "__str__",
        "slug",
        "study_period",
        "start_date",
        "end_date",
        "status",
        "is_published",
    ]
    list_filter = ["status", "is_published", ("course", RelatedOnlyListFilter)]
    search_fields = ["name", "slug", "course__title", "course__code"]
    date_hierarchy = "start_date"
    list_select_related = ["course"]
    offering_path = ""
    inlines = [StaffInline, ModuleInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "course",
                    "name",
                    "slug",
                    "study_period",
                    "status",
                    "is_published",
                    "teaching_language",
                    "accent",
                ]
            },
        ),
        (
            gettext_lazy("Dates"),
            {"fields": ["start_date", "end_date", "registration_opens", "registration_closes"]},
        ),
        (
            gettext_lazy("Texts"),
            {
                "fields": ["notice", "summary", "practical_information", "examination_rules"],
                # The placeholders of course/rendering.py, filled in with the current dates.
                "description": TEXT_PLACEHOLDERS_HELP,
            },
        ),
        (gettext_lazy("Log-in"), {"fields": ["staff_sso_required"]}),
        (
            gettext_lazy("Reminders"),
            {
                "fields": [
                    "deadline_reminder_days",
                    "attendance_warnings",
                    "staff_digest_weekday",
                ]
            },
        ),
        (
            gettext_lazy("Video platform and discussion group"),
            {
                "fields": [
                    "video_platform_name",
                    "video_platform_url",
                    "enrollment_key",
                    "discussion_group_url",
                ]
            },
        ),
        (
            gettext_lazy("Registration"),
            {
                "fields": [
                    "capacity",
                    "programme_question",
                    "motivation_question",
                    "decisions_need_review",
                    "platform_instructions",
                ]
            },
        ),
        (
            gettext_lazy("Rules"),
            {
                "fields": [
                    "attendance_threshold",
                    "excused_absences",
                    "quiz_pass_percent",
                    "group_size",
                    "show_submitted_proposals",
                    "preferences_deadline",
                    "abstracts_deadline",
                ]
            },
        ),
        (
            gettext_lazy("Book of abstracts"),
            {"fields": ["publish_book", "book_preface"]},
        ),
    ]

    actions = ["copy_offering", "check_links_now"]

    @admin.action(description=gettext_lazy("Check the lecture links now (in the background)"))
    def check_links_now(self, request, queryset):
        for offering in queryset:
            check_offering_links.enqueue(offering.pk)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Link checks queued for %(count)d offering(s); the lectures pages show broken "
                "links once they are done.",
                "Link checks queued for %(count)d offering(s); the lectures pages show broken "
                "links once they are done.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_change_permission(self, request, obj=None):
        # An archived offering takes one change: its status, to un-archive it.
        return request.user.has_perm("course.change_offering", obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and is_archived(Offering.objects.filter(pk=obj.pk).first()):
            return [f.name for f in Offering._meta.fields if f.name not in ("id", "status")]
        return super().get_readonly_fields(request, obj)

    @admin.action(description=gettext_lazy("Copy to a new offering (next year's run)"))
    def copy_offering(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select one offering to copy."), messages.ERROR)
            return None
        source = queryset.get()
        form = CopyOfferingForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            try:
                plan = offering_copy(source=source, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # Dates written by hand in the copied texts (course/copying.py).
                for warning in plan.warnings:
                    self.message_user(request, warning, messages.WARNING)
                if not form.cleaned_data["dry_run"]:
                    offering_add_creator_as_staff(offering=plan.offering, user=request.user)
                    self.message_user(
                        request,
                        _(
                            "%(offering)s created, starting %(start)s; it is planned and "
                            "unpublished."
                        )
                        % {
                            "offering": plan.offering,
                            "start": formats.date_format(plan.offering.start_date),
                        },
                        messages.SUCCESS,
                    )
                    return redirect("admin:course_offering_change", plan.offering.pk)
                self.message_user(
                    request,
                    _("A copy would create: %(made)s.") % {"made": created_text(plan.created)},
                    messages.INFO,
                )
        return TemplateResponse(
            request,
            "admin/course/offering/copy.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Copy %(offering)s") % {"offering": source},
                "form": form,
                "source": source,
            },
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            offering_add_creator_as_staff(offering=obj, user=request.user)


@admin.register(Module)
class ModuleAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["title", "offering", "order", "kind", "lecture_count"]
    list_editable = ["order"]
    list_filter = ["kind", ("offering", RelatedOnlyListFilter)]
    search_fields = ["title", "description"]
    list_select_related = ["offering__course"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LectureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lecture_total=Count("lectures"))

    @admin.display(description=gettext_lazy("lectures"), ordering="lecture_total")
    def lecture_count(self, module):
        return module.lecture_total


@admin.register(VideoLecture)
class VideoLectureAdmin(TeachingAdminMixin, admin.ModelAdmin):
    form = VideoLectureForm
    list_display = ["speaker", "title", "parts_notation", "module", "order"]
    list_editable = ["order"]
    list_filter = [
        ("module__offering", RelatedOnlyListFilter),
        ("module", RelatedOnlyListFilter),
    ]
    search_fields = ["speaker", "title"]
    offering_path = "module__offering"
    fields = ["module", "order", "speaker", "title", "parts_notation", "url"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("module__offering__course")
            .prefetch_related("parts")
        )

    @admin.display(description=gettext_lazy("parts"))
    def parts_notation(self, lecture):
        return lecture.parts_notation


@admin.register(Staff)
class StaffAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["name", "role", "email", "offering", "user"]
    list_filter = ["role", ("offering", RelatedOnlyListFilter)]
    search_fields = ["name", "email", "user__email"]
    list_select_related = ["offering__course", "user"]

    def get_readonly_fields(self, request, obj=None):
        # Linking an account, moving a linked entry to another offering or changing its role
        # (the course responsible signs off results) grants rights: administrators decide.
        if request.user.is_superuser:
            return []
        return ["user", "offering", "role"] if obj is not None and obj.user_id else ["user"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.user_id and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Announcement)
class AnnouncementAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["title", "offering", "published_at", "author", "mailed_at"]
    list_filter = [
        ("offering", RelatedOnlyListFilter),
        ("published_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    list_select_related = ["offering__course", "author"]
    fields = ["offering", "title", "body", "published_at", "mailed_at"]
    readonly_fields = ["mailed_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)


class QuizChoiceInlineFormSet(BaseInlineFormSet):
    """A question's choices must give it a right answer (see course.quizzes)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        question = self.instance
        validate_question(
            question.kind,
            sum(1 for data in kept if data.get("is_correct")),
            len(kept),
            question.numeric_answer,
        )


class QuizChoiceInline(TeachingAdminMixin, admin.TabularInline):
    model = QuizChoice
    formset = QuizChoiceInlineFormSet
    extra = 3
    fields = ["order", "text", "is_correct"]
    offering_path = "question__quiz__module__offering"


@admin.register(QuizQuestion)
class QuizQuestionAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "quiz", "kind", "order"]
    list_filter = [("quiz__module__offering", RelatedOnlyListFilter), "kind"]
    search_fields = ["text", "quiz__title"]
    list_select_related = ["quiz"]
    offering_path = "quiz__module__offering"
    inlines = [QuizChoiceInline]
    fields = ["quiz", "order", "kind", "text", "explanation", "numeric_answer", "tolerance"]


class QuizQuestionInline(TeachingAdminMixin, admin.TabularInline):
    """The quiz's questions, listed; each is written on its own page with its choices, where
    the choices are checked (a right answer for every question)."""

    model = QuizQuestion
    extra = 0
    fields = ["order", "kind", "text"]
    readonly_fields = ["order", "kind", "text"]
    offering_path = "quiz__module__offering"
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quiz)
class QuizAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["title", "module", "offering", "opens_at", "closes_at", "attempts_allowed",
                    "statistics"]  # fmt: skip
    list_filter = [("module__offering", RelatedOnlyListFilter)]
    search_fields = ["title", "module__title"]
    list_select_related = ["module__offering__course"]
    offering_path = "module__offering"
    inlines = [QuizQuestionInline]

    @admin.display(description=gettext_lazy("offering"), ordering="module__offering")
    def offering(self, quiz):
        return quiz.module.offering

    @admin.display(description=gettext_lazy("results"))
    def statistics(self, quiz):
        offering = quiz.module.offering
        url = reverse("course:quiz_statistics", args=[offering.course.slug, offering.slug, quiz.pk])
        return format_html('<a href="{}">{}</a>', url, _("Question statistics"))
