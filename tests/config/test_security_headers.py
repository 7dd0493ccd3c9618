"""Issue 16, item 13: every page carries a strict Content-Security-Policy and a
Permissions-Policy, also when it comes from the page cache and in the admin."""

import pytest
from django.test import Client

from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db
BASE = "/courses/deep-learning/2016"


def assert_policies(response):
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_public_pages_carry_the_policies(client, offering):
    for url in ["/", f"{BASE}/", "/accounts/login/", "/no/such/page/"]:
        assert_policies(client.get(url))


def test_a_page_from_the_cache_carries_the_policies(client, offering):
    ModuleFactory(offering=offering)
    first = client.get(f"{BASE}/modules/")
    second = client.get(f"{BASE}/modules/")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert_policies(first)
    assert_policies(second)
    assert second["Content-Security-Policy"].count("default-src") == 1


def test_the_admin_carries_the_policies(offering, ta):
    client = Client()
    assert_policies(client.get("/admin/login/"))
    client.force_login(ta)
    assert_policies(client.get("/admin/"))
    assert_policies(client.get("/admin/course/module/add/"))


def test_a_logged_in_students_page_carries_the_policies(client, accepted_student):
    client.force_login(accepted_student)
    assert_policies(client.get("/me/"))
