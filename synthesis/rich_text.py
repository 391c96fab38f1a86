"""Report text written by analysts: a safe Markdown subset, the same on the web and in every
export.

Paragraphs, bullet and numbered lists, emphasis and links; anything else (raw HTML, images,
headings, tables, code) is shown as the text that was typed. The parser never passes raw
HTML through, and the sanitiser then allows only the subset's tags, so a link can never run
a script and nothing an analyst types can change the page around it.
"""

import nh3
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
LINK_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": False}).enable(
    ["list", "emphasis", "link", "newline"]
)


def render(text):
    """The HTML of `text` as the subset allows, safe to place in a page or a PDF."""
    html = _parser.render(text or "")
    return mark_safe(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=LINK_SCHEMES,
            link_rel="noopener noreferrer",
        )
    )
