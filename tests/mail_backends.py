"""Stand-ins for a mail server that is down, used with override_settings(EMAIL_BACKEND=...)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class BrokenServerBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
