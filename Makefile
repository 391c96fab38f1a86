# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
INSTALLED := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
# The uv that installs the lock files; `make lock` writes its hashes to requirements/uv.txt.
UV_VERSION := 0.13.9
PIP_QUIET := --quiet --quiet --disable-pip-version-check

.PHONY: install run run-prod-like test lint chromium pdf-libraries lock

# Exact versions with hashes (requirements/*.txt, written by `make lock` from pyproject.toml).
# uv installs them in seconds. The venv gets no pip of its own (creating one takes longer than
# the whole install): Python's own pip puts uv in it. Where that fails, the venv's own pip
# installs uv, and where uv cannot be had at all, pip installs the same lock.
UV_INSTALL := --require-hashes -r requirements/uv.txt >>$(VENV)/uv-install.log 2>&1
$(INSTALLED): requirements/dev.txt requirements/uv.txt
	@echo "Installing…"
	@[ -x $(PY) ] || $(PYTHON) -m venv --without-pip $(VENV)
	@if $(PYTHON) -m pip --python $(PY) install $(PIP_QUIET) $(UV_INSTALL) || \
		{ $(PY) -m ensurepip >>$(VENV)/uv-install.log 2>&1 && \
		  $(PY) -m pip install $(PIP_QUIET) $(UV_INSTALL); }; \
	then \
		$(UV) pip sync --quiet --require-hashes --python $(PY) requirements/dev.txt; \
	else \
		echo "  uv did not install (see $(VENV)/uv-install.log); installing with pip"; \
		$(PY) -m ensurepip >/dev/null 2>&1; \
		$(PY) -m pip install $(PIP_QUIET) --no-deps --require-hashes -r requirements/dev.txt; \
	fi
	@touch $@

install: $(INSTALLED)

# Regenerate the lock files after changing dependencies in pyproject.toml; versions already
# pinned stay unless pyproject.toml rules them out. `make lock UPGRADE=1` takes the newest.
LOCK := $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--override requirements/overrides.txt \
	--custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade)
lock:
	@[ -x $(UV) ] || $(MAKE) --no-print-directory $(INSTALLED)
	$(LOCK) pyproject.toml --extra dev -o requirements/dev.txt
	$(LOCK) pyproject.toml --constraint requirements/dev.txt -o requirements/base.txt
	echo "uv==$(UV_VERSION)" | $(LOCK) - -o requirements/uv.txt

# Browser tests drive the system's Chromium; no browser is ever downloaded.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# WeasyPrint subsets the report's fonts with HarfBuzz where it can (a tenth of a long report's
# time), else with a slower pure-Python fallback: reports still work without it.
pdf-libraries:
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('harfbuzz-subset'))" \
	|| { $(SUDO) apt-get install -y -qq \
		libharfbuzz-subset0 >/dev/null 2>&1 || echo "  (libharfbuzz-subset0 not installed: PDFs render a little slower)"; }

run: install pdf-libraries
	@mkdir -p var
	@echo "Migrating…"
	@$(PY) manage.py migrate --noinput --verbosity 0
	@echo "Loading the demo…"
	@DEMO=true $(PY) manage.py seed_demo --url http://$(HOST):$(PORT)/
	@echo "Serving on http://$(HOST):$(PORT)/"
	@# Addresses shown on walls and phones (the results page) are made from SITE_URL.
	@SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" $(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

# Two daphne processes, a Celery worker, PostgreSQL and Redis (DATABASE_URL / REDIS_URL or
# the local defaults): the multi-process shape without Docker.
run-prod-like: install
	deploy/run-prod-like.sh

test: install chromium pdf-libraries
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
