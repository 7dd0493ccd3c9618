"""The base of every app's admin classes: limited to the offerings the user teaches.

Teaching staff get the admin for their own offerings only (course/rules.py decides); an
archived offering is read-only for everyone; admin actions refuse selections that are no
ids. Every app's admin.py builds on these.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .archive import is_archived
from .models import Offering
from .rules import offering_id_of, taught_offering_ids
from .validators import parse_id


class SafeActionsMixin:
    def response_action(self, request, queryset):
        """An action on selected rows: a selection that is no list of ids is refused with a
        message, not passed to the database."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if any(parse_id(value) is None for value in selected):
            self.message_user(request, _("The selection was not understood."), messages.ERROR)
            return None
        return super().response_action(request, queryset)


class TeachingAdminMixin(SafeActionsMixin):
    """Asks course/rules.py, with the object, instead of Django's model-wide permissions.

    `offering_path` is the lookup from the model to its offering, used to keep other
    offerings' rows out of lists and choice fields.
    """

    offering_path = "offering"

    def _allowed(self, request, action, obj=None):
        opts = self.opts
        if action != "view" and obj is not None and self._archived(request, obj):
            return False  # archived offerings are read-only for everyone
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}", obj)

    def _archived(self, request, obj) -> bool:
        """Whether obj's offering is archived, asked once per offering and request."""
        offering_id = offering_id_of(obj)
        if offering_id is None:
            offering_id = self._offering_id_by_path(obj)
        if offering_id is None:
            return False
        cache = request.__dict__.setdefault("_archived_offerings", {})
        if offering_id not in cache:
            cache[offering_id] = is_archived(
                Offering.objects.filter(pk=offering_id).only("status").first()
            )
        return cache[offering_id]

    def _offering_id_by_path(self, obj) -> int | None:
        """For records that reach their offering through others (a submission through its
        group): follow `offering_path`. None when obj is not of this admin's model (an
        inline asks about its parent)."""
        if not isinstance(obj, self.model) or not self.offering_path:
            return None
        *steps, last = self.offering_path.split("__")
        for step in steps:
            obj = getattr(obj, step, None)
        return getattr(obj, f"{last}_id", None)

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(taught_offering_ids(request.user))

    def get_changelist_form(self, request, **kwargs):
        """The boxes of a list's editable column, each named after its column and its row:
        a box in a table cell has no label of its own (WCAG 2.1 AA, issue 18)."""
        return labelled_row_form(super().get_changelist_form(request, **kwargs))

    def get_view_on_site_url(self, obj=None):
        # Link straight to the page: the site has no admin/r/ shortcut (config/admin.py).
        if obj is None or not hasattr(obj, "get_absolute_url"):
            return None
        return obj.get_absolute_url()

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view", obj) or self._allowed(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, "add", obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete", obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.offering_path}__in" if self.offering_path else "pk__in"
        return queryset.filter(**{lookup: taught_offering_ids(request.user)})

    def taught_choices(self, model, request):
        """The rows of `model` a choice field offers teaching staff: those of the offerings they
        teach, found through the `offering_path` of the model's own admin. A model without
        such an admin (accounts, permissions) offers nothing to teaching staff; the fields
        that name one are read-only for them."""
        manager = model._default_manager
        path = getattr(self.admin_site._registry.get(model), "offering_path", None)
        if path is None:
            return manager.none()
        lookup = f"{path}__in" if path else "pk__in"
        # By id, so that a path through a many-valued relation (a course's offerings) lists
        # each row once.
        rows = manager.filter(pk__in=manager.filter(**{lookup: taught_offering_ids(request.user)})
                              .values("pk"))  # fmt: skip
        return rows.select_related("course") if model is Offering else rows

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Every foreign key offers only rows of the offerings taught, so another course's id
        is refused as "Select a valid choice", naming nothing; an id box (raw_id_fields)
        shows the name of a row only when it is one of those."""
        if not request.user.is_superuser:
            kwargs.setdefault("queryset", self.taught_choices(db_field.related_model, request))
        if db_field.name in self.raw_id_fields and "widget" not in kwargs:
            kwargs["widget"] = TaughtRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using")
            )
        return self.labelled_with_offering(
            super().formfield_for_foreignkey(db_field, request, **kwargs), db_field.related_model
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            kwargs.setdefault("queryset", self.taught_choices(db_field.related_model, request))
        return self.labelled_with_offering(
            super().formfield_for_manytomany(db_field, request, **kwargs), db_field.related_model
        )

    def labelled_with_offering(self, formfield, model):
        """Each choice names its offering ("Recurrent Neural Networks (Deep Learning 2016)"):
        modules, groups and sessions of two years have the same names. The offering is read
        with the rows (one query)."""
        path = getattr(self.admin_site._registry.get(model), "offering_path", None)
        queryset = getattr(formfield, "queryset", None)
        if not path or queryset is None or model is Offering:
            return formfield
        steps = path.split("__")
        step_model = model
        for step in steps:
            field = step_model._meta.get_field(step)
            if field.many_to_many or field.one_to_many:
                return formfield  # a course's offerings: no one offering to name
            step_model = field.related_model
        formfield.queryset = queryset.select_related(f"{path}__course")

        def label(row):
            offering = row
            for step in steps:
                offering = getattr(offering, step)
            text = str(row)
            if str(offering) in text:
                return text
            return _("%(row)s (%(offering)s)") % {"row": text, "offering": offering}

        formfield.label_from_instance = label
        return formfield


def labelled_row_form(form_class):
    class LabelledRowForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                field.widget.attrs.setdefault(
                    "aria-label",
                    _("%(column)s of %(row)s") % {"column": field.label, "row": self.instance},
                )

    return LabelledRowForm


class RelatedOnlyListFilter(admin.RelatedOnlyFieldListFilter):
    """The related rows the list has, with labels read in one query: an offering's name is
    its course's title and its own (select_related), so a filter of 900 offerings is one
    query, not 900."""

    def field_choices(self, field, request, model_admin):
        pk_qs = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        rows = field.remote_field.model._default_manager.filter(pk__in=pk_qs).select_related()
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            rows = rows.order_by(*ordering)
        return [(row.pk, str(row)) for row in rows]


class TaughtRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """An id box whose label (the name beside it) is shown only for a row its field offers:
    Django's looks the id up among all rows, so typing ids would list other courses'
    students."""

    def label_and_url_for_value(self, value):
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        key = self.rel.get_related_field().name
        try:
            offered = queryset is not None and queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            offered = False
        return super().label_and_url_for_value(value) if offered else ("", "")


class ReadOnlyAdmin(TeachingAdminMixin, admin.ModelAdmin):
    """For records written by a page that logs every change (the register, the grading
    pages, the outbox's sending): the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdminRefusal(Exception):
    """A service refused an admin save after the form was valid (someone changed the record
    in between): raised from save_model() or save_formset(), it rolls the admin's
    transaction back, and ServiceSaveMixin tells the user why."""

    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


class ServiceSaveMixin:
    """For admins whose saves go through services (save_model calls one): a refusal that
    comes only at save time is shown as a message on the reloaded page, nothing saved."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AdminRefusal as refusal:
            self.message_user(request, " ".join(refusal.error.messages), messages.ERROR)
            return redirect(request.get_full_path())


class RulesHistoryAdmin(SimpleHistoryAdmin):
    """The object history of a model whose rows are rules of an offering (the offering
    itself, deliverables, grading scales, the rubric): who changed what, when, the old and
    the new value (django-simple-history; HistoryRequestMiddleware records the user).

    The history is shown to whoever may see the object (TeachingAdminMixin asks the rules
    with it), so the offering's own staff and administrators. It is a record, not an undo:
    reverting from it is refused, as it would skip the change form's checks (archives,
    signed-off results, the capacity). `history_parts` adds the history of the rows edited
    inline with the object, e.g. a scale's grades: (model, name of its link to the object).
    """

    object_history_template = "admin/rules_history.html"
    history_parts: tuple[tuple[type[models.Model], str], ...] = ()
    PARTS_SHOWN = 200  # the latest changes of the parts; the object's own are paginated

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied(_("The history is a record: change the object itself."))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        parts = [
            {
                "title": model._meta.verbose_name_plural,
                "records": self._part_records(request, model, link, object_id),
            }
            for model, link in self.history_parts
        ]
        return super().history_view(
            request, object_id, extra_context={**(extra_context or {}), "history_parts": parts}
        )

    def _part_records(self, request, model, link, object_id) -> list:
        """The latest history records of the parts linked to the object, newest first, each
        with `history_delta_changes` against the same part's record before it."""
        records = list(
            model.history.filter(**{f"{link}_id": object_id})  # type: ignore[attr-defined]
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: self.PARTS_SHOWN]
        )
        newer: dict = {}
        for record in records:  # newest first: each one is the "before" of the newer
            later = newer.get(record.id)
            if later is not None:
                delta = later.diff_against(record)
                helper = HistoricalRecordContextHelper(model, later)
                later.history_delta_changes = helper.context_for_delta_changes(delta)
            newer[record.id] = record
        return records
