from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """Project groups, proposals, deliverables, presentations and the book of abstracts."""

    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        from sessions.calendar import OFFERING_EVENT_SOURCES, PERSONAL_EVENT_SOURCES

        from .calendar import deadline_events, own_slot_events, presentation_session_events

        for sources, source in (
            (PERSONAL_EVENT_SOURCES, deadline_events),
            (PERSONAL_EVENT_SOURCES, own_slot_events),
            (OFFERING_EVENT_SOURCES, presentation_session_events),
        ):
            if source not in sources:
                sources.append(source)
