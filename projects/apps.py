from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """Project groups, proposals, deliverables, presentations and the book of abstracts."""

    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        # Extension point of the app below (course.copying): projects copies its own part.
        from course.copying import COPY_STEPS

        from .copying import copy_deliverables_and_presentations

        if copy_deliverables_and_presentations not in COPY_STEPS:
            COPY_STEPS.append(copy_deliverables_and_presentations)
