"""The base of every page about one offering, whichever app renders it.

`OfferingPageMixin` resolves the offering named in the URL (404 when the visitor may not
see it) and puts it and the navigation in the context; `OfferingStaffMixin` adds the staff
check. The public pages can also show a logged-in student their own ticks and progress:
course itself knows nothing of enrolments (they belong to accounts, above course), so the
app that does registers a function in `PERSONAL_CONTEXT` from its `AppConfig.ready()`.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rules.contrib.views import PermissionRequiredMixin

from . import selectors
from .models import Offering

#: function(view) -> extra context for a logged-in visitor of a page whose view sets
#: `personal_page` (the view gives the request, the offering and what the page shows).
#: Registered by sessions (sessions/student.py).
PERSONAL_CONTEXT: list[Callable[[Any], dict]] = []


class OfferingPageMixin:
    """Resolves the offering named in the URL and puts it, and the navigation, in the context."""

    section = ""
    #: Set on pages that show a logged-in student their own state (see PERSONAL_CONTEXT).
    personal_page = ""

    def get_offering(self) -> Offering:
        if not hasattr(self, "_offering"):
            self._offering = selectors.offering_for_page(
                user=self.request.user,
                course_slug=self.kwargs["course_slug"],
                offering_slug=self.kwargs["offering_slug"],
            )
        return self._offering

    def get_personal_context(self) -> dict:
        context: dict = {}
        if self.personal_page and self.request.user.is_authenticated:
            for provider in PERSONAL_CONTEXT:
                context.update(provider(self))
        return context

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        user = self.request.user
        context = super().get_context_data(  # type: ignore[misc]
            offering=offering,
            course=offering.course,
            section=self.section,
            is_offering_staff=user.has_perm("course.see_offering_internals", offering),
            **kwargs,
        )
        context.update(self.get_personal_context())  # over the page's defaults
        return context


class OfferingStaffMixin(PermissionRequiredMixin, OfferingPageMixin):
    """Staff pages of one offering. Each view names the rule it needs in
    `permission_required` (asked with the offering; the rules are in the apps' rules.py).

    Anonymous visitors are sent to log in; the offering's staff who lack that rule get 403;
    everyone else gets 404, so that not even the page's existence leaks.
    """

    permission_required: str | tuple[str, ...] = "course.see_offering_internals"

    def get_permission_object(self):
        return self.get_offering()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self):
        if self.request.user.has_perm("course.see_offering_internals", self.get_offering()):
            raise PermissionDenied(
                self.get_permission_denied_message()
                or _("Your role in this offering does not allow this.")
            )
        raise Http404("No such page.")
