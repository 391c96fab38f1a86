"""PDF/UA repairs to the tagged PDF WeasyPrint writes, made on its bytes with pikepdf.

WeasyPrint (66 to 70) leaves four things a PDF/UA checker, or a screen reader, trips on:
- table header cells carry no /Scope;
- cells' /Headers name header /IDs, but the tree has no /IDTree, so none of them resolves;
- text of @page margin boxes ("Page 2 of 9") is marked as content of structure elements that
  are not in the tree, where it should be an artifact;
- a <figcaption> becomes a /Caption beside the /Figure instead of inside it.
It also tags every SVG as a /Figure. A chart whose numbers are already given in words has no
<title> (and is aria-hidden in the HTML): with no alternative text it is decoration, so it
becomes an artifact too, which pdf/ua-1 allows where a /Figure without /Alt is an error.
"""

import io
import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

# Where a /Caption may stand on its own: a table's caption belongs to the table.
CAPTION_HOMES = {"/Table", "/Figure", "/L"}


@dataclass
class Element:
    node: Dictionary
    parent: "Element | None"
    kids: list = field(default_factory=list)

    @property
    def role(self):
        return str(self.node.get("/S", ""))


def make_accessible(pdf_bytes):
    """The same PDF with its structure tree repaired for PDF/UA."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root = pdf.Root.StructTreeRoot
        elements = _walk(root)
        decorative = [e for e in elements if e.role == "/Figure" and "/Alt" not in e.node]
        for figure in decorative:
            _detach(figure)
        _mark_artifacts(pdf, kept={e.node.objgen for e in elements if e not in decorative})
        _scope_headers(elements)
        _resolve_headers(pdf, root, elements)
        _captions_into_figures(elements)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def _walk(root):
    """Every structure element reachable from the root, parents before their kids."""
    found, stack = [], [(kid, None) for kid in reversed(_kids(root))]
    while stack:
        node, parent = stack.pop()
        if not isinstance(node, Dictionary) or "/S" not in node:
            continue  # a marked-content id or a reference to an annotation
        element = Element(node, parent)
        if parent:
            parent.kids.append(element)
        found.append(element)
        stack += [(kid, element) for kid in reversed(_kids(node))]
    return found


def _kids(node):
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _detach(element):
    """Take an element out of its parent's /K (its content becomes an artifact later)."""
    holder = element.parent.node
    holder.K = Array([kid for kid in _kids(holder) if kid.objgen != element.node.objgen])
    element.parent.kids.remove(element)


def _mark_artifacts(pdf, *, kept):
    """Marked content whose element is not in the tree is re-marked /Artifact, and its
    /ParentTree entry cleared, so it is neither read out nor left unaccounted for."""
    # WeasyPrint writes a flat number tree; a page's entry lists its elements by MCID.
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for page in pdf.pages:
        if "/StructParents" not in page.obj:
            continue
        entries = _parent_tree_entry(nums, int(page.obj.StructParents))
        orphans = {
            mcid
            for mcid, element in enumerate(entries)
            if isinstance(element, Dictionary) and element.objgen not in kept
        }
        for mcid in orphans:
            entries[mcid] = None
        if orphans:
            _rewrite_marked_content(pdf, page, orphans)


def _parent_tree_entry(nums, key):
    for index in range(0, len(nums), 2):
        if int(nums[index]) == key:
            return nums[index + 1]
    return Array()


# How WeasyPrint opens marked content: `/Span <</MCID 3>> BDC`. Its text is drawn as glyph
# ids in hex strings, so the pattern cannot turn up inside a page's words.
MARKED = re.compile(rb"/(\w+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def _rewrite_marked_content(pdf, page, mcids):
    """`/Span <</MCID n>> BDC` becomes `/Artifact <</Type /Pagination>> BDC` for each n.

    A substitution on the stream's bytes: every page carries a page number and a draft mark,
    and parsing and rewriting each page's whole content took most of the repair's time."""

    def artifact(match):
        if int(match[2]) not in mcids:
            return match[0]
        kind = b"Pagination" if match[1] == b"Span" else b"Layout"
        return b"/Artifact <</Type /" + kind + b">> BDC"

    contents = page.obj.Contents
    parts = contents if isinstance(contents, Array) else [contents]
    data = b"\n".join(part.read_bytes() for part in parts)
    page.obj.Contents = pdf.make_stream(MARKED.sub(artifact, data))


def _scope_headers(elements):
    """A /TH opening a body row heads that row; any other /TH heads its column."""
    for element in elements:
        if element.role != "/TH":
            continue
        row = element.parent
        in_body = row is not None and row.parent is not None and row.parent.role != "/THead"
        first = row is not None and row.kids and row.kids[0] is element
        has_data = row is not None and any(kid.role == "/TD" for kid in row.kids)
        scope = Name.Row if in_body and first and has_data else Name.Column
        _attributes(element.node).Scope = scope


def _attributes(node):
    """The element's /Table attribute dictionary, made if missing."""
    attributes = node.get("/A")
    if isinstance(attributes, Array):
        attributes = next((a for a in attributes if a.get("/O") == Name.Table), None)
    if not isinstance(attributes, Dictionary):
        attributes = Dictionary(O=Name.Table)
        node.A = attributes
    return attributes


def _resolve_headers(pdf, root, elements):
    """Give the tree the /IDTree its header ids need, then drop any id it cannot resolve."""
    by_id = {bytes(e.node.ID): e.node for e in elements if "/ID" in e.node}
    names = Array()
    for key in sorted(by_id):
        names.extend([pikepdf.String(key), by_id[key]])
    root.IDTree = pdf.make_indirect(Dictionary(Names=names))
    for element in elements:
        attributes = element.node.get("/A")
        if not isinstance(attributes, Dictionary) or "/Headers" not in attributes:
            continue
        known = [h for h in attributes.Headers if bytes(h) in by_id]
        if known:
            attributes.Headers = Array(known)
        else:
            del attributes["/Headers"]


def _captions_into_figures(elements):
    """A <figure>'s caption goes inside the one /Figure it describes."""
    for caption in [e for e in elements if e.role == "/Caption"]:
        holder = caption.parent
        if holder is None or holder.role in CAPTION_HOMES:
            continue
        figures = [e for e in _descendants(holder) if e.role == "/Figure"]
        if len(figures) != 1:
            continue
        _detach(caption)
        figure = figures[0]
        figure.node.K = Array([*_kids(figure.node), caption.node])
        caption.node.P = figure.node
        caption.parent = figure
        figure.kids.append(caption)


def _descendants(element):
    for kid in element.kids:
        yield kid
        yield from _descendants(kid)
