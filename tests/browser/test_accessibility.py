"""Accessibility checks in a real browser: Debian's Chromium driven by Playwright, with axe-core.

Every page is checked against WCAG 2.2 A/AA at phone and laptop sizes, and again in the states
that only exist at run time (a live post arriving, an error shown, the approval queue open).
Keyboard-only journeys, 320 px reflow, 200% text, touch-target sizes, reduced motion and the
weight of a participant's pages are checked too. Screenshots of every page at both sizes go to
tests/browser/screenshots/ (git-ignored) for a human to review.
"""

import contextlib
import gzip
import re
import threading
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from bench.servers import daphnes, database
from tests.browser.conftest import DESKTOP, PHONE, join, screenshot, sign_in

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
VIEWPORTS = {"390": PHONE, "1280": DESKTOP, "320": {"width": 320, "height": 640}}
SIZES = ["390", "1280"]
CODE = "SEND25"
LIVE_READY = "#live-region[data-live=ready]"
MIN_TARGET = 44  # CSS px, the issue's target size for participants' controls
PAGE_WEIGHT_LIMIT = 60_000  # bytes, gzip-compressed, for everything a participant page loads

_axe = Axe()


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def axe_problems(page, label):
    """axe's WCAG violations on the page as it is now, written out for a person to act on."""
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    if not violations:
        return ""
    lines = [f"{label} ({page.url}): {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(
            f"  - {violation['id']} [{violation['impact']}] {violation['help']}"
            f" ({len(violation['nodes'])} element(s)) {violation['helpUrl']}"
        )
        for node in violation["nodes"][:4]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"      {node['target']}  {node['html'][:140]}")
            if summary:
                lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(*labelled_pages):
    """No axe violations on any of (label, page); one message listing every page's problems."""
    problems = [axe_problems(page, label) for label, page in labelled_pages]
    problems = [problem for problem in problems if problem]
    assert not problems, "\n\n".join(problems)


def wait_until_live(page):
    page.wait_for_selector(LIVE_READY)


def sign_in_analyst(page, server_url):
    page.goto(f"{server_url}/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst-demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/analyse/**")


def post_from(phone, text):
    phone.locator("textarea[name=text]").first.fill(text)
    phone.locator("form[data-live-post] button[type=submit]").first.click()
    expect(phone.locator(".contribution.mine", has_text=text)).to_be_visible()


# What is focused, whether it shows a focus indicator, and a stable key for "same element".
FOCUS_INFO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__focusKeys = window.__focusKeys || new WeakMap();
  window.__focusCount = window.__focusCount || 0;
  if (!window.__focusKeys.has(el)) window.__focusKeys.set(el, ++window.__focusCount);
  const cs = getComputedStyle(el);
  const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0;
  const shadow = cs.boxShadow && cs.boxShadow !== "none";
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "")
    .trim().replace(/\\s+/g, " ").slice(0, 50);
  const desc = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.type ? "[type=" + el.type + "]" : "") + (name ? ' "' + name + '"' : "");
  return {key: window.__focusKeys.get(el), desc: desc, visible: outline || shadow};
}"""


def focused(page):
    return page.evaluate(FOCUS_INFO)


def tab_to(page, predicate, what, *, limit=200):
    """Press Tab until `predicate` (a JS function of the focused element) holds.

    Every stop must show a visible focus indicator; focus must move on each press and never
    come back to an element already visited (a trap or a loop) before reaching the target.
    """
    if page.evaluate(f"({predicate})(document.activeElement)"):  # already there (autofocus)
        return focused(page)
    seen = {}
    previous = None
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        assert info is not None, (
            f"Tabbed off the end of {page.url} without reaching {what}; "
            f"visited: {[i['desc'] for i in seen.values()]}"
        )
        assert info["visible"], f"No visible focus indicator on {info['desc']} ({page.url})"
        assert previous is None or info["key"] != previous["key"], (
            f"Focus stuck on {info['desc']} ({page.url})"
        )
        assert info["key"] not in seen, (
            f"Focus came back to {info['desc']} before reaching {what} ({page.url})"
        )
        seen[info["key"]] = info
        previous = info
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return info
    pytest.fail(f"{what} not reached within {limit} Tab presses on {page.url}")


def focus_problem(page, action, container):
    """Why focus is not where it should be after an in-place update, or "" if it is."""
    info = focused(page)
    if info is None:
        return (
            f"After {action}, keyboard focus dropped to <body> ({page.url}): the control was "
            "replaced, so a screen-reader user loses their place"
        )
    if not page.evaluate(f"!!document.activeElement.closest('{container}')"):
        return f"After {action}, focus moved to {info['desc']}, away from {container}"
    return ""


# ---------------------------------------------------------------------------------------------
# Fixtures: one signed-in (or joined, or anonymous) page per role per viewport for the module
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def as_role(browser, server_url):
    pages = {}

    def page_for(role, size):
        if (role, size) not in pages:
            context = browser.new_context(viewport=VIEWPORTS[size])
            context.set_default_timeout(10_000)
            page = context.new_page()
            if role == "facilitator":
                sign_in(page, server_url)
            elif role == "analyst":
                sign_in_analyst(page, server_url)
            elif role == "participant":
                join(page, server_url)
            pages[role, size] = page
        return pages[role, size]

    yield page_for
    for page in pages.values():
        page.context.close()


@pytest.fixture(scope="module")
def demo(as_role, server_url):
    """Paths of the demo's series, live workshop and framework, found as a facilitator would."""
    page = as_role("facilitator", "1280")
    page.goto(f"{server_url}/facilitate/")
    page.get_by_role("link", name=re.compile("SEND reform workshops")).click()
    series = re.search(r"/facilitate/series/(\d+)/", page.url).group(1)
    page.get_by_role("link", name="National workshop").click()
    page.wait_for_selector("#console-feed")
    workshop = re.search(r"/facilitate/workshops/(\d+)/", page.url).group(1)
    page.goto(f"{server_url}/frameworks/")
    href = page.locator("main h2 a").first.get_attribute("href")
    framework = re.search(r"/frameworks/(\d+)/", href).group(1)
    page.goto(f"{server_url}/facilitate/organisations/")  # one organisation: its page
    organisation = re.search(r"/organisations/(\d+)/", page.url).group(1)
    return {
        "series": series,
        "workshop": workshop,
        "framework": framework,
        "organisation": organisation,
        "code": CODE,
    }


# name, role (None: signed out), path, expected status, live page?
PAGES = [
    ("home", None, "/", 200, False),
    ("group-choice", None, "/w/{code}/", 200, False),
    ("feed", "participant", "/w/{code}/", 200, True),
    ("login", None, "/accounts/login/", 200, False),
    ("statement", None, "/accessibility/", 200, False),
    ("404", None, "/no-such-page/", 404, False),
    ("403", "analyst", "/facilitate/", 403, False),
    ("series-list", "facilitator", "/facilitate/", 200, False),
    ("series-detail", "facilitator", "/facilitate/series/{series}/", 200, False),
    ("console", "facilitator", "/facilitate/workshops/{workshop}/", 200, True),
    ("wall", "facilitator", "/facilitate/workshops/{workshop}/wall/", 200, True),
    ("questions", "facilitator", "/facilitate/workshops/{workshop}/prompts/", 200, False),
    ("frameworks", "facilitator", "/frameworks/", 200, False),
    ("framework-editor", "facilitator", "/frameworks/{framework}/", 200, False),
    ("organisation", "facilitator", "/facilitate/organisations/{organisation}/", 200, False),
    ("audit-log", "facilitator", "/facilitate/organisations/{organisation}/audit/", 200, False),
    ("password-reset", None, "/accounts/password-reset/", 200, False),
    ("two-step-setup", "facilitator", "/accounts/two-step/", 200, False),
    ("analyse", "analyst", "/analyse/", 200, False),
    ("board", "analyst", "/analyse/series/{series}/", 200, False),
    ("workshop-board", "analyst", "/analyse/workshops/{workshop}/", 200, False),
    ("every-contribution", "analyst", "/analyse/series/{series}/contributions/", 200, False),
    ("themes", "analyst", "/analyse/series/{series}/themes/", 200, False),
    ("findings", "analyst", "/analyse/series/{series}/findings/", 200, False),
    ("report-text", "analyst", "/analyse/series/{series}/report-text/", 200, False),
    ("versions", "analyst", "/analyse/series/{series}/versions/", 200, False),
    ("opinion-map", "analyst", "/analyse/workshops/{workshop}/opinion-map/", 200, False),
    ("exports", "analyst", "/analyse/series/{series}/exports/", 200, False),
    ("report", "analyst", "/analyse/series/{series}/report/", 200, False),
]
PAGE_BY_NAME = {spec[0]: spec for spec in PAGES}


def open_page(as_role, server_url, demo, name, size):
    _, role, path, status, live = PAGE_BY_NAME[name]
    page = as_role(role or "anonymous", size)
    response = page.goto(server_url + path.format(**demo))
    assert response.status == status, f"{name}: HTTP {response.status}, expected {status}"
    if live:
        wait_until_live(page)
    return page


# ---------------------------------------------------------------------------------------------
# axe on every page, at both sizes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", [spec[0] for spec in PAGES])
def test_page_has_no_axe_violations(as_role, server_url, demo, name, size):
    """Zero WCAG 2.2 A/AA violations, with folded content (<details>) opened so it is checked."""
    page = open_page(as_role, server_url, demo, name, size)
    screenshot(page, f"a11y-{name}-{size}")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert_accessible((f"{name} at {size}px (every <details> open)", page))


# ---------------------------------------------------------------------------------------------
# axe in the states that only exist at run time
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_no_violations_after_a_live_contribution_arrives(as_role, new_page, server_url, demo, size):
    console = open_page(as_role, server_url, demo, "console", size)
    wall = console.context.new_page()
    try:
        wall.goto(f"{server_url}/facilitate/workshops/{demo['workshop']}/wall/")
        wait_until_live(wall)
        other_phone = open_page(as_role, server_url, demo, "feed", size)
        phone = new_page(VIEWPORTS[size])
        join(phone, server_url, group="Young person")
        text = f"Accessible live post seen at {size} px"

        post_from(phone, text)

        expect(console.locator("#console-feed .contribution", has_text=text)).to_be_visible()
        expect(wall.locator("#wall-feed .contribution", has_text=text)).to_be_visible()
        expect(other_phone.locator(".feed .contribution", has_text=text)).to_be_visible()
        for label, page in [("console", console), ("wall", wall), ("other-phone", other_phone)]:
            screenshot(page, f"a11y-after-live-post-{label}-{size}")
        assert_accessible(
            (f"console after a live post at {size}px", console),
            (f"wall after a live post at {size}px", wall),
            (f"another phone after a live post at {size}px", other_phone),
            (f"the sending phone after its post at {size}px", phone),
        )
    finally:
        wall.close()


@pytest.mark.parametrize("size", SIZES)
def test_no_violations_when_errors_are_shown(as_role, server_url, demo, size):
    # An empty post: the script refuses it on the phone and says why.
    feed = open_page(as_role, server_url, demo, "feed", size)
    feed.locator("textarea[name=text]").first.fill("")
    feed.locator("form[data-live-post] button[type=submit]").first.click()
    expect(feed.locator(".form-status.error").first).to_contain_text("Please write something")
    screenshot(feed, f"a11y-error-empty-post-{size}")
    problems = [axe_problems(feed, f"feed with an empty-post error at {size}px")]

    # A wrong join code (counts once towards this address's limit of wrong codes).
    home = open_page(as_role, server_url, demo, "home", size)
    home.fill("#id_code", "NOSUCH1")
    home.click("main button[type=submit]")
    expect(home.locator("#id_code_error")).to_contain_text("could not find")
    screenshot(home, f"a11y-error-bad-code-{size}")
    problems.append(axe_problems(home, f"home with a wrong-code error at {size}px"))

    # Joining without choosing a group.
    choice = open_page(as_role, server_url, demo, "group-choice", size)
    choice.get_by_role("button", name="Join the workshop").click()
    expect(choice.locator(".field-error").first).to_be_visible()
    screenshot(choice, f"a11y-error-group-choice-{size}")
    problems.append(axe_problems(choice, f"group choice with errors at {size}px"))

    # A wrong password.
    login = open_page(as_role, server_url, demo, "login", size)
    login.fill("#id_username", "facilitator")
    login.fill("#id_password", "not-the-password")
    login.click("main button[type=submit]")
    expect(login.locator(".error-summary")).to_be_visible()
    screenshot(login, f"a11y-error-login-{size}")
    problems.append(axe_problems(login, f"login with an error at {size}px"))

    problems = [problem for problem in problems if problem]
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("size", SIZES)
def test_no_violations_with_the_premoderation_queue_open(as_role, new_page, server_url, demo, size):
    """Also: someone half-way through typing keeps their words and their place (focus) when
    the facilitator's change makes every phone re-sync."""
    console = open_page(as_role, server_url, demo, "console", size)
    typing = open_page(as_role, server_url, demo, "feed", size)
    box = typing.locator("textarea[name=text]").first
    box.focus()
    typing.keyboard.type("Half-way through a sentence")
    old_box = box.element_handle()
    with typing.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        console.get_by_role("button", name="Hold posts for approval").click()
    try:
        expect(
            console.get_by_role("button", name="Stop holding posts for approval")
        ).to_be_visible()
        wait_until_live(console)
        with contextlib.suppress(PlaywrightTimeoutError):  # the box may be kept, not rebuilt
            typing.wait_for_function("box => !box.isConnected", arg=old_box, timeout=2_000)
        problems = []
        if not typing.evaluate(
            "document.activeElement.name === 'text'"
            " && document.activeElement.value === 'Half-way through a sentence'"
        ):
            where = focused(typing)
            problems.append(
                "A phone re-synced while its person was typing: focus went to "
                f"{where['desc'] if where else '<body>'} instead of staying in the answer box"
            )

        phone = new_page(VIEWPORTS[size])
        join(phone, server_url, group="Health service")
        text = f"Held for approval at {size} px"
        phone.locator("textarea[name=text]").first.fill(text)
        phone.locator("form[data-live-post] button[type=submit]").first.click()
        expect(phone.locator(".form-status").first).to_contain_text("once the facilitator approves")
        expect(console.locator("#console-queue .contribution", has_text=text)).to_be_visible()
        screenshot(console, f"a11y-premoderation-queue-{size}")
        problems.append(axe_problems(console, f"console with the approval queue at {size}px"))
        problems.append(axe_problems(phone, f"phone with a post waiting for approval at {size}px"))
        problems = [problem for problem in problems if problem]
        assert not problems, "\n\n".join(problems)
    finally:
        typing.locator("textarea[name=text]").first.fill("")
        console.goto(f"{server_url}/facilitate/workshops/{demo['workshop']}/")
        stop = console.get_by_role("button", name="Stop holding posts for approval")
        if stop.count():
            stop.click()
        expect(console.get_by_role("button", name="Hold posts for approval")).to_be_visible()


# ---------------------------------------------------------------------------------------------
# Keyboard only
# ---------------------------------------------------------------------------------------------


def test_a_participant_can_join_post_and_vote_with_the_keyboard_only(new_page, server_url):
    page = new_page(PHONE)
    page.goto(f"{server_url}/")

    tab_to(page, "el => el.id === 'id_code'", "the code box")
    page.keyboard.type(CODE)
    tab_to(page, "el => el.matches('main button[type=submit]')", "the Join button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/w/{CODE}/")

    radio = tab_to(page, "el => el.name === 'group'", "the first group's radio button")
    page.keyboard.press("Space")
    group = page.evaluate(
        "() => document.querySelector(`label[for='${document.activeElement.id}']`).innerText"
    )
    assert page.evaluate("document.activeElement.checked"), f"Space did not choose {radio['desc']}"
    tab_to(page, "el => el.id === 'id_consent'", "the consent box")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked"), "Space did not tick the consent box"
    tab_to(page, "el => el.matches('main button[type=submit]')", "Join the workshop")
    page.keyboard.press("Enter")
    wait_until_live(page)
    expect(page.locator(".who")).to_contain_text(group.strip())

    text = "Typed and sent with the keyboard only"
    tab_to(page, "el => el.name === 'text'", "the first answer box")
    page.keyboard.type(text)
    tab_to(page, "el => el.matches('form[data-live-post] button[type=submit]')", "Send")
    page.keyboard.press("Enter")
    expect(page.locator(".contribution.mine", has_text=text)).to_be_visible()
    expect(page.locator(".form-status").first).to_contain_text("has been sent")

    votes, problems = [], []
    for key in ("Space", "Enter"):
        tab_to(
            page,
            "el => el.value === 'agree' && !el.closest('.mine')"
            " && el.getAttribute('aria-pressed') === 'false'",
            "an Agree button on someone else's post",
        )
        post = page.evaluate("document.activeElement.closest('.contribution').id")
        page.keyboard.press(key)
        expect(page.locator(f"#{post} button[value=agree]")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.locator(f"#{post}")).to_contain_text("You chose: Agree")
        votes.append(post)
        problems.append(focus_problem(page, f"voting Agree with {key}", f"#{post}"))
    assert len(set(votes)) == 2
    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


def test_a_facilitator_can_run_the_console_with_the_keyboard_only(new_page, server_url, demo):
    phone = new_page(PHONE)
    join(phone, server_url, group="Education")
    text = "A post the facilitator hides with the keyboard"
    post_from(phone, text)

    page = new_page(DESKTOP)
    page.goto(f"{server_url}/accounts/login/")
    tab_to(page, "el => el.id === 'id_username'", "the username box")
    page.keyboard.type("facilitator")
    tab_to(page, "el => el.id === 'id_password'", "the password box")
    page.keyboard.type("facilitator-demo")
    tab_to(page, "el => el.matches('main button[type=submit]')", "Sign in")
    page.keyboard.press("Enter")
    page.wait_for_url("**/facilitate/")

    tab_to(page, "el => el.innerText.startsWith('SEND reform workshops')", "the series link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/facilitate/series/*/")
    tab_to(page, "el => el.innerText === 'National workshop'", "the live workshop link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/facilitate/workshops/{demo['workshop']}/")
    wait_until_live(page)

    opened = None
    try:
        tab_to(
            page,
            "el => el.tagName === 'BUTTON' && el.innerText.startsWith('Open question')",
            "an Open question button",
        )
        opened = page.evaluate("document.activeElement.textContent.trim().split(' ').pop()")
        page.keyboard.press("Enter")
        close = page.get_by_role("button", name=f"Close question {opened}", exact=True)
        expect(close).to_be_visible()
        wait_until_live(page)

        post = page.locator("#console-feed .contribution", has_text=text)
        post_id = post.get_attribute("id")
        tab_to(page, f"el => el.matches('#{post_id} button[value=hidden]')", "Hide on the post")
        page.keyboard.press("Enter")
        expect(post).to_contain_text("Hidden")
        problem = focus_problem(page, "hiding a post", f"#{post_id}")
        assert not problem, problem
    finally:
        if opened:  # put the demo back as it was for other tests (not part of the journey)
            page.goto(f"{server_url}/facilitate/workshops/{demo['workshop']}/")
            button = page.get_by_role("button", name=f"Close question {opened}", exact=True)
            if button.count():
                button.click()
                expect(
                    page.get_by_role("button", name=f"Open question {opened}", exact=True)
                ).to_be_visible()


@pytest.mark.parametrize(
    "name", ["home", "group-choice", "feed", "login", "statement", "console", "wall"]
)
def test_tab_visits_every_control_once_with_visible_focus_then_wraps(
    as_role, server_url, demo, name
):
    """Pressing Tab N times visits N distinct elements, each visibly focused, until it wraps."""
    page = open_page(as_role, server_url, demo, name, "1280")
    visited, keys, outside = [], set(), 0
    for _ in range(400):
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None:  # past the last control, in the browser's own UI: keep going
            outside += 1
            assert outside <= 3, f"Tab left {name} and did not come back to the page"
            continue
        if visited and info["key"] == visited[0]["key"]:
            break  # came round to where it started
        assert info["key"] not in keys, (
            f"Focus came back to {info['desc']} before going round {name} once: "
            f"{[i['desc'] for i in visited]}"
        )
        assert info["visible"], f"No visible focus indicator on {info['desc']} ({name})"
        visited.append(info)
        keys.add(info["key"])
    else:
        pytest.fail(f"Tab never came round on {name} after 400 presses")
    tabbable = page.evaluate(
        """() => [...document.querySelectorAll(
             'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
           .filter(el => !el.disabled && el.tabIndex >= 0 && el.checkVisibility()
                   && !(el.type === 'radio' && !el.checked
                        && [...document.getElementsByName(el.name)].some(r => r !== el
                              && (r.checked || r.compareDocumentPosition(el) & 4))))
           .length"""
    )
    assert len(visited) >= tabbable, (
        f"Tab reached {len(visited)} of {tabbable} controls on {name}: "
        f"{[i['desc'] for i in visited]}"
    )


# ---------------------------------------------------------------------------------------------
# Reflow, text size, touch targets, motion
# ---------------------------------------------------------------------------------------------

OVERFLOWING = """(width) => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right + window.scrollX > width + 1) {
      const cls = el.className && typeof el.className === "string"
        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls
        + " right=" + Math.round(r.right + window.scrollX) + " \\"" +
        (el.innerText || "").trim().slice(0, 40).replace(/\\s+/g, " ") + "\\"");
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, offenders: out};
}"""


def assert_no_horizontal_overflow(page, width, label):
    result = page.evaluate(OVERFLOWING, width)
    assert result["scrollWidth"] <= width and not result["offenders"], (
        f"{label}: page is {result['scrollWidth']} px wide in a {width} px viewport; "
        f"elements past the right edge: {result['offenders'][:15]}"
    )


@pytest.mark.parametrize(
    "name", ["home", "group-choice", "feed", "console", "board", "login", "statement"]
)
def test_reflows_at_320_px(as_role, server_url, demo, name):
    page = open_page(as_role, server_url, demo, name, "320")
    screenshot(page, f"a11y-{name}-320")
    assert_no_horizontal_overflow(page, 320, f"{name} at 320 px")


def test_the_feed_takes_text_at_200_percent_without_scrolling_sideways(as_role, server_url, demo):
    page = open_page(as_role, server_url, demo, "feed", "390")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    try:
        screenshot(page, "a11y-feed-text-200-390")
        assert_no_horizontal_overflow(page, 390, "feed with text at 200%")
    finally:
        page.evaluate("document.documentElement.style.fontSize = ''")


SMALL_TARGETS = """(minimum) => {
  const small = [];
  const inText = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = el.closest("p, li, td, dd");
    return block && block.innerText.trim().length > el.innerText.trim().length;
  };
  for (const el of document.querySelectorAll(
       "a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    if (!el.checkVisibility() || inText(el)) continue;
    let r = el.getBoundingClientRect();
    if (r.right <= 0 || r.bottom <= 0) continue;  // parked off screen (the skip link)
    let box = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    // A radio or checkbox can also be pressed through its label.
    if ((el.type === "radio" || el.type === "checkbox") && el.labels) {
      for (const label of el.labels) {
        const l = label.getBoundingClientRect();
        box = {left: Math.min(box.left, l.left), top: Math.min(box.top, l.top),
               right: Math.max(box.right, l.right), bottom: Math.max(box.bottom, l.bottom)};
      }
    }
    const w = box.right - box.left, h = box.bottom - box.top;
    if (w < minimum - 0.5 || h < minimum - 0.5) {
      const name = ((el.labels && el.labels[0] ? el.labels[0].innerText : el.innerText)
        || el.value || el.name || "").trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
        + `${el.type ? "[type=" + el.type + "]" : ""} "${name}" ${Math.round(w)}x${Math.round(h)}`);
    }
  }
  return small;
}"""


@pytest.mark.parametrize("name", ["home", "group-choice", "feed"])
def test_participant_touch_targets_are_at_least_44_px(as_role, server_url, demo, name):
    page = open_page(as_role, server_url, demo, name, "390")
    small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
    assert not small, f"{name} at 390 px: controls smaller than {MIN_TARGET}x{MIN_TARGET}: {small}"


MOVING = """() => {
  const moving = [];
  const longest = (list) => Math.max(...list.split(",").map(s => parseFloat(s) || 0));
  for (const el of document.querySelectorAll("*")) {
    const cs = getComputedStyle(el);
    const what = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "");
    if (cs.animationName !== "none" && longest(cs.animationDuration) > 0)
      moving.push(what + " animation " + cs.animationName + " " + cs.animationDuration);
    if (longest(cs.transitionDuration) > 0)
      moving.push(what + " transition " + cs.transitionProperty + " " + cs.transitionDuration);
  }
  for (const a of document.getAnimations())
    if (a.playState === "running") moving.push("running animation on " + a.effect?.target?.tagName);
  return moving;
}"""


@pytest.mark.parametrize("name", ["home", "group-choice", "feed", "console", "wall", "board"])
def test_nothing_moves_when_reduced_motion_is_asked_for(as_role, server_url, demo, name):
    _, role, path, _, live = PAGE_BY_NAME[name]
    page = as_role(role or "anonymous", "1280").context.new_page()
    try:
        page.emulate_media(reduced_motion="reduce")
        page.goto(server_url + path.format(**demo))
        if live:
            wait_until_live(page)
        moving = page.evaluate(MOVING)
        assert not moving, f"{name} with prefers-reduced-motion: reduce still moves: {moving}"
    finally:
        page.close()


# ---------------------------------------------------------------------------------------------
# Page weight and working without JavaScript
# ---------------------------------------------------------------------------------------------


def weigh(context, url, *, live=False):
    """Load `url` in a page of `context`; the gzip-compressed bytes of every response, and the
    hosts of every request."""
    page = context.new_page()
    responses, hosts = [], set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("websocket", lambda socket: hosts.add(urlsplit(socket.url).netloc))
    page.on("response", lambda response: responses.append(response))
    page.goto(url)
    page.wait_for_load_state("load")
    if live:
        wait_until_live(page)
    page.wait_for_load_state("networkidle")
    sizes = []
    for response in responses:
        try:
            body = response.body()
        except Exception:  # a redirect has no body
            body = b""
        sizes.append((f"{response.status} {response.url}", len(gzip.compress(body))))
    page.close()
    return sizes, hosts


def test_participant_pages_are_light_and_load_nothing_from_elsewhere(browser, server_url):
    server = urlsplit(server_url).netloc
    report = {}
    context = browser.new_context(viewport=PHONE)
    report["home"] = weigh(context, f"{server_url}/")
    context.close()
    context = browser.new_context(viewport=PHONE)
    report["group-choice"] = weigh(context, f"{server_url}/w/{CODE}/")
    context.close()

    joining = browser.new_context(viewport=PHONE)
    join(joining.new_page(), server_url)
    cookies = joining.cookies()
    joining.close()
    context = browser.new_context(viewport=PHONE)  # a cold cache, with the joined cookie
    context.add_cookies(cookies)
    report["feed"] = weigh(context, f"{server_url}/w/{CODE}/", live=True)
    context.close()

    problems = []
    for name, (sizes, hosts) in report.items():
        total = sum(size for _, size in sizes)
        if total > PAGE_WEIGHT_LIMIT:
            problems.append(f"{name}: {total} bytes gzipped > {PAGE_WEIGHT_LIMIT}: {sizes}")
        elsewhere = {host for host in hosts if host and host != server}
        if elsewhere:
            problems.append(f"{name}: requests to other hosts: {sorted(elsewhere)}")
    assert not problems, "\n".join(problems)


def axe_problems_of_copy(browser, page, label):
    """axe needs JavaScript, so check a copy of a no-JavaScript page as it was served, in a
    context with JavaScript on but the app's own scripts blocked."""
    html, url = page.content(), page.url
    context = browser.new_context(viewport=page.viewport_size)
    try:
        checker = context.new_page()
        checker.route("**/*.js", lambda route: route.abort())
        checker.route(
            url.split("#")[0],
            lambda route: route.fulfill(content_type="text/html; charset=utf-8", body=html),
        )
        checker.goto(url)
        return axe_problems(checker, label)
    finally:
        context.close()


def test_joining_posting_and_voting_work_without_javascript(browser, server_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(10_000)
    problems = []
    try:
        page = context.new_page()
        page.goto(f"{server_url}/")
        page.fill("#id_code", CODE)
        page.click("main button[type=submit]")
        page.get_by_label("Parent carer forum").check()
        page.get_by_label("I am happy for what I write").check()
        page.click("text=Join the workshop")
        expect(page.locator(".who")).to_contain_text("Parent carer forum")

        page.locator("form[data-live-post] button[type=submit]").first.click()  # empty
        expect(page.locator(".prompt .error-summary, .prompt .error").first).to_be_visible()
        screenshot(page, "a11y-no-javascript-error-390")
        problems.append(axe_problems_of_copy(browser, page, "feed without JS, empty post refused"))

        text = "Sent from a phone with JavaScript turned off"
        page.locator("textarea[name=text]").first.fill(text)
        page.locator("form[data-live-post] button[type=submit]").first.click()
        expect(page.locator("#messages")).to_contain_text("Your post has been sent")
        expect(page.locator(".contribution.mine", has_text=text)).to_be_visible()

        vote = page.locator("form[data-live-vote]").first
        post = vote.get_attribute("data-live-vote")
        vote.get_by_role("button", name="Agree", exact=True).click()
        expect(page.locator(f"#contribution-{post} button[value=agree]")).to_have_attribute(
            "aria-pressed", "true"
        )
        screenshot(page, "a11y-no-javascript-feed-390")
        problems.append(axe_problems_of_copy(browser, page, "feed without JS after post and vote"))
    finally:
        context.close()
    problems = [problem for problem in problems if problem]
    assert not problems, "\n\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The "too many codes" page, on a server of its own: it blocks this address for a minute
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def second_app(tmp_path_factory):
    """A second app on a fresh, unseeded database, started in the background as the module
    begins so that migrating it overlaps the other tests; call the fixture to wait for it."""
    logs = tmp_path_factory.mktemp("daphne-throttled-logs")
    stack = contextlib.ExitStack()
    started = {}

    def start():
        try:
            url = stack.enter_context(database(seed=False))
            ports = stack.enter_context(daphnes(url, log_folder=logs))
            started["url"] = f"http://127.0.0.1:{ports[0]}"
        except BaseException as error:  # handed to the test that waits for it
            started["error"] = error

    thread = threading.Thread(target=start, daemon=True)
    thread.start()

    def wait():
        thread.join(timeout=120)
        if "error" in started:
            raise started["error"]
        return started["url"]

    yield wait
    thread.join(timeout=120)
    stack.close()


def post_wrong_codes_until_refused(page, server_url, *, most=25):
    """Post wrong codes until the app refuses with 429. The limit (10 a minute) is counted in
    fixed one-minute windows, so a window may turn over part-way: allow for that."""
    statuses = []
    for attempt in range(most):
        page.goto(f"{server_url}/")
        page.fill("#id_code", f"WRONG{attempt}")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("main button[type=submit]")
        statuses.append(answer.value.status)
        if statuses[-1] == 429:
            return
    pytest.fail(f"{most} wrong codes were never refused: {statuses}")


@pytest.mark.parametrize("size", SIZES)
def test_too_many_codes_page_has_no_axe_violations(new_page, second_app, size):
    """On the second app: wrong codes block this address for the rest of the minute."""
    page = new_page(VIEWPORTS[size])
    post_wrong_codes_until_refused(page, second_app())
    expect(page.locator("h1")).to_have_text("Please wait a moment")
    screenshot(page, f"a11y-429-{size}")
    assert_accessible((f"too many codes (429) at {size}px", page))


@pytest.mark.parametrize("size", SIZES)
def test_too_many_sign_in_attempts_page_has_no_axe_violations(new_page, second_app, size):
    """On the second app: wrong passwords pause this account's sign-in from this address."""
    page = new_page(VIEWPORTS[size])
    server_url = second_app()
    statuses = []
    for attempt in range(6):
        page.goto(f"{server_url}/accounts/login/")
        page.fill("#id_username", f"facilitator-{size}")
        page.fill("#id_password", f"wrong-{attempt}")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("main button[type=submit]")
        statuses.append(answer.value.status)
    assert statuses[-1] == 429, statuses
    expect(page.locator("h1")).to_have_text("Too many sign-in attempts")
    screenshot(page, f"a11y-locked-out-{size}")
    assert_accessible((f"too many sign-in attempts (429) at {size}px", page))
