"""accounts' part of next year's offering (course/copying.py): the mail templates."""

from course.copying import CopyPlan
from course.models import Offering

from .models import MailTemplate


def copy_mail_templates(source: Offering, plan: CopyPlan) -> None:
    for template in MailTemplate.objects.filter(offering=source):
        template.pk, template.offering = None, plan.offering
        template.save()
        plan.count("mail templates")
