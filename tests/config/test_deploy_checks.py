"""`manage.py check --deploy` warns when mail links would lead nowhere useful: SITE_URL
forgotten (a development address over http), with a path, or on a host the site refuses."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from tests.config.test_settings import PRODUCTION, run_manage


def site_url_warnings():
    return {
        message.id: message.msg
        for message in run_checks(include_deployment_checks=True)
        if message.id.startswith("coursesite.")
    }


def test_forgotten_site_url_fails_the_deployment_check():
    production = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode != 0
    assert (
        "(coursesite.W001) SITE_URL is 'http://127.0.0.1:8000', not an https address: links "
        "in mails would lead there." in result.stderr
    )
    assert "HINT: Set SITE_URL to the address people open" in result.stderr


def test_site_url_check_runs_only_for_deployment():
    with override_settings(SITE_URL="http://127.0.0.1:8000"):
        assert not [m for m in run_checks() if m.id.startswith("coursesite.")]


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://course.example.org", {}),
        ("https://course.example.org/", {}),
        ("https://course.example.org:8443", {}),
        ("http://course.example.org", {"coursesite.W001"}),
        ("course.example.org", {"coursesite.W001"}),
        ("https://", {"coursesite.W001"}),
        ("https://course.example.org/dl/", {"coursesite.W002"}),
        ("https://elsewhere.example.org", {"coursesite.W003"}),
    ],
)
def test_site_url_must_be_an_https_address_this_site_answers(site_url, expected):
    with override_settings(SITE_URL=site_url, ALLOWED_HOSTS=["course.example.org"]):
        assert set(site_url_warnings()) == set(expected)
