#!/usr/bin/env bash
# The multi-process shape on one machine, without Docker: two daphne processes on two ports
# sharing PostgreSQL and Redis, and a Celery worker. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/common_ground_prodlike}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/1}"
PY=.venv/bin/python
# A random key, made once and kept in var/ (which git ignores), so sign-ins and participants'
# cookies outlive a restart and nobody can guess it.
mkdir -p var
[ -s var/secret_key ] || (umask 077 && $PY -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key)
export SECRET_KEY="${SECRET_KEY:-$(cat var/secret_key)}"

# Create the database if it is missing (the server's own "postgres" database is always there).
$PY - <<'PYTHON'
import os
import psycopg
url = os.environ["DATABASE_URL"]
server, _, name = url.rpartition("/")
with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        admin.execute(f'CREATE DATABASE "{name}"')
PYTHON

$PY manage.py migrate --noinput
# A real instance has no demo logins: the first run creates an organisation and prints a
# one-time link for its admin to choose a password (the email goes to the console).
if ! $PY manage.py shell --verbosity 0 -c "from accounts.models import Membership; exit(not Membership.objects.exists())"; then
  $PY manage.py create_organisation "${ORGANISATION:-Our organisation}" --admin "${ADMIN_EMAIL:-admin@example.org}"
fi
$PY manage.py collectstatic --noinput >/dev/null

trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM
.venv/bin/daphne -b 127.0.0.1 -p 8001 config.asgi:application &
.venv/bin/daphne -b 127.0.0.1 -p 8002 config.asgi:application &
.venv/bin/celery -A config worker --loglevel INFO --concurrency 1 &
echo "Two web processes: http://127.0.0.1:8001/ and http://127.0.0.1:8002/ (one database, one Redis)."
echo "Join on one and run the console on the other: posts cross between them through Redis."
wait
