"""The stored HTML of rubrics rendered again: images from other sites are now dropped when
Markdown is cleaned (course/rendering.py, issue 16 item 13)."""

from django.db import migrations

from course.rendering import render_existing_rows


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0005_grading_history"),
    ]

    operations = [
        migrations.RunPython(
            render_existing_rows("discussions", {"Rubric": ("instructions",)}),
            migrations.RunPython.noop,
        ),
    ]
