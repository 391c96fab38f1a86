import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, join, screenshot, sign_in


def open_console(page, server_url):
    sign_in(page, server_url)
    page.click("text=SEND reform workshops")
    page.click("text=National workshop")
    page.wait_for_selector("#console-feed")
    return page.url


def test_a_post_from_a_phone_reaches_console_and_wall_and_hiding_removes_it(new_page, server_url):
    """Typed on a phone, a post appears on the console and the wall without a reload;
    hidden from the console, it disappears from the wall."""
    console = new_page()
    console_url = open_console(console, server_url)
    wall = console.context.new_page()
    wall.goto(console_url + "wall/")
    phone = new_page(PHONE)
    join(phone, server_url)
    text = "Speech therapy waits are far too long in our area"

    phone.locator("textarea[name=text]").first.fill(text)
    phone.locator("form[data-live-post] button[type=submit]").first.click()

    expect(phone.locator(".contribution.mine", has_text=text)).to_be_visible()
    expect(phone.locator(".form-status").first).to_have_text(re.compile("has been sent"))
    expect(console.locator("#console-feed .contribution", has_text=text)).to_be_visible()
    on_wall = wall.locator("#wall-feed .contribution", has_text=text)
    expect(on_wall).to_be_visible()
    screenshot(wall, "live-wall-1280")
    screenshot(phone, "live-phone-390")

    console.locator("#console-feed .contribution", has_text=text).get_by_role(
        "button", name=re.compile("^Hide")
    ).click()
    expect(on_wall).to_have_count(0)
    expect(console.locator("#console-feed .contribution", has_text=text)).to_contain_text("Hidden")


def test_a_vote_on_a_phone_updates_the_console_tally(new_page, server_url):
    """Votes reach the console's per-group counts live."""
    console = new_page()
    open_console(console, server_url)
    phone = new_page(PHONE)
    join(phone, server_url, group="Health service")
    first_post = phone.locator("form[data-live-vote]").first
    post_id = first_post.get_attribute("data-live-vote")
    console.locator(f"#by-group-{post_id} summary").click()
    health_agree = console.locator(f"#tallies-{post_id} tr", has_text="Health").locator("td").first
    before = int(health_agree.inner_text())

    first_post.get_by_role("button", name="Agree", exact=True).click()

    expect(phone.locator(f"#contribution-{post_id} button[value=agree]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(health_agree).to_have_text(str(before + 1))


def test_an_error_keeps_the_text_in_the_box(new_page, server_url):
    """An over-long post is refused with the reason, and the text stays to be fixed."""
    phone = new_page(PHONE)
    join(phone, server_url)
    box = phone.locator("textarea[name=text]").first
    # Set by a script, so no keystroke updated the count: sending still refuses it.
    box.evaluate("(el, text) => { el.value = text; }", "x" * 1001)
    phone.locator("form[data-live-post] button[type=submit]").first.click()
    expect(phone.locator(".form-status").first).to_have_text(
        "Please keep it to 1,000 characters or fewer (you have 1,001)."
    )
    expect(phone.locator("textarea[name=text]").first).to_have_value("x" * 1001)


def test_posts_typed_offline_are_sent_on_reconnect_once(new_page, server_url, browser):
    """With the network gone, a post waits on the phone; back online, it is sent once."""
    console = new_page()
    open_console(console, server_url)
    phone = new_page(PHONE)
    join(phone, server_url)
    text = "Typed while the venue wifi dropped"

    phone.context.set_offline(True)
    phone.locator("textarea[name=text]").first.fill(text)
    phone.locator("form[data-live-post] button[type=submit]").first.click()
    expect(phone.locator(".contribution.queued", has_text=text)).to_be_visible()
    phone.context.set_offline(False)

    expect(console.locator("#console-feed .contribution", has_text=text)).to_have_count(1)
    expect(phone.locator(".contribution.mine", has_text=text)).to_have_count(1)
    expect(phone.locator(".contribution.queued")).to_have_count(0)
