"""The series report as a Word document, for an analyst to finish in Word.

It is made from the very HTML the PDF is made from (report_context rendered with
report.html), read element by element, so the two say the same things in the same order and
no sentence of the report is written twice: the title is Word's Title, h2 to h4 are Heading 1
to 3, and lists, quotes and tables are Word's own. The contents become a table-of-contents
field that Word fills in when it opens the file.

Each agreement chart becomes a small table of the numbers it draws, with the chart's text
alternative as the table's description: Word shows SVG only beside a PNG copy, and making one
needs an SVG rasteriser this app does not otherwise carry.
"""

import io
import re

from django.template.loader import render_to_string
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor
from lxml import etree, html

from synthesis.report import report_context

HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}
# The parts the PDF's print styles end with a page break.
PAGE_AFTER = {"cover", "contents"}
LINK_SCHEMES = ("http:", "https:", "mailto:")
LINK_COLOUR = RGBColor(0x1D, 0x4F, 0x91)
CHART_HEADER = ("Stakeholder group", "Votes")
TOC_FIELD = 'TOC \\o "1-3" \\h \\z \\u'
TOC_PLACEHOLDER = "The contents appear when Word updates this field (right-click, Update Field)."
SPACES = re.compile(r"\s+")


def report_html(series, workshop=None, include_appendix=False):
    """The report as one HTML document: what the PDF lays out and the browser shows."""
    context = report_context(series, workshop=workshop, include_appendix=include_appendix)
    return render_to_string("synthesis/report/report.html", context)


def render_docx(series, workshop=None, include_appendix=False):
    """The report as the bytes of a .docx file."""
    page = html.document_fromstring(report_html(series, workshop, include_appendix))
    document = Document()
    _set_properties(document, page)
    _Writer(document).blocks(page.body)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_properties(document, page):
    """Title, author, subject and language from the HTML's head, as the PDF takes them."""
    language = page.get("lang", "en-GB")
    properties = document.core_properties
    properties.title = _text(page.find("head/title"))
    properties.author = _meta(page, "author")
    properties.subject = _meta(page, "description")
    properties.language = language
    # The language Word checks spelling in is the styles' default, not the property.
    document.styles.element.xpath("w:docDefaults//w:lang")[0].set(qn("w:val"), language)
    # Ask Word to fill in the contents field when the file is opened. Word reads settings in
    # the schema's order, where this one comes before the compatibility options.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.find(qn("w:compat")).addprevious(update)


def _meta(page, name):
    found = page.xpath(f"head/meta[@name='{name}']/@content")
    return found[0] if found else ""


def _text(element):
    return SPACES.sub(" ", element.text_content()).strip() if element is not None else ""


class _Writer:
    """Adds a Word block for each HTML block, in document order."""

    def __init__(self, document):
        self.document = document
        self.style_ids = {}
        self.page_break_due = False
        self.handlers = {
            **dict.fromkeys(HEADING_STYLES, self.heading),
            **dict.fromkeys(LIST_STYLES, self.listing),
            "p": self.paragraph_of,
            "blockquote": self.quote,
            "dl": self.glossary,
            "table": self.table,
            "svg": self.drawing,
            "nav": self.contents,
        }

    def blocks(self, parent):
        for element in parent.iterchildren(tag=etree.Element):
            handler = self.handlers.get(element.tag)
            if handler:
                handler(element)
            else:
                self.blocks(element)  # section, div: only their contents are printed
            if element.get("class") in PAGE_AFTER:
                self.page_break_due = True

    def paragraph(self, style=None):
        """A new paragraph, starting a page where the PDF starts one."""
        paragraph = self.document.add_paragraph()
        if style:
            paragraph._p.style = self.style_id(style)
        if self.page_break_due:
            paragraph.paragraph_format.page_break_before = True
            self.page_break_due = False
        return paragraph

    def style_id(self, name):
        """A style's id, looked up once: python-docx finds a style by name by reading every
        style, twice, on each call, which took half the time of a long report."""
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def heading(self, element):
        if "chapter" in element.get("class", "").split():
            self.page_break_due = True
        _add_text(self.paragraph(HEADING_STYLES[element.tag]), _text(element))

    def paragraph_of(self, element, style=None):
        paragraph = self.paragraph(style)
        _Runs(paragraph).add(element)
        return paragraph

    def quote(self, element):
        for part in element.iterchildren("p", "footer"):
            self.paragraph_of(part, "Quote")

    def glossary(self, element):
        for part in element.iterchildren("dt", "dd"):
            paragraph = self.paragraph_of(part)
            if part.tag == "dt":
                paragraph.paragraph_format.keep_with_next = True
                for run in paragraph.runs:
                    run.bold = True
            else:
                paragraph.paragraph_format.left_indent = Mm(5)

    def listing(self, element, level=1):
        """A list, nested lists one level deeper; each numbered list starts again at 1."""
        style = LIST_STYLES[element.tag] + (f" {level}" if level > 1 else "")
        number = _restarted_numbering(self.document, style) if element.tag == "ol" else None
        for item in element.iterchildren("li"):
            paragraph = self.paragraph_of(item, style)
            if number is not None:
                paragraph._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = number
            for inner in item.iterchildren(*LIST_STYLES):
                self.listing(inner, min(level + 1, 3))

    def contents(self, element):
        """The contents' heading (kept out of the contents itself), then Word's field."""
        _add_text(self.paragraph("TOC Heading"), _text(element.find(".//h2")))
        _add_field(self.paragraph(), TOC_FIELD, TOC_PLACEHOLDER)

    def table(self, element):
        caption = element.find("caption")
        if caption is not None:
            self.paragraph_of(caption, "Caption").paragraph_format.keep_with_next = True
        rows = element.xpath("thead/tr | tbody/tr | tr")
        cells = [
            [(cell, int(cell.get("colspan", 1))) for cell in row.xpath("th | td")] for row in rows
        ]
        table = self._grid(len(rows), max(sum(span for _, span in row) for row in cells))
        for row, row_cells in zip(table.rows, cells, strict=True):
            column = 0
            for cell, span in row_cells:
                target = row.cells[column]
                if span > 1:
                    target = target.merge(row.cells[column + span - 1])
                _Runs(target.paragraphs[0], bold=cell.tag == "th").add(cell)
                column += span
        _mark_header_rows(table, len(element.xpath("thead/tr")))
        if caption is not None:
            _describe(table, "tblCaption", _text(caption))

    def drawing(self, svg):
        """A chart becomes the table of its numbers; the opinion map, which has no Word form,
        its description (the table beside it gives its numbers)."""
        if "opinion-map-drawing" in svg.get("class", "").split():
            _add_text(self.paragraph(), _text(svg.find(".//title")))
        else:
            self.chart(svg)

    def chart(self, svg):
        """The numbers an agreement chart draws: its rows are the label and the words drawn
        at the same height (the first line, the axis labels, has four texts)."""
        by_height = {}
        for text in svg.iter("text"):
            by_height.setdefault(text.get("y"), []).append(_text(text))
        rows = [texts for texts in by_height.values() if len(texts) == 2]
        table = self._grid(len(rows) + 1, 2)
        for row, values in zip(table.rows, [CHART_HEADER, *rows], strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                _add_text(cell.paragraphs[0], value)
        _mark_header_rows(table, 1)
        _describe(table, "tblDescription", _text(svg.find(".//title")))

    def _grid(self, rows, columns):
        if self.page_break_due:
            self.paragraph()  # a table cannot carry the break itself
        table = self.document.add_table(rows=rows, cols=columns)
        table._tbl.tblPr.style = self.style_id("Table Grid")
        return table


class _Runs:
    """The inline content of one HTML element as runs of one Word paragraph."""

    def __init__(self, paragraph, bold=False):
        self.paragraph, self.bold = paragraph, bold

    def add(self, element):
        self._add(element, bold=self.bold, italic=False)
        runs = self.paragraph.runs
        if runs:  # the spaces HTML drops at a block's edges, rewritten only where there are any
            first, last = runs[0], runs[-1]
            if first.text != first.text.lstrip():
                first.text = first.text.lstrip()
            if last.text != last.text.rstrip():
                last.text = last.text.rstrip()

    def _add(self, element, *, bold, italic):
        self._run(element.text, bold, italic)
        for child in element.iterchildren(tag=etree.Element):
            if child.tag == "br":
                self.paragraph.add_run().add_break()
            elif child.tag == "a" and child.get("href", "").startswith(LINK_SCHEMES):
                self._link(child, bold=bold, italic=italic)
            elif child.tag not in LIST_STYLES:  # nested lists are paragraphs of their own
                self._add(
                    child,
                    bold=bold or child.tag in ("strong", "b"),
                    italic=italic or child.tag in ("em", "i"),
                )
            self._run(child.tail, bold, italic)

    def _run(self, text, bold, italic):
        if text:
            run = _add_text(self.paragraph, SPACES.sub(" ", text))
            run.bold, run.italic = bold or None, italic or None
            return run
        return None

    def _link(self, anchor, **formatting):
        run = self._run(_text(anchor), **formatting)
        if run is None:
            return
        run.font.underline, run.font.color.rgb = True, LINK_COLOUR
        link = OxmlElement("w:hyperlink")
        link.set(
            qn("r:id"),
            self.paragraph.part.relate_to(
                anchor.get("href"), RELATIONSHIP_TYPE.HYPERLINK, is_external=True
            ),
        )
        run._r.addprevious(link)
        link.append(run._r)


def _add_text(paragraph, text):
    """A run of `text` at the paragraph's end. python-docx's own add_run(text) writes the
    text a character at a time; a long report has over a million of them."""
    run = paragraph.add_run()
    run._r.add_t(text)
    return run


def _restarted_numbering(document, style):
    """A numbering instance of the style's list that starts again at 1."""
    numbering = document.part.numbering_part.element
    style_number = document.styles[style].element.pPr.numPr.numId.val
    instance = numbering.add_num(numbering.num_having_numId(style_number).abstractNumId.val)
    instance.add_lvlOverride(ilvl=0).add_startOverride(1)
    return instance.numId


def _mark_header_rows(table, count):
    """Header rows, which Word repeats at the top of each page the table runs on to."""
    for row in table.rows[:count]:
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(marker)


def _describe(table, kind, text):
    """A table's title or description, which screen readers announce with it."""
    if text:
        element = OxmlElement(f"w:{kind}")
        element.set(qn("w:val"), text)
        table._tbl.tblPr.append(element)


def _add_field(paragraph, instruction, placeholder):
    """A Word field: its instruction, and the text shown until Word updates it."""
    parts = [("fldChar", "begin"), ("instrText", instruction), ("fldChar", "separate")]
    for tag, value in parts:
        element = OxmlElement(f"w:{tag}")
        if tag == "fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = value
        paragraph.add_run()._r.append(element)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)
