"""Pictures of the demo's analyst pages, for the docs: the live workshop's opinion map, the
suggested themes and one post's similar posts; and its organisation's members page, as its
admin sees it; as docs/images/*.png.

    .venv/bin/python bench/demo_images.py [--out docs/images]

It seeds the demo on a fresh database (servers.database), serves it with daphne, signs in as
the demo analyst in Debian's Chromium (driven by Playwright) and takes each page whole. The
demo's votes are drawn from a fixed seed, so a rerun redraws the same pictures unless the
pages themselves changed.
"""

import argparse
import json
import subprocess
from pathlib import Path

import servers
from common import log
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
PLACES = """
import json
from demo import seed
from workshops.models import Workshop
live = Workshop.objects.get(join_code=seed.JOIN_CODE)
post = next(p for p in seed.statement_contributions("early-years") if p.workshop == live)
print(json.dumps({
    "series": live.series_id,
    "workshop": live.pk,
    "post": post.pk,
    "organisation": live.series.organisation_id,
}))
"""
# By demo login: (file name, address, what the page must show before it is taken)
PAGES = {
    ("analyst", "analyst-demo"): (
        ("opinion-map.png", "/analyse/workshops/{workshop}/opinion-map/", ".opinion-map-drawing"),
        ("suggested-themes.png", "/analyse/series/{series}/themes/", "text=Suggested themes"),
        (
            "similar-posts.png",
            "/analyse/series/{series}/similar/{post}/",
            "text=Nearest in meaning",
        ),
    ),
    ("facilitator", "facilitator-demo"): (
        ("organisation.png", "/facilitate/organisations/{organisation}/", "text=Add a member"),
    ),
}


def demo_places(url):
    """Ids of the demo's series, live workshop and one early-years post there."""
    shown = subprocess.run(
        [servers.PYTHON, "manage.py", "shell", "-v", "0", "-c", PLACES],
        cwd=servers.ROOT,
        env=servers.app_env(url),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(shown.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=servers.ROOT / "docs/images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    log("Seeding the demo and serving it…")
    with servers.database() as url, servers.daphnes(url) as ports, sync_playwright() as pw:
        places = demo_places(url)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        base = f"http://127.0.0.1:{ports[0]}"
        for (username, password), pages in PAGES.items():
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_url(lambda address: "/accounts/login/" not in address)
            for name, address, shows in pages:
                page.goto(base + address.format(**places))
                page.wait_for_selector(shows)
                page.screenshot(path=args.out / name, full_page=True)
                log(f"  {args.out / name}")
        browser.close()


if __name__ == "__main__":
    main()
