"""The grade sheet's condition marks, as a tag: an include per cell is slow on 2,000 rows."""

from django import template
from django.utils.html import format_html

register = template.Library()

MARKS = {
    "met": ("text-success", "✓"),
    "pending": ("text-body-secondary", "…"),
    "missing": ("text-danger fw-bold", "✗"),
}


@register.simple_tag
def condition_mark(condition):
    """✓, … or ✗ with the condition's value: read out by screen readers, shown on hover and,
    for touch and keyboard users, by the sheet's "Show the details" switch (a11y.css)."""
    css, mark = MARKS[condition.state]
    return format_html(
        '<span class="{}" title="{}">{}<span class="visually-hidden"> {}:</span>'
        ' <span class="mark-detail">{}</span></span>',
        css,
        condition.value,
        mark,
        condition.label,
        condition.value,
    )
