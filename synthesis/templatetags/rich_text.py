from django import template
from django.utils.safestring import mark_safe

from synthesis import rich_text
from synthesis.report import reads_right_to_left

register = template.Library()


@register.filter
def markdown(text):
    """Analysts' text in the safe Markdown subset, as HTML (see synthesis.rich_text)."""
    return rich_text.render(text)


@register.filter
def direction(text):
    """` dir="rtl"` for people's words written right to left; nothing for the rest."""
    return mark_safe(' dir="rtl"') if reads_right_to_left(text or "") else ""
