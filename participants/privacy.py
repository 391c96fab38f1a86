"""Spot likely personal data in what participants write, and mask it for everyone else.

This is a safety net, not a guarantee: it catches common patterns (see docs/SECURITY.md for
what it catches and what it cannot), and the facilitator sees the original and decides.

The patterns run on a normalised copy of the text (NFKC, every space as " ", every dash as
"-", curly apostrophes as "'"), so full-width, no-break and thin-space forms are caught; each
character of the copy remembers where it came from, so only the masked spans of the
original change.
"""

import re
import unicodedata
from dataclasses import dataclass

LABELS = {
    "email": "[email]",
    "NHS number": "[NHS number]",
    "phone number": "[phone]",
    "postcode": "[postcode]",
    "date of birth": "[date]",
    "name": "[name]",
}

# --- Emails, numbers and postcodes ---------------------------------------------------------

# Both start only where a run of address characters starts: trying every position inside a
# long run would take time that grows with the square of its length.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+ ?@ ?[\w-]+(?:\.[\w-]+)+")
# Spelled out ("jo dot bloggs at gmail dot com", "jo [at] nhs.net"). Ending on a known
# top-level domain keeps "we met at the town hall. Then" from looking like an address.
SPELLED_EMAIL = re.compile(
    r"(?<![\w.+-])[\w+-]+(?:(?:\.| ?[\[(]dot[\])] ?| dot )[\w+-]+)*"
    r"(?: ?[\[(]at[\])] ?| at )"
    r"[\w-]+(?:(?:\.| ?[\[(]dot[\])] ?| dot )[\w-]+)*"
    r"(?:\.| ?[\[(]dot[\])] ?| dot )(?:com|org|net|uk|gov|edu|io|me|info)\b",
    re.IGNORECASE,
)
# Ten digits, first not 0, with spaces, dots or dashes anywhere between them, and not part of
# a longer run of digits.
NHS_NUMBER = re.compile(
    r"(?<![\d+])(?<!\d[ .-])(?<!\d[ .-]{2})[1-9](?:[ .-]{0,3}\d){9}(?![ .-]{0,3}\d)"
)
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+ ?|00)44[ .-]*(?:\(0\)[ .-]*)?\(?|\(?0)"
    r"(?:[ .()-]{0,2}\d){9,10}(?![ .-]?\d)"
)
# Real inward codes never use C, I, K, M, O or V; "Y6 2nd" and "KS2 3rd" (ordinals written
# in lower case) are school years, not postcodes.
POSTCODE = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]? *(?!(?-i:\d(?:st|nd|rd|th)\b))\d[ABD-HJLNP-UW-Z]{2}\b",
    re.IGNORECASE,
)

# --- Dates of birth ------------------------------------------------------------------------

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
NUMERIC_DATE = r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})\b"
WRITTEN_DATE = (
    rf"\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {MONTHS}(?:,? \d{{4}})?"
    rf"|{MONTHS} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?|{MONTHS} \d{{4}}"
)
BIRTH_DATE = re.compile(
    r"\b(?:born|d\.? ?o\.? ?b\b\.?|date of birth|birth ?date|birthday)[ :,-]*"
    r"(?:(?:is|was|on|in|the) )*"
    rf"(?P<data>{NUMERIC_DATE}|{WRITTEN_DATE})",
    re.IGNORECASE,
)
# A numeric date straight after one of these words dates a meeting or a letter, not a birth.
EVENT_WORDS = frozenset(
    {
        "is",
        "was",
        "on",
        "by",
        "until",
        "till",
        "from",
        "since",
        "before",
        "after",
        "dated",
        "issued",
        "due",
        "closes",
        "deadline",
        "held",
        "sent",
        "received",
        "requested",
        "submitted",
        "expires",
        "starts",
    }
)
WORD_BEFORE = re.compile(r"([a-z]+)\W*$", re.IGNORECASE)

# --- Names ---------------------------------------------------------------------------------

WORD = r"[^\W\d_]+(?:['-][^\W\d_]+)*\b"
PEOPLE = (
    r"(?:son|daughter|child|boy|girl|grandson|granddaughter|grandchild|stepson|stepdaughter|"
    r"kid|nephew|niece|brother|sister|twin|husband|wife|partner|eldest|youngest|oldest|"
    r"foster (?:child|son|daughter)|caseworker|case worker|key ?worker|social worker|"
    r"teacher|TA|SENC?O|SENDCO|paediatrician|therapist|friend)s?"
)
# The name starts right after one of these cues.
NAME_CUE = re.compile(
    rf"\b(?:my|our|his|her|their) {PEOPLE}(?: (?:is|was)|'s)?(?: (?:called|named))?"
    rf"|\b(?:he|she|they|who|{PEOPLE}|pupil|student|lad)(?: (?:is|was|are)|'s)? (?:called|named)"
    r"|\b(?:the|a|one) (?:pupil|student)\b|\bI(?:'m| am)\b"
    r"|\b(?:first |last |middle |full |sur)?names?(?:'s| is| was| ?:| -)"
    r"|\b(?:child|son|daughter|pupil|student|young person) ?:"
    r"|\b(?:dear|hi|hello|hiya)\b"
    r"|(?-i:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|MR|MRS|MISS|DR)\b\.?)",
    re.IGNORECASE,
)
NAME_SEPARATOR = re.compile(r"[\s,:(-]*")
NAME_WORDS = re.compile(rf"{WORD}(?: {WORD}){{0,2}}")
AND_NAME = re.compile(rf" (?:and|&) (?P<data>{WORD})")
# A name alone at the end of a line or post, after a sign-off.
SIGN_OFF = re.compile(
    r"(?:^|[.!?] )(?:many thanks|thanks|thank you|best wishes|kind regards|warm regards|"
    r"regards|best|cheers|all the best|take care|yours sincerely|yours faithfully|sincerely)"
    rf"[ ,.!-]*\n?[ ]*(?P<data>{WORD}(?: {WORD}){{0,2}}) *(?=$|[,(]| -)",
    re.IGNORECASE | re.MULTILINE,
)
# A name just before an age or school year: "Isla, aged 6", "(Freddie, age 9)", "Ruby (7)";
# a space or comma must part them, or "+SUM(1)" would be a name and an age.
NAME_BEFORE_AGE = re.compile(
    rf"(?<![\w'-])(?P<data>{WORD}(?: {WORD})?)(?=(?:,|,? +)\(? *(?:aged? *\d|\d{{1,2}} *\)"
    r"|(?:year|yr) *\d{1,2} *\)))",
    re.IGNORECASE,
)
# Capitalised words that follow the cues above in ordinary writing ("I'm Autistic", "my son
# is In Year 6", "Dear Minister", "the Pupil Premium"), compared in lower case.
NOT_NAMES = frozenset(
    """
    a an the this that these those some any no not all both each every none
    i he she they we you it his her their our my your its him them us me
    and but or so if when who which what where how why yes ok okay
    is was are were be been being has had have can could cannot will would should does did
    do doesn't didn't don't won't can't isn't wasn't needs goes went gets got loves likes
    hates attends started waited struggles finds feels says said
    in at on to for of by with without from about over under into out off up down
    now still also just only very really nearly almost currently finally always never
    here there sure unsure sorry happy glad pleased worried tired angry nervous anxious
    struggling fine well home back due aged age waiting getting going
    bright clever lovely brilliant amazing black white asian mixed catholic muslim jewish
    christian hindu sikh gay lesbian bi trans queer
    autistic autism dyslexic dyspraxic deaf blind disabled nonverbal non-verbal verbal
    neurodivergent adhd add asd asc pda semh slcn mld sld pmld spld ocd dcd cp bsl aac
    send sen senco sendco sencos ehcp ehcps ehc ehcna camhs la las lea nhs gp gps ta tas
    ot salt slt ep eps icb dfe ofsted eotas ehe sats gcse gcses pru ap sendiass iass
    ipsea sendist mp mps uk dla pip
    year years reception nursery key stage sixth form college school primary secondary
    special mainstream tier section pupil pupils premium referral unit student students
    voice alternative provision education health care plan plans local offer council
    parent parents carer carers forum mum mam mom dad mother father grandparent
    grandma grandad teacher teachers head deputy assistant director lead chair governor
    member manager officer worker social nurse doctor consultant minister secretary
    government sir madam all everyone everybody anyone team colleagues folks friends
    children child kids young people adults boys girls family families staff
    north south east west midlands british english welsh scottish irish
    mr mrs ms miss mx dr prof
    """.split()  # noqa: SIM905  (a block of words reads better than 300 quoted ones)
)


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple  # what was found, e.g. ("email", "name")


def mask_personal_data(text):
    """The text with likely personal data replaced, and the kinds of data found."""
    normal, origins = _normalise(text)
    found = [(start, end, kind) for kind, find in FINDERS for start, end in find(normal)]
    # Where finds overlap, the one that starts first wins, then the longer one: "+44 (0)20
    # 7946 0018" is one phone number, not a phone code and an NHS number.
    found.sort(key=lambda span: (span[0], span[0] - span[1]))
    masked, kinds, position, taken_to = [], set(), 0, 0
    for start, end, kind in found:
        if start < taken_to:
            continue
        original_start, original_end = origins[start][0], origins[end - 1][1]
        masked += [text[position:original_start], LABELS[kind]]
        kinds.add(kind)
        position, taken_to = original_end, end
    masked.append(text[position:])
    return Masked("".join(masked), tuple(kind for kind in LABELS if kind in kinds))


def _normalise(text):
    """A copy to match against, and for each of its characters the span it came from."""
    normal, origins = [], []
    for start, end in _clusters(text):
        for char in unicodedata.normalize("NFKC", text[start:end]):
            category = unicodedata.category(char)
            if category == "Cf":  # zero-width and soft hyphens: invisible, so matched as absent
                continue
            if char.isspace() and char != "\n":
                char = " "
            elif category == "Pd":
                char = "-"
            elif char in "‘’‛ʼ′":
                char = "'"
            normal.append(char)
            origins.append((start, end))
    return "".join(normal), origins


def _clusters(text):
    """Each character with the combining marks after it, so "e" + U+0308 stays one letter."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            yield start, index
            start = index


def _spans(pattern):
    """A finder for `pattern`: the span of its "data" group if it has one, else the match's."""
    group = "data" if "data" in pattern.groupindex else 0

    def find(text):
        return (match.span(group) for match in pattern.finditer(text))

    return find


def _bare_numeric_dates(text):
    for match in re.finditer(NUMERIC_DATE, text):
        word_before = WORD_BEFORE.search(text, 0, match.start())
        if not (word_before and word_before.group(1).lower() in EVENT_WORDS):
            yield match.span()


def _names_after_cues(text):
    for cue in NAME_CUE.finditer(text):
        start = NAME_SEPARATOR.match(text, cue.end()).end()
        words = NAME_WORDS.match(text, start)
        name = _name_words(words.group()) if words else ""
        if not name:
            continue
        yield start, start + len(name)
        # "my twins Ava and Mia": a second name joined on is as much a name as the first.
        joined = AND_NAME.match(text, start + len(name))
        if joined and _name_words(joined.group("data")):
            yield joined.span("data")


def _names_signing_off(text):
    for match in SIGN_OFF.finditer(text):
        if _name_words(match.group("data")) == match.group("data"):
            yield match.span("data")


def _names_before_ages(text):
    for match in NAME_BEFORE_AGE.finditer(text):
        words, end = match.group("data"), match.end("data")
        last_word = words.rpartition(" ")[2]
        # "Amy Jones, aged 9" is one name; in "Yesterday Isla, aged 6" only the last word is.
        for candidate in (words, last_word):
            if _name_words(candidate) == candidate:
                yield end - len(candidate), end
                break


def _name_words(words):
    """The leading words of `words` that make a name: Capitalised words, or one ALL-CAPS word
    (in an ALL-CAPS post the words after a name look just as name-like); a possessive ends it.
    """
    name = []
    for word in words.split(" "):
        bare = word.removesuffix("'s").removesuffix("'S")
        if not _looks_like_a_name(bare) or (name and (bare.isupper() or name[0].isupper())):
            break
        name.append(bare)
        if bare != word:
            break
    return " ".join(name)


def _looks_like_a_name(word):
    return len(word) > 1 and word[0].isupper() and word.lower() not in NOT_NAMES


# Order sets the order of the kinds reported.
FINDERS = [
    ("email", _spans(EMAIL)),
    ("email", _spans(SPELLED_EMAIL)),
    ("NHS number", _spans(NHS_NUMBER)),
    ("phone number", _spans(PHONE)),
    ("postcode", _spans(POSTCODE)),
    ("date of birth", _spans(BIRTH_DATE)),
    ("date of birth", _bare_numeric_dates),
    ("name", _names_after_cues),
    ("name", _names_signing_off),
    ("name", _names_before_ages),
]
