"""Fresh clone to serving: seconds from `git clone` to the first HTTP 200 of `make run`.

    python3 bench/setup.py

Clones the repository this script lives in (its committed HEAD) into a temporary folder,
where no .venv exists yet, runs `make run` there with PORT set to a free port, polls
http://127.0.0.1:PORT/ until it answers 200, then stops make and everything it started (the
whole process group). The step lines `make run` prints ("Installing…", "Migrating…",
"Loading the demo…", "Serving on …") are timed as they arrive, which splits the total into
clone, install, migrate, seed and start (daphne's start to the first 200).

The timed run has a warm package cache: an untimed `make install` in a throwaway clone first
fills the user's uv and pip caches with every locked wheel (seconds when they hold them
already). The cold run, with uv's and pip's caches pointed at empty temporary folders so that
every wheel is downloaded, is optional, as it depends on the network:

    SETUP_BENCH_COLD=1      add the cold run (cold_s; null without it)
    SETUP_BENCH_REPO=PATH   clone this repository (a path or URL git accepts) instead
    SETUP_BENCH_WORKTREE=1  copy the repository's working tree (tracked and untracked files,
                            not ignored ones) instead of cloning HEAD: times uncommitted work
    SETUP_BENCH_TIMEOUT=S   give up on a run after S seconds (default 600)

It needs only Python 3.11, git and make: it measures what happens before any venv exists.
DATABASE_URL and REDIS_URL are dropped, so `make run` takes the embedded default. Progress
goes to stderr; the last line of stdout is one JSON object with the figures in seconds.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = {
    "Installing": "install",
    "Migrating": "migrate",
    "Loading the demo": "seed",
    "Serving on": "serve",
}
# Lines that would alarm someone reading `make run`'s output.
ALARMING = ("warning:", "error:", "traceback", "http/2 support not enabled", "no directory at")


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def emit(result):
    """The one machine-readable line: the last line of stdout."""
    print(json.dumps(result, separators=(",", ":")), flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(source, dest):
    """A fresh copy of the project in dest: a clone, or the working tree's files."""
    if os.environ.get("SETUP_BENCH_WORKTREE") == "1":
        listing = subprocess.run(
            ["git", "-C", source, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True,
            capture_output=True,
        ).stdout
        for name in filter(None, listing.decode().split("\0")):
            path = Path(source, name)
            if path.is_file():  # tracked files deleted in the working tree are skipped
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, dest / name)
    else:
        subprocess.run(["git", "clone", "--quiet", str(source), str(dest)], check=True)


def clean_env(cache=None):
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PORT"):
        env.pop(name, None)
    for name in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(name, None)
    if cache:
        env["UV_CACHE_DIR"] = str(cache / "uv")
        env["PIP_CACHE_DIR"] = str(cache / "pip")
    return env


def prime(source, scratch):
    """Untimed `make install` in a throwaway copy: fills the user's package caches."""
    folder = scratch / "prime"
    fetch(source, folder)
    started = time.monotonic()
    subprocess.run(
        ["make", "install"],
        cwd=folder,
        env=clean_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"  caches primed in {time.monotonic() - started:.1f} s")
    shutil.rmtree(folder, ignore_errors=True)


def answers_200(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def timed_run(label, source, scratch, cache=None):
    """Clone, `make run`, poll for the 200; returns the seconds of each part."""
    folder = scratch / label
    port = free_port()
    timeout = float(os.environ.get("SETUP_BENCH_TIMEOUT", 600))
    env = clean_env(cache)
    env["PORT"] = str(port)

    started = time.monotonic()
    fetch(source, folder)
    cloned = time.monotonic()
    log(f"{label}: clone {cloned - started:.1f} s, `make run` on port {port}")

    seen = {}
    alarming = []
    output = Path(tempfile.gettempdir()) / f"setup-bench-{label}.log"  # kept after the run
    process = subprocess.Popen(
        ["make", "run"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
        bufsize=1,
    )

    def read():
        with open(output, "w") as copy:
            for line in process.stdout:
                now = time.monotonic()
                copy.write(line)
                for prefix, step in STEPS.items():
                    if line.startswith(prefix) and step not in seen:
                        seen[step] = now
                        log(f"  [{now - started:5.1f} s] {line.rstrip()}")
                if any(word in line.lower() for word in ALARMING):
                    alarming.append(line.rstrip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}/"
    try:
        while not answers_200(url):
            if process.poll() is not None:
                reader.join(5)
                code = process.returncode
                raise SystemExit(f"{label}: `make run` exited with {code}; see {output}")
            if time.monotonic() - started > timeout:
                raise SystemExit(f"{label}: no 200 from {url} within {timeout:.0f} s; see {output}")
            time.sleep(0.1)
        served = time.monotonic()
        log(f"  [{served - started:5.1f} s] 200 from {url}")
    finally:
        stop(process)
        reader.join(5)
    for line in alarming:
        log(f"  alarming line in the output: {line}")

    def between(first, then):
        if first in seen and then in seen:
            return round(seen[then] - seen[first], 1)
        return None

    seen["served"] = served
    return {
        "total_s": round(served - started, 1),
        "clone_s": round(cloned - started, 1),
        "install_s": between("install", "migrate"),
        "migrate_s": between("migrate", "seed"),
        "seed_s": between("seed", "serve"),
        "start_s": between("serve", "served"),
        "alarming_lines": len(alarming),
    }


def stop(process):
    """make, the shell and daphne share one process group: end them all."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def main():
    source = os.environ.get("SETUP_BENCH_REPO") or str(ROOT)
    cold = os.environ.get("SETUP_BENCH_COLD") == "1"
    with tempfile.TemporaryDirectory(prefix="setup-bench-") as scratch_name:
        scratch = Path(scratch_name)
        copied = "working tree" if os.environ.get("SETUP_BENCH_WORKTREE") == "1" else "HEAD"
        log(f"source: {source} ({copied})")
        log("priming the package caches")
        prime(source, scratch)
        warm = timed_run("warm", source, scratch)
        cold_run = None
        if cold:
            cache = scratch / "empty-cache"
            cache.mkdir()
            cold_run = timed_run("cold", source, scratch, cache=cache)
    result = {
        "warm_s": warm["total_s"],
        "cold_s": cold_run["total_s"] if cold_run else None,
        **{key: value for key, value in warm.items() if key != "total_s"},
        "cold_install_s": cold_run["install_s"] if cold_run else None,
        "cores": os.cpu_count(),
    }
    log(f"warm: {result['warm_s']} s" + (f", cold: {result['cold_s']} s" if cold_run else ""))
    emit(result)


if __name__ == "__main__":
    main()
