"""Staff give an offering an accent colour from a fixed palette; its pages wear it."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from course.copying import offering_copy
from course.enums import Accent
from tests.conftest import offering_url

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[2] / "static/css/site.css"


def change_form(offering, **changes):
    data = {
        "course": offering.course_id, "name": offering.name, "slug": offering.slug,
        "status": offering.status, "is_published": "on",
        "start_date": offering.start_date.isoformat(), "end_date": offering.end_date.isoformat(),
        "attendance_threshold": 80, "group_size": 2, "excused_absences": "removed",
        "quiz_pass_percent": 50,
        "programme_question": "required", "motivation_question": "optional",
        "teaching_language": "en-gb",
        "staff-TOTAL_FORMS": 0, "staff-INITIAL_FORMS": 0,
        "modules-TOTAL_FORMS": 0, "modules-INITIAL_FORMS": 0,
    }  # fmt: skip
    data.update(changes)
    return data


def body_tag(html: str) -> str:
    return html[html.index("<body") : html.index(">", html.index("<body"))]


def test_ta_sets_the_accent_and_the_offering_pages_wear_it(client, offering, ta):
    client.force_login(ta)
    url = reverse("admin:course_offering_change", args=[offering.pk])
    response = client.post(url, change_form(offering, accent="teal"))
    assert response.status_code == 302, response.content.decode()[:2000]
    offering.refresh_from_db()
    assert offering.accent == Accent.TEAL
    for suffix in ("", "modules/", "lectures/", "announcements/"):
        page = client.get(offering_url(offering, suffix)).content.decode()
        assert "accent-teal" in body_tag(page)
    assert "accent-" not in body_tag(client.get("/").content.decode())  # the site's own colour


def test_a_colour_outside_the_palette_is_refused_and_nothing_changes(client, offering, ta):
    offering.accent = Accent.GREEN
    offering.save()
    name = offering.name
    client.force_login(ta)
    url = reverse("admin:course_offering_change", args=[offering.pk])
    for bad in ("#ff00ff", "yellow", "teal; background: red"):
        response = client.post(url, change_form(offering, accent=bad, name="Renamed"))
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
        offering.refresh_from_db()
        assert (offering.accent, offering.name) == (Accent.GREEN, name)


def test_without_an_accent_the_pages_use_the_site_colour(client, offering):
    assert offering.accent == ""
    assert "accent-" not in body_tag(client.get(offering_url(offering)).content.decode())


def test_every_accent_has_its_light_and_dark_colour_in_the_stylesheet():
    css = Path(CSS).read_text(encoding="utf-8")
    for accent in Accent.values:
        rule = css[css.index(f".accent-{accent} ") :].split("}")[0]
        assert "--cs-accent: #" in rule and "--cs-accent-on-dark: #" in rule, accent


def test_next_years_offering_keeps_the_accent(offering):
    offering.accent = Accent.PURPLE
    offering.save()
    new = offering_copy(source=offering, slug="next", start=offering.start_date + dt.timedelta(364))
    assert new.offering.accent == Accent.PURPLE
