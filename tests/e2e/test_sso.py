"""Log in with the university in Chromium, against the test provider on loopback
(django-oauth-toolkit, tests/oidc_provider/): the button, the provider's log-in and consent,
back logged in with the right name; a denial; a provider that is down; linking an account
that has the address already; the provider's log-out offered."""

import re

import pytest
from playwright.sync_api import expect

from accounts.enums import MailKind
from accounts.models import ExternalIdentity, OutgoingMail
from tests.e2e.helpers import field
from tests.e2e.test_accessibility import AXE, PHONE, violations
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD
from tests.oidc_provider.fixture import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = "Log in with Test University"


def log_in_at_provider(page, provider, username, *, allow=True, again=False):
    """Log in at the provider (unless `again`: this browser is logged in there) and answer."""
    if not again:
        page.wait_for_url(f"{provider.url}/login/**")
        page.get_by_label("University user name").fill(username)
        page.get_by_label("University password").fill(provider.password)
        page.get_by_role("button", name="Sign in at the university").click()
    expect(page.get_by_role("heading", name="Let coursesite know who you are?")).to_be_visible()
    page.get_by_role("button", name="Allow" if allow else "Deny").click()


def test_log_in_with_the_university_and_out_again(
    page, live_server, sso_settings, oidc_provider, screenshot_dir
):
    page.goto(f"{live_server.url}/accounts/login/")
    button = page.get_by_role("link", name=BUTTON)
    expect(button).to_be_visible()
    page.screenshot(path=screenshot_dir / "sso-login-button.png", full_page=True)
    button.click()
    log_in_at_provider(page, oidc_provider, "ada")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".user-name")).to_have_text("Ada Lovelace")

    page.locator(".user-name").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You are logged out of coursesite")).to_be_visible()
    page.get_by_role("link", name="Log out at the university too").click()
    page.wait_for_url(f"{live_server.url}/")  # the provider logged out and sent us back
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_a_log_in_denied_at_the_university_says_so(page, live_server, sso_settings, oidc_provider):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name=BUTTON).click()
    log_in_at_provider(page, oidc_provider, "ada", allow=False)
    expect(page.get_by_role("heading", name="Log-in cancelled")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("you are not logged in here")
    expect(page.locator(".user-name")).to_have_count(0)


def test_a_provider_that_is_down_gives_a_clear_message(page, live_server, sso_settings):
    sso_settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/o"  # nothing listens there
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name=BUTTON).click()
    expect(
        page.get_by_role("heading", name="Logging in with the university did not work")
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("does not answer at the moment")


def test_an_existing_account_is_linked_after_its_password(
    page, live_server, sso_settings, oidc_provider, screenshot_dir
):
    linus = UserFactory(email="linus.local@example.org", full_name="Linus Local")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name=BUTTON).click()
    log_in_at_provider(page, oidc_provider, "linus")
    page.wait_for_url("**/accounts/sso/link/")
    expect(page.get_by_role("heading", name="An account with this email exists")).to_be_visible()
    expect(page.locator(".user-name")).to_have_count(0)  # not logged in until proven
    page.screenshot(path=screenshot_dir / "sso-link-existing-account.png", full_page=True)
    assert not ExternalIdentity.objects.exists()

    page.get_by_label(field("Password of this account")).fill("not-the-password")
    page.get_by_role("button", name="Link and log in").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "That is not the password of the account"
    )
    page.get_by_label(field("Password of this account")).fill(PASSWORD)
    page.get_by_role("button", name="Link and log in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".user-name")).to_have_text("Linus Local")
    expect(page.get_by_role("alert")).to_contain_text("Your university log-in is linked")
    assert ExternalIdentity.objects.get().user == linus
    assert re.match(r"^\d+$", ExternalIdentity.objects.get().subject)


def test_the_university_log_in_pages_meet_wcag_21_aa_on_a_phone(
    browser, live_server, sso_settings, oidc_provider
):
    """axe-core (as in test_accessibility.py) on every page of the university log-in, at
    375 px, which must not scroll sideways: the button, the linking page, a mailed link's
    page, an error page and the logged-out page."""
    UserFactory(email="linus.local@example.org", full_name="Linus Local")
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(AXE.axe_script)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = []

    def check(where):
        found.extend(violations(page, where))
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{where} scrolls sideways ({wide} px)"

    try:
        page.goto(f"{live_server.url}/accounts/login/")
        check("the log-in page with the button")
        page.get_by_role("link", name=BUTTON).click()
        log_in_at_provider(page, oidc_provider, "linus")
        page.wait_for_url("**/accounts/sso/link/")
        check("the linking page")
        page.get_by_role("button", name="Send me a link to linus.local@example.org").click()
        check("the linking page after the mail")
        mail = OutgoingMail.objects.get(kind=MailKind.SSO_LINK)
        page.goto(live_server.url + re.search(r"/accounts/sso/link/\S+/", mail.body)[0])
        check("a mailed link's page")
        page.get_by_role("button", name="Link my account").click()
        page.wait_for_url("**/accounts/login/")
        check("the log-in page after linking")
        page.goto(f"{live_server.url}/accounts/sso/callback/?code=x&state=y")
        check("an error page")
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("link", name=BUTTON).click()
        # Still logged in at the provider as Linus (who is now linked): back as him.
        log_in_at_provider(page, oidc_provider, "linus", again=True)
        page.wait_for_url(f"{live_server.url}/")
        page.locator(".navbar-toggler").click()
        page.locator(".user-name").click()
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", name="You are logged out of coursesite")).to_be_visible()
        check("the logged-out page")
    finally:
        context.close()
    assert found == []
