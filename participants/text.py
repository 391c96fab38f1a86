"""Typed text made safe to show: the same tidying for posts, names and titles."""

import unicodedata

# Direction overrides can make text read differently from how it is stored, and these
# zero-width characters hide nothing anyone needs; joiners (U+200C, U+200D) stay for emoji
# and for scripts that use them.
INVISIBLE = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u2060\ufeff\u200e\u200f")
)
MAX_COMBINING_MARKS = 4


def _limit_combining_marks(text):
    """Keep at most a few accents on one letter: stacked marks spill over other lines."""
    kept, run = [], 0
    for char in text:
        run = run + 1 if unicodedata.combining(char) else 0
        if run <= MAX_COMBINING_MARKS:
            kept.append(char)
    return "".join(kept)


def tidy_text(text):
    """Invisible and direction-changing characters removed, accents capped, ends stripped."""
    text = unicodedata.normalize("NFC", (text or "").translate(INVISIBLE))
    return _limit_combining_marks(text).strip()
