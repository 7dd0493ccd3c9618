"""Placeholders in the texts staff write: the offering's current data, in the reader's
language, refused at save when unknown; a copy warns about dates written by hand."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from course.copying import hand_written_date_warnings, offering_copy
from course.models import Offering
from projects.models import Deliverable
from tests.factories import DeliverableFactory, ModuleFactory
from tests.factories.grading import PresentationSessionFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def dated(offering):
    DeliverableFactory(offering=offering, slug="report", title="Report",
                       due_at=dt.datetime(2016, 5, 31, 23, 59, tzinfo=TZ))  # fmt: skip
    for day in (31, 2):
        month = 5 if day == 31 else 6
        PresentationSessionFactory(
            offering=offering,
            starts_at=dt.datetime(2016, month, day, 13, 15, tzinfo=TZ),
            ends_at=dt.datetime(2016, month, day, 15, 0, tzinfo=TZ),
        )
    offering.examination_rules = (
        "Attend {threshold}. Report due {deliverable:report}; presentations {presentations}; "
        "from {start} to {end}. Code stays: `{x}`."
    )
    offering.attendance_threshold = 75
    offering.full_clean()
    offering.save()
    return offering


def test_placeholders_show_the_current_data_in_the_readers_language(dated):
    html = Offering.objects.get(pk=dated.pk).html("examination_rules")
    assert "Attend 75%." in html
    assert "Report due Tuesday 31 May 2016, 23:59" in html
    assert "presentations Tuesday 31 May 2016 and Thursday 2 June 2016" in html
    assert "from Monday 21 March 2016 to Saturday 4 June 2016" in html
    assert "<code>{x}</code>" in html
    with translation.override("sv"):
        html = Offering.objects.get(pk=dated.pk).html("examination_rules")
    assert "Rapport" not in html  # the text itself stays as written
    assert "31 maj 2016" in html and "2 juni 2016" in html


def test_a_date_changed_elsewhere_shows_at_once_without_saving_the_text(dated, client):
    Deliverable.objects.filter(slug="report").update(
        due_at=dt.datetime(2016, 6, 1, 12, 0, tzinfo=TZ)
    )
    # the cache follows deliverables saved through save(); update() bypasses it: clear it
    from django.core.cache import cache

    cache.clear()
    html = Offering.objects.get(pk=dated.pk).html("examination_rules")
    assert "Report due Wednesday 1 June 2016, 12:00" in html
    page = client.get(f"/courses/{dated.course.slug}/{dated.slug}/examination/")
    assert page.status_code == 200
    assert "Report due Wednesday 1 June 2016, 12:00" in page.content.decode()


def test_unknown_placeholders_and_deliverables_are_refused_at_save(dated):
    dated.examination_rules = "Due {deliverable:essay} and {deadline}, {threshold:5}."
    with pytest.raises(ValidationError) as refused:
        dated.full_clean()
    messages = " ".join(refused.value.message_dict["examination_rules"])
    assert "{deadline} is not a placeholder this site knows" in messages
    assert "{deliverable:essay}: say which one, one of {deliverable:report}" in messages
    assert "{threshold:5} takes nothing after the colon" in messages
    module = ModuleFactory(offering=dated, description="Before {deliverable:report}.")
    module.full_clean()
    module.description = "Before {nothing}."
    with pytest.raises(ValidationError):
        module.full_clean()
    # An escaped brace is text.
    dated.examination_rules = r"A set \{x}."
    dated.full_clean()
    dated.save()
    assert "A set {x}." in Offering.objects.get(pk=dated.pk).html("examination_rules")


def test_the_admin_refuses_an_unknown_placeholder_and_saves_nothing(admin_client, dated):
    url = f"/admin/course/offering/{dated.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    before = Offering.objects.get(pk=dated.pk).examination_rules
    data["examination_rules"] = "Due {when}."
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "{when} is not a placeholder this site knows" in response.content.decode()
    assert Offering.objects.get(pk=dated.pk).examination_rules == before


def test_hand_written_dates_outside_the_new_offering_are_warned_about(dated):
    ModuleFactory(offering=dated, title="RNN", description="Quiz closes Tuesday, May 31st.")
    dated.practical_information = "Registration closes 2016-03-01; the exam is on 3 juni."
    dated.save()
    plan = offering_copy(source=dated, slug="2017", start=dt.date(2017, 3, 20))
    warnings = " ".join(plan.warnings)
    assert "“2016-03-01” is a date written by hand" in warnings
    assert "falls outside the offering" in warnings
    assert (
        "“Tuesday, May 31st” is a date written by hand, and in the offering's year that day "
        "is Wednesday 31 May 2017"
    ) in warnings
    assert "3 juni" not in warnings  # 3 June 2017 is within the 2017 offering
    # The placeholders need no warning: they follow the new dates.
    assert "{deliverable" not in warnings.replace("{deliverable:…}", "")
    html = plan.offering.html("examination_rules")
    assert "Report due Tuesday 30 May 2017, 23:59" in html
    assert "presentations Tuesday 30 May 2017 and Thursday 1 June 2017" in html


def test_the_demo_copies_into_a_next_year_whose_examination_page_has_its_dates(db, client):
    call_command("load_demo", stdout=StringIO())
    source = Offering.objects.get(slug="2016")
    assert hand_written_date_warnings(source) == []
    out = StringIO()
    call_command("copy_offering", "deep-learning", "2016", "2017", "--start", "2017-03-20",
                 stdout=out)  # fmt: skip
    assert "written by hand" not in out.getvalue()
    new = Offering.objects.get(slug="2017")
    html = str(new.html("examination_rules"))
    assert "Tuesday, May 31st" not in html and "April 14th" not in html
    report = new.deliverables.get(slug="project-report").due_at.astimezone(TZ)
    assert report.date() == dt.date(2017, 5, 30)
    assert "due Tuesday 30 May 2017, 23:59" in html
    assert "Tuesday 30 May 2017 and Thursday 1 June 2017, 13:15-15:00" in html


def test_mails_carry_the_placeholders_filled_in(dated, accepted_student, ta):
    from accounts.mailing import announcement_mail_students
    from accounts.models import OutgoingMail
    from tests.factories import AnnouncementFactory

    announcement = AnnouncementFactory(offering=dated, body="Presentations on {presentations}.")
    announcement_mail_students(announcement=announcement, by=ta)
    mail = OutgoingMail.objects.get(recipient=accepted_student)
    assert "Presentations on Tuesday 31 May 2016 and Thursday 2 June 2016." in mail.body


def test_the_admin_copy_warns_about_dates_written_by_hand(client, dated, ta):
    dated.practical_information = "The exam is on 2016-06-10."
    dated.save()
    client.force_login(ta)
    response = client.post(
        "/admin/course/offering/",
        {"action": "copy_offering", "_selected_action": [dated.pk], "apply": "1",
         "slug": "2017", "start": "2017-03-20"},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "created, starting" in page
    assert "“2016-06-10” is a date written by hand" in page
    assert "falls outside the offering" in page
