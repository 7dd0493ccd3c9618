from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People and their enrolments: sign-up, log-in, registration, decisions, the outbox."""

    name = "accounts"
    verbose_name = _("Accounts and registration")

    def ready(self):
        # The extension point of the app below (course.copying), for this app's own part
        # of next year's offering. Imported here: models are ready only now.
        from course.copying import COPY_STEPS

        from .copying import copy_mail_templates

        if copy_mail_templates not in COPY_STEPS:
            COPY_STEPS.append(copy_mail_templates)

        # Enrolments are records of their offering (course/caching.py): the staff's pages
        # and the students' own follow them.
        from course import caching

        from .models import Enrolment, User

        caching.watch_records(Enrolment, lambda row: row.offering_id)
        # A person's own pages: their name, address and enrolments.
        caching.watch_person(User, lambda row: row.pk)
        caching.watch_person(Enrolment, lambda row: row.student_id)
