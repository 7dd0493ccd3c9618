"""The university log-in's button and a person's linked log-in, for any template.

{% load university_login %}
{% sso_button next as sso %}          None while SSO is not set up, else {"name", "url"}
{% sso_identity user as identity %}   the person's ExternalIdentity, or None
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from accounts import selectors, sso

register = template.Library()


@register.simple_tag
def sso_button(next_url: str = ""):
    if not sso.enabled():
        return None
    url = reverse("accounts:sso_login")
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return {"name": sso.university_name(), "url": url}


@register.simple_tag
def sso_identity(user):
    return selectors.external_identity_of(user)
