"""A catalogue of nasty inputs, tried wherever text can enter and checked wherever it comes out.

Entry points: the phone's post form, the phone socket (frames, invalid JSON, JSON nested too
deep, numbers too big for a float, an escaped lone surrogate, binary frames), the console's
edit form, the scribe form, theme and finding titles, the filter query strings of the
console, boards and contributions page, the console's search for a post to merge into, the
join code field (and the code in the URL), the display name at joining, and the date boxes
of a new workshop. There are no uploads.

Every case is either refused with a clear message and nothing stored (not even half: no
scribe participant, no theme without posts, no edit without its original), or stored
cleaned: direction overrides and zero-width characters removed, stacked combining marks
cut to a few, emoji kept whole. Then every output is rendered and must be inert: HTML
escapes (&lt;script&gt;), never a raw "<script>alert", an onerror= attribute or a
javascript: link; the PDF has the words as literal text and no script or auto-action
entries; CSV and XLSX cells that would start a formula begin with an apostrophe and are
read back as strings.

Invalid UTF-8 on the socket: Channels' WebsocketCommunicator only sends str, so in-process
tests send what a str can carry: a lone surrogate, escaped in JSON or raw. Raw invalid
UTF-8 bytes in a text frame never reach the app: the WebSocket server (daphne, through
autobahn) validates text frames and fails the connection first (reason 1007, invalid
payload; daphne keeps autobahn's failByDrop, so the TCP connection is dropped and the client
sees 1006 rather than a 1007 close frame).
`test_invalid_utf8_in_a_text_frame_is_closed_by_daphne_before_the_app` proves it against a
real daphne with the `websockets` client sending the raw frame.
"""

import asyncio
import csv
import io
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import websockets
from asgiref.sync import async_to_sync
from daphne.testing import DaphneProcess
from django.urls import path, reverse
from django.utils.html import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from accounts.models import AuditEntry
from facilitation.models import WallDisplay
from participants import services as participant_services
from participants import tokens
from participants.consumers import ParticipantConsumer
from participants.models import Contribution, Participant
from participants.text import tidy_text
from synthesis import services as synthesis_services
from synthesis.models import Finding, Judgement, ReportExport, Theme
from synthesis.tasks import build_export
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    UserFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)
from tests.helpers import new_client, run_async
from tests.sockets import ask, console, phone, wall

MAX_MARKS = 4  # participants.services.MAX_COMBINING_MARKS
HIDDEN = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u2060\ufeff\u200e\u200f"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    stored: str | None  # None: refused
    refusal: str = ""  # "too_long" or "bad_char" when refused

    def __str__(self):
        return self.id


def same(case_id, text):
    return Case(case_id, text, text)


CASES = [
    Case("over_long", "O" * 1001, None, "too_long"),
    same("script", "<script>alert(1)</script>"),
    same("attribute", '"><img src=x onerror=alert(1)>'),
    same("javascript_url", "javascript:alert(1)"),
    Case("rtl_override", "abc\u202edcba", "abcdcba"),
    Case("zero_width", "zero\u200bwidth\u2060here\ufeff", "zerowidthhere"),
    # NFC makes Z + acute one letter (Ź); of the other 49 marks, four stay.
    Case("combining_marks", "Z" + "\u0301" * 50, "\u0179" + "\u0301" * MAX_MARKS),
    same("emoji", "emoji 👨‍👩‍👧 🧑🏽‍🦽"),
    Case("null_byte", "nul\x00byte", None, "bad_char"),
    same("formula_hyperlink", '=HYPERLINK("http://x","y")'),
    same("formula_plus", "+SUM(1)"),
    same("formula_minus", "-1+2"),
    same("formula_at", "@cmd"),
    Case("leading_tab", "\tTAB", "TAB"),
]
# A lone surrogate cannot be encoded into an HTTP request as text: it is sent in socket
# frames (JSON-escaped, and raw in the str), and as its would-be UTF-8 bytes (invalid UTF-8)
# in query strings; a form body of invalid UTF-8 has its own test.
LONE_SURROGATE = Case("lone_surrogate", "lone \ud800 surrogate", None, "bad_char")
ACCEPTED = [case for case in CASES if case.stored is not None]
FORMULAS = [case for case in ACCEPTED if case.stored.startswith(FORMULA_STARTS)]

REFUSALS = {
    "contribution": {
        "too_long": ("Please keep it to 1,000 characters or fewer (you have 1,001).",),
        "bad_char": (
            "Your text has a character we cannot store.",
            "has a character we cannot store: take it out and try again",
        ),
    },
    "title": {
        "too_long": (
            "The line must be 300 characters or fewer (it has 1001)",
            "Title must be 300 characters or fewer (it has 1001)",
        ),
        "bad_char": ("has a character we cannot store: take it out and try again",),
    },
}


def says_why(text, entry, case):
    return any(message in text for message in REFUSALS[entry][case.refusal])


# What "inert" means for a page


class Scan(HTMLParser):
    """What a browser would run in a page: event-handler attributes, javascript: links,
    scripts that call alert. The app's own templates have none of these."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an {name}= attribute on <{tag}>")
            if name in LINKS and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"a javascript: {name} on <{tag}>")
        self.in_script = tag == "script"

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert(" in data:
            self.problems.append("a script that calls alert")


LINKS = {"href", "src", "action", "formaction", "xlink:href", "data"}


NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def longest_mark_run(text):
    """The most combining marks in a row (they are never ASCII, so only those runs count)."""
    longest = 0
    for stretch in NON_ASCII.findall(text):
        run = 0
        for char in stretch:
            run = run + 1 if unicodedata.combining(char) else 0
            longest = max(longest, run)
    return longest


def html_problems(html, *, stored_text=True):
    """What makes this page unsafe. `stored_text` pages show only stored words, so no
    hidden characters either; pages echoing a query string may show them escaped."""
    problems = []
    if "<script>alert" in html.lower():
        problems.append("a raw <script>alert")
    scan = Scan()
    scan.feed(html)
    scan.close()
    problems += scan.problems
    if stored_text:
        found = sorted({f"U+{ord(c):04X}" for c in html if c in HIDDEN or c == "\x00"})
        if found:
            problems.append(f"hidden characters {found}")
        if longest_mark_run(html) > MAX_MARKS:
            problems.append("more than four stacked combining marks")
    return problems


def assert_inert(response, *shown, status=200, stored_text=True):
    assert response.status_code == status
    html = response.content.decode()
    assert html_problems(html, stored_text=stored_text) == []
    for text in shown:
        assert escape(text) in html, f"{text!r} is not shown (escaped)"
    return html


def assert_clean(text):
    assert not any(c in HIDDEN or c == "\x00" for c in text)
    assert longest_mark_run(text) <= MAX_MARKS
    text.encode("utf-8")  # no lone surrogates


# Fixtures


@pytest.fixture
def place(db):
    """A live workshop, one open question, an author and a reader, and the staff."""
    workshop = make_workshop(title="Catalogue workshop")
    return make_place(workshop)


def make_place(workshop):
    author = ParticipantFactory(workshop=workshop)
    reader = ParticipantFactory(workshop=workshop, group=stakeholder_group("education"))
    return SimpleNamespace(
        workshop=workshop,
        series=workshop.series,
        prompt=workshop.prompts.get(is_open=True),
        author=author,
        reader=reader,
        facilitator=UserFactory(roles=["facilitator"]),
        analyst=UserFactory(roles=["analyst"]),
    )


def as_participant(participant):
    client = new_client()
    client.cookies[tokens.cookie_name(participant.workshop)] = tokens.make_token(participant)
    return client


def as_user(user):
    client = new_client()
    client.force_login(user)
    return client


def outputs(place, *shown):
    """Every HTML page a contribution shows on, each as the person who sees it."""
    w, s = place.workshop, place.series
    desk, analyst = as_user(place.facilitator), as_user(place.analyst)
    code = w.join_code
    assert_inert(as_participant(place.author).get(f"/w/{code}/"), *shown)
    assert_inert(as_participant(place.reader).get(f"/w/{code}/"), *shown)
    assert_inert(desk.get(reverse("facilitation:console", args=[w.pk])), *shown)
    assert_inert(desk.get(reverse("facilitation:wall", args=[w.pk])), *shown)
    assert_inert(analyst.get(reverse("synthesis:series_board", args=[s.pk])), *shown)
    assert_inert(analyst.get(reverse("synthesis:series_contributions", args=[s.pk])), *shown)


# The phone's post form


@pytest.mark.parametrize("case", CASES, ids=str)
def test_post_form(place, case):
    client = as_participant(place.author)
    data = {"text": case.text, "client_id": uuid.uuid4(), "prompt": place.prompt.pk}
    response = client.post(
        reverse("participants:contribute", args=[place.workshop.join_code]), data
    )
    if case.stored is None:
        # The refused text is shown again (escaped) so it can be fixed: echo allowed.
        html = assert_inert(response, status=400, stored_text=False)
        assert says_why(html, "contribution", case)
        assert not Contribution.objects.exists()
        return
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.text == case.stored
    assert_clean(contribution.text)
    outputs(place, case.stored)


def test_invalid_utf8_in_a_form_body_is_stored_as_replacement_characters(place):
    """Bytes that are not UTF-8 become U+FFFD when the form is read: never a lone surrogate,
    never a 500."""
    client = as_participant(place.author)
    body = f"text=%ED%A0%80%FF+words&client_id={uuid.uuid4()}&prompt={place.prompt.pk}"
    response = client.post(
        reverse("participants:contribute", args=[place.workshop.join_code]),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    text = Contribution.objects.get().text
    assert text.endswith(" words") and set(text[: -len(" words")]) == {"\ufffd"}
    assert_clean(text)


# The console's edit form


@pytest.mark.parametrize("case", CASES, ids=str)
def test_console_edit(place, case):
    contribution = ContributionFactory(participant=place.author, text="Original words")
    client = as_user(place.facilitator)
    url = reverse("facilitation:contribution_edit", args=[place.workshop.pk, contribution.pk])
    response = client.post(url, {"text": case.text}, follow=True)
    contribution.refresh_from_db()
    if case.stored is None:
        html = assert_inert(response, "Original words")
        assert says_why(html, "contribution", case)
        assert contribution.text == "Original words"
        assert contribution.original_text == "" and contribution.edited_at is None
        assert not AuditEntry.objects.filter(action="edit").exists()
        return
    assert_inert(response, case.stored, "Original words")
    assert contribution.text == case.stored
    assert contribution.original_text == "Original words"


# The scribe form (paper cards typed in by a facilitator)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_scribe_form(place, case):
    client = as_user(place.facilitator)
    data = {
        "prompt": place.prompt.pk,
        "group": stakeholder_group("health").pk,
        "text": case.text,
        "client_id": uuid.uuid4(),
    }
    response = client.post(reverse("facilitation:scribe", args=[place.workshop.pk]), data)
    if case.stored is None:
        html = assert_inert(response, status=400, stored_text=False)
        assert says_why(html, "contribution", case)
        assert not Participant.objects.filter(is_scribe=True).exists()
        assert not Contribution.objects.exists()
        return
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.text == case.stored and contribution.participant.is_scribe
    assert contribution.entered_by == place.facilitator
    assert_inert(client.get(reverse("facilitation:console", args=[place.workshop.pk])), case.stored)


# The date boxes of a new workshop (day, month, year and time)


@pytest.mark.parametrize("box", ["day", "month", "year", "time"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_workshop_date_boxes(place, case, box):
    """Anything typed in one box of a real date is refused, said why, and shown back inert."""
    client = as_user(place.facilitator)
    data = {"title": "Dated", "kind": "regional"}
    data |= {"starts_at_day": "2", "starts_at_month": "3", "starts_at_year": "2031"}
    data |= {"starts_at_time": "10:00", f"starts_at_{box}": case.text}
    response = client.post(reverse("facilitation:series_detail", args=[place.series.pk]), data)
    html = assert_inert(response, status=400, stored_text=False)
    assert 'href="#id_starts_at_0"' in html
    assert not place.series.workshops.filter(title="Dated").exists()


# Theme and finding titles (analysts). Titles are read on the board and printed in the
# report, so they are held to the rules posts are: overrides and zero-width characters
# removed, combining marks capped.


def two_posts(place):
    return [ContributionFactory(participant=place.author, text=f"Evidence {n}") for n in (1, 2)]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_theme_title(place, case):
    posts = two_posts(place)
    client = as_user(place.analyst)
    url = reverse("synthesis:themes", args=[place.series.pk])
    data = {"title": case.text, "contributions": ", ".join(str(p.pk) for p in posts)}
    response = client.post(url, data)
    if case.stored is None:
        html = assert_inert(response, status=400, stored_text=False)
        assert says_why(html, "title", case)
        assert not Theme.objects.exists()
        assert not Theme.contributions.through.objects.exists()
        return
    assert response.status_code == 302
    theme = Theme.objects.get()
    assert theme.title == case.stored
    assert theme.contributions.count() == 2
    assert_inert(client.get(url), case.stored)
    board = reverse("synthesis:series_board", args=[place.series.pk])
    assert_inert(client.get(board), case.stored)
    edit = reverse("synthesis:theme_edit", args=[place.series.pk, theme.pk])
    assert_inert(client.get(edit), case.stored)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_finding_title(place, case):
    posts = two_posts(place)
    client = as_user(place.analyst)
    url = reverse("synthesis:findings", args=[place.series.pk])
    data = {
        "title": case.text,
        "body": "What the evidence shows.",
        "kind": Finding.Kind.COMMON_GROUND,
        "contributions": ", ".join(str(p.pk) for p in posts),
    }
    response = client.post(url, data)
    if case.stored is None:
        html = assert_inert(response, status=400, stored_text=False)
        assert says_why(html, "title", case)
        assert not Finding.objects.exists()
        assert not Finding.contributions.through.objects.exists()
        return
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.title == case.stored
    assert finding.contributions.count() == 2
    assert_inert(client.get(url), case.stored)


# The join code (the form on the home page, and the code in the URL)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_join_code(place, case):
    client = new_client()
    response = client.post(reverse("participants:home"), {"code": case.text})
    # The code field echoes what was typed (escaped) so it can be corrected.
    html = assert_inert(response, stored_text=False)
    typed = case.text.strip()
    if "\x00" in typed:
        assert "Workshop code has a character we cannot store" in html
    elif len(typed) > 20:
        assert f"Workshop code must be 20 characters or fewer (it has {len(typed)})" in html
    else:
        assert "We could not find a workshop with that code." in html
    response = client.get(f"/w/{quote(case.text, safe='')}/")
    assert_inert(response, status=404, stored_text=False)
    assert Participant.objects.count() == 2


# The display name given at joining. It is shown only to the participant who chose it
# (on their own feed), so it is held to "escaped, bounded, no NUL", not cleaned.


@pytest.mark.parametrize("case", CASES, ids=str)
def test_display_name(place, case):
    client = new_client()
    url = reverse("participants:join", args=[place.workshop.join_code])
    data = {"group": stakeholder_group("pcf").pk, "display_name": case.text, "consent": "on"}
    response = client.post(url, data)
    refused = case.refusal or len(case.text.strip()) > 40
    if refused:
        assert_inert(response, status=400, stored_text=False)
        assert Participant.objects.count() == 2
        assert tokens.cookie_name(place.workshop) not in response.cookies
        return
    assert response.status_code == 302
    joined = Participant.objects.exclude(pk__in=[place.author.pk, place.reader.pk]).get()
    # Names are tidied like posts: invisible and direction-changing characters removed.
    assert joined.display_name == tidy_text(case.text)
    feed = client.get(reverse("participants:workshop", args=[place.workshop.join_code]))
    assert_inert(feed, joined.display_name, stored_text=False)


# Query strings on the filters


def filter_pages(place):
    w, s = place.workshop, place.series
    board_fields = ("workshop", "region", "recommendation", "group", "verdict", "sort")
    return [
        (place.facilitator, reverse("facilitation:console", args=[w.pk]), ("group", "table")),
        (place.analyst, reverse("synthesis:series_board", args=[s.pk]), board_fields),
        (place.analyst, reverse("synthesis:workshop_board", args=[w.pk]), board_fields),
        (
            place.analyst,
            reverse("synthesis:series_contributions", args=[s.pk]),
            ("workshop", "region", "pillar", "recommendation", "group"),
        ),
    ]


@pytest.mark.parametrize("case", [*CASES, LONE_SURROGATE], ids=str)
def test_filter_query_strings(place, case):
    """A nonsense filter is ignored (everything is shown), and echoed only escaped."""
    ContributionFactory(participant=place.author, text="Still listed")
    value = case.text.encode("utf-8", "surrogatepass")
    for user, url, fields in filter_pages(place):
        query = "&".join(f"{name}={quote(value, safe='')}" for name in fields)
        response = as_user(user).get(f"{url}?{query}")
        assert_inert(response, "Still listed", stored_text=False)


def test_the_issues_mixed_filter_query(place):
    ContributionFactory(participant=place.author, text="Still listed")
    for user, url, _ in filter_pages(place):
        response = as_user(user).get(f"{url}?group=<script>&table=-1&verdict=%00&workshop=%ff")
        assert_inert(response, "Still listed", stored_text=False)


@pytest.mark.parametrize("case", [*CASES, LONE_SURROGATE], ids=str)
def test_merge_search_query_strings(place, case):
    """The console's search for a post to merge into: any words find nothing or posts that
    hold them, never an error, and are echoed only escaped, in the page and in the fragment."""
    post = ContributionFactory(participant=place.author, text="A duplicate to merge")
    ContributionFactory(participant=place.author, text="Unmatched words")
    url = reverse("facilitation:merge_candidates", args=[place.workshop.pk, post.pk])
    query = quote(case.text.encode("utf-8", "surrogatepass"), safe="")
    client = as_user(place.facilitator)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"{url}?q={query}", headers=headers)
        html = assert_inert(response, stored_text=False)
        assert "Unmatched words" not in html


# The console's wall controls


@pytest.mark.parametrize("case", CASES, ids=str)
def test_wall_controls(place, case):
    """Nonsense as a pause choice, what to show or a question is refused with a message,
    the wall stays as it was, and the console echoes nothing of it."""
    w = place.workshop
    desk = as_user(place.facilitator)
    for name, data in [
        ("wall_pause", {"paused": case.text}),
        ("wall_show", {"showing": case.text}),
        ("wall_show", {"showing": "results", "prompt": case.text}),
    ]:
        response = desk.post(reverse(f"facilitation:{name}", args=[w.pk]), data, follow=True)
        html = assert_inert(response, stored_text=False)
        assert "message-error" in html
        assert not WallDisplay.objects.filter(workshop=w).exists()


# The phone socket


def contribute_frame(prompt, text, client_id):
    return {"type": "contribute", "prompt": prompt.pk, "text": text, "client_id": str(client_id)}


async def ask_binary(socket, data, timeout=2):
    """tests.sockets.ask, for a binary frame."""
    await socket.send_to(bytes_data=data)
    while True:
        reply = json.loads(await socket.receive_from(timeout=timeout))
        if "events" not in reply:
            return reply


async def drain(socket):
    frames = []
    while not await socket.receive_nothing(timeout=0.5):
        frames.append(json.loads(await socket.receive_from()))
    return frames


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_socket_frames(settings):
    """Every case as a contribute frame (non-ASCII sent raw, as browsers do), then frames
    that cannot be read. Accepted posts are acknowledged and pushed to the console and wall
    as inert fragments; refused ones get an error frame naming their client id."""
    settings.CONTRIBUTIONS_PER_MINUTE = 1000
    place = make_place(make_workshop(title="Socket catalogue"))
    socket = phone(place.author)
    desk, screen = (
        console(place.workshop, place.facilitator),
        wall(place.workshop, place.facilitator),
    )
    ids = {case.id: uuid.uuid4() for case in CASES}
    frames = [
        (
            case,
            json.dumps(contribute_frame(place.prompt, case.text, ids[case.id]), ensure_ascii=False),
        )
        for case in CASES
    ]
    surrogate_id = uuid.uuid4()
    # The JSON escape \ud800 decodes to a lone surrogate; so does the raw one a str can hold.
    escaped = json.dumps(contribute_frame(place.prompt, LONE_SURROGATE.text, surrogate_id))
    assert "\\ud800" in escaped
    raw = json.dumps(
        contribute_frame(place.prompt, LONE_SURROGATE.text, uuid.uuid4()), ensure_ascii=False
    )
    replies, pushed = {}, {}

    async def scenario():
        for s in (socket, desk, screen):
            assert (await s.connect())[0]
        for case, frame in frames:
            replies[case.id] = await ask(socket, frame)
        replies["escaped_surrogate"] = await ask(socket, escaped)
        replies["raw_surrogate"] = await ask(socket, raw)
        replies["invalid_json"] = await ask(socket, '{"type": "contribute", "text": ')
        replies["not_an_object"] = await ask(socket, '["contribute"]')
        replies["deeply_nested"] = await ask(socket, "[" * 4000)
        replies["infinite_number"] = await ask(
            socket, '{"type": "vote", "contribution": 1e400, "choice": "agree"}'
        )
        replies["binary"] = await ask_binary(socket, b"\xed\xa0\x80 not text")
        replies["over_4096_bytes"] = await ask(
            socket, json.dumps(contribute_frame(place.prompt, "é" * 2100, uuid.uuid4()))
        )
        pushed["console"], pushed["wall"] = await drain(desk), await drain(screen)
        for s in (socket, desk, screen):
            await s.disconnect()

    # Every wait above has its own timeout; this bounds them all, so a socket that never
    # answers fails the test rather than holding up the suite.
    async_to_sync(asyncio.wait_for)(scenario(), timeout=120)

    for case in CASES:
        reply = replies[case.id]
        if case.stored is None:
            assert reply["type"] == "error", case.id
            assert reply["message"] in REFUSALS["contribution"][case.refusal], case.id
            assert reply["client_id"] == str(ids[case.id])
        else:
            assert reply["type"] == "ack", case.id
            assert html_problems(reply["html"]) == [], case.id
            assert escape(case.stored) in reply["html"], case.id
    for name in ("escaped_surrogate", "raw_surrogate"):
        assert replies[name] == {
            "type": "error",
            "message": "Your text has a character we cannot store.",
            "client_id": replies[name]["client_id"],
        }
    assert replies["escaped_surrogate"]["client_id"] == str(surrogate_id)
    assert replies["invalid_json"]["message"] == "That message could not be read."
    assert replies["not_an_object"]["message"] == "That message could not be read."
    assert replies["deeply_nested"]["message"] == "That message could not be read."
    assert replies["infinite_number"]["message"] == "That message could not be read."
    assert replies["binary"]["message"] == "Please send text messages, not binary data."
    assert replies["over_4096_bytes"]["message"] == "That message is too long."

    for audience, frames_seen in pushed.items():
        fragments = [e["html"] for f in frames_seen for e in f["events"] if "html" in e]
        joined = "\n".join(fragments)
        assert html_problems(joined) == [], audience
        for case in ACCEPTED:
            assert escape(case.stored) in joined, (audience, case.id)

    stored = sorted(Contribution.objects.values_list("text", flat=True))
    assert stored == sorted(case.stored for case in ACCEPTED)
    for text in stored:
        assert_clean(text)


WITHDRAW_FRAMES = {
    "no_post": '{"type": "withdraw"}',
    "post_as_text": '{"type": "withdraw", "contribution": "<script>"}',
    "post_as_list": '{"type": "undo_withdraw", "contribution": [1]}',
    "infinite_post": '{"type": "undo_withdraw", "contribution": 1e400}',
    "huge_post": '{"type": "undo_withdraw", "contribution": ' + "9" * 40 + "}",
    "someone_elses": None,  # filled in with the reader's post
    "never_withdrawn": None,  # filled in with the author's own post
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_socket_withdraw_and_undo_frames():
    """Withdraw and undo frames naming no post, someone else's, or nonsense get a plain
    error, and no post changes."""
    place = make_place(make_workshop(title="Withdraw catalogue"))
    own = ContributionFactory(participant=place.author)
    theirs = ContributionFactory(participant=place.reader)
    frames = {
        **WITHDRAW_FRAMES,
        "someone_elses": json.dumps({"type": "withdraw", "contribution": theirs.pk}),
        "never_withdrawn": json.dumps({"type": "undo_withdraw", "contribution": own.pk}),
    }
    socket = phone(place.author)

    async def scenario():
        await socket.connect()
        replies = {name: await ask(socket, frame) for name, frame in frames.items()}
        await socket.disconnect()
        return replies

    replies = async_to_sync(asyncio.wait_for)(scenario(), timeout=60)
    messages = {name: reply["message"] for name, reply in replies.items()}
    assert {reply["type"] for reply in replies.values()} == {"error"}
    assert messages["no_post"] == "Please say which of your posts this is about."
    assert messages["post_as_list"] == "Please say which of your posts this is about."
    assert messages["infinite_post"] == "That message could not be read."
    assert messages["huge_post"] == "It is too late to undo that: the post has been deleted."
    assert messages["someone_elses"] == "You can only withdraw your own posts."
    assert messages["never_withdrawn"] == "It is too late to undo that: the post has been deleted."
    assert set(Contribution.objects.values_list("state", flat=True)) == {"visible"}


# Raw invalid UTF-8 in a text frame, against a real daphne


class PhoneWithoutDatabase(ParticipantConsumer):
    """The real phone consumer, admitted without a database (the server is a forked
    process that cannot see the test database). It notes every frame that reaches it in
    `log` (a file, set before the fork) and answers it as usual."""

    log = None
    owner = None  # no participant row to own it

    async def authorise(self):
        self.participant = None
        return 0, None

    async def receive(self, text_data=None, bytes_data=None):
        with open(self.log, "a", encoding="utf-8") as log:
            log.write(json.dumps({"text": text_data, "bytes": bytes_data and bytes_data.hex()}))
            log.write("\n")
        await super().receive(text_data=text_data, bytes_data=bytes_data)


def phone_server():
    from channels.routing import URLRouter

    return URLRouter([path("ws/w/<str:code>/", PhoneWithoutDatabase.as_asgi())])


async def send_invalid_utf8(port):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/w/ANYCODE/") as socket:
        await socket.send("not json")
        first = json.loads(await asyncio.wait_for(socket.recv(), 5))
        # A text frame whose payload is not UTF-8: a UTF-8-encoded surrogate, then 0xFF.
        await socket.send(b"\xed\xa0\x80\xff", text=True)
        extra = []
        try:
            while True:
                extra.append(await asyncio.wait_for(socket.recv(), 5))
        except websockets.ConnectionClosed as closed:
            sent_by_server = closed.rcvd.code if closed.rcvd else None
            return first, extra, sent_by_server, socket.close_code


def test_invalid_utf8_in_a_text_frame_is_closed_by_daphne_before_the_app(tmp_path):
    """autobahn (inside daphne) validates text frames as UTF-8 as they arrive and fails the
    connection (its reason: 1007, invalid payload) before the message is handed on. daphne
    leaves autobahn's failByDrop on, so the TCP connection is dropped without a closing
    handshake: the client sees 1006. A closing handshake with 1007 would do as well."""
    PhoneWithoutDatabase.log = tmp_path / "frames.jsonl"
    server = DaphneProcess("127.0.0.1", phone_server)
    server.start()
    try:
        assert server.ready.wait(15), "daphne did not start"
        first, extra, sent_by_server, close_code = run_async(send_invalid_utf8(server.port.value))
    finally:
        server.terminate()
        server.join(10)
    # The app answers what reaches it ...
    assert first == {"type": "error", "message": "That message could not be read."}
    # ... and the invalid frame never reached it: the server ended the connection instead.
    frames = [json.loads(line) for line in PhoneWithoutDatabase.log.read_text().splitlines()]
    assert frames == [{"text": "not json", "bytes": None}]
    assert extra == []
    assert (sent_by_server, close_code) in {(None, 1006), (1007, 1007)}


# Every output of one workshop holding every accepted input


@pytest.fixture
def full_place(db, settings):
    settings.CONTRIBUTIONS_PER_MINUTE = 1000
    settings.REPORT_SMALL_NUMBER = 1  # the workshop and region are named, so their cells count
    workshop = make_workshop(title="+SUM(1) workshop", region='=HYPERLINK("http://x","y")')
    place = make_place(workshop)
    for case in ACCEPTED:
        participant_services.contribution_create(
            participant=place.author, prompt=place.prompt, text=case.text, client_id=uuid.uuid4()
        )
    place.posts = {c.text: c for c in Contribution.objects.all()}
    for post in place.posts.values():
        VoteFactory(contribution=post, participant=place.reader, choice="disagree")
    script = place.posts["<script>alert(1)</script>"]
    attribute = place.posts['"><img src=x onerror=alert(1)>']
    theme = synthesis_services.theme_create(
        series=place.series,
        title="<script>alert(1)</script> theme",
        contribution_ids=[place.posts["javascript:alert(1)"].pk, place.posts["@cmd"].pk],
        user=place.analyst,
    )
    synthesis_services.finding_save(
        series=place.series,
        title='"><img src=x onerror=alert(1)> finding',
        body="<script>alert(1)</script>\njavascript:alert(1)",
        kind=Finding.Kind.DEBATE,
        contribution_ids=[script.pk, attribute.pk],
        themes=[theme],
        user=place.analyst,
    )
    Judgement.objects.create(
        series=place.series,
        contribution=script,
        verdict="common_ground",
        computed="insufficient_data",
        reason="<script>alert(1)</script> reason",
        decided_by=place.analyst,
    )
    return place


def test_every_html_output_is_inert(full_place):
    place = full_place
    shown = [case.stored for case in ACCEPTED]
    code = place.workshop.join_code
    desk, analyst = as_user(place.facilitator), as_user(place.analyst)
    assert_inert(as_participant(place.reader).get(f"/w/{code}/"), *shown)
    assert_inert(desk.get(reverse("facilitation:console", args=[place.workshop.pk])), *shown)
    assert_inert(desk.get(reverse("facilitation:wall", args=[place.workshop.pk])), *shown)
    contributions = reverse("synthesis:series_contributions", args=[place.series.pk])
    assert_inert(analyst.get(contributions), *shown)
    series_pk = place.series.pk
    for name in ("synthesis:series_board", "synthesis:themes", "synthesis:findings"):
        assert_inert(analyst.get(reverse(name, args=[series_pk])), "<script>alert(1)</script>")
    board = analyst.get(reverse("synthesis:workshop_board", args=[place.workshop.pk]))
    assert_inert(board, "<script>alert(1)</script> reason")


def exported(place, kind):
    export, _ = synthesis_services.export_request(
        series=place.series, kind=kind, user=place.analyst, include_appendix=True
    )
    build_export(export.pk)  # run here, whatever the Celery settings
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE, export.error
    response = as_user(place.analyst).get(reverse("synthesis:export_download", args=[export.token]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)  # reading it all also closes it


def pdf_objects(reader):
    """Every dictionary reachable from the trailer, once."""
    seen, stack, found = set(), [reader.trailer], []
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return found


def test_the_pdf_report_shows_the_words_as_text_and_runs_nothing(full_place):
    pdf = exported(full_place, ReportExport.Kind.PDF)
    reader = PdfReader(io.BytesIO(pdf))
    # pypdf decodes a font whose ToUnicode map holds surrogate pairs (the emoji) as UTF-16
    # with stray NULs between letters; nothing in the PDF holds a NUL (it is refused on entry).
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    squashed = "".join(text.split())
    for words in (
        "<script>alert(1)</script>",
        '"><imgsrc=xonerror=alert(1)>',
        "javascript:alert(1)",
    ):
        assert words in squashed, words
    assert "&lt;" not in text and "&quot;" not in text  # not escaped twice
    assert not any(c in HIDDEN for c in text)
    forbidden = {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/SubmitForm"}
    for node in pdf_objects(reader):
        assert not forbidden & set(node.keys()), sorted(forbidden & set(node.keys()))
        assert node.get("/S") not in ("/JavaScript", "/Launch")
        uri = node.get("/URI")
        assert uri is None or not str(uri).lower().startswith("javascript:")


def formula_problems(cells):
    return [
        cell
        for cell in cells
        if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)
    ]


@pytest.mark.parametrize(
    "kind", [ReportExport.Kind.CONTRIBUTIONS_CSV, ReportExport.Kind.VOTES_CSV], ids=str
)
def test_csv_cells_never_start_a_formula(full_place, kind):
    content = exported(full_place, kind).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    cells = [cell for row in rows for cell in row]
    assert formula_problems(cells) == []
    assert "&lt;" not in content
    if kind == ReportExport.Kind.CONTRIBUTIONS_CSV:
        for case in FORMULAS:
            assert "'" + case.stored in cells, case.id
        assert "'+SUM(1) workshop" in cells
        assert "'" + '=HYPERLINK("http://x","y")' in cells  # the region
        for case in ACCEPTED:
            expected = "'" + case.stored if case in FORMULAS else case.stored
            assert expected in cells, case.id


def test_xlsx_cells_are_strings_never_formulas(full_place):
    workbook = load_workbook(io.BytesIO(exported(full_place, ReportExport.Kind.XLSX)))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    # A string cell is never run, so the words are kept exactly as stored; Excel's quote-prefix
    # mark keeps one that starts like a formula as text even when someone edits it.
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
    assert [c.coordinate for c in risky if c.data_type != "s" or not c.quotePrefix] == []
    values = [cell.value for cell in cells]
    for case in ACCEPTED:
        assert case.stored in values, case.id
    assert "+SUM(1) workshop" in values
