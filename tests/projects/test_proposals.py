"""The proposal: editing by both members, conflicts, submission and decisions."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import OutgoingMail
from projects.services import (
    ProposalConflict,
    group_create,
    group_join,
    proposal_decide,
    proposal_save,
    proposal_submit,
)
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db
GROUP = "/me/deep-learning/2016/group/"


@pytest.fixture
def group(alice, bob):
    group = group_create(enrolment=alice, by=alice.student)
    group_join(enrolment=bob, code=group.invite_code, by=bob.student)
    return group


@pytest.fixture
def rnn(offering):
    return ModuleFactory(offering=offering, title="Recurrent Neural Networks")


def save(proposal, by, version, **fields):
    data = {"title": "", "description": "", "topics": [], "abstract": "", **fields}
    return proposal_save(proposal=proposal, by=by, version=version, **data)


def test_second_editor_with_a_stale_version_is_stopped_not_overwriting(group, alice, bob):
    proposal = group.proposal
    save(proposal, alice.student, 1, title="Alice's title")
    with pytest.raises(ProposalConflict) as conflict:
        save(proposal, bob.student, 1, title="Bob's title")
    assert "Alice A saved the proposal at" in conflict.value.messages[0]
    proposal.refresh_from_db()
    assert (proposal.title, proposal.version) == ("Alice's title", 2)


def test_conflict_in_the_browser_keeps_both_texts(client, group, alice, bob):
    client.force_login(alice.student)
    client.post(GROUP, {"title": "Alice's title", "description": "A", "abstract": "",
                        "version": 1})  # fmt: skip
    client.force_login(bob.student)
    response = client.post(GROUP, {"title": "Bob's title", "description": "B", "abstract": "",
                                   "version": 1})  # fmt: skip
    page = response.content.decode()
    assert "Nothing of yours is lost" in page
    assert 'value="Bob&#x27;s title"' in page  # Bob's text stays in his form
    assert "What Alice A saved" in page
    assert "Alice&#x27;s title" in page
    assert 'name="version" value="2"' in page  # saving again now goes through
    response = client.post(GROUP, {"title": "Merged title", "description": "AB", "abstract": "",
                                   "version": 2}, follow=True)  # fmt: skip
    assert "Proposal saved." in response.content.decode()
    group.proposal.refresh_from_db()
    assert group.proposal.title == "Merged title"


def test_submitting_needs_title_description_and_a_topic(group, alice, rnn):
    with pytest.raises(ValidationError) as error:
        proposal_submit(proposal=group.proposal, by=alice.student)
    assert "a title, a description, at least one course topic" in error.value.messages[0]
    save(group.proposal, alice.student, 1, title="T", description="D", topics=[rnn])
    assert proposal_submit(proposal=group.proposal, by=alice.student).status == "submitted"


@pytest.fixture
def submitted(group, alice, rnn):
    save(group.proposal, alice.student, 1, title="Poems", description="RNN poems", topics=[rnn])
    return proposal_submit(proposal=group.proposal, by=alice.student)


def test_submitted_proposal_keeps_its_text_but_the_abstract_can_grow(submitted, bob):
    with pytest.raises(ValidationError, match="only its abstract can change"):
        save(submitted, bob.student, submitted.version, title="Other", description="RNN poems")
    updated = save(
        submitted, bob.student, submitted.version, title="Poems", description="RNN poems",
        abstract="We generate poems.",
    )  # fmt: skip
    assert updated.abstract == "We generate poems."
    assert list(updated.topics.values_list("title", flat=True)) == ["Recurrent Neural Networks"]


def test_acceptance_notifies_every_member_through_the_outbox(submitted, ta):
    proposal_decide(proposal=submitted, status="accepted", comment="", by=ta)
    mails = OutgoingMail.objects.filter(subject__endswith="proposal accepted")
    assert sorted(m.recipient.full_name for m in mails) == ["Alice A", "Bob B"]
    assert "your project proposal “Poems” is accepted." in mails[0].body


def test_revision_needs_a_comment_and_the_group_can_resubmit(submitted, alice, ta):
    with pytest.raises(ValidationError, match="Say in the comment"):
        proposal_decide(proposal=submitted, status="revision", comment=" ", by=ta)
    proposal = proposal_decide(
        proposal=submitted, status="revision", comment="Narrow the scope.", by=ta
    )
    assert proposal.is_editable
    assert "Narrow the scope." in OutgoingMail.objects.first().body
    save(proposal, alice.student, proposal.version, title="Short poems", description="Haiku",
         topics=list(proposal.topics.all()))  # fmt: skip
    assert proposal_submit(proposal=proposal, by=alice.student).status == "submitted"
    assert [e.status for e in proposal.events.all()] == ["submitted", "revision", "submitted"]


def test_decisions_only_on_submitted_proposals(group, ta):
    with pytest.raises(ValidationError, match="not waiting for a decision"):
        proposal_decide(proposal=group.proposal, status="accepted", comment="", by=ta)


def test_rejected_proposal_cannot_be_edited(submitted, alice, ta):
    proposal = proposal_decide(proposal=submitted, status="rejected", comment="Off topic.", by=ta)
    with pytest.raises(ValidationError, match="rejected"):
        save(proposal, alice.student, proposal.version, title="X")


def test_staff_decide_on_the_staff_page(client, submitted, ta):
    client.force_login(ta)
    response = client.post(
        "/courses/deep-learning/2016/staff/projects/1/",
        {"action": "decide", "status": "accepted", "comment": "Good."},
        follow=True,
    )
    assert "Proposal accepted; the group&#x27;s mail is in the outbox." in response.content.decode()
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_by) == ("accepted", ta)
