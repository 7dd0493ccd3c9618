"""projects' part of next year's offering (course/copying.py): the deliverables and the
presentation sessions, dates moved; no group, proposal or submission."""

from course.copying import CopyPlan
from course.models import Offering

from .models import Deliverable, PresentationSession


def copy_deliverables_and_presentations(source: Offering, plan: CopyPlan) -> None:
    for deliverable in Deliverable.objects.filter(offering=source):
        plan.dates.append((deliverable.title, deliverable.due_at, plan.moved(deliverable.due_at)))
        deliverable.pk, deliverable.offering = None, plan.offering
        deliverable.due_at = plan.moved(deliverable.due_at)
        deliverable.save()
        plan.count("deliverables")
    for session in PresentationSession.objects.filter(offering=source):
        session.pk, session.offering = None, plan.offering
        session.module = plan.modules.get(session.module_id)
        session.starts_at, session.ends_at = (
            plan.moved(session.starts_at),
            plan.moved(session.ends_at),
        )
        session.save()
        plan.count("presentation sessions")
