"""Who may see and decide applications and mail: the offering's staff (see course/rules.py).

Enrolments and mails are never deleted by staff, so nothing is lost: applications are
withdrawn or rejected, mails discarded. Administrators can still delete through ModelBackend.
"""

import rules

from course.rules import teaches

rules.add_perm("accounts.view_enrolment", teaches)
rules.add_perm("accounts.add_enrolment", teaches)
rules.add_perm("accounts.change_enrolment", teaches)
rules.add_perm("accounts.view_enrolmentdecision", teaches)
rules.add_perm("accounts.view_outgoingmail", teaches)
rules.add_perm("accounts.change_outgoingmail", teaches)
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"accounts.{action}_mailtemplate", teaches)

# Named rules, asked with the offering: deciding applications (accept, waiting list, reject,
# withdraw, enrol directly) and releasing held mail from the outbox.
rules.add_perm("accounts.decide_application", teaches)
rules.add_perm("accounts.review_mail", teaches)
