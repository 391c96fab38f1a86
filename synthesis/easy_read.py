"""The Easy Read version of a report: the main messages first, one idea a sentence, large
type, in the Easy Read words analysts and the framework give. It reads the same data as the
full report, so both say the same."""

from dataclasses import dataclass

from synthesis.report import HEADINGS, report_context

# Quotes longer than this are left to the full report: Easy Read keeps sentences short.
SHORT_QUOTE = 140
# What each count of the overview means, in Easy Read words, by the report's headings.
SENTENCES = {
    "Common ground": ("Every group agreed with 1 idea.", "Every group agreed with {n} ideas."),
    "Agreed against": (
        "Every group disagreed with 1 idea.",
        "Every group disagreed with {n} ideas.",
    ),
    "Points of debate": (
        "Groups did not agree with each other about 1 idea.",
        "Groups did not agree with each other about {n} ideas.",
    ),
    "Other views": (
        "1 more idea got a mixed answer.",
        "{n} more ideas got a mixed answer.",
    ),
    "Heard, not yet tested": (
        "1 idea needs more votes before we can say.",
        "{n} ideas need more votes before we can say.",
    ),
}


@dataclass
class Recommendation:
    recommendation: object
    sentences: list
    example: str | None


def easy_read_context(series, *, workshop=None, final=None):
    context = report_context(series, workshop=workshop, final=final)
    counts = dict(context["overview"]["classes"])
    return {
        **context,
        "messages": [finding.easy_read for finding in context["findings"] if finding.easy_read],
        "easy_read_pillars": [
            (section["pillar"], _recommendations(section, counts)) for section in context["pillars"]
        ],
    }


def _recommendations(section, counts):
    """A pillar's recommendations that people said anything about."""
    return [
        Recommendation(
            rec["recommendation"], _sentences(counts[rec["recommendation"]]), _example(rec)
        )
        for rec in section["recommendations"]
        if rec["items"]
    ]


def _sentences(counts):
    """One sentence for each heading that has any items, in the report's order."""
    said = []
    for (heading, _), n in zip(HEADINGS, counts, strict=True):
        if n:
            one, many = SENTENCES[heading]
            said.append(one if n == 1 else many.format(n=n))
    return said


def _example(section):
    """The strongest post of a recommendation's common ground that is short enough to read
    (a theme's title is the analysts' words, not a quote)."""
    for heading in section["headings"]:
        if heading["title"] == "Common ground":
            short = [
                item.text
                for item in heading["items"]
                if item.kind == "contribution" and len(item.text) <= SHORT_QUOTE
            ]
            return short[0] if short else None
    return None
