"""The admin as a TA uses it: filters, search, offerings named, durations in words, one-line
subjects (issue 19)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from accounts.enums import MailKind
from accounts.mailing import queue_mail
from course.models import Quiz
from projects.models import Submission
from projects.services import group_create
from tests.factories import EnrolmentFactory, ModuleFactory, OfferingFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_year(offering, ta):
    later = OfferingFactory(course=offering.course, name="2017", slug="2017")
    StaffFactory(offering=later, user=ta)
    return later


def test_quiz_form_labels_each_module_with_its_offering_once(client, offering, next_year, ta):
    ModuleFactory(offering=offering, title="Recurrent Neural Networks")
    ModuleFactory(offering=next_year, title="Recurrent Neural Networks")
    client.force_login(ta)
    page = client.get("/admin/course/quiz/add/").content.decode()
    assert page.count(f">Recurrent Neural Networks ({offering})</option>") == 1
    assert page.count(f">Recurrent Neural Networks ({next_year})</option>") == 1


def test_quiz_list_shows_the_offering_and_searches(client, offering, ta):
    module = ModuleFactory(offering=offering, title="RNN")
    now = timezone.now()
    Quiz.objects.create(module=module, title="RNN quiz", opens_at=now, closes_at=now)
    client.force_login(ta)
    page = client.get("/admin/course/quiz/", {"q": "RNN"}).content.decode()
    assert '<td class="field-offering">Deep Learning 2016</td>' in page
    assert "RNN quiz" in page
    assert "RNN quiz" not in client.get("/admin/course/quiz/", {"q": "nothing"}).content.decode()


def test_project_groups_filter_and_search(client, offering, ta):
    ada = EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__full_name="Ada Byron")
    group_create(enrolment=ada, by=ada.student)
    client.force_login(ta)
    page = client.get("/admin/projects/projectgroup/").content.decode()
    assert "By proposal status" in page or "proposal status" in page.lower()
    assert (
        "Ada Byron" in client.get("/admin/projects/projectgroup/", {"q": "Byron"}).content.decode()
    )


def test_submissions_search_and_late_by_in_words(client, offering, ta, report, make_pdf):
    ada = EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__full_name="Ada Byron")
    group = group_create(enrolment=ada, by=ada.student)
    from projects.services import submission_upload

    submission = submission_upload(group=group, deliverable=report, uploaded=make_pdf(1),
                                   by=ada.student)  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(late_by=dt.timedelta(hours=10, minutes=31))
    client.force_login(ta)
    page = client.get("/admin/projects/submission/", {"q": "Byron"}).content.decode()
    assert "10 hours 31 minutes" in page and "10:31:00" not in page
    assert (
        "Byron"
        not in client.get("/admin/projects/submission/", {"q": "nobody"})
        .content.decode()
        .split("result-list")[-1]
    )


def test_outbox_subject_is_one_short_line_with_the_whole_subject_as_title(client, offering, ta):
    subject = "Deep Learning 2016: an announcement whose subject is far too long to fit in a column"
    queue_mail(to_email="a@example.org", subject=subject, body="Hi", kind=MailKind.ANNOUNCEMENT,
               offering=offering)  # fmt: skip
    cache.clear()
    client.force_login(ta)
    page = client.get("/admin/accounts/outgoingmail/").content.decode()
    assert f'title="{subject}"' in page
    assert f">{subject}<" not in page
