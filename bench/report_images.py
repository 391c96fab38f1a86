"""Pictures of the demo report's first pages, for the docs: docs/images/report-page-N.png,
or with --easy-read the Easy Read version's: docs/images/easy-read-page-N.png.

    .venv/bin/python bench/report_images.py [--easy-read] [--pages 1-4] [--dpi 80]
                                            [--out docs/images]

It seeds the demo on a fresh database (servers.database), renders the series report as the
export task does (synthesis.exports.render_pdf, no appendix, or render_easy_read_pdf) in a
Django process, and turns the pages asked for into PNGs with pdftoppm (poppler-utils:
`apt-get install poppler-utils`).
The demo's votes are drawn from a fixed seed, so a rerun redraws the same pictures unless the
report itself changed.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import servers
from common import log

RENDER = """
from demo import seed
from synthesis import exports
from workshops.models import Series
series = Series.objects.get(name=seed.SERIES_NAME)
open({path!r}, "wb").write(exports.{render}(series))
"""


def render_demo_pdf(path, render):
    with servers.database() as url:
        env = servers.app_env(url)
        code = RENDER.format(path=str(path), render=render)
        subprocess.run(
            [servers.PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
            cwd=servers.ROOT,
            env=env,
            check=True,
        )


def pages_to_png(pdf, first, last, dpi, out, name):
    """pdftoppm numbers its files by page; they are renamed NAME-page-N.png."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), pdf, prefix],
            check=True,
        )
        for made in sorted(Path(folder).glob("page-*.png")):
            number = int(made.stem.rsplit("-", 1)[1])
            shutil.move(made, out / f"{name}-page-{number}.png")
            log(f"  {out / f'{name}-page-{number}.png'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--easy-read", action="store_true", help="the Easy Read version")
    parser.add_argument("--pages", default="1-4", help="first-last, counted from 1")
    parser.add_argument("--dpi", type=int, default=80)
    parser.add_argument("--out", type=Path, default=servers.ROOT / "docs/images")
    args = parser.parse_args()
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm is missing: apt-get install poppler-utils")
    first, _, last = args.pages.partition("-")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "report.pdf"
        log("Seeding the demo and rendering its report…")
        render_demo_pdf(pdf, "render_easy_read_pdf" if args.easy_read else "render_pdf")
        name = "easy-read" if args.easy_read else "report"
        pages_to_png(pdf, int(first), int(last or first), args.dpi, args.out, name)


if __name__ == "__main__":
    os.chdir(servers.ROOT)
    main()
