"""One settings module for every environment: the environment decides.

With no variables set it runs embedded (SQLite, in-memory channel layer, Celery tasks on
threads of the web process, local-memory cache); DATABASE_URL and REDIS_URL switch to
PostgreSQL, and to Redis with Celery workers.
"""

import contextlib
import ipaddress
import socket
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Demo mode lets `seed_demo` make the demo's logins, whose passwords are published: `make
# run`, the tests and the benches set it; a real instance never does.
DEMO = env.bool("DEMO", default=False)
# The default key only ever protects a local demo; `check --deploy` fails while it is in use.
LOCAL_SECRET_KEY = "local-only-insecure-key-set-SECRET_KEY-in-production"
SECRET_KEY = env("SECRET_KEY", default=LOCAL_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "config.apps.ConfigConfig",
    # The project's apps in their layers, lowest first: each imports only those above it here.
    "live",
    "accounts",
    "pillars",
    "workshops",
    "participants",
    "synthesis",
    "facilitation",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the user verified once they have given a code from their authenticator app;
    # the next one keeps them from staff pages until they have, where they must.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "live.middleware.FragmentCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.staff_roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool per process: under ASGI each request may run on another thread, so pooled
    # connections are reused where persistent ones would pile up.
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": env.int("DATABASE_POOL_SIZE", default=10)}
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for a writer, and a commit is one sync of the log. Kept
    # connections: Channels closes a connection after every socket message unless it may be
    # kept, and reopening SQLite cost about a millisecond on every post.
    # Immediate transactions take the write lock at BEGIN, where a busy writer is waited
    # for (up to `timeout` seconds): a transaction that read first and then wrote would fail
    # at once with "database is locked", and phones voting together lost their votes.
    # secure_delete zeroes the pages that erased rows leave, so their text is gone.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 60
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 times out reads after 5 s, which races the layer's own 5 s
                # blocking read and drops quiet sockets; and it caps the pool at 100, which a
                # room of phones leaving at once exceeds.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "max_connections": 10_000}],
                # A burst of posts to a big room must not overflow a busy process's queue.
                "capacity": 1000,
            },
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How queued tasks run, decided here alone (config/celery.py reads it at each call):
# "celery" sends them through the broker to Celery workers, the default with REDIS_URL;
# "threads" runs them on BACKGROUND_THREADS threads of the web process, the embedded
# default, with no broker or worker to start; "eager" runs them at once in the caller.
BACKGROUND_TASKS = env("BACKGROUND_TASKS", default="celery" if REDIS_URL else "threads")
if BACKGROUND_TASKS not in ("celery", "threads", "eager"):
    raise environ.ImproperlyConfigured(
        f"BACKGROUND_TASKS is {BACKGROUND_TASKS!r}; please set it to celery (Celery workers), "
        "threads (inside the web process) or eager (at once, for tests), or leave it unset."
    )
if BACKGROUND_TASKS == "celery" and not REDIS_URL:
    # Without Redis the broker would be in this process's memory, where no worker listens.
    raise environ.ImproperlyConfigured(
        "BACKGROUND_TASKS=celery needs a broker: please set REDIS_URL as well, or use threads."
    )
BACKGROUND_THREADS = env.int("BACKGROUND_THREADS", default=2)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# In eager mode a failing task raises in its caller, so a test sees the failure.
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Participant-level data of closed workshops is deleted this many days after they started.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=365)
# Reports and data exports are deleted this many days after they were asked for.
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE = {
    "purge-closed-workshops": {
        "task": "synthesis.tasks.purge_closed_workshops",
        "schedule": 60 * 60 * 24,
    },
    "expire-exports": {
        "task": "synthesis.tasks.expire_exports",
        "schedule": 60 * 60 * 24,
    },
    # A withdrawn post is kept no longer than its 10 s of undo, even if the worker that was
    # to delete it stopped.
    "delete-withdrawn-posts": {
        "task": "participants.tasks.delete_withdrawn_contributions",
        "schedule": 60,
    },
    # News of published results whose own email run was lost with a stopped process.
    "send-due-results-news": {
        "task": "synthesis.tasks.send_due_results_news",
        "schedule": 10 * 60,
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Staff sign-in is throttled by django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one
# account from one address, that pair waits LOGIN_COOLOFF_MINUTES. The pair, not the account
# alone, so no one can lock a facilitator out mid-session by guessing from elsewhere; the
# address is the one the trusted proxy saw. Successful sign-ins are not logged.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "live.addresses.request_client_address"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "facilitation:staff_home"
LOGOUT_REDIRECT_URL = "participants:home"
# Two-step sign-in (accounts/two_factor.py): staff who have set up an authenticator app give
# a code after their password. With STAFF_2FA_REQUIRED, organisation admins and superusers
# must set one up before they reach any staff page.
STAFF_2FA_REQUIRED = env.bool("STAFF_2FA_REQUIRED", default=False)
OTP_TOTP_ISSUER = "Common Ground"
# The admin's device pages must not show the secret: whoever read it could make codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Email (password reset and set-password links): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@smtp.example.org:587, sets EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT
# and the rest; by default mail is printed to the console.
try:
    globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
except (ImproperlyConfigured, ValueError) as error:
    # The URL itself is not repeated: it may hold the mail server's password.
    raise ImproperlyConfigured(
        f"EMAIL_URL could not be read ({error}). Please set it like "
        "smtp+tls://user:password@smtp.example.org:587, or leave it unset to print mail to "
        "the console."
    ) from error
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Common Ground <noreply@localhost>")
# Where this site is reached, for links made without a request (set-password links sent
# from a command or a background task).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns at every start when STATIC_ROOT is missing, as it is until the first
# `collectstatic`; an empty one is harmless, since the finders serve the files meanwhile.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Serving straight from the finders keeps `make run` free of a collectstatic step; after
# `collectstatic` WhiteNoise serves the compressed copies with far-future caching.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Behind TLS (HTTPS=true): secure cookies, HSTS and redirects to https. The proxy must set
# X-Forwarded-Proto, since daphne itself speaks plain HTTP.
HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# Production is TLS, or a host name other than this machine's. There, the built-in key, or one
# made from the host name, would let anyone forge participants' tokens: refuse to start.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
PRODUCTION = HTTPS or any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS)
if PRODUCTION and (
    SECRET_KEY == LOCAL_SECRET_KEY or socket.gethostname().lower() in SECRET_KEY.lower()
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production (HTTPS=true, or "
        "ALLOWED_HOSTS naming a host that is not this machine); it is the built-in key or "
        "contains this machine's name. Make one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# The proxies in front of daphne (addresses or networks, comma-separated), whose
# X-Forwarded-For hops are believed (live/addresses.py): the client is the right-most address
# that is not one of them. Empty: no proxy, the connection's own address is the client's.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or network"
        ) from error

# No inline scripts or styles anywhere; sockets and fetches go back to this site only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSRF_FAILURE_VIEW = "participants.views.csrf_failure"

# Participants: how long a join token lasts, and the rate limits that keep a room fair.
PARTICIPANT_TOKEN_MAX_AGE = env.int("PARTICIPANT_TOKEN_MAX_AGE", default=60 * 60 * 24 * 2)
JOIN_ATTEMPTS_PER_MINUTE = env.int("JOIN_ATTEMPTS_PER_MINUTE", default=10)
# Even a 300-seat hall behind one address all joining in the same minute stays under this;
# one script joining again and again to stuff a group's votes meets it.
JOINS_PER_ADDRESS_PER_MINUTE = env.int("JOINS_PER_ADDRESS_PER_MINUTE", default=300)
# The console warns when this many join within a minute, for the facilitator to compare
# with the room.
JOIN_SPIKE_PER_MINUTE = env.int("JOIN_SPIKE_PER_MINUTE", default=25)
CONTRIBUTIONS_PER_MINUTE = env.int("CONTRIBUTIONS_PER_MINUTE", default=6)
VOTES_PER_MINUTE = env.int("VOTES_PER_MINUTE", default=60)
CONTRIBUTION_MAX_LENGTH = 1000

# How agreement is judged (shared/SYNTHESIS.md); the report prints the values in force.
SYNTHESIS_THRESHOLDS = {
    "min_group_votes": env.int("SYNTHESIS_MIN_GROUP_VOTES", default=3),
    "min_total_votes": env.int("SYNTHESIS_MIN_TOTAL_VOTES", default=6),
    "confidence": env.float("SYNTHESIS_CONFIDENCE", default=0.8),
    "divergence_gap": env.float("SYNTHESIS_DIVERGENCE_GAP", default=0.3),
    "z_critical": env.float("SYNTHESIS_Z_CRITICAL", default=1.2816),
    "uncertain_pass_share": env.float("SYNTHESIS_UNCERTAIN_PASS_SHARE", default=0.3),
    "max_groups_required": env.int("SYNTHESIS_MAX_GROUPS_REQUIRED", default=3),
}
# Suggested themes (synthesis.suggestions): how alike in meaning (cosine similarity of their
# embeddings, on average) posts must be to be suggested as one theme.
THEME_SUGGESTION_SIMILARITY = env.float("THEME_SUGGESTION_SIMILARITY", default=0.5)
# The opinion map (shared/SYNTHESIS.md): who is mapped, when a map is shown at all, and what
# counts as a split of a declared group or an alliance of groups.
OPINION_MAP_THRESHOLDS = {
    "min_votes": env.int("OPINION_MAP_MIN_VOTES", default=7),
    "min_participants": env.int("OPINION_MAP_MIN_PARTICIPANTS", default=20),
    "min_silhouette": env.float("OPINION_MAP_MIN_SILHOUETTE", default=0.1),
    "min_group_people": env.int("OPINION_MAP_MIN_GROUP_PEOPLE", default=3),
    "split_share": env.float("OPINION_MAP_SPLIT_SHARE", default=0.25),
    "alliance_share": env.float("OPINION_MAP_ALLIANCE_SHARE", default=0.3),
}
# Reports: how many items each heading prints in full (the strongest by group-informed
# consensus; the rest are counted), and below how many people a workshop's group, or a
# region, is never named or counted on its own, so no one can be picked out.
REPORT_ITEMS_PER_HEADING = env.int("REPORT_ITEMS_PER_HEADING", default=2)
REPORT_SMALL_NUMBER = env.int("REPORT_SMALL_NUMBER", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JSONLinesFormatter"}},
    "filters": {"no_http2_notice": {"()": "config.logging.DropHTTP2Notice"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            # LOG_FORMAT=json for collectors; plain lines read better in a terminal.
            **({"formatter": "json"} if env("LOG_FORMAT", default="plain") == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports each step of every PDF at INFO: noise in a worker's log. Daphne's
    # "HTTP/2 support not enabled" at every start reads like a fault and is none.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pikepdf says it has started its logging bridge when it first opens a PDF.
        "pikepdf": {"level": "WARNING"},
        "daphne.server": {"filters": ["no_http2_notice"]},
    },
}
