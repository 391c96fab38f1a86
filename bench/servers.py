"""Start and stop the app's own processes for benchmarks and end-to-end tests.

Servers run as real daphne processes on free loopback ports. With no DATABASE_URL they share
a fresh SQLite file; with REDIS_URL set they share Redis, as several web processes would in
production.
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port} within {timeout:.0f} s")


def app_env(database_url, **extra):
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONUNBUFFERED="1", **extra)
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    return env


def manage(env, *args):
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


@contextlib.contextmanager
def database(seed=True):
    """A fresh database for the servers, dropped afterwards: on the PostgreSQL server of
    DATABASE_URL when it is set, else a SQLite file.

    It is migrated, and seeded with the demo unless `seed` is false.
    """
    with tempfile.TemporaryDirectory(prefix="cg-servers-") as folder:
        server_url = os.environ.get("DATABASE_URL", "")
        if server_url.startswith("postgres"):
            context = _postgres_database(server_url)
        else:
            context = contextlib.nullcontext(f"sqlite:///{folder}/db.sqlite3")
        with context as url:
            env = app_env(url)
            manage(env, "migrate", "--noinput")
            if seed:
                manage({**env, "DEMO": "true"}, "seed_demo")
            yield url


@contextlib.contextmanager
def _postgres_database(server_url):
    import psycopg

    base, _, _ = server_url.rpartition("/")
    name = f"common_ground_run_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def daphne_command(port):
    return [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]


@contextlib.contextmanager
def daphnes(database_url, count=1, log_folder=None, **extra_env):
    """Run `count` daphne processes on free ports; yields their ports."""
    env = app_env(database_url, **extra_env)
    ports = [free_port() for _ in range(count)]
    folder = Path(log_folder or tempfile.gettempdir())
    with contextlib.ExitStack() as stack:
        processes = []
        for port in ports:
            log = stack.enter_context(open(folder / f"daphne-{port}.log", "w"))
            process = subprocess.Popen(
                daphne_command(port),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(_stop, process)
            processes.append(process)
        for port in ports:
            wait_for_port(port)
        yield ports


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


CREATE_PARTICIPANTS = """
import json, sys
from django.utils import timezone
from participants.models import Participant, StakeholderGroup
from participants.tokens import cookie_name, make_token
from workshops.models import Workshop
workshop = Workshop.objects.get(join_code=sys.argv[-2])
groups = list(StakeholderGroup.objects.exclude(slug="other"))
people = Participant.objects.bulk_create(
    Participant(workshop=workshop, group=groups[n % len(groups)], consented_at=timezone.now())
    for n in range(int(sys.argv[-1]))
)
name = cookie_name(workshop)
print(json.dumps([f"{name}={make_token(p)}" for p in people]))
"""


def participant_cookies(database_url, count, join_code="SEND25"):
    """Cookie headers for `count` new participants of the workshop with `join_code`."""
    import json

    result = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings'); django.setup(); exec(open(0).read())",
            join_code,
            str(count),
        ],
        cwd=ROOT,
        env=app_env(database_url),
        input=CREATE_PARTICIPANTS,
        text=True,
        capture_output=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
