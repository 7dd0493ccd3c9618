"""System checks of the site's own settings. The deploy ones run with
`manage.py check --deploy` (CI runs it with production settings and fails on a warning)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning
from django.http.request import validate_host


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """Mails are written outside any request (the outbox worker sends them), so their links
    (password reset, address confirmation, calendar feeds) start with SITE_URL: when it is
    forgotten they point at a development address, over plain http."""
    url = settings.SITE_URL
    parts = urlsplit(url)
    hint = "Set SITE_URL to the address people open, e.g. https://course.example.org"
    if parts.scheme != "https" or not parts.hostname:
        return [
            CheckWarning(
                f"SITE_URL is {url!r}, not an https address: links in mails would lead there.",
                hint=hint,
                id="coursesite.W001",
            )
        ]
    warnings = []
    if parts.path.strip("/") or parts.query or parts.fragment:
        warnings.append(
            CheckWarning(
                f"SITE_URL {url!r} has a path: the site is served at the root of its host, "
                "and password reset links keep only the host.",
                hint=hint,
                id="coursesite.W002",
            )
        )
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        warnings.append(
            CheckWarning(
                f"The host of SITE_URL ({parts.hostname}) is not in ALLOWED_HOSTS: links in "
                "mails would be refused with 400 Bad Request.",
                hint="Add it to ALLOWED_HOSTS.",
                id="coursesite.W003",
            )
        )
    return warnings
