"""Series report: how long the PDF and the Word file of a large series take to render,
measured against how long WeasyPrint takes to lay out the same posts as plain text.

    .venv/bin/python bench/report.py [--contributions 2000] [--participants 300]
                                     [--votes-per-post 40] [--save DIR] [--profile]

It builds a series on a fresh migrated database (see servers.database): six workshops (five
regions and one online national one), participants spread over the six stakeholder groups,
visible contributions spread over the framework's eight recommendations (plus a few hidden
and pending ones, which the report only counts), about --votes-per-post votes on each by
people of the post's own workshop, leaning so that every class turns up, a few themes
linking posts across workshops, some analyst decisions, and key findings citing posts and
themes as evidence. The random seed is fixed, so every run builds the same series.

Machines differ up to twice in speed, so the targets are ratios to a floor measured in the
same run, on the same machine:
  - floor: WeasyPrint laying out the series' visible posts as plain tagged paragraphs, a
    minimal page (lang="en-GB", a <title>, one <h1>, a <p> per post) with no project CSS,
    written with write_pdf(pdf_variant="pdf/ua-1") as the report is;
  - pdf: synthesis.exports.render_pdf with the appendix (every post listed), ≤ 2.0 × floor;
  - pdf_no_appendix: render_pdf without it, ≤ 1.25 × floor;
  - docx: synthesis.docx_report.render_docx with the appendix, ≤ 0.5 × floor; the DOCX
    without it (docx_no_appendix) is measured too, with no target.
Each case runs in a fresh Python process, so neither the data generation nor another case
counts towards its time or memory; Django, WeasyPrint and the renderer are imported and the
series read before the clock starts. The floor runs first and again last and the lower of
the two counts, which dampens load from other processes. Per case: wall seconds of the call
(the ratios use these), its CPU seconds, the 1-minute load average when it started, pages
(pypdf) and peak RSS (ru_maxrss of that process).

--profile then runs each case once more, in a process of its own, stage by stage as
render_pdf and render_docx do them: the data (report_context, its lazy querysets evaluated
as the template would), the template, then WeasyPrint's layout, the PDF writing and
pdfua.make_accessible, or for the DOCX the HTML parsing, building the document and saving
it. It prints each stage's seconds, then runs the stages again under cProfile and prints
where the time goes. --save DIR keeps the HTML, PDFs, DOCX files and profiles (.prof).

With no DATABASE_URL it runs on a SQLite file; with DATABASE_URL (postgres://...) on a fresh
PostgreSQL database of that server, dropped afterwards.

Stderr gets a readable summary; the last line of stdout is one JSON object with the figures.
"""

import argparse
import cProfile
import html
import io
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import sysconfig
import time
from datetime import timedelta
from itertools import islice
from pathlib import Path

import servers
from common import emit, log
from population import (
    BATCH,
    DETAILS,
    OPENINGS,
    make_participants,
    new_post,
    save_themes,
    votes_by,
)

# bench/ comes first on the path and holds a synthesis.py of its own: the project root has
# to come before it, or `import synthesis.exports` would find that script instead of the app.
sys.path.insert(0, str(servers.ROOT))

SEED = 2025
WORKSHOPS = [  # (title, region, kind)
    ("North East regional workshop", "North East", "regional"),
    ("North West regional workshop", "North West", "regional"),
    ("Midlands regional workshop", "Midlands", "regional"),
    ("London regional workshop", "London", "regional"),
    ("South West regional workshop", "South West", "regional"),
    ("National online workshop", "", "national"),
]
LATE_SHARE = 0.05  # posts made near the end, with too few votes to judge
HIDDEN_SHARE, PENDING_SHARE = 0.02, 0.01  # extra posts left out by moderation
THEMES = 12
JUDGED_SHARE = 0.02
FINDINGS = 6

# case: (what it renders, with the appendix)
CASES = {
    "floor": ("floor", False),
    "pdf_no_appendix": ("pdf", False),
    "pdf": ("pdf", True),
    "docx_no_appendix": ("docx", False),
    "docx": ("docx", True),
}
# The floor twice, first and last: the lower of the two counts.
ORDER = ["floor", "pdf_no_appendix", "pdf", "docx_no_appendix", "docx", "floor"]
TARGETS = {"pdf": 2.0, "pdf_no_appendix": 1.25, "docx": 0.5}  # × floor
PDF_VARIANT = "pdf/ua-1"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=2000, help="visible posts (2000)")
    parser.add_argument("--participants", type=int, default=300, help="people (300)")
    parser.add_argument("--votes-per-post", type=int, default=40, help="mean votes on a post (40)")
    parser.add_argument("--save", type=Path, help="keep the HTML, documents and profiles here")
    parser.add_argument("--profile", action="store_true", help="print where each case's time goes")
    # Internal: one case in a fresh process, on the database of DATABASE_URL.
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--series", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return args
    if args.contributions < 1 or args.votes_per_post < 0:
        parser.error("contributions must be positive and votes per post not negative")
    room = args.participants // len(WORKSHOPS) - 1  # everyone in the workshop but the author
    if room < 1:
        parser.error(f"need at least {2 * len(WORKSHOPS)} participants: two per workshop")
    if args.votes_per_post > room:
        parser.error(f"at most {room} votes fit on a post: one per other person in its workshop")
    return args


def main():
    args = parse_args()
    if args.child:
        setup_django()
        emit(child_stages(args) if args.profile else child_timed(args))
        return
    with servers.database(seed=False) as url:
        os.environ["DATABASE_URL"] = url
        setup_django()
        from django.db import connection, connections

        try:
            started = time.perf_counter()
            series_id, counts = build_series(args, random.Random(SEED))
            if connection.vendor == "postgresql":
                # Autovacuum would have analysed tables this size within a minute in
                # production; time the plans a live server would use.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            result = {
                **counts,
                "database": connection.vendor,
                "setup_s": round(time.perf_counter() - started, 1),
            }
        finally:
            connections.close_all()  # the children read it; then it is dropped
        result.update(measure(url, series_id, args))
        if args.profile:
            result["stages"] = profile(url, series_id, args)
    summarise(result)
    emit(result)


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- The series -----------------------------------------------------------------------------


def build_series(args, rng):
    """The series under test, in one transaction; returns its id and what it holds."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.services import organisation_create
    from pillars.models import Framework
    from pillars.send_reform import SLUG
    from workshops.models import Workshop
    from workshops.services import series_create, workshop_create

    log("building the series…")
    with transaction.atomic():
        organisation = organisation_create(name="Bench Parent Carer Forum")
        series = series_create(
            organisation=organisation,
            framework=Framework.objects.get(organisation=organisation, slug=SLUG),
            name="Bench series: SEND reform across England",
            description="Six workshops with families, schools, health and councils.",
        )
        workshops = []
        for n, (title, region, kind) in enumerate(WORKSHOPS):
            workshop = workshop_create(
                series=series,
                title=title,
                region=region,
                kind=kind,
                venue="Online" if not region else f"{region} community centre",
                starts_at=timezone.now() - timedelta(days=60 - 7 * n),
            )
            workshops.append(workshop)
        Workshop.objects.filter(series=series).update(status=Workshop.Status.CLOSED)
        people = make_participants(workshops, args.participants, rng)
        posts = make_contributions(workshops, people, args.contributions, rng)
        votes = make_votes(posts, people, args.votes_per_post, rng)
        hidden = make_moderated(workshops, people, args.contributions, rng)
        themes = make_themes(series, posts, rng)
        themed = {post.pk for _, members in themes for post in members}
        judged = make_judgements(series, [p for p in posts if p.pk not in themed], rng)
        make_findings(series, posts, themes, rng)
    return series.pk, {
        "contributions": len(posts),
        "participants": args.participants,
        "votes": votes,
        "moderated_out": hidden,
        "themes": len(themes),
        "judgements": judged,
        "findings": FINDINGS,
    }


def prompts_by_workshop(workshops):
    """The prompts made for the recommendations, one per recommendation and workshop."""
    return {
        w.pk: list(w.prompts.filter(recommendation__isnull=False).select_related("workshop"))
        for w in workshops
    }


def make_contributions(workshops, people, total, rng):
    from participants.models import Contribution

    prompts = prompts_by_workshop(workshops)
    posts = [new_post(workshops[n % len(workshops)], people, prompts, rng) for n in range(total)]
    return Contribution.objects.bulk_create(posts, batch_size=BATCH)


def make_moderated(workshops, people, total, rng):
    """Hidden and never-approved posts: the method section counts them, nothing shows them."""
    from participants.models import Contribution

    prompts = prompts_by_workshop(workshops)
    state = Contribution.State
    posts = [
        new_post(rng.choice(workshops), people, prompts, rng, state=choice)
        for choice, share in ((state.HIDDEN, HIDDEN_SHARE), (state.PENDING, PENDING_SHARE))
        for _ in range(round(total * share))
    ]
    Contribution.objects.bulk_create(posts, batch_size=BATCH)
    return len(posts)


def make_votes(posts, people, mean, rng):
    """About `mean` votes on each post by distinct people of its workshop, never the
    author; a few late posts get too few to judge. Returns how many were made."""
    from participants.models import Vote
    from synthesis import tallies

    rows = (vote for post in posts for vote in votes_on(post, people, mean, rng))
    made = 0
    while batch := list(islice(rows, BATCH)):  # never all the votes in memory at once
        Vote.objects.bulk_create(batch)
        made += len(batch)
    tallies.recount([post.pk for post in posts])  # loaded past the vote service
    return made


def votes_on(post, people, mean, rng):
    others = [p for p in people[post.workshop_id] if p.pk != post.participant_id]
    late = rng.random() < LATE_SHARE
    count = rng.randint(0, 5) if late else round(rng.gauss(mean, mean / 6))
    return votes_by(rng.sample(others, max(0, min(count, len(others)))), post, rng)


def make_themes(series, posts, rng):
    """Themes of 2-3 posts on one recommendation from different workshops, a post in one
    theme at most (the app allows more; one keeps the load even); returns [(theme, members)]."""
    from synthesis.models import Theme

    places = {}  # (recommendation id, workshop id) -> unthemed posts
    for post in posts:
        places.setdefault((post.prompt.recommendation_id, post.workshop_id), []).append(post)
    recommendations = sorted({rec for rec, _ in places})
    links = []
    for n in range(THEMES):
        recommendation = recommendations[n % len(recommendations)]
        workshops = sorted(w for (rec, w), left in places.items() if rec == recommendation and left)
        if len(workshops) < 2:
            continue  # a small series: no two workshops left with a post on it
        chosen = rng.sample(workshops, min(len(workshops), rng.randint(2, 3)))
        members = [places[(recommendation, w)].pop() for w in chosen]
        theme = Theme(series=series, title=f"Theme {n + 1}: {members[0].text[:80]}")
        links.append((theme, members))
    save_themes(links)
    return links


def make_judgements(series, posts, rng):
    """Analysts' decisions on a few posts; about a third change the suggested class."""
    from synthesis.models import Judgement
    from synthesis.stats import Verdict

    verdicts = list(Verdict)
    judgements = []
    for post in rng.sample(posts, max(1, int(len(posts) * JUDGED_SHARE))):
        computed = rng.choice(verdicts)
        verdict = rng.choice(verdicts) if rng.random() < 1 / 3 else computed
        judgements.append(
            Judgement(
                series=series,
                contribution=post,
                verdict=verdict,
                computed=computed,
                reason="Checked against the facilitators' notes from the session.",
            )
        )
    Judgement.objects.bulk_create(judgements)
    return len(judgements)


def make_findings(series, posts, themes, rng):
    """Key findings, each citing four posts and, for most, a theme as evidence."""
    from pillars.models import Pillar
    from synthesis.models import Finding

    pillars = list(Pillar.objects.filter(framework=series.framework_id))
    for n in range(FINDINGS):
        finding = Finding.objects.create(
            series=series,
            title=f"Finding {n + 1}: {rng.choice(OPENINGS).lower()}",
            body="\n".join(rng.sample(DETAILS, 4)),
            pillar=pillars[n % len(pillars)],
            kind=(Finding.Kind.COMMON_GROUND, Finding.Kind.DEBATE)[n % 2],
            order=n,
        )
        finding.contributions.set(rng.sample(posts, 4))
        if n < len(themes) and n % 3:
            finding.themes.set([themes[n][0]])


# --- Measurements (each case in a fresh process) --------------------------------------------


def measure(url, series_id, args):
    runs = {}
    for case in ORDER:
        log(f"timing {case}…")
        runs.setdefault(case, []).append(run_child(url, case, series_id, args))
    floors = runs.pop("floor")
    cases = {
        "floor": min(floors, key=lambda run: run["seconds"]),
        **{case: run for case, (run,) in runs.items()},
    }
    floor_s = cases["floor"]["seconds"]
    result = {
        "floor_s": floor_s,
        "floor_runs_s": [run["seconds"] for run in floors],
        **{f"{case}_s": cases[case]["seconds"] for case in runs},
        **{f"{case}_ratio": round(cases[case]["seconds"] / floor_s, 2) for case in runs},
        "pages": {case: run["pages"] for case, run in cases.items() if "pages" in run},
        "cpu_s": {case: run["cpu_s"] for case, run in cases.items()},
        "peak_rss_mb": {case: run["peak_rss_mb"] for case, run in cases.items()},
        "load_1min": {case: run["load_1min"] for case, run in cases.items()},
        "targets": TARGETS,
    }
    result["met"] = {case: result[f"{case}_ratio"] <= limit for case, limit in TARGETS.items()}
    return result


def run_child(url, case, series_id, args, profile=False):
    command = [servers.PYTHON, __file__, "--child", case, "--series", str(series_id)]
    if args.save:
        command += ["--save", str(args.save.resolve())]
    if profile:
        command.append("--profile")
    done = subprocess.run(
        command, cwd=servers.ROOT, env=servers.app_env(url), capture_output=True, text=True
    )
    if done.stderr.strip():
        log(done.stderr.rstrip())
    if done.returncode:
        raise RuntimeError(f"the {case} process failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_timed(args):
    """One case as the export task runs it: its seconds, pages and peak memory."""
    render = prepare(args)
    load = os.getloadavg()[0]
    cpu_before, started = cpu_seconds(), time.perf_counter()
    data = render()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    result = {
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "load_1min": round(load, 1),
        "peak_rss_mb": round(peak_kb / 1024),
    }
    kind = CASES[args.child][0]
    if kind != "docx":
        from pypdf import PdfReader

        result["pages"] = len(PdfReader(io.BytesIO(data)).pages)
    save(args, f"{args.child}.{'docx' if kind == 'docx' else 'pdf'}", data)
    return result


def prepare(args):
    """The call to time, with everything it needs imported and the series read."""
    # The opinion map's scikit-learn takes 2.5-3 s to import, once per worker process, not per
    # report; docs/PERFORMANCE.md records it.
    import sklearn.cluster  # noqa: F401
    import sklearn.decomposition  # noqa: F401
    import sklearn.metrics  # noqa: F401
    from django.conf import settings
    from weasyprint import HTML

    import synthesis.pdfua  # noqa: F401  render_pdf imports it late, but not on the clock
    from synthesis.docx_report import render_docx
    from synthesis.exports import render_pdf
    from workshops.models import Series

    series = Series.objects.get(pk=args.series)
    kind, appendix = CASES[args.child]
    if kind == "floor":
        page = floor_html(series)
        return lambda: HTML(string=page, base_url=str(settings.BASE_DIR)).write_pdf(
            pdf_variant=PDF_VARIANT
        )
    render = render_pdf if kind == "pdf" else render_docx
    return lambda: render(series, include_appendix=appendix)


def floor_html(series):
    """The series' visible posts, in the appendix's order, as a page of plain paragraphs."""
    from participants.models import Contribution
    from synthesis.report import in_scope

    posts = Contribution.objects.filter(
        in_scope(series), state=Contribution.State.VISIBLE
    ).order_by("prompt__recommendation__number", "created")
    title = html.escape(series.name)
    paragraphs = "\n".join(f"<p>{html.escape(post.public_text)}</p>" for post in posts)
    return (
        f'<!doctype html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{paragraphs}\n</body>\n</html>"
    )


def cpu_seconds():
    """User and system CPU time of this process: unlike the clock, it does not count time
    spent waiting for a core that other processes of the machine are using."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def save(args, name, data):
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / name).write_bytes(data)


# --- Where the time goes (--profile) --------------------------------------------------------


def profile(url, series_id, args):
    stages = {}
    for case in CASES:
        log(f"profiling {case}…")
        stages[case] = run_child(url, case, series_id, args, profile=True)
    return stages


def child_stages(args):
    """The case's stages one by one, each timed; then all of them again under cProfile."""
    from workshops.models import Series

    series = Series.objects.get(pk=args.series)
    stages = STAGES[CASES[args.child][0]](args, series)
    seconds, value = {}, None
    for name, stage in stages:
        started = time.perf_counter()
        value = stage(value)
        seconds[name] = round(time.perf_counter() - started, 2)
        if name == "template":
            save(args, f"{args.child}.html", value.encode())
    profiler, value = cProfile.Profile(), None
    for _, stage in stages:
        value = profiler.runcall(stage, value)
    if args.save:
        profiler.dump_stats(args.save / f"{args.child}.prof")
    for order, count in (("cumulative", 45), ("tottime", 30)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(count)
        log(f"--- {args.child}, by {order} ---\n{short_paths(out.getvalue())}")
    return seconds


# Each case as (stage, function of the previous stage's result): run one after another they
# do what render_pdf, render_docx or the floor's write_pdf do, so keep them in step.


def floor_stages(args, series):
    return [("floor_html", lambda _: floor_html(series)), *weasyprint_stages()]


def weasyprint_stages():
    from django.conf import settings
    from weasyprint import HTML

    def layout(page):
        return HTML(string=page, base_url=str(settings.BASE_DIR)).render(pdf_variant=PDF_VARIANT)

    return [
        ("layout", layout),
        ("write", lambda document: document.write_pdf(pdf_variant=PDF_VARIANT)),
    ]


def report_stages(args, series):
    """The data and the template, the same for the PDF and the DOCX."""
    from django.template.loader import render_to_string

    from synthesis.report import report_context

    def data(_):
        context = report_context(series, include_appendix=CASES[args.child][1])
        # The template would run these queries: they are the data's time, not the template's.
        context["findings"] = list(context["findings"])
        if context["appendix"] is not None:
            context["appendix"] = list(context["appendix"])
        return context

    return [
        ("data", data),
        ("template", lambda context: render_to_string("synthesis/report/report.html", context)),
    ]


def pdf_stages(args, series):
    from synthesis.pdfua import make_accessible

    return [
        *report_stages(args, series),
        *weasyprint_stages(),
        ("make_accessible", make_accessible),
    ]


def docx_stages(args, series):
    from docx import Document
    from lxml.html import document_fromstring

    from synthesis import docx_report

    def build(page):
        document = Document()
        docx_report._set_properties(document, page)
        docx_report._Writer(document).blocks(page.body)
        return document

    def write(document):
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    return [
        *report_stages(args, series),
        ("parse", document_fromstring),
        ("build", build),
        ("save", write),
    ]


STAGES = {"floor": floor_stages, "pdf": pdf_stages, "docx": docx_stages}


def short_paths(text):
    for folder in (sysconfig.get_paths()["purelib"], str(servers.ROOT)):
        text = text.replace(folder + "/", "")
    return text


# --- Summary --------------------------------------------------------------------------------


def summarise(r):
    lines = [
        f"Series report on {r['database']}: {r['contributions']} contributions, "
        f"{r['participants']} participants, {r['votes']} votes, {r['themes']} themes, "
        f"{r['findings']} findings (built in {r['setup_s']} s)",
        f"  {'floor':<16} {r['floor_s']:6.2f} s, the lower of "
        f"{' and '.join(f'{s:.2f}' for s in r['floor_runs_s'])} s; {r['cpu_s']['floor']:.2f} s "
        f"of CPU, load {r['load_1min']['floor']}, {r['pages']['floor']} pages, "
        f"peak RSS {r['peak_rss_mb']['floor']} MB",
    ]
    for case in list(CASES)[1:]:
        limit = TARGETS.get(case)
        verdict = "no target"
        if limit:
            verdict = f"target ≤ {limit:g}×: {'met' if r['met'][case] else 'MISSED'}"
        pages = f", {r['pages'][case]} pages" if case in r["pages"] else ""
        lines.append(
            f"  {case:<16} {r[case + '_s']:6.2f} s = {r[case + '_ratio']:.2f}× floor ({verdict}); "
            f"{r['cpu_s'][case]:.2f} s of CPU, load {r['load_1min'][case]}{pages}, "
            f"peak RSS {r['peak_rss_mb'][case]} MB"
        )
    for case, seconds in r.get("stages", {}).items():
        total = sum(seconds.values()) or 1
        shares = [f"{name} {s:.2f} s ({100 * s / total:.0f}%)" for name, s in seconds.items()]
        lines.append(f"  stages of {case}: {', '.join(shares)}")
    log("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
