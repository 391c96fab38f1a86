"""Spot likely personal data in what participants write, and mask it for everyone else.

This is a safety net, not a guarantee: it catches common patterns (see docs/SECURITY.md for
what it catches and what it cannot), and the facilitator sees the original and decides.
"""

import re
from dataclasses import dataclass

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
NAME = r"[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+)?"

# (kind, pattern, replacement), applied in order: NHS numbers before phone numbers, since
# both are runs of digits. A pattern with a "name" group masks only that group.
PATTERNS = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    ("NHS number", re.compile(r"(?<!\d)[1-9]\d{2}[ -]?\d{3}[ -]?\d{4}(?!\d)"), "[NHS number]"),
    (
        "phone number",
        re.compile(r"(?<![\w+])(?:\+44[ \t]?(?:\(0\)[ \t]?)?|0)(?:[ \t-]?\d){9,10}(?!\d)"),
        "[phone]",
    ),
    (
        "postcode",
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[A-Z]{2}\b", re.IGNORECASE),
        "[postcode]",
    ),
    ("date of birth", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"), "[date]"),
    (
        "date of birth",
        re.compile(
            rf"(?i:\b(?:born(?:[ \t]+on)?|d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birthday)[ \t:,-]*)"
            rf"(?P<name>\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{MONTHS}\w*[ \t]+\d{{4}}|{MONTHS}\w*[ \t]+"
            rf"\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}})",
            re.IGNORECASE,
        ),
        "[date]",
    ),
    (
        "name",
        re.compile(
            rf"(?i:\b(?:my|our)[ \t]+(?:son|daughter|child|boy|girl|grandson|granddaughter|"
            rf"stepson|stepdaughter|kid|foster[ \t]+child)|\bpupil|\bstudent|\bcalled|\bnamed)"
            rf"[ \t]*,?[ \t]*(?P<name>{NAME})"
        ),
        "[name]",
    ),
    ("name", re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+(?P<name>{NAME})"), "[name]"),
]


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple  # what was found, e.g. ("email", "name")


def mask_personal_data(text):
    """The text with likely personal data replaced, and the kinds of data found."""
    found = []
    for kind, pattern, replacement in PATTERNS:
        text, count = pattern.subn(lambda m, r=replacement: _replace(m, r), text)
        if count:
            found.append(kind)
    return Masked(text, tuple(dict.fromkeys(found)))


def _replace(match, replacement):
    if "name" not in match.re.groupindex:
        return replacement
    start, end = match.span("name")
    whole = match.group(0)
    offset = match.start()
    return whole[: start - offset] + replacement + whole[end - offset :]
