"""Addresses are matched exactly in lower case (UserManager.canonical_email): make sure no
row holds one in another case (the case-insensitive unique constraint keeps them unique)."""

from django.db import migrations
from django.db.models.functions import Lower


def lower_case(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(email=Lower("email")).only("pk", "email"):
        User.objects.filter(pk=user.pk).update(email=user.email.lower())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_result_mail_kind")]

    operations = [migrations.RunPython(lower_case, migrations.RunPython.noop)]
