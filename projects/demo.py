"""The ten 2016 project groups of the seed's "Project proposals", with generated PDFs.

Titles and members are the seed's. The topics each project covered, the upload times, the
late upload and the feedback are INVENTED for the demo; the PDFs are generated here and
say so on every page.
"""

import functools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from accounts.models import Enrolment, User
from course.models import Offering

from .enums import ProposalStatus
from .models import (
    Deliverable,
    Membership,
    PresentationSession,
    ProjectGroup,
    Proposal,
    ProposalEvent,
    Submission,
)
from .presentations import schedule_presentations
from .services import submission_upload

STOCKHOLM = ZoneInfo("Europe/Stockholm")

GROUPS = [
    ("Sentiment classification", ["Raphael Konstantinou", "Sebastian Eriksson"],
     ["recurrent-neural-networks", "regularization"]),
    ("Facebook feed categorization", ["Josefin Ondrus", "Gabriel Andersson"],
     ["recurrent-neural-networks", "preliminaries"]),
    ("Playing Solitaire using CNN and Deep Reinforcement Learning",
     ["Robert Nyquist", "Daniel Pettersson"],
     ["convolutional-neural-networks", "regularization"]),
    ("Multi-word expression detection", ["David Alfter", "Luis Nieto Piña"],
     ["recurrent-neural-networks", "unsupervised-and-semi-supervised-methods"]),
    ("Deep reinforcement learning for autonomous highway driving", ["Car-Johan Hoel"],
     ["convolutional-neural-networks", "regularization"]),
    ("Classification of human facial expression", ["Arvid Nilsson", "Jonas Karlsson"],
     ["convolutional-neural-networks", "regularization"]),
    ("Recognition of Handwritten Mathematical Expressions",
     ["Christian Ågren", "Alexander Ågren"],
     ["convolutional-neural-networks", "recurrent-neural-networks"]),
    ("Distracted Driver Detection", ["Florian Schäfer", "Mats Uddgård"],
     ["convolutional-neural-networks", "regularization"]),
    ("Spotting distracted drivers", ["Emilio Jorge", "Benjamin Lindberg"],
     ["convolutional-neural-networks", "unsupervised-and-semi-supervised-methods"]),
    ("Image captioning", ["Luca Caltagirone", "Sina Torabi"],
     ["convolutional-neural-networks", "recurrent-neural-networks"]),
]  # fmt: skip

# Written for the demo (INVENTED): what such a project would report, not what the students
# wrote. The real abstracts are in the 2016 book of abstracts.
ABSTRACTS = [
    "We classify the sentiment of short texts with a recurrent network over word embeddings "
    "and compare it with a bag-of-words baseline; dropout narrows the gap between training "
    "and validation accuracy.",
    "We sort posts of a social media feed into a handful of categories with a recurrent "
    "network, and study how much labelled data the model needs.",
    "A convolutional network learns to read the Solitaire table from screenshots, and deep "
    "Q-learning chooses the moves; experience replay and dropout keep it from memorising the "
    "deals it has seen. We report how far the agent gets without hand-written rules.",
    "We detect multi-word expressions in running text with a bidirectional recurrent network "
    "and unsupervised word embeddings, for English and Swedish.",
    "Deep Q-networks learn when to change lanes on a simulated highway. We compare the learned "
    "policy with a rule-based driver model in terms of speed and safety margins.",
    "We classify facial expressions in photographs with a convolutional network; data "
    "augmentation and batch normalization make the most of a small data set.",
    "Handwritten mathematical expressions are recognised by a convolutional encoder and a "
    "recurrent decoder that writes the expression in LaTeX.",
    "A convolutional network tells from dashboard camera images whether the driver is "
    "distracted, and what by; we examine which image regions the network relies on.",
    "We spot distracted drivers with transfer learning from an ImageNet-trained network and "
    "compare fine-tuning strategies under a limited compute budget.",
    "A convolutional network encodes an image and an LSTM writes its caption. We evaluate the "
    "captions with BLEU and by asking people which caption fits the image.",
]

DELIVERABLES = [
    # slug, title, due, max pages, late accepted, required, description
    ("planning-report", "Planning report", datetime(2016, 4, 14, 23, 59, tzinfo=STOCKHOLM), 1,
     True, True, "Short: one page. What you will do, with which data, and a plan."),
    ("project-report", "Project report", datetime(2016, 5, 31, 23, 59, tzinfo=STOCKHOLM), 4,
     True, True, "A 4-page short paper, including references."),
    ("slides", "Presentation slides", datetime(2016, 5, 31, 13, 0, tzinfo=STOCKHOLM), None,
     False, False, "Optional: the slides of your 20-minute presentation."),
]  # fmt: skip

# INVENTED upload times of the project reports (due 31 May 23:59); 0 is everyone else's.
REPORT_UPLOADS = {
    0: datetime(2016, 5, 31, 16, 0, tzinfo=STOCKHOLM),
    1: datetime(2016, 5, 30, 18, 0, tzinfo=STOCKHOLM),
    3: datetime(2016, 5, 30, 18, 0, tzinfo=STOCKHOLM),
    7: datetime(2016, 5, 30, 18, 0, tzinfo=STOCKHOLM),
    6: datetime(2016, 6, 1, 9, 15, tzinfo=STOCKHOLM),
}


@functools.lru_cache(maxsize=64)
def demo_pdf(title: str, authors: tuple[str, ...], kind: str, pages: int) -> bytes:
    """A small real PDF with the given number of pages, made with WeasyPrint."""
    from weasyprint import HTML  # WeasyPrint loads slowly (Pango, fonts): on use only

    page = (
        f"<h1>{escape(title)}</h1><p><em>{escape(', '.join(authors))}</em></p>"
        f"<p>{escape(kind)}. This file was generated by the coursesite demo; it is not the "
        "group's real report.</p>"
    )
    html = "".join(
        f'<section style="page-break-after: {"always" if i < pages - 1 else "auto"}">'
        f"{page}<p>Page {i + 1} of {pages}.</p></section>"
        for i in range(pages)
    )
    return HTML(string=f"<html><body>{html}</body></html>").write_pdf()


def load(offering: Offering, ta: User) -> None:
    """Create the groups, accepted proposals, deliverables and their submissions (idempotent)."""
    for order, (slug, title, due, pages, late, required, text) in enumerate(DELIVERABLES, 1):
        Deliverable.objects.update_or_create(
            offering=offering,
            slug=slug,
            defaults={"title": title, "due_at": due, "max_pages": pages, "accepts_late": late,
                      "required": required, "description": text, "order": order},
        )  # fmt: skip
    planning = Deliverable.objects.get(offering=offering, slug="planning-report")
    report = Deliverable.objects.get(offering=offering, slug="project-report")
    modules = {m.slug: m for m in offering.modules.all()}
    enrolments = {
        e.student.full_name: e
        for e in Enrolment.objects.filter(offering=offering).select_related("student")
    }
    decided = datetime(2016, 4, 4, 10, 0, tzinfo=STOCKHOLM)
    for number, (title, names, topics) in enumerate(GROUPS, start=1):
        group, _ = ProjectGroup.objects.get_or_create(
            offering=offering, number=number, defaults={"created_by": ta}
        )
        for name in names:
            Membership.objects.get_or_create(
                enrolment=enrolments[name], defaults={"group": group, "added_by": ta}
            )
        proposal, _ = Proposal.objects.update_or_create(
            group=group,
            defaults={
                "title": title,
                "abstract": ABSTRACTS[number - 1],
                "description": f"The group's project: {title.lower()}.",
                "status": ProposalStatus.ACCEPTED,
                "submitted_at": decided - timedelta(days=3),
                "decided_at": decided,
                "decided_by": ta,
                "updated_by": ta,
            },
        )
        proposal.topics.set([modules[slug] for slug in topics])
        if not proposal.events.exists():
            ProposalEvent.objects.create(
                proposal=proposal, status=ProposalStatus.SUBMITTED, at=decided - timedelta(days=3)
            )
            ProposalEvent.objects.create(
                proposal=proposal, status=ProposalStatus.ACCEPTED, by=ta, at=decided
            )
        members = [enrolments[name].student for name in names]
        # Planning reports from everyone, group 5's half a day late; project reports from
        # everyone too (the examination needs them), group 6's the morning after the deadline.
        uploads = [(planning, 1, datetime(2016, 4, 14, 20, 0, tzinfo=STOCKHOLM))]
        if number == 5:
            uploads = [(planning, 1, datetime(2016, 4, 15, 10, 30, tzinfo=STOCKHOLM))]
        uploads.append((report, 4, REPORT_UPLOADS.get(number, REPORT_UPLOADS[0])))
        for deliverable, pages, when in uploads:
            if Submission.objects.filter(group=group, deliverable=deliverable).exists():
                continue
            content = demo_pdf(title, tuple(names), deliverable.title, pages)
            submission = submission_upload(
                group=group,
                deliverable=deliverable,
                uploaded=SimpleUploadedFile(f"{deliverable.slug}.pdf", content, "application/pdf"),
                by=members[0],
                now=when,
            )
            if number == 1 and deliverable == planning:
                submission.feedback = (
                    "A clear plan. Say which data set you use for the sentiment labels, and "
                    "compare with a bag-of-words baseline."
                )
                submission.feedback_by = ta
                submission.feedback_at = when + timedelta(days=2)
                submission.save(update_fields=["feedback", "feedback_by", "feedback_at"])


def load_presentations(offering: Offering) -> None:
    """The seed's two presentation afternoons, with the projects placed and published."""
    module = offering.modules.filter(slug="project-presentations").first()
    for day, room in ((31, "ML13"), (2, "ML1")):  # INVENTED rooms: the page names none
        month = 5 if day == 31 else 6
        PresentationSession.objects.get_or_create(
            offering=offering,
            starts_at=datetime(2016, month, day, 13, 15, tzinfo=STOCKHOLM),
            defaults={
                "ends_at": datetime(2016, month, day, 15, 0, tzinfo=STOCKHOLM),
                "room": room,
                "module": module,
                "slot_minutes": 20,
            },
        )
    schedule_presentations(offering=offering, publish=True)
    for group in offering.project_groups.all():
        if group.presented is None:
            group.presented = True
            group.save(update_fields=["presented"])
