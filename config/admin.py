"""The admin site, opened to teaching staff as well as administrators.

Django's admin admits only `is_staff` accounts. Here a linked course.Staff entry is enough:
it gives admin access limited to that offering (course/rules.py decides what they see).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import sso
from course.rules import taught_offering_ids


def may_use_admin(user) -> bool:
    return user.is_active and (user.is_staff or bool(taught_offering_ids(user)))


class TeachingAdminAuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        # The same answer as for a wrong password: a different one would tell whoever tries
        # a student's address and a guessed password that the guess is right.
        if not may_use_admin(user):
            raise self.get_invalid_login_error()
        # Only after the right password: the refusal tells nothing to someone guessing.
        refusal = sso.password_login_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="sso_required")


class CourseAdminSite(admin.AdminSite):
    site_header = _("coursesite administration")
    site_title = _("coursesite admin")
    index_title = _("Courses, offerings and their content")
    login_form = TeachingAdminAuthenticationForm

    def has_permission(self, request):
        return may_use_admin(request.user)

    def get_urls(self):
        # The "view on site" shortcut (admin/r/<type>/<id>/) redirects to any object's page
        # without asking whether the user may see that object: staff of one offering could
        # learn the addresses of unpublished ones. The admin links to pages directly instead.
        return [url for url in super().get_urls() if getattr(url, "name", "") != "view_on_site"]
