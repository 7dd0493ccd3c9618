from django.apps import AppConfig


class DiscussionSessionsConfig(AppConfig):
    """Discussion sessions, attendance and grading.

    The label is not "sessions": that one belongs to django.contrib.sessions.
    """

    name = "sessions"
    label = "discussions"
    verbose_name = "Discussion sessions and grading"
