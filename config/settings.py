"""Nuanxin settings: one file, every deployment-specific value read from the environment.

Environment variables (all optional in development):
- ``DATABASE_URL``: default ``sqlite:///<repo>/db.sqlite3``; a county uses ``postgres://...``.
- ``REDIS_URL``: Celery broker and result backend, default ``redis://127.0.0.1:6379/0``.
- ``DJANGO_SECRET_KEY``, ``DJANGO_DEBUG``, ``DJANGO_ALLOWED_HOSTS``.
- HTTPS behind a proxy: ``NUANXIN_BEHIND_TLS_PROXY``, ``DJANGO_CSRF_TRUSTED_ORIGINS``,
  ``DJANGO_SECURE_SSL_REDIRECT``, ``DJANGO_SECURE_COOKIES``, ``DJANGO_SECURE_HSTS_SECONDS``,
  ``DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS``, ``DJANGO_SECURE_HSTS_PRELOAD`` (deploy/nuanxin.env.example).
- ``NUANXIN_OFFER_TTL_HOURS``: how long a worker has to answer an offer (hours, default 24).
- ``NUANXIN_MAX_PIECE_RATE``: the highest piece rate a job may be issued at (yuan a piece, default 100).
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-not-secret-nuanxin")
if not DEBUG and SECRET_KEY.startswith("dev-only"):
    raise environ.ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# HTTPS behind a TLS proxy (nginx in deploy/): the proxy says the request came over HTTPS in
# X-Forwarded-Proto, which is believed only when NUANXIN_BEHIND_TLS_PROXY is set (never expose the app
# port directly then). deploy/nuanxin.env.example sets all of these so `check --deploy` is clean.
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
if env.bool("NUANXIN_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
# /healthz is read over plain HTTP from the machine itself (monitoring, systemd): never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "phonenumber_field",
    "axes",
    "workshop",
    "notices",
    "pay",
    "materials",
    "dispatch",
    "tickets",
    "logistics",
    "mobile",
    "dashboard",
    "matching",
    "lab",
    "outbox",
    "health",
    "taskruns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: private, no-store on every page but the public board's (workshop.privatecache).
    "workshop.privatecache.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A request body over NUANXIN_UPLOAD_MAX_MB: a 413 page, before it is read (workshop.uploads).
    "workshop.uploads.UploadTooBigMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL character in a query or form value: 400, never a PostgreSQL error (workshop.nul).
    "workshop.nul.NulRefusedMiddleware",
    # Anonymous POSTs (public forms, sign-ins) per client: a 429 page over the rate (workshop.clientip).
    "workshop.clientip.AnonymousPostRateLimit",
    # A county official reads and never writes: every POST of theirs is refused here (workshop.middleware).
    "workshop.middleware.ReadOnlyRoles",
    # Sets the language cookie to a user's stored language when they sign in (workshop.languages).
    "workshop.languages.LanguageCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A GET at a form's POST-only address: a page in words, not an empty 405 (workshop.notallowed).
    "workshop.notallowed.MethodNotAllowedPage",
    # A lock timeout or serialization failure is a 503 "请稍后再试" page with Retry-After (workshop.busy).
    "workshop.busy.DatabaseBusyMiddleware",
    # Last: turns a login refused for too many wrong PINs or passwords into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The worker's busiest phone pages (Today, Earnings, Messages) whole, and a long list's rows drawn
        # inside a page's Django template by ``{% jinja %}`` (config/jinja.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "config.jinja.environment",
            "autoescape": True,
            # A page's messages ("好了:…"), shown and spent by the phone pages' frame (jinja2/mobile/); the
            # CSRF field made once per page, not once per form.
            "context_processors": [
                "django.contrib.messages.context_processors.messages",
                "config.jinja.csrf_once",
            ],
        },
    },
]

# Form widgets (a filter's select of 50 workshops, a roster's filters) are drawn with Jinja2's copies of
# Django's own widget templates: the same HTML at a fraction of the Django template engine's cost per
# option (a community admin's home page drew its workshop filter in a fifth of its time; issue 15). The
# admin site's own widgets, which have no Jinja2 copy, are drawn as before (workshop.forms_renderer).
FORM_RENDERER = "workshop.forms_renderer.WidgetRenderer"

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Each process keeps its connection for this many seconds (checked before reuse) instead of opening
    # one per request: a new PostgreSQL connection cost a bare signed-in view 6 ms of its 8, and a page
    # reading ten tables twice that again to load their definitions afresh (`make bench-county`:
    # every page's p95 fell 1.4–2.6×, reports at shift end ran 2.3× faster). 0 opens one per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("NUANXIN_DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A row lock held longer than this (seconds; 0 = wait for ever) fails the waiting statement with
    # lock_not_available: a person gets the "try again" page (workshop/busy.py), a task retries.
    _lock_timeout = env.int("NUANXIN_DB_LOCK_TIMEOUT_SECONDS", default=20)
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_settings = [f"lock_timeout={_lock_timeout * 1000}"] if _lock_timeout else []
    # A worker's phone pages prepare their reads (workshop.prepared): each is planned once per connection,
    # with its generic plan (one worker's rows by index, whatever her id and month). Only those statements
    # are prepared; every other is sent with its values and planned for them (Django's client-side binding)
    # and this setting does not touch it. Turning on server_side_binding, or preparing anything else, would
    # put those under generic plans too: tests/workshop/test_prepared.py checks nothing else is prepared.
    # 0 prepares nothing.
    DB_PREPARE = env.bool("NUANXIN_DB_PREPARE", default=True)
    if DB_PREPARE:
        _pg_settings.append("plan_cache_mode=force_generic_plan")
    if _pg_settings:
        _pg_options["options"] = " ".join(
            [_pg_options.get("options", "")] + [f"-c {s}" for s in _pg_settings]
        ).strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer instead of failing at once: web, worker and beat share one file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # WAL lets the web server read while a Celery worker writes; NORMAL sync is safe with WAL.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    # A file, not memory, so a real Celery worker thread in the tests sees the same database.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# django-rules answers the dashboard's object permissions (dashboard/rules.py); UserBackend (Django's
# ModelBackend, each request's user read with its person rows joined) the rest.
# Axes first: it refuses a locked-out phone or username before any backend checks a PIN or password.
# PinBackend signs workers in with phone + PIN on the phone pages (/m/login/).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "workshop.auth.UserBackend",
    "workshop.auth.PinBackend",
]
LOGIN_URL = "login"
# A form posted after its page's token went stale gets a page in words, not Django's technical one.
CSRF_FAILURE_VIEW = "mobile.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

PHONENUMBER_DEFAULT_REGION = "CN"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "nuanxin": {"handlers": ["console"], "level": env.str("NUANXIN_LOG_LEVEL", default="INFO")},
    },
}

# --- Celery -------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task not acknowledged within this many seconds is redelivered: longer than the time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True
# Count tasks sent and finished in Redis (config.celery.TaskCounts), so ``wait_until_idle`` knows at once
# that a cascade of tasks has finished instead of watching the queues for a quiet spell. For the benchmarks
# (``make bench`` turns it on); off in production, where it would cost each send and task a Redis call.
NUANXIN_COUNT_TASKS = env.bool("NUANXIN_COUNT_TASKS", default=False)
# Spreadsheet exports run on their own queue, so a long export never delays the flow's tasks; a worker
# consumes both (`celery -A config worker -Q celery,exports`), or a separate one takes `-Q exports`.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("exports"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"dashboard.tasks.run_export": {"queue": "exports"}}

CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {
        # Every 5 s: publish the outbox rows whose after-commit fast path failed (outbox.services.relay).
        "task": "outbox.tasks.relay",
        "schedule": 5.0,
    },
    "outbox-purge-sent": {
        "task": "outbox.tasks.purge_sent",
        "schedule": crontab(minute=20, hour=3),
    },
    "expire-stale-offers": {
        "task": "dispatch.tasks.expire_stale_offers",
        "schedule": crontab(minute="*/10"),
    },
    "sweep-stalled-flow": {
        # Every 2 minutes: work lost in flight (a killed worker) goes on within about 4 minutes.
        "task": "dispatch.tasks.sweep_stalled_flow",
        "schedule": crontab(minute="1-59/2"),
    },
    "replan-unassigned-jobs": {
        "task": "dispatch.tasks.replan_unassigned_jobs",
        "schedule": crontab(minute="5-59/10"),
    },
    "close-pay-periods": {
        # 01:30 daily, Asia/Shanghai: close the month just ended, once no inspection of it is still open
        # (a workshop still waiting on a firm is tried again the next day; a closed month is left alone).
        "task": "dispatch.tasks.close_pay_periods",
        "schedule": crontab(minute=30, hour=1),
    },
    "plan-due-runs": {
        # Every 10 minutes: a workshop whose daily planning hour (``Depot.plan_at``) has passed and that has
        # no runs for today gets them planned; a second pass finds them and does nothing.
        "task": "logistics.tasks.plan_due_runs",
        "schedule": crontab(minute="3-59/10"),
    },
    "take-day-speeds": {
        # 04:30 daily: the workshops' median speeds for the minimum-wage view, taken once for the day
        # (dispatch.minwage), so no home page of the day waits for them.
        "task": "dispatch.tasks.take_day_speeds",
        "schedule": crontab(minute=30, hour=4),
    },
    "purge-old-exports": {
        # 03:10 daily: spreadsheet exports older than NUANXIN_EXPORT_KEEP_DAYS go, files and rows.
        "task": "dashboard.tasks.purge_old_exports",
        "schedule": crontab(minute=10, hour=3),
    },
    "beat-heartbeat": {
        # Every 30 s: the time into Redis; /healthz and `manage.py health` warn when it is over 2 min old.
        "task": "health.tasks.beat_heartbeat",
        "schedule": 30.0,
    },
    "sweep-stale-exports": {
        # Every 5 minutes: an export still "running" NUANXIN_EXPORT_STALE_MINUTES after it started is failed.
        "task": "dashboard.tasks.sweep_stale_exports",
        "schedule": crontab(minute="*/5"),
    },
    "purge-done-task-runs": {
        # 03:20 daily: finished task runs older than NUANXIN_TASK_RUNS_KEEP_DAYS go.
        "task": "taskruns.tasks.purge_done_runs",
        "schedule": crontab(minute=20, hour=3),
    },
}

# --- Nuanxin ------------------------------------------------------------------------------------
NUANXIN_OFFER_TTL_HOURS = env.int("NUANXIN_OFFER_TTL_HOURS", default=24)
# The highest piece rate a firm may issue a job at (yuan a piece): a typo guard (1.00 typed as 100), well
# above what 来料加工 pays (cents to a few yuan); a county whose work pays more raises it.
NUANXIN_MAX_PIECE_RATE = env.int("NUANXIN_MAX_PIECE_RATE", default=100)
# Door delivery and collection: how many bundles (扎) go in one box (箱), what a vehicle's capacity counts.
NUANXIN_BUNDLES_PER_BOX = env.int("NUANXIN_BUNDLES_PER_BOX", default=4)
# The route solver gets this many seconds per workshop before the fallback.
NUANXIN_ROUTE_TIME_LIMIT_S = env.float("NUANXIN_ROUTE_TIME_LIMIT_S", default=2.0)
# Dispatch planner: "optimiser" (min-cost flow with fairness) or "first_come" (the plain rule).
NUANXIN_PLANNER = env.str("NUANXIN_PLANNER", default="optimiser")
# One-tap sign-in links for workers (printed as QR by the head) stay valid this many days.
NUANXIN_SIGNIN_LINK_DAYS = env.int("NUANXIN_SIGNIN_LINK_DAYS", default=90)
# Dashboard exports (xlsx): finished files are kept this many days; a job photo upload is capped (MB).
NUANXIN_EXPORT_KEEP_DAYS = env.int("NUANXIN_EXPORT_KEEP_DAYS", default=7)
# Days a sent outbox message is kept (outbox.tasks.purge_sent, 03:20 daily); unsent ones stay until sent.
NUANXIN_OUTBOX_KEEP_DAYS = env.int("NUANXIN_OUTBOX_KEEP_DAYS", default=7)
# Seconds before the flow's sweep (dispatch.tasks.sweep_stalled_flow) redoes a follow-up that has not run.
NUANXIN_SWEEP_GRACE_SECONDS = env.int("NUANXIN_SWEEP_GRACE_SECONDS", default=120)
NUANXIN_PHOTO_MAX_MB = env.int("NUANXIN_PHOTO_MAX_MB", default=8)
# An uploaded image may have at most this many pixels (width × height), checked from its header before
# anything decodes it; Pillow's own limit is set from it at startup (workshop.uploads).
NUANXIN_MAX_IMAGE_PIXELS = env.int("NUANXIN_MAX_IMAGE_PIXELS", default=40_000_000)
# A request body (all its uploads) may be at most this many MB; uploads over FILE_UPLOAD_MAX_MEMORY_SIZE
# (Django's default, 2.5 MB) are spooled to disk while read, never held in memory.
NUANXIN_UPLOAD_MAX_MB = env.int("NUANXIN_UPLOAD_MAX_MB", default=12)
# An export still "running" this many minutes after it started is marked failed by the sweep (its task's
# hard time limit is 30 minutes, so by then it is dead), and its owner can retry it.
NUANXIN_EXPORT_STALE_MINUTES = env.int("NUANXIN_EXPORT_STALE_MINUTES", default=30)
# Bounded deliveries (taskruns): a task id delivered this many times without finishing (its process
# killed, its time limit hit, an error) is refused on the next delivery, marked failed, and the admins told.
NUANXIN_TASK_MAX_DELIVERIES = env.int("NUANXIN_TASK_MAX_DELIVERIES", default=5)
NUANXIN_TASK_RUNS_KEEP_DAYS = env.int("NUANXIN_TASK_RUNS_KEEP_DAYS", default=7)
# A worker's phone stays signed in this many days (staff keep Django's default of two weeks).
NUANXIN_WORKER_SESSION_DAYS = env.int("NUANXIN_WORKER_SESSION_DAYS", default=30)
# Material received beyond what a job needs (with its allowed loss) by more than this % asks for a
# confirmation that the count is right (materials.services.material_receive).
NUANXIN_OVER_RECEIPT_PCT = env.int("NUANXIN_OVER_RECEIPT_PCT", default=10)
# Pluggable notification senders: dotted paths of callables taking a Notification.
NUANXIN_NOTIFICATION_SENDERS = env.list(
    "NUANXIN_NOTIFICATION_SENDERS", default=["notices.senders.console_sender"]
)

# --- Lockout after repeated wrong PINs or passwords (django-axes) ------------------------------------
AXES_FAILURE_LIMIT = env.int("NUANXIN_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("NUANXIN_LOCKOUT_MINUTES", default=15))
# Lock the phone number (or username) tried from one address: a neighbour mistyping on their own phone
# cannot lock out a worker at the workshop's shared tablet, and the whole workshop's wifi is not locked.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Phones are stored keyed-hashed, never in clear (see workshop.auth.lockout_key).
AXES_USERNAME_CALLABLE = "workshop.auth.lockout_key"
AXES_LOCKOUT_CALLABLE = "workshop.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A locked-out worker who keeps trying does not push the end of the lockout further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "phone", "pin", "password"]
# Successful sign-ins are not kept: the session is the record, and usernames may be phone numbers.
AXES_DISABLE_ACCESS_LOG = True

# --- Hostile input: client address, rate limit (issue 14; workshop.clientip) ---------------------------
# Proxies whose X-Forwarded-For is believed (IPs or CIDRs, comma separated); empty: REMOTE_ADDR only.
NUANXIN_TRUSTED_PROXIES = env.list("NUANXIN_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "workshop.clientip.client_ip"
# Every POST of a visitor not signed in (/m/join/, the sign-in forms), per client; "" turns it off.
NUANXIN_RATELIMIT_ANON_POST = env.str("NUANXIN_RATELIMIT_ANON_POST", default="30/m")
CACHES = globals().get("CACHES") or {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The counters live in Redis so every web process shares them; a Redis that does not answer within
# 100 ms lets the request through rather than holding it (RATELIMIT_FAIL_OPEN).
CACHES["ratelimit"] = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": env.str("NUANXIN_RATELIMIT_CACHE_URL", default=REDIS_URL),
    "KEY_PREFIX": "nuanxin-rl",
    "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True

# --- Health (issue 14; health.checks, /healthz, manage.py health, the system checks) -------------------
# A broker without AOF or RDB saves is an error (health.E002, /healthz 503) only when this is true: set it
# in production (deploy/nuanxin.env.example), where a Redis restart must not lose the queued tasks.
NUANXIN_REQUIRE_BROKER_PERSISTENCE = env.bool("NUANXIN_REQUIRE_BROKER_PERSISTENCE", default=False)
# Warn (never fail) above these: tasks waiting in one queue; the oldest unsent outbox row's age (seconds);
# the last beat heartbeat's age (seconds; beat writes one every 30 s).
NUANXIN_HEALTH_QUEUE_WARN = env.int("NUANXIN_HEALTH_QUEUE_WARN", default=1000)
NUANXIN_HEALTH_OUTBOX_WARN_S = env.int("NUANXIN_HEALTH_OUTBOX_WARN_S", default=60)
NUANXIN_HEALTH_BEAT_WARN_S = env.int("NUANXIN_HEALTH_BEAT_WARN_S", default=120)
# /healthz reuses its report this many seconds per web process (each report waits ~1 s for the workers).
NUANXIN_HEALTHZ_CACHE_S = env.float("NUANXIN_HEALTHZ_CACHE_S", default=5.0)
