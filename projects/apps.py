from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Project groups, proposals, deliverables, presentations and the book of abstracts."""

    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        # The extension point of the app below (course.copying), for this app's own part
        # of next year's offering. Imported here: models are ready only now.
        from course.copying import COPY_STEPS

        from .copying import copy_deliverables_and_presentations

        if copy_deliverables_and_presentations not in COPY_STEPS:
            COPY_STEPS.append(copy_deliverables_and_presentations)

        # The public pages' cache (course/caching.py): project pages, the programme, the book.
        from course import caching

        from .models import (
            AbstractBook,
            Deliverable,
            Extension,
            Membership,
            PresentationSession,
            PresentationSlot,
            PresentationWish,
            ProjectGroup,
            Proposal,
            Submission,
        )

        for model in (ProjectGroup, PresentationSession, AbstractBook, Deliverable):
            caching.watch(model, lambda row: row.offering_id)
        for model in (Proposal, Membership, Extension):
            caching.watch(model, lambda row: row.group.offering_id)
        caching.watch(PresentationSlot, lambda row: row.session.offering_id)
        caching.watch_records(Submission, lambda row: row.group.offering_id)
        caching.watch_records(PresentationWish, lambda row: row.group.offering_id)
        from .selectors import next_deadline

        if next_deadline not in caching.CLOCK_EDGES:
            caching.CLOCK_EDGES.append(next_deadline)
        # The placeholders {deliverable:…} and {presentations} (course/rendering.py).
        from . import placeholders

        placeholders.register()
