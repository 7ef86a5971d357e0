"""Settings for PTI: one module, everything that differs between machines comes from the environment.

With nothing set, the application runs on a SQLite file and executes Celery tasks eagerly, so that
`make run` works on a fresh machine. Production sets at least DJANGO_DEBUG=0, DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL (see docs/deployment.md).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
_DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdefghijklmnop"
SECRET_KEY = env("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY doit être défini quand DJANGO_DEBUG est désactivé.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_bootstrap5",
    "django_filters",
    "django_htmx",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "pti",
    "axes",
    "actions",
    "pilotage",
    "bilans",
]

MIDDLEWARE = [
    # First: NUL bytes and over-long values are refused (400) before anything reads the request.
    "pti.inputs.InputGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Signed-in pages, documents and PDFs are never kept by a shared cache (static files are served above).
    "pti.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A partner account reaches only its own space and the API's scoped endpoints (pti.access.partner_may_request).
    "pti.middleware.PartnerScopeMiddleware",
    # An agent waiting for his role sees the holding page and nothing else (pti/pending.py).
    "pti.pending.PendingUserMiddleware",
    # The logout form of an SSO session goes on to the provider (its origin joins the CSP's form-action).
    "pti.sso.LogoutFormActionMiddleware",
    "pti.throttle.KnownDeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "pti.urls"

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
                "pti.context_processors.identity",
            ],
        },
    },
]

WSGI_APPLICATION = "pti.wsgi.application"

# Database: SQLite file by default, DATABASE_URL (postgres://...) in production and CI.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env("DATABASE_JIT", "off").lower() != "on":
    # PostgreSQL's JIT compiles a statement whose estimated cost passes jit_above_cost: for the figures' statement
    # over a large pacte it spends more compiling (over 100 ms) than running it. Off on PTI's connections, unless
    # DATABASE_JIT=on (behind PgBouncer, which refuses this startup option, set jit = off on the role instead).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # The reports' covering index (INCLUDE state, weather) is PostgreSQL's; SQLite keeps its key columns only.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pti.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Local passwords (pti.sso.LocalPasswordBackend, off with PTI_LOCAL_LOGIN=0 once the SSO is on), then the SSO.
AUTHENTICATION_BACKENDS = ["pti.sso.LocalPasswordBackend", "pti.sso.SSOBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Third-party assets come from pinned Python packages, never a CDN.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "pti.staticfinders.XStaticFinder",
]

# django-bootstrap5: labels only, no placeholder repeating them (RGAA: a placeholder is not a label).
BOOTSTRAP5 = {
    "set_placeholder": False,
    "field_renderers": {
        "default": "django_bootstrap5.renderers.FieldRenderer",
        "filter": "pti.renderers.FilterFieldRenderer",  # a list's filters: never ticked "valid"
    },
}

# E-mail: console by default, SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "pti@haute-vienne.example")
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")

# The département's identity, in one place (used by templates and PDFs).
DEPARTEMENT = {
    "name": env("PTI_DEPARTEMENT_NAME", "Département de la Haute-Vienne"),
    "short_name": env("PTI_DEPARTEMENT_SHORT_NAME", "Haute-Vienne"),
    "service": env(
        "PTI_DEPARTEMENT_SERVICE",
        "Pôle solidarités enfance insertion emploi – Direction insertion emploi action sociale",
    ),
    "logo": env("PTI_DEPARTEMENT_LOGO", "pti/img/logo.svg"),
    "primary_color": env("PTI_PRIMARY_COLOR", "#00567a"),
    "secondary_color": env("PTI_SECONDARY_COLOR", "#8a1538"),
}

# Celery: eager when no broker is configured (embedded default and tests).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
# When the cache has lost its stamps (Redis restarted or emptied), queue the warming of the main pages at once
# (pti.warm.when_cache_lost) rather than leave it to the next round of Celery beat; never with eager tasks.
PTI_WARM_WHEN_CACHE_LOST = env_bool("PTI_WARM_WHEN_CACHE_LOST", True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(env("CELERY_TASK_TIME_LIMIT", "1800"))
CELERY_TASK_SOFT_TIME_LIMIT = int(env("CELERY_TASK_SOFT_TIME_LIMIT", "1700"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Reminders of the yearly reporting campaigns (bilans.campaigns): each referent gets at most one before and
    # one after the deadline, whatever the number of runs.
    "send-campaign-reminders": {
        "task": "bilans.tasks.send_campaign_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Referents are told of their actions' milestones due within 15 days (actions.notifications), once each.
    "notify-milestones-due": {
        "task": "actions.tasks.notify_milestones_due",
        "schedule": crontab(hour=7, minute=30),
    },
    # The day's figures of the main pages are computed before anyone asks (pti.warm): the figures' statements hold
    # the day's date, the first reader of the day would compute the whole pacte. Every ten minutes from 0:01: a
    # warm cache costs the run its reads (half a second at a hundred times the demo, with Redis), and a migration
    # applied is computed again within ten minutes rather than by a reader (a cache lost is queued at once:
    # pti.warm.when_cache_lost).
    "warm-caches": {"task": "pti.tasks.warm_caches", "schedule": crontab(minute="1-59/10")},
    # A bilan whose worker died mid-job is shown as failed (and can be retried); its page does it too, at once.
    "mark-stale-bilan-jobs": {"task": "bilans.tasks.mark_stale_jobs", "schedule": 60.0},
    # Likewise for the dossiers COPIL being rendered (pilotage.jobs).
    "mark-stale-dossier-jobs": {"task": "pilotage.tasks.mark_stale_dossier_jobs", "schedule": 60.0},
}

# Background jobs (pti.jobs): a running job beats its heartbeat every PTI_JOB_HEARTBEAT_SECONDS, from a side
# thread; a started job silent for PTI_JOB_LOST_SECONDS (a few beats) has lost its worker and is shown failed.
PTI_JOB_HEARTBEAT_SECONDS = float(env("PTI_JOB_HEARTBEAT_SECONDS", "10"))
PTI_JOB_LOST_SECONDS = float(env("PTI_JOB_LOST_SECONDS", str(4 * PTI_JOB_HEARTBEAT_SECONDS)))
# A job still waiting for a worker after this long is given up: the task's hard time limit, plus a margin.
PTI_JOB_STALE_SECONDS = int(env("PTI_JOB_STALE_SECONDS", str(CELERY_TASK_TIME_LIMIT + 60)))
# Seconds slept between a job's steps: 0 except in the tests that kill a worker mid-job.
PTI_JOB_STEP_DELAY = float(env("PTI_JOB_STEP_DELAY", "0"))

# Bilans and reporting campaigns.
# A job still waiting for a worker after this long is given up: the task's hard time limit, plus a margin.
PTI_BILAN_STALE_SECONDS = int(env("PTI_BILAN_STALE_SECONDS", str(CELERY_TASK_TIME_LIMIT + 60)))
# Seconds slept between the generation's steps: 0 except in the test that kills a worker mid-generation.
PTI_BILAN_STEP_DELAY = float(env("PTI_BILAN_STEP_DELAY", "0"))
# Default reminder days of a new campaign (each campaign can change its own).
PTI_REMINDER_DAYS_BEFORE = int(env("PTI_REMINDER_DAYS_BEFORE", "7"))
PTI_REMINDER_DAYS_AFTER = int(env("PTI_REMINDER_DAYS_AFTER", "1"))

# The API (/api/v1/): token first, so that an anonymous request gets 401 with `WWW-Authenticate: Token`.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only (any other body is a 415); nested too deep or not JSON, a 400 in French (pti.inputs.JSONParser).
    "DEFAULT_PARSER_CLASSES": ["pti.inputs.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    # Per user, token and session clients alike (pti.throttle); 429 with a French message.
    "DEFAULT_THROTTLE_CLASSES": ["pti.throttle.ApiUserThrottle"],
    # Refused input and a missing version as a 400 (pti.inputs), then throttling's 429 in French (pti.throttle).
    "EXCEPTION_HANDLER": "pti.inputs.api_exception_handler",
}
# Requests per user: "<n>/second|minute|hour|day"; empty: no limit.
PTI_API_THROTTLE_RATE = env("PTI_API_THROTTLE_RATE", "300/minute") or None
SPECTACULAR_SETTINGS = {
    "TITLE": "API du Pacte territorial d'insertion",
    "DESCRIPTION": (
        "Le plan (pactes, axes, objectifs, actions, partenaires, indicateurs et cibles), les comptes rendus "
        "annuels, les COPIL et leurs décisions, les bilans. Authentification par session ou par jeton "
        "(`Authorization: Token …` ; un administrateur crée le jeton dans l'administration, rubrique « Jetons », ou "
        "avec `manage.py drf_create_token <identifiant>`). Tout utilisateur connecté lit tout ; un référent "
        "modifie ses actions et leurs comptes rendus (PATCH avec la version lue), comme dans les pages."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's error answers and the bounds of its parameters (pti/openapi.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "pti.openapi.document_errors"],
    "ENUM_NAME_OVERRIDES": {
        "ActionStatusEnum": "actions.enums.ActionStatus",
        "ReportStateEnum": "actions.enums.ReportState",
        "DecisionStatusEnum": "pilotage.enums.DecisionStatus",
        "BilanStatusEnum": "bilans.enums.BilanStatus",
    },
}

# Uploads of supporting documents.
PTI_MAX_UPLOAD_SIZE = int(env("PTI_MAX_UPLOAD_SIZE", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "WARNING")},
}

# Production hardening (DJANGO_DEBUG=0): `manage.py check --deploy` passes without warnings.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Off only for the load bench, which talks plain HTTP to gunicorn on the loopback.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
# The proxy's health check talks plain HTTP: it must see /healthz's 503, not a redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts only from our own origin (no inline script, no CDN). Inline styles stay
# allowed: server-side SVG charts carry their <style>, and progress bars their width.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Cache: the login, password-reset and API counters live there, so in production it is shared by every process
# of every server: Redis with CACHE_URL=redis://host:6379/1 (recommended: atomic counters), otherwise the
# database (table pti_cache, created by `migrate`). A per-process memory cache only in development (DEBUG).
# A process's own memory cache (development, and bench/run.py's one process). Culling at the default 300 entries
# would drop the data's stamps with the results (pti.stamps): a pacte's figures alone are kept in a few hundred
# pieces.
MEMORY_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 100_000}}
if env("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("CACHE_URL")}}
elif not DEBUG:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pti_cache",
            # Culling would drop counters: an attacker trying many usernames must not flush the lock on one.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }
else:
    CACHES = {"default": MEMORY_CACHE}

# Login throttling (pti/throttle.py): after this many failed attempts for one username (or 4x as many from one
# address) within the window, further attempts from browsers that are not the user's known devices are refused
# without checking the password.
PTI_LOGIN_MAX_FAILURES = int(env("PTI_LOGIN_MAX_FAILURES", "5"))
PTI_LOGIN_LOCKOUT_SECONDS = int(env("PTI_LOGIN_LOCKOUT_SECONDS", str(15 * 60)))
# Single sign-on for the département's agents (OpenID Connect, pti/sso.py, docs/deployment.md). Off unless a
# client id and the provider (its issuer, its discovery document or its endpoints) are given.
PTI_OIDC = {
    "provider_name": env("PTI_OIDC_PROVIDER_NAME", "le compte du Département"),
    "issuer": env("PTI_OIDC_ISSUER", "").rstrip("/"),
    "discovery_url": env("PTI_OIDC_DISCOVERY_URL", ""),
    "authorization_endpoint": env("PTI_OIDC_AUTHORIZATION_ENDPOINT", ""),
    "token_endpoint": env("PTI_OIDC_TOKEN_ENDPOINT", ""),
    "userinfo_endpoint": env("PTI_OIDC_USERINFO_ENDPOINT", ""),
    "jwks_uri": env("PTI_OIDC_JWKS_URI", ""),
    "end_session_endpoint": env("PTI_OIDC_END_SESSION_ENDPOINT", ""),
    "client_id": env("PTI_OIDC_CLIENT_ID", ""),
    "client_secret": env("PTI_OIDC_CLIENT_SECRET", ""),
    "scopes": env("PTI_OIDC_SCOPES", "openid email profile"),
    "sign_algo": env("PTI_OIDC_SIGN_ALGO", "RS256"),
    # The claim holding the agent's groups or roles (a dotted path for nested claims: realm_access.roles),
    # and which value gives which role: "pti-staff:staff,pti-copil:copil,pti-referent:referent,pti-admin:admin".
    "role_claim": env("PTI_OIDC_ROLE_CLAIM", ""),
    "role_map": env("PTI_OIDC_ROLE_MAP", ""),
    "verify_ssl": env_bool("PTI_OIDC_VERIFY_SSL", True),
    "timeout": float(env("PTI_OIDC_TIMEOUT", "10")),
}
# 0: only the SSO signs in (the login form, the password reset and the admin's password login are closed).
# Ignored while the SSO is off, so that nobody is locked out.
PTI_LOCAL_LOGIN = env_bool("PTI_LOCAL_LOGIN", True)

# Proxies in front of gunicorn that append the client's address to X-Forwarded-For (the HTTPS proxy: 1).
# 0: the header is ignored, the client is REMOTE_ADDR.
PTI_TRUSTED_PROXY_COUNT = int(env("PTI_TRUSTED_PROXY_COUNT", "0"))
# Password reset e-mails: at most this many per e-mail address, and requests per client address, per window.
PTI_PASSWORD_RESET_MAX_PER_EMAIL = int(env("PTI_PASSWORD_RESET_MAX_PER_EMAIL", "3"))
PTI_PASSWORD_RESET_MAX_PER_CLIENT = int(env("PTI_PASSWORD_RESET_MAX_PER_CLIENT", "20"))
PTI_PASSWORD_RESET_WINDOW_SECONDS = int(env("PTI_PASSWORD_RESET_WINDOW_SECONDS", "3600"))
# The public pages and open data (bilans/public.py): requests per client address in each window; past it, 429.
PTI_PUBLIC_MAX_REQUESTS = int(env("PTI_PUBLIC_MAX_REQUESTS", "120"))
PTI_PUBLIC_WINDOW_SECONDS = int(env("PTI_PUBLIC_WINDOW_SECONDS", "60"))
SESSION_COOKIE_HTTPONLY = True
