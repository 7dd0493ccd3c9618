"""English and Swedish: the browser's preference, the language switch (remembered, on the
account too), pages cached per language, mails in the recipient's language, dates in the
language's own style, the admin following it, and no English sentence left on the Swedish
pages a student, a teaching assistant and an administrator open."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.utils import formats, timezone, translation

from accounts.enums import EnrolmentStatus as S
from accounts.mailing import password_reset_mail, send_due_mail
from accounts.models import MailTemplate, OutgoingMail, User
from accounts.services import enrolment_decide
from sessions.models import DiscussionSession
from tests.factories import EnrolmentFactory, UserFactory
from tests.tasks import run_queued
from tests.test_url_matrix import BASE, MATRIX, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
SWEDISH = {"HTTP_ACCEPT_LANGUAGE": "sv-SE,sv;q=0.9,en;q=0.5"}


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


# Choosing the language ------------------------------------------------------------------------


def test_a_browser_asking_for_swedish_gets_swedish(client, offering):
    response = client.get(f"{BASE}/", **SWEDISH)
    assert html_lang(response) == "sv"
    assert response["Content-Language"] == "sv"
    assert "Accept-Language" in response["Vary"]
    assert "Hoppa till innehållet" in response.content.decode()
    english = client.get(f"{BASE}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8")
    assert html_lang(english) == "en-gb"
    assert "Skip to content" in english.content.decode()


def test_public_pages_are_cached_per_language(client, offering):
    english = client.get(f"{BASE}/modules/")
    swedish = client.get(f"{BASE}/modules/", **SWEDISH)
    assert (english["X-Page-Cache"], swedish["X-Page-Cache"]) == ("miss", "miss")
    again_swedish = client.get(f"{BASE}/modules/", **SWEDISH)
    again_english = client.get(f"{BASE}/modules/")
    assert (again_swedish["X-Page-Cache"], again_english["X-Page-Cache"]) == ("hit", "hit")
    assert html_lang(again_swedish) == "sv" and html_lang(again_english) == "en-gb"


def test_the_switch_keeps_the_visitor_on_the_page_and_remembers_the_choice(client, offering):
    page = f"{BASE}/schedule/?week=2"
    response = client.post("/language/", {"language": "sv", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert response.cookies["language"].value == "sv"
    # The cookie wins over the browser's preference from now on.
    assert html_lang(client.get(page, HTTP_ACCEPT_LANGUAGE="en")) == "sv"
    client.post("/language/", {"language": "en-gb", "next": page})
    assert html_lang(client.get(page, **SWEDISH)) == "en-gb"


def test_the_switch_is_in_the_header_and_the_footer_of_every_page(client, offering):
    body = client.get(f"{BASE}/lectures/").content.decode()
    assert body.count('action="/language/"') == 2
    assert 'name="next" value="/courses/deep-learning/2016/lectures/"' in body
    swedish = client.get(f"{BASE}/lectures/", **SWEDISH).content.decode()
    assert 'value="en-gb" lang="en"' in swedish  # "English", offered in English


@pytest.mark.parametrize(
    "data",
    [{"language": "de", "next": "/"}, {"language": "", "next": "/"},
     {"language": "sv", "next": "https://evil.example.org/"}],
)  # fmt: skip
def test_a_bad_choice_changes_nothing_and_a_foreign_next_is_not_followed(client, data):
    response = client.post("/language/", data)
    assert response.status_code == 302
    assert response["Location"] == "/"
    if data["language"] != "sv":
        assert "language" not in response.cookies


def test_a_logged_in_persons_choice_is_stored_on_the_account_and_wins(student):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(student)
    # Without the page's CSRF token a logged-in person's account is not changed.
    assert browser.post("/language/", {"language": "sv"}).status_code == 403
    student.refresh_from_db()
    assert student.language == ""  # not chosen yet: the browser's preference
    browser.get("/me/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    browser.post("/language/", {"language": "sv", "csrfmiddlewaretoken": token, "next": "/me/"})
    student.refresh_from_db()
    assert student.language == "sv"
    # In another browser that prefers English, the account's language wins at once.
    other = Client()
    other.force_login(student)
    response = other.get("/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(response) == "sv"
    assert response.cookies["language"].value == "sv"  # and stays after logging out


def test_the_admin_follows_the_language(client, superuser):
    client.force_login(superuser)
    superuser.language = "sv"
    superuser.save()
    body = client.get("/admin/").content.decode()
    assert "Kurser, kurstillfällen och deras innehåll" in body
    assert "Byt lösenord" in body  # Django's own Swedish


# Mails ---------------------------------------------------------------------------------------


def test_signing_up_in_swedish_gives_a_swedish_account_and_mail(client, password):
    client.post(
        "/accounts/signup/",
        {"full_name": "Sven Svensson", "email": "sven@example.org", "password1": password,
         "password2": password},
        **SWEDISH,
    )  # fmt: skip
    sven = User.objects.get(email="sven@example.org")
    assert sven.language == "sv"
    verification = OutgoingMail.objects.get(recipient=sven)
    assert verification.subject == "Bekräfta din e-postadress för coursesite"
    assert "Hej Sven Svensson" in verification.body


@pytest.fixture
def applicants(open_offering):
    swedish = EnrolmentFactory(offering=open_offering, student__language="sv")
    english = EnrolmentFactory(offering=open_offering, student__language="en-gb")
    return open_offering, swedish, english


def decision_mail(enrolment) -> OutgoingMail:
    return OutgoingMail.objects.filter(enrolment=enrolment).latest("pk")


def test_decision_mails_use_the_default_text_in_each_students_language(applicants, ta):
    offering, swedish, english = applicants
    offering.decisions_need_review = False
    offering.save()
    with translation.override("en-gb"):  # the teacher works in English
        for enrolment in (swedish, english):
            enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    assert decision_mail(swedish).subject.endswith(": du är antagen")
    assert "Din registreringsnyckel där: KEY-SECRET-77" in decision_mail(swedish).body
    assert decision_mail(english).subject.endswith(": you are enrolled")
    send_due_mail()
    assert {m.subject.rsplit(": ", 1)[1] for m in mail.outbox} == {
        "du är antagen",
        "you are enrolled",
    }


def test_an_offerings_own_wording_is_used_in_its_language_then_the_other(applicants, ta):
    offering, swedish, english = applicants
    offering.decisions_need_review = False
    offering.save()
    MailTemplate.objects.create(
        offering=offering, status=S.ACCEPTED, language="sv", subject="Välkommen ${student_name}",
        body="Hej!",
    )  # fmt: skip
    enrolment_decide(enrolment=swedish, status=S.ACCEPTED, by=ta)
    enrolment_decide(enrolment=english, status=S.ACCEPTED, by=ta)
    # Only a Swedish wording: the English reader gets it rather than the default text.
    assert decision_mail(swedish).subject == f"Välkommen {swedish.student.full_name}"
    assert decision_mail(english).subject == f"Välkommen {english.student.full_name}"
    MailTemplate.objects.create(
        offering=offering, status=S.WITHDRAWN, language="en-gb", subject="Gone", body="Bye"
    )
    MailTemplate.objects.create(
        offering=offering, status=S.WITHDRAWN, language="sv", subject="Borta", body="Hej då"
    )
    enrolment_decide(enrolment=swedish, status=S.WITHDRAWN, by=ta)
    enrolment_decide(enrolment=english, status=S.WITHDRAWN, by=ta)
    assert (decision_mail(swedish).subject, decision_mail(english).subject) == ("Borta", "Gone")


def test_the_password_reset_mail_is_in_the_account_holders_language(client):
    UserFactory(email="sv@example.org", language="sv")
    client.post("/accounts/password/reset/", {"email": "sv@example.org"})  # in English
    run_queued(password_reset_mail)  # the worker's part
    reset = OutgoingMail.objects.get(to_email="sv@example.org")
    assert "lösenord" in (reset.subject + reset.body).lower()


# Dates and numbers ---------------------------------------------------------------------------


def test_dates_and_times_follow_the_language(client, offering):
    starts = timezone.make_aware(dt.datetime(2016, 3, 22, 13, 15))
    DiscussionSession.objects.create(
        offering=offering, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), room="ML13"
    )
    swedish = client.get(f"{BASE}/schedule/", **SWEDISH).content.decode()
    english = client.get(f"{BASE}/schedule/").content.decode()
    assert "tisdag 22 mars" in swedish and "13.15" in swedish
    assert "Tuesday 22 March" in english and "13:15" in english


# Content keeps its own language --------------------------------------------------------------


def test_course_content_is_marked_with_the_teaching_language(client, offering):
    offering.summary = "Vi läser om djupa nätverk."
    offering.teaching_language = "sv"
    offering.save()
    body = client.get(f"{BASE}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html_lang(client.get(f"{BASE}/")) == "en-gb"
    assert re.search(r'<section lang="sv" class="rich-text[^"]*">\s*<p>Vi läser', body)


# No English left on the Swedish pages --------------------------------------------------------

# Words of English sentences that Swedish text does not use: a text in a Swedish page that
# holds one of them is English left untranslated (content, marked with its own lang
# attribute, is skipped).
ENGLISH_WORDS = {
    "the", "and", "your", "you", "of", "is", "are", "to", "with", "for", "this", "not", "has",
    "have", "will", "from", "been", "there", "which", "when", "what", "who", "was", "were",
    "can", "should", "must", "yet", "no", "any", "each", "here", "by", "on", "at", "or", "it",
}  # fmt: skip
# Test data that is content, shown outside a lang-marked block (admin lists, form values).
CONTENT = {"I want to learn.", "A course made for a test.", "Something to know.",
           "Quiz on convolutions"}  # fmt: skip
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class EnglishFinder(HTMLParser):
    """Collects the texts (and the attributes people read) in English, outside any element
    whose lang attribute says it is not Swedish."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}  # fmt: skip

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.found: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        skipped = tag in ("script", "style", "code", "pre", "textarea", "option") or (
            lang is not None and not lang.startswith("sv") and tag != "html"
        )
        if not self.skipping and not skipped:
            for name in READ_ATTRIBUTES:
                self.check(attrs.get(name))
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self.check(attrs.get("value"))
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self.skipping:
            self.check(data)

    def check(self, text):
        text = " ".join((text or "").split())
        for content in CONTENT:
            text = text.replace(content, "")
        if not text:
            return
        words = set(re.findall(r"[A-Za-z]+", text.lower()))
        if words & ENGLISH_WORDS:
            self.found.append(text)


def english_on(body: str) -> list[str]:
    finder = EnglishFinder()
    finder.feed(body)
    return finder.found


PUBLIC = [
    "/", "/courses/deep-learning/", f"{BASE}/", f"{BASE}/modules/", f"{BASE}/lectures/",
    f"{BASE}/schedule/", f"{BASE}/projects/", f"{BASE}/presentations/", f"{BASE}/examination/",
    f"{BASE}/announcements/", f"{BASE}/register/", "/accounts/login/", "/accounts/signup/",
    "/accounts/password/reset/",
]  # fmt: skip
ADMIN = ["/admin/", "/admin/accounts/enrolment/", "/admin/course/offering/",
         "/admin/discussions/discussionsession/", "/admin/projects/projectgroup/"]  # fmt: skip


def pages_for(role: str, ids: dict) -> list[str]:
    pages = [
        path.format(**ids)
        for path, allowed, text in MATRIX.values()
        if role in allowed and isinstance(text, str)
    ]
    if role == "superuser":
        pages += ADMIN
    return pages


@pytest.mark.parametrize("role", ["anonymous", "accepted", "ta", "superuser"])
def test_no_english_sentence_on_the_swedish_pages(client, world, role):  # noqa: F811
    users, ids = world
    if role == "anonymous":
        pages = PUBLIC
    else:
        users[role].language = "sv"
        users[role].save()
        client.force_login(users[role])
        pages = ["/me/", "/accounts/data/", *pages_for(role, ids)]
    left = {}
    for path in pages:
        response = client.get(path, **SWEDISH)
        assert response.status_code == 200, path
        assert html_lang(response) == "sv", path
        english = english_on(response.content.decode())
        if english:
            left[path] = english
    assert left == {}


def test_the_personal_calendar_is_in_its_owners_language(client, offering):
    student = EnrolmentFactory(offering=offering, status=S.ACCEPTED).student
    DiscussionSession.objects.create(
        offering=offering, starts_at=timezone.now() + dt.timedelta(days=2),
        ends_at=timezone.now() + dt.timedelta(days=2, hours=2), room="ML13",
    )  # fmt: skip
    owner = Client()
    owner.force_login(student)
    owner.post("/calendar/reset/")
    student.refresh_from_db()
    feed = f"/calendar/{student.calendar_token}.ics"
    assert "discussion session" in client.get(feed).content.decode()
    assert "discussion session" in client.get(feed).content.decode()  # kept
    token = owner.get("/me/") and owner.cookies["csrftoken"].value
    owner.post("/language/", {"language": "sv", "csrfmiddlewaretoken": token})
    # A calendar app asks without saying a language: the owner's choice shows at once.
    assert "diskussionspass" in client.get(feed).content.decode()


def test_our_catalogue_leaves_the_names_of_months_and_days_to_django():
    """Our catalogue wins over Django's for the same English word: a label "May" translated
    as "Får" once made every Swedish date in May read "31 Får 2016"."""
    months = [dt.date(2016, month, 1) for month in range(1, 13)]
    days = [dt.date(2016, 3, day) for day in range(21, 28)]  # Monday 21 March to Sunday
    with translation.override("sv"):
        assert [formats.date_format(d, "F") for d in months] == [
            "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
            "september", "oktober", "november", "december",
        ]  # fmt: skip
        assert [formats.date_format(d, "N j") for d in months[4:5]] == ["maj 1"]
        assert [formats.date_format(d, "l") for d in days] == [
            "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
        ]  # fmt: skip
