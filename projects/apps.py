from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """Project groups, proposals, deliverables, presentations and the book of abstracts."""

    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        from sessions.calendar import PERSONAL_EVENT_SOURCES

        from .calendar import deadline_events

        if deadline_events not in PERSONAL_EVENT_SOURCES:
            PERSONAL_EVENT_SOURCES.append(deadline_events)
