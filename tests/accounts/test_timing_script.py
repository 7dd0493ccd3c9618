"""scripts/timing_enumeration.py works against a running server: both paths of each form
answer, alike, and it prints their medians and ratio. Nothing here is timed: a ratio is the
script's to judge on a real server, not a test's (issue 16, item 4)."""

from io import StringIO

import pytest

from accounts.models import OutgoingMail, User
from scripts import timing_enumeration

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_script_measures_both_paths_of_both_forms(live_server, student):
    out = StringIO()
    code = timing_enumeration.main(
        ["--url", live_server.url, "--known", student.email, "-n", "2",
         "--forms", "reset,signup", "--max-ratio", "1000"],
        out=out,
    )  # fmt: skip
    report = out.getvalue()
    assert code == 0, report
    assert "reset: address with an account" in report
    assert "signup: address without one" in report
    assert "reset: ratio slower/faster" in report and "answers alike: ok" in report
    assert "302 /accounts/password/reset/sent/" in report
    # Sign-up made the new addresses' accounts (one a round, warm-up included) and mailed
    # the known address's owner once (at most one such mail in two minutes).
    assert User.objects.filter(email__endswith="@example.invalid").count() == 3
    assert OutgoingMail.objects.filter(kind="signup_attempt", recipient=student).count() == 1


def test_the_script_refuses_an_unknown_form():
    with pytest.raises(SystemExit):
        timing_enumeration.main(["--known", "a@example.org", "--forms", "login"], out=StringIO())
