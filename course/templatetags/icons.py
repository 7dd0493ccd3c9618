"""Icons from the Bootstrap Icons sprite shipped in static/vendor/bootstrap-icons/ (MIT).

`{% icon "calendar3" %}` draws a decorative icon: hidden from screen readers, so the text
beside it names the action. Only the symbols kept in the sprite exist (its README lists them).
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "vendor/bootstrap-icons/icons.svg"


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    classes = f"bi {css_class}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        classes,
        static(SPRITE),
        name,
    )
