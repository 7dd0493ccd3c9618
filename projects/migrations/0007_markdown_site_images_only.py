"""The stored HTML of proposals and deliverables rendered again: images from other sites are
now dropped when Markdown is cleaned (course/rendering.py, issue 16 item 13)."""

from django.db import migrations

from course.rendering import render_existing_rows


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_deliverable_upload_quota"),
    ]

    operations = [
        migrations.RunPython(
            render_existing_rows(
                "projects", {"Proposal": ("description", "abstract"), "Deliverable": ("description",)}
            ),
            migrations.RunPython.noop,
        ),
    ]
