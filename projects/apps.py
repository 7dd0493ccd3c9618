from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """Project groups, proposals, deliverables, presentations and the book of abstracts."""

    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        # The extension point of the app below (course.copying), for this app's own part
        # of next year's offering. Imported here: models are ready only now.
        from course.copying import COPY_STEPS

        from .copying import copy_deliverables_and_presentations

        if copy_deliverables_and_presentations not in COPY_STEPS:
            COPY_STEPS.append(copy_deliverables_and_presentations)
