from django import template

from synthesis import rich_text

register = template.Library()


@register.filter
def markdown(text):
    """Analysts' text in the safe Markdown subset, as HTML (see synthesis.rich_text)."""
    return rich_text.render(text)
