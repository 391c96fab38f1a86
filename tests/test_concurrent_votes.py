"""Phones voting at the same moment, over HTTP, against a real daphne and a database file.

The test database is in memory, where SQLite's locking between connections never shows;
here the writers are real request threads sharing one file (or PostgreSQL, with
DATABASE_URL set).
"""

import re
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bench.servers import PYTHON, ROOT, app_env, daphnes, database, participant_cookies

JOIN_CODE = "SEND25"
PHONES = 16
VOTES_EACH = 5


def http(port, path, cookie, data=None):
    """(status, body, Set-Cookie headers) of one request, as htmx on a phone sends it."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=urllib.parse.urlencode(data).encode() if data is not None else None,
        headers={"Cookie": cookie, "HX-Request": "true"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers.get_all("Set-Cookie")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get_all("Set-Cookie")


def open_feed(port, cookie):
    """The cookie header with the CSRF cookie added, the form's token, and the posts shown."""
    status, page, set_cookies = http(port, f"/w/{JOIN_CODE}/", cookie)
    assert status == 200, page[:500]
    csrf_cookie = next(c.split(";")[0] for c in set_cookies if c.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    posts = sorted(set(re.findall(rf"/w/{JOIN_CODE}/vote/(\d+)/", page)))
    return f"{cookie}; {csrf_cookie}", token, posts


def manage(database_url, *args):
    """What a management command prints, run against the servers' database."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=app_env(database_url),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def vote_count(database_url):
    code = "from participants.models import Vote; print(Vote.objects.count())"
    return int(manage(database_url, "shell", "-c", code).split()[-1])


def test_phones_voting_at_the_same_moment_all_have_their_votes_saved(tmp_path):
    """16 phones each vote on 5 posts, all 16 at once each time: no vote fails or is lost,
    and each post's counts per group agree with its votes."""
    with database() as url, daphnes(url, log_folder=tmp_path) as (port,):
        phones = [open_feed(port, cookie) for cookie in participant_cookies(url, PHONES)]
        posts = phones[0][2][:VOTES_EACH]
        assert len(posts) == VOTES_EACH
        before = vote_count(url)
        start_together = threading.Barrier(PHONES)

        def cast_votes(phone):
            cookie, token, _ = phone
            statuses = []
            for post in posts:
                start_together.wait(timeout=30)
                form = {"csrfmiddlewaretoken": token, "choice": "agree"}
                statuses.append(http(port, f"/w/{JOIN_CODE}/vote/{post}/", cookie, form)[0])
            return statuses

        with ThreadPoolExecutor(PHONES) as pool:
            statuses = [status for answers in pool.map(cast_votes, phones) for status in answers]

        errors = [status for status in statuses if status != 200]
        saved = vote_count(url) - before
        assert (len(errors), saved) == (0, PHONES * VOTES_EACH), (tmp_path, errors)
        assert manage(url, "repair_tallies").startswith("Every count agrees with the votes")
