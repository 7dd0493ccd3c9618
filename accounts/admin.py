"""Admin for applications, enrolment decisions, mail templates and the outbox."""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from course import admin as course_admin
from course.admin_base import RelatedOnlyListFilter, SafeActionsMixin, TeachingAdminMixin
from course.archive import is_archived
from course.models import Announcement, Offering
from course.rendering import mail_html
from course.rules import taught_offering_ids
from course.validators import parse_id

from . import services, sso, throttling
from .enums import EnrolmentStatus, MailStatus
from .forms import AdminUserChangeForm, AdminUserCreationForm, DirectEnrolmentForm
from .mail_templates import allowed_placeholders
from .mailing import (
    announcement_mail_students,
    decision_mail_preview,
    held_decision_mails,
    mail_approve,
    mail_discard,
)
from .models import (
    Enrolment,
    EnrolmentDecision,
    ExternalIdentity,
    MailTemplate,
    OutgoingMail,
    User,
)

admin.site.unregister(Group)

#: How much of a mail's subject the outbox list shows.
SUBJECT_CHARS = 48


@admin.register(Group)
class GroupAdmin(SafeActionsMixin, DjangoGroupAdmin):
    """Django's permission groups (unused by the course, kept for administrators)."""


@admin.register(User)
class UserAdmin(SafeActionsMixin, DjangoUserAdmin):
    readonly_fields = ["university_log_in"]

    @admin.display(description=_("university log-in"))
    def university_log_in(self, user):
        """The linked university log-in (accounts/sso.py), shown, not edited here."""
        identity = ExternalIdentity.objects.filter(user=user).first() if user.pk else None
        if identity is None:
            return "—"
        return f"{identity.subject} ({identity.issuer})"

    def user_change_password(self, request, id, form_url=""):
        """A staff account that logs in with the university gets no local password from
        anyone but a superuser (accounts.sso.local_password_refusal)."""
        target = self.get_object(request, id)
        refusal = target and sso.local_password_refusal(target=target, by=request.user)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[target.pk]))
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        # A new address is unconfirmed until its owner follows the link.
        if change and "email" in form.changed_data and "email_verified_at" not in form.changed_data:
            obj.email_verified_at = None
        super().save_model(request, obj, form, change)
        if change and "full_name" in form.changed_data:
            services.user_renamed(obj)

    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ["email", "full_name", "email_verified_at", "is_staff", "is_superuser",
                    "is_active", "date_joined"]  # fmt: skip
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password", "university_log_in"]}),
        (_("Personal information"), {"fields": ["full_name", "email_verified_at", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    actions = ["unlock_login"]

    @admin.action(
        description=_("Unlock log-in: forget the selected accounts' wrong passwords"),
        permissions=["change"],
    )
    def unlock_login(self, request, queryset):
        for user in queryset:
            throttling.login_unlock(username=user.email, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d account may log in again at once.",
                "%(count)d accounts may log in again at once.",
                len(queryset),
            ) % {"count": len(queryset)},
            messages.SUCCESS,
        )  # fmt: skip


class DecisionInline(TeachingAdminMixin, admin.TabularInline):
    model = EnrolmentDecision
    extra = 0
    can_delete = False
    fields = ["decided_at", "old_status", "new_status", "decided_by", "note"]
    readonly_fields = fields
    offering_path = "enrolment__offering"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def decision_action(status: str, label):
    @admin.action(description=label, permissions=["decide_application"])
    def action(modeladmin, request, queryset):
        done, errors = 0, []
        for enrolment in queryset.select_related("offering").order_by("applied_at", "pk"):
            if not request.user.has_perm("accounts.decide_application", enrolment.offering):
                errors.append(
                    gettext("%(enrolment)s: only the offering's staff decide its applications.")
                    % {"enrolment": enrolment}
                )
                continue
            try:
                services.enrolment_decide(enrolment=enrolment, status=status, by=request.user)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                done += 1
        if done:
            verb = EnrolmentStatus(status).label.lower()
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d application now %(status)s.",
                    "%(count)d applications now %(status)s.",
                    done,
                ) % {"count": done, "status": verb},
                messages.SUCCESS,
            )  # fmt: skip
        for error in errors:
            modeladmin.message_user(request, error, messages.ERROR)

    action.__name__ = f"mark_{status}"
    return action


@admin.register(Enrolment)
class EnrolmentAdmin(TeachingAdminMixin, admin.ModelAdmin):
    def has_decide_application_permission(self, request, obj=None):
        return request.user.has_perm("accounts.decide_application", obj)

    list_display = ["student_name", "student_email", "email_confirmed", "offering", "level",
                    "programme", "status", "applied_at", "decided_by", "decided_at"]  # fmt: skip
    list_filter = [
        "status",
        "level",
        ("applied_at", admin.DateFieldListFilter),
        ("offering", RelatedOnlyListFilter),
    ]
    search_fields = ["student__full_name", "student__email", "programme"]
    list_select_related = ["student", "offering__course", "decided_by"]
    # Newest first (an index serves it): sorting every offering's applications by the
    # offering's name took a sort of the whole table at a university's size.
    ordering = ["-applied_at", "-pk"]
    actions = [
        decision_action(EnrolmentStatus.ACCEPTED, _("Accept selected applications")),
        decision_action(
            EnrolmentStatus.WAITLISTED, _("Put selected applications on the waiting list")
        ),
        decision_action(EnrolmentStatus.REJECTED, _("Reject selected applications")),
        decision_action(EnrolmentStatus.WITHDRAWN, _("Withdraw selected applications")),
    ]
    inlines = [DecisionInline]
    fields = ["student", "offering", "level", "programme", "motivation", "status", "applied_at",
              "enrolled_on", "decided_by", "decided_at"]  # fmt: skip
    readonly_fields = ["student", "offering", "level", "programme", "motivation", "status",
                       "applied_at", "decided_by", "decided_at"]  # fmt: skip

    @admin.display(description=_("student"), ordering="student__full_name")
    def student_name(self, enrolment):
        return enrolment.student.full_name

    @admin.display(description=_("email"), ordering="student__email")
    def student_email(self, enrolment):
        return enrolment.student.email

    @admin.display(description=_("confirmed"), boolean=True)
    def email_confirmed(self, enrolment):
        return enrolment.student.email_verified_at is not None

    change_form_template = "admin/accounts/enrolment/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The application's page: its held decision mail for review (approve it here), and
        each decision with the mail it would send, to decide and send in one step."""
        enrolment = (
            self.get_queryset(request)
            .select_related("student", "offering__course")
            .filter(pk=parse_id(object_id))
            .first()
        )
        if enrolment is None or not self.has_view_permission(request, enrolment):
            return super().change_view(request, object_id, form_url, extra_context)
        # An archived offering is read-only: no decision is offered (the services refuse it).
        writable = not is_archived(enrolment.offering)
        deciding = writable and self.has_decide_application_permission(request, enrolment.offering)
        reviewing = writable and request.user.has_perm("accounts.review_mail", enrolment.offering)
        acting = "_decide" in request.POST or "_approve_mail" in request.POST
        if request.method == "POST" and acting:
            return self._decide_or_approve(request, enrolment, deciding, reviewing)
        choices = [
            (status, EnrolmentStatus(status).label)
            for status in EnrolmentStatus.values
            if status in services.TRANSITIONS.get(enrolment.status, set())
        ]
        preview = None
        chosen = request.GET.get("decide", "")
        if deciding and reviewing and chosen in dict(choices):
            subject, body = decision_mail_preview(enrolment, chosen)
            preview = {
                "status": chosen,
                "label": EnrolmentStatus(chosen).label,
                "subject": subject,
                "html": mail_html(body),
                "to": enrolment.student.email,
            }
        held = held_decision_mails(enrolment).first() if reviewing else None
        extra_context = {
            **(extra_context or {}),
            "decision_choices": choices if deciding and reviewing else [],
            "preview": preview,
            "held_mail": held,
            "held_mail_html": mail_html(held.body) if held else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _decide_or_approve(self, request, enrolment, deciding, reviewing):
        here = request.path
        if not (deciding and reviewing):
            self.message_user(
                request,
                gettext("Only the offering's staff decide its applications and send their mail."),
                messages.ERROR,
            )
            return HttpResponseRedirect(here)
        if "_approve_mail" in request.POST:
            count = mail_approve(mails=held_decision_mails(enrolment), by=request.user)
            if count:
                self.message_user(
                    request, gettext("The decision mail is queued for sending."), messages.SUCCESS
                )
            else:
                self.message_user(
                    request,
                    gettext("No mail of this application waits for review: nothing was sent."),
                    messages.ERROR,
                )
            return HttpResponseRedirect(here)
        status = request.POST.get("_decide", "")
        if status not in EnrolmentStatus.values:
            self.message_user(request, gettext("Choose a decision."), messages.ERROR)
            return HttpResponseRedirect(here)
        try:
            enrolment = services.enrolment_decide_and_send(
                enrolment=enrolment, status=status, by=request.user
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(here)
        self.message_user(
            request,
            gettext("%(name)s is now %(status)s; the mail is queued for sending.")
            % {
                "name": enrolment.student.full_name,
                "status": enrolment.get_status_display().lower(),
            },
            messages.SUCCESS,
        )
        return HttpResponseRedirect(here)

    def save_model(self, request, obj, form, change):
        # Only the enrolment date is edited here; status changes go through the actions, so a
        # decision taken meanwhile by someone else is never overwritten.
        if change:
            obj.save(update_fields=[f for f in form.changed_data if f == "enrolled_on"])
        else:
            super().save_model(request, obj, form, change)

    def add_view(self, request, form_url="", extra_context=None):
        """Adding an enrolment means enrolling a student directly (late arrivals)."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        offerings = Offering.objects.select_related("course")
        if not request.user.is_superuser:
            offerings = offerings.filter(pk__in=taught_offering_ids(request.user))
        form = DirectEnrolmentForm(request.POST or None, offerings=offerings)
        if request.method == "POST" and form.is_valid():
            try:
                enrolment = services.enrolment_enrol_directly(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    gettext(
                        "%(name)s is enrolled from %(date)s; the acceptance mail is in the outbox."
                    )
                    % {
                        "name": form.cleaned_data["full_name"],
                        "date": formats.date_format(enrolment.enrolled_on, "SHORT_DATE_FORMAT"),
                    },
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_enrolment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Enrol a student directly"),
            "form": form,
        }
        return TemplateResponse(request, "admin/accounts/enrolment/direct_enrol.html", context)


@admin.register(MailTemplate)
class MailTemplateAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["offering", "status", "language", "subject"]
    list_filter = [("offering", RelatedOnlyListFilter), "status", "language"]
    search_fields = ["subject", "body"]
    list_select_related = ["offering__course"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        common = ", ".join(f"${{{p}}}" for p in allowed_placeholders("rejected"))
        extra = ", ".join(
            f"${{{p}}}"
            for p in allowed_placeholders("accepted")
            if p not in allowed_placeholders("rejected")
        )
        form.base_fields["body"].help_text = gettext(
            "Placeholders: %(common)s. In the mail to accepted students also: %(extra)s."
        ) % {"common": common, "extra": extra}
        return form


@admin.register(OutgoingMail)
class OutgoingMailAdmin(TeachingAdminMixin, admin.ModelAdmin):
    list_display = ["short_subject", "to_email", "kind", "status", "offering", "created_at",
                    "attempts", "sent_at"]  # fmt: skip
    # By date with the list filter (today, past 7 days, this month...): a date hierarchy reads
    # every row's year, month and day, a scan of the whole outbox at a university's size.
    list_filter = [
        "status",
        "kind",
        ("created_at", admin.DateFieldListFilter),
        ("offering", RelatedOnlyListFilter),
    ]
    search_fields = ["to_email", "subject", "body"]
    list_select_related = ["offering__course"]
    actions = ["approve", "discard"]
    fields = ["to_email", "subject", "body", "kind", "status", "offering", "created_at",
              "approved_by", "attempts", "next_attempt_at", "last_error", "sent_at"]  # fmt: skip

    @admin.display(description=_("subject"), ordering="subject")
    def short_subject(self, mail):
        """One line in the list (the whole subject shown on pointing at it), so the other
        columns keep their room."""
        short = Truncator(mail.subject).chars(SUBJECT_CHARS)
        if short == mail.subject:
            return mail.subject
        return format_html('<span title="{}">{}</span>', mail.subject, short)

    def get_readonly_fields(self, request, obj=None):
        editable = {"subject", "body"} if obj is not None and obj.is_editable else set()
        return [f for f in self.fields if f not in editable]

    def has_add_permission(self, request, obj=None):
        return False  # mail is written by the site, never from scratch here

    def has_delete_permission(self, request, obj=None):
        return False  # discard instead: nothing is lost

    def save_model(self, request, obj, form, change):
        # Write the edited text only while the mail is still unsent: the sender may have
        # sent it since the page was opened, and a plain save would queue it a second time.
        updated = OutgoingMail.objects.filter(
            pk=obj.pk, status__in=[MailStatus.REVIEW, MailStatus.QUEUED, MailStatus.FAILED]
        ).update(subject=" ".join(obj.subject.split()), body=obj.body)
        if not updated:
            self.message_user(
                request, gettext("This mail was sent meanwhile: your changes were not saved."),
                messages.ERROR,
            )  # fmt: skip

    def has_review_mail_permission(self, request, obj=None):
        return request.user.has_perm("accounts.review_mail", obj)

    change_form_template = "admin/accounts/outgoingmail/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mail = self.get_object(request, object_id)
        can_approve = (
            mail is not None
            and mail.status in (MailStatus.REVIEW, MailStatus.FAILED)
            and request.user.has_perm("accounts.review_mail", mail.offering)
        )
        extra_context = {**(extra_context or {}), "can_approve": can_approve}
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        """ "Approve and send" and "Discard" on the mail's own page (after its edits are saved)."""
        if "_approve" not in request.POST and "_discard" not in request.POST:
            return super().response_change(request, obj)
        if not request.user.has_perm("accounts.review_mail", obj.offering):
            self.message_user(
                request, gettext("Only the offering's staff review its mail."), messages.ERROR
            )
            return HttpResponseRedirect(request.path)
        mails = OutgoingMail.objects.filter(pk=obj.pk)
        if "_approve" in request.POST:
            done = mail_approve(mails=mails, by=request.user)
            success = gettext("The mail to %(to)s is queued for sending.")
            refused = gettext("This mail does not wait for review: nothing was sent.")
        else:
            done = mail_discard(mails=mails)
            success = gettext("The mail to %(to)s is discarded.")
            refused = gettext("This mail was sent already: it cannot be discarded.")
        if not done:
            self.message_user(request, refused, messages.ERROR)
            return HttpResponseRedirect(request.path)
        self.message_user(request, success % {"to": obj.to_email}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:accounts_outgoingmail_changelist"))

    @admin.action(description=_("Approve: send selected mails"), permissions=["review_mail"])
    def approve(self, request, queryset):
        count = mail_approve(mails=queryset, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d mail queued for sending.", "%(count)d mails queued for sending.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Discard selected mails"), permissions=["review_mail"])
    def discard(self, request, queryset):
        count = mail_discard(mails=queryset)
        self.message_user(
            request,
            ngettext("%(count)d mail discarded.", "%(count)d mails discarded.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def changelist_view(self, request, extra_context=None):
        waiting = self.get_queryset(request).filter(
            Q(status=MailStatus.REVIEW) | Q(status=MailStatus.FAILED)
        )
        # Counted on the page that is shown, never on an action's POST: its message would
        # be shown after the redirect, counting mails the action has just released.
        count = waiting.count() if request.method == "GET" else 0
        if count and "status__exact" not in request.GET:
            self.message_user(
                request,
                ngettext(
                    "%(count)d mail waits for review or has failed: filter by status to see it.",
                    "%(count)d mails wait for review or have failed: filter by status to see them.",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


# The offering and announcement admins are course's (course/admin.py); registration adds to
# them what only it knows: raising the capacity moves students up from the waiting list, and
# an announcement can be mailed to the accepted students. course sits below accounts in the
# app order, so the additions are made here, by subclassing, rather than imported there.


class OfferingAdminForm(forms.ModelForm):
    class Meta:
        model = Offering
        fields = ["capacity"]  # the admin gives the form every field of its fieldsets

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        services.validate_capacity(self.instance, capacity)
        return capacity


class OfferingAdmin(course_admin.OfferingAdmin):
    form = OfferingAdminForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            promoted = services.offering_fill_free_seats(offering=obj, by=request.user)
            if promoted:
                names = ", ".join(e.student.full_name for e in promoted)
                self.message_user(
                    request,
                    gettext(
                        "Moved up from the waiting list: %(names)s. Their mails are in the outbox."
                    )
                    % {"names": names},
                    messages.SUCCESS,
                )


class AnnouncementAdmin(course_admin.AnnouncementAdmin):
    actions = ["mail_to_students"]

    @admin.action(description=_("Email selected announcements to the accepted students"))
    def mail_to_students(self, request, queryset):
        for announcement in queryset:
            try:
                count = announcement_mail_students(announcement=announcement, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "“%(title)s” queued to %(count)d student.",
                        "“%(title)s” queued to %(count)d students.",
                        count,
                    )
                    % {"title": announcement.title, "count": count},
                    messages.SUCCESS,
                )


for model, model_admin in ((Offering, OfferingAdmin), (Announcement, AnnouncementAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


# Log-in throttling (accounts/throttling.py): django-axes' records, read-only; staff unlock
# through the service, here or with the users' "Unlock log-in" action.


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SafeActionsMixin, AxesAccessAttemptAdmin):
    """Wrong passwords that still count, per account, address and browser."""

    list_display = ["attempt_time", "username", "ip_address", "user_agent", "path_info",
                    "failures_since_start"]  # fmt: skip
    list_filter = ["attempt_time", "path_info"]
    actions = ["unlock"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_unlock_permission(self, request):
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(
        description=_("Unlock: forget the selected wrong passwords (accounts and addresses)"),
        permissions=["unlock"],
    )
    def unlock(self, request, queryset):
        count = throttling.login_attempts_clear(attempts=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d record cleared.", "%(count)d records cleared.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class LoginRecordAdmin(SafeActionsMixin):
    """axes' logs are records: shown, never edited; the retention purge removes them."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(LoginRecordAdmin, AxesAccessFailureLogAdmin):
    pass


@admin.register(AccessLog)
class AccessLogAdmin(LoginRecordAdmin, AxesAccessLogAdmin):
    pass
