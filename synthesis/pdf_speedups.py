"""Three costs WeasyPrint (66 to 70) and pydyf put on a long tagged report, taken away.

- SVG text is laid out and drawn a character at a time, because SVG lets each character carry
  its own x, y, dx, dy and rotation. A <text> with one position and no per-character attribute
  (every text of the report's charts) is laid out here as one run, with WeasyPrint's own code:
  the same glyphs and anchors, and Pango's kerning within the run. 68 charts: -1.1 s.
- The tagging step asks pydyf for the list of page references once per element, and pydyf
  rebuilds it each time (pages × elements). It is kept until a page is added: -0.4 s.
- Python's cyclic garbage collector walks the layout's boxes again and again as their number
  grows, and finds almost nothing to free (peak memory +7 MB without it): it is paused for
  the render, and while the report's data is read. -1.0 s on a 198-page report.
"""

import gc
import sys
import threading
from contextlib import contextmanager

PER_CHARACTER = ("dx", "dy", "rotate", "textLength", "letter-spacing")
_applied = False
_applying = threading.Lock()  # exports render on two threads of the web process


class _OneRun(str):
    """Text that WeasyPrint's per-character loop sees as a single character."""

    def __iter__(self):
        yield str(self)


@contextmanager
def rendering():
    """Around a report's render, from reading its data to the last page (also a decorator):
    the patches, made once, and the collector paused. Two renders at once in one process
    leave it running when the last one ends, unless it was off before either began."""
    apply()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def apply():
    global _applied
    with _applying:
        if not _applied:
            _patch_svg_text()
            _patch_page_references()
            _applied = True


def _patch_svg_text():
    import weasyprint.svg as svg

    # weasyprint.svg imports the function under the module's own name: find it by path.
    module = sys.modules["weasyprint.svg.text"]
    per_character = module.text

    def text(drawing, node, font_size):
        if node.text and _one_position(node.attrib):
            node._etree_node.text = _OneRun(node.text)
        return per_character(drawing, node, font_size)

    # draw_node tells text nodes by identity with svg.text, and finds them in TAGS.
    svg.text = text
    for tag, draw in list(svg.TAGS.items()):
        if draw is per_character:
            svg.TAGS[tag] = text


def _one_position(attributes):
    from weasyprint.svg.utils import normalize

    if any(name in attributes for name in PER_CHARACTER):
        return False
    return all(len(normalize(attributes.get(axis)).split()) <= 1 for axis in ("x", "y"))


def _patch_page_references():
    import pydyf

    rebuilt = pydyf.PDF.page_references

    def page_references(pdf):
        count = len(pdf.pages["Kids"])
        cached = pdf.__dict__.get("_page_references")
        if cached is None or cached[0] != count:
            cached = pdf._page_references = (count, rebuilt.fget(pdf))
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
