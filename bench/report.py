"""Series report: how long the PDF of a large series takes to render, and in how much memory.

    .venv/bin/python bench/report.py [--contributions 2000] [--participants 300]
                                     [--votes-per-post 40] [--save DIR] [--profile]

It builds a series on a fresh migrated database (see servers.database): six workshops (five
regions and one online national one), participants spread over the six stakeholder groups,
visible contributions spread over the framework's eight recommendations (plus a few hidden
and pending ones, which the report only counts), about --votes-per-post votes on each by
people of the post's own workshop, leaning so that every class turns up, a few themes
linking posts across workshops, some analyst decisions, and key findings citing posts and
themes as evidence. The random seed is fixed, so every run builds the same series.

It then renders the series report as the export task does, synthesis.exports.render_pdf,
without the appendix and with it (every contribution listed, the heaviest case), each in a
fresh Python process so that neither the data generation nor the other render counts
towards its time or memory:
  - seconds: the render_pdf() call alone (Django and WeasyPrint already imported), with the
    CPU time it took and the load average, as the machine may be busy with other work;
  - pages: counted by pypdf in the PDF produced;
  - peak RSS: the render process's high-water mark (getrusage ru_maxrss), next to its RSS
    just before the call, so what the render itself adds is visible;
  - the baseline, from a second process per case: report_context() alone, with its lazy
    querysets evaluated as the template would (the queries and the board's Python), and
    the template rendered to HTML. WeasyPrint's share is the rest of the seconds.
    --profile also runs WeasyPrint's layout and PDF writing there, one at a time under
    cProfile, and prints where the time goes.
--save DIR keeps the HTML and the PDFs.

With no DATABASE_URL it runs on a SQLite file; with DATABASE_URL (postgres://...) on a fresh
PostgreSQL database of that server, dropped afterwards. The target (15 s) is for the slower
of the two renders.

Stderr gets a readable summary; the last line of stdout is one JSON object with the figures.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import time
from datetime import timedelta
from itertools import islice
from pathlib import Path

import psutil
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

TARGET_S = 15.0
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


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=2000, help="visible posts (2000)")
    parser.add_argument("--participants", type=int, default=300, help="people (300)")
    parser.add_argument("--votes-per-post", type=int, default=40, help="mean votes on a post (40)")
    parser.add_argument("--save", type=Path, help="keep the HTML and the PDFs in this folder")
    parser.add_argument("--profile", action="store_true", help="print where WeasyPrint's time goes")
    # Internal: one measurement in a fresh process, on the database of DATABASE_URL.
    parser.add_argument("--child", choices=["render", "steps"], help=argparse.SUPPRESS)
    parser.add_argument("--series", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--appendix", action="store_true", help=argparse.SUPPRESS)
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
        emit(CHILDREN[args.child](args))
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

    from pillars.models import Framework
    from pillars.send_reform import SLUG
    from workshops.models import Workshop
    from workshops.services import series_create, workshop_create

    log("building the series…")
    with transaction.atomic():
        series = series_create(
            framework=Framework.objects.get(slug=SLUG),
            name="Bench series: SEND reform across England",
            description="Six workshops with families, schools, health and councils.",
            organisation="Bench Parent Carer Forum",
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

    rows = (vote for post in posts for vote in votes_on(post, people, mean, rng))
    made = 0
    while batch := list(islice(rows, BATCH)):  # never all the votes in memory at once
        Vote.objects.bulk_create(batch)
        made += len(batch)
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


# --- Measurements (each in a fresh process) -------------------------------------------------


def measure(url, series_id, args):
    """Each render timed in a process of its own, then its data and HTML in another."""
    result = {}
    for appendix in (False, True):
        suffix = "_with_appendix" if appendix else ""
        log(f"rendering the report{' with the appendix' if appendix else ''}…")
        render = run_child(url, "render", series_id, appendix, args)
        steps = run_child(url, "steps", series_id, appendix, args)
        result["items"], result["classes"] = steps.pop("items"), steps.pop("classes")
        weasyprint_s = render["seconds"] - steps["context_s"] - steps["html_s"]
        steps["weasyprint_s"] = round(max(0.0, weasyprint_s), 2)
        result.update({f"{key}{suffix}": value for key, value in {**render, **steps}.items()})
    result["peak_rss_mb_without_appendix"] = result.pop("peak_rss_mb")
    result["peak_rss_mb"] = max(
        result["peak_rss_mb_without_appendix"], result["peak_rss_mb_with_appendix"]
    )
    result["target_s"] = TARGET_S
    result["met"] = max(result["seconds"], result["seconds_with_appendix"]) <= TARGET_S
    # On a busy machine the clock also counts waiting for a core; CPU time does not.
    result["met_on_cpu"] = max(result["cpu_s"], result["cpu_s_with_appendix"]) <= TARGET_S
    return result


def run_child(url, kind, series_id, appendix, args):
    command = [servers.PYTHON, __file__, "--child", kind, "--series", str(series_id)]
    if appendix:
        command.append("--appendix")
    if args.save:
        command += ["--save", str(args.save.resolve())]
    if args.profile and kind == "steps":
        command.append("--profile")
    done = subprocess.run(
        command, cwd=servers.ROOT, env=servers.app_env(url), capture_output=True, text=True
    )
    if done.stderr.strip():
        log(done.stderr.rstrip())
    if done.returncode:
        raise RuntimeError(f"the {kind} process failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_render(args):
    """render_pdf() as the export task calls it; its seconds, pages and peak memory."""
    from pypdf import PdfReader

    from synthesis.exports import render_pdf
    from workshops.models import Series

    series = Series.objects.get(pk=args.series)
    rss_before = psutil.Process().memory_info().rss
    load = os.getloadavg()[0]
    cpu_before, started = cpu_seconds(), time.perf_counter()
    pdf = render_pdf(series, include_appendix=args.appendix)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        name = "report-with-appendix.pdf" if args.appendix else "report.pdf"
        (args.save / name).write_bytes(pdf)
    return {
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "load_1min": round(load, 1),
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "pdf_kb": round(len(pdf) / 1024),
        "rss_before_mb": round(rss_before / 2**20),
        "peak_rss_mb": round(peak_kb / 1024),
    }


def cpu_seconds():
    """User and system CPU time of this process: unlike the clock, it does not count time
    spent waiting for a core that other processes of the machine are using."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_steps(args):
    """The data render_pdf() starts from, report_context() with its lazy querysets evaluated
    as the template would, then the template rendered to HTML. With --profile, WeasyPrint's
    layout and the writing of the PDF too, one at a time under cProfile."""
    from django.db import connection
    from django.template.loader import render_to_string

    from synthesis.report import report_context
    from workshops.models import Series

    series = Series.objects.get(pk=args.series)
    queries = []
    with connection.execute_wrapper(lambda execute, *a: queries.append(1) or execute(*a)):
        started = time.perf_counter()
        context = report_context(series, include_appendix=args.appendix)
        context["findings"] = list(context["findings"])
        if context["appendix"] is not None:
            context["appendix"] = list(context["appendix"])
        context_s = time.perf_counter() - started
        started = time.perf_counter()
        html = render_to_string("synthesis/report/report.html", context)
        html_s = time.perf_counter() - started
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / f"report{'-with-appendix' if args.appendix else ''}.html").write_text(html)
    classes = context["method"]["classes"]
    result = {
        "context_s": round(context_s, 2),
        "queries": len(queries),
        "html_s": round(html_s, 2),
        "html_kb": round(len(html.encode()) / 1024),
        "items": context["method"]["items"],
        "classes": {verdict.value: n for verdict, n in classes.most_common()},
    }
    if args.profile:
        result.update(profile_weasyprint(html, args.appendix))
    return result


def profile_weasyprint(html, appendix):
    """WeasyPrint's two halves as render_pdf() runs them, layout then PDF, under cProfile."""
    from django.conf import settings
    from weasyprint import HTML

    profiler = cProfile.Profile()
    started = time.perf_counter()
    document = profiler.runcall(
        HTML(string=html, base_url=str(settings.BASE_DIR)).render, pdf_variant="pdf/ua-1"
    )
    layout_s = time.perf_counter() - started
    started = time.perf_counter()
    profiler.runcall(document.write_pdf, pdf_variant="pdf/ua-1")
    write_s = time.perf_counter() - started
    report_profile(profiler, "with" if appendix else "without")
    return {"layout_s": round(layout_s, 2), "write_s": round(write_s, 2)}


def report_profile(profiler, appendix):
    for order, count in (("cumulative", 40), ("tottime", 25)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(count)
        log(f"--- WeasyPrint {appendix} the appendix, by {order} ---\n{out.getvalue()}")


CHILDREN = {"render": child_render, "steps": child_steps}


def summarise(r):
    classes = ", ".join(f"{name} {n}" for name, n in r["classes"].items())
    lines = [
        f"Series report on {r['database']}: {r['contributions']} contributions, "
        f"{r['participants']} participants, {r['votes']} votes, {r['themes']} themes, "
        f"{r['findings']} findings (built in {r['setup_s']} s)",
        f"  {r['items']} items on the board: {classes}",
    ]
    for label, s, peak in (
        ("without appendix", "", r["peak_rss_mb_without_appendix"]),
        ("with appendix", "_with_appendix", r["peak_rss_mb_with_appendix"]),
    ):
        lines += [
            f"  {label:<17} {r['seconds' + s]:6.2f} s ({r['cpu_s' + s]:.2f} s of CPU, load "
            f"{r['load_1min' + s]}), {r['pages' + s]} pages, {r['pdf_kb' + s]} KB, "
            f"peak RSS {peak} MB ({r['rss_before_mb' + s]} MB before)",
            f"    data {r['context_s' + s]:.2f} s ({r['queries' + s]} queries), "
            f"HTML {r['html_s' + s]:.2f} s ({r['html_kb' + s]} KB), "
            f"WeasyPrint the rest, {r['weasyprint_s' + s]:.2f} s",
        ]
        if "layout_s" + s in r:
            lines.append(
                f"    profiled: layout {r['layout_s' + s]:.2f} s, PDF {r['write_s' + s]:.2f} s"
            )
    lines += [
        f"  target {TARGET_S:g} s for the slower render: {'met' if r['met'] else 'MISSED'}"
        f" (on CPU time: {'met' if r['met_on_cpu'] else 'missed'})",
    ]
    log("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
