from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """Project groups, proposals, deliverables, presentations and the book of abstracts."""

    name = "projects"
    verbose_name = "Projects"
