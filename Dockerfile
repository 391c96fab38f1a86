FROM python:3.11-slim
# WeasyPrint needs Pango to lay out the PDF report, DejaVu gives it fonts to embed and
# HarfBuzz's subsetter makes their subsets quickly.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home app
WORKDIR /app
# The runtime lock: exact versions, each checked against its hash. Copied first, so a change
# to the code alone reuses the installed layer.
COPY requirements/base.txt requirements/base.txt
# --no-deps: the lock is complete, and leaves out what requirements/overrides.txt says.
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps --require-hashes -r requirements/base.txt
COPY . .
# Collecting static files needs settings, and so a key, but signs nothing: this one is for
# the build only. The running container refuses to start without a real SECRET_KEY.
RUN SECRET_KEY=build-step-only-collectstatic ALLOWED_HOSTS=localhost HTTPS=false \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
# No --proxy-headers: daphne would take the left-most X-Forwarded-For address, which the
# client writes; the app reads the header itself (TRUSTED_PROXIES, live/addresses.py).
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
