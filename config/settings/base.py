"""Settings shared by every environment. All configuration comes from environment variables."""

from pathlib import Path
from urllib.parse import unquote

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "tenants",
    "generation",
    "billing",
    "compliance",
    "provenance",
    "library",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.request_context.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///brandloom")}
# libpq writes a unix-socket directory as a percent-encoded host; Django wants the plain path.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# A health check costs a `SELECT 1` round trip at the start of every request on a reused
# connection (a third of an API read's database time). Without it, a connection broken by a
# database restart fails one request and is then discarded.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=False)
# The role the application runs as: it owns no table and cannot bypass row-level security.
# Migrations run as the owner (DATABASE_URL set to the owner's credentials for `migrate`).
APP_DB_APP_ROLE = env("APP_DB_APP_ROLE", default="brandloom_app")

# CACHES
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "bl",
    }
}

# AUTHENTICATION
# ------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ACCOUNTS
# ------------------------------------------------------------------------------
# Failed logins allowed per account, and per client IP, within the window; then refused.
APP_LOGIN_ATTEMPTS = env.int("APP_LOGIN_ATTEMPTS", default=5)
APP_LOGIN_ATTEMPTS_PER_IP = env.int("APP_LOGIN_ATTEMPTS_PER_IP", default=20)
APP_LOGIN_WINDOW_SECONDS = env.int("APP_LOGIN_WINDOW_SECONDS", default=15 * 60)
# How long an email-verification link works.
APP_EMAIL_VERIFY_MAX_AGE_SECONDS = env.int("APP_EMAIL_VERIFY_MAX_AGE_SECONDS", default=3 * 86400)

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("APP_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))

# STORAGE: local files by default; APP_STORAGE=s3 stores media in any S3-compatible bucket.
# ------------------------------------------------------------------------------
APP_STORAGE = env("APP_STORAGE", default="local")
if APP_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("APP_S3_BUCKET"),
            "endpoint_url": env("APP_S3_ENDPOINT_URL", default=None),
            "region_name": env("APP_S3_REGION", default=None),
            "access_key": env("APP_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("APP_S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("APP_S3_URL_EXPIRY", default=3600),
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": f"/{MEDIA_URL}"},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# EMAIL
# ------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("APP_FROM_EMAIL", default="Brandloom <no-reply@brandloom.test>")
MAILERS: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}

# SECURITY (tightened further in production.py)
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages load only our own scripts and styles (htmx is served from static/), plus images from
# our media storage; no inline script or style runs.
SECURE_CSP: dict[str, list[str] | bool] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:", *env.list("APP_CSP_IMG_HOSTS", default=[])],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

# CELERY
# ------------------------------------------------------------------------------
# The longest task may run this long; the broker's visibility timeout must exceed it, or Redis
# hands a still-running task to a second worker.
CELERY_TASK_TIME_LIMIT = env.int("APP_TASK_TIME_LIMIT", default=600)
# The soft limit leaves a task time to clean up before the hard limit kills its process.
CELERY_TASK_SOFT_TIME_LIMIT = max(1, int(CELERY_TASK_TIME_LIMIT * 0.9))
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_DEFAULT_QUEUE = "default"
# A task is acknowledged after it ran, and a task whose worker process died is re-queued:
# together with idempotent tasks this makes delivery at-least-once, never at-most-once.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int(
        "APP_BROKER_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 300
    ),
    # kombu sweeps for unacked messages every interval x throttle seconds (100 s by default);
    # a 1-second sweep puts a dead worker's task back on the queue as soon as it is due.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": "celery-results:"}
# Everything else runs on "default"; renders get their own queue (and, in production, pool).
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {
    "generation.render_run": {"queue": "render"},
    "library.upload_batch_process": {"queue": "io"},
}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "generation.renders_recover": {
        "task": "generation.renders_recover",
        "schedule": env.float("APP_RECOVERY_INTERVAL", default=30.0),
    },
    "webhooks.deliveries_recover": {"task": "webhooks.deliveries_recover", "schedule": 60.0},
    # Monthly allowances of brands not billed by Stripe, expiry, the end of grace periods, and
    # Stripe events whose processing task was lost.
    "billing.periods_roll": {"task": "billing.periods_roll", "schedule": 300.0},
}
# The most renders one task carries (see generation.tasks.render_batches).
APP_RENDER_BATCH = env.int("APP_RENDER_BATCH", default=8)
# A render still pending this long after it was sent is sent again (its message was lost).
APP_RENDER_STUCK_AFTER = env.int("APP_RENDER_STUCK_AFTER", default=300)

# DJANGO REST FRAMEWORK
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A key first: its 401 carries `WWW-Authenticate: Bearer`. Dashboard members call the API
    # with their session (CSRF enforced on writes).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Brandloom API",
    "DESCRIPTION": "On-brand, law-checked, AI-labelled marketing content for e-commerce brands.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from our static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two `language` fields with different choices: the brand kit's and the visible label's.
    "ENUM_NAME_OVERRIDES": {
        "BrandKitLanguageEnum": [("zh", "中文"), ("en", "English")],
        "LabelLanguageEnum": [("en", "AI-generated"), ("zh", "AI生成")],
        "AssetKindEnum": "generation.models.Asset.Kind",
    },
}
# A dotted path to `(tenant) -> tenants.entitlements.Entitlements`: API access, seats and rate
# limit of a brand's plan. Billing's plan table decides.
APP_ENTITLEMENTS_POLICY = env("APP_ENTITLEMENTS_POLICY", default="billing.plans.entitlements")
# Requests per API key (per member for sessions) and brand: "<count>/<s|min|hour|day>".
APP_API_RATE_LIMIT = env("APP_API_RATE_LIMIT", default="600/min")

# BILLING: plans and credits (billing/), Stripe Checkout, Customer Portal and webhooks.
# ------------------------------------------------------------------------------
# The plan of a brand that has never subscribed (a Plan.code).
APP_BILLING_DEFAULT_PLAN = env("APP_BILLING_DEFAULT_PLAN", default="free")
# After a failed renewal payment the paid plan holds this long, then the brand is on Free.
APP_BILLING_GRACE_DAYS = env.int("APP_BILLING_GRACE_DAYS", default=7)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Where the SDK sends requests; only tests point it elsewhere (a local Stripe stand-in).
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
# Seconds a webhook's signature timestamp may be old (Stripe's own default is 300).
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)

# COMPLIANCE: the ad-law check of generated copy, review queues and platform moderation.
# ------------------------------------------------------------------------------
# How many times the pipeline rewrites a blocked copy with the rules' suggestions and checks it
# again before it drops the variant (no render, the job says why).
APP_COMPLIANCE_REWRITE_ROUNDS = env.int("APP_COMPLIANCE_REWRITE_ROUNDS", default=2)
# Share of passed renders (0 to 1) that also go to the platform moderation queue, chosen by a
# hash of the render id, so a render is in the sample or not however often it is looked at.
APP_COMPLIANCE_SAMPLE_RATE = env.float("APP_COMPLIANCE_SAMPLE_RATE", default=0.02)
# Hours staff have to decide a moderation case (and an appeal), and a case a brand escalated.
APP_COMPLIANCE_SLA_HOURS = env.int("APP_COMPLIANCE_SLA_HOURS", default=24)
APP_COMPLIANCE_ESCALATION_SLA_HOURS = env.int("APP_COMPLIANCE_ESCALATION_SLA_HOURS", default=4)
# A claimed case nobody decided within this many minutes goes back to the queue.
APP_COMPLIANCE_CLAIM_MINUTES = env.int("APP_COMPLIANCE_CLAIM_MINUTES", default=30)

# PROVENANCE: AI-generated labels (GB 45438-2025), C2PA manifests, the invisible watermark.
# ------------------------------------------------------------------------------
# The service provider's code written as ContentProducer in each file's TC260 AIGC metadata
# (GB 45438-2025 asks for the provider's name or code); set it to the code on your filing.
APP_AIGC_PROVIDER_CODE = env("APP_AIGC_PROVIDER_CODE", default="brandloom-dev")
# This installation's number in the invisible watermark (0 to 65535), so a file marked by one
# installation is never read as another's asset.
APP_WATERMARK_INSTALLATION_ID = env.int("APP_WATERMARK_INSTALLATION_ID", default=1)
# C2PA signing: a PEM certificate chain (leaf first, then its CA) and the leaf's private key.
# Unset, assets get every other mark but no C2PA manifest. `manage.py c2pa_dev_certs` makes a
# development chain; APP_C2PA_TRUST_ANCHORS names the root(s) a verification trusts.
APP_C2PA_CERT_CHAIN = env("APP_C2PA_CERT_CHAIN", default="")
APP_C2PA_PRIVATE_KEY = env("APP_C2PA_PRIVATE_KEY", default="")
APP_C2PA_TRUST_ANCHORS = env("APP_C2PA_TRUST_ANCHORS", default="")
# Days the log of files handed out without their visible label is kept (办法 Art. 9 asks for
# at least six months; a system check refuses less than 183).
APP_UNLABELLED_EXPORT_LOG_DAYS = env.int("APP_UNLABELLED_EXPORT_LOG_DAYS", default=365)

# LOGGING: one line per event, with the request id that started it (also inside Celery tasks).
# ------------------------------------------------------------------------------
LOG_FORMAT = env("APP_LOG_FORMAT", default="text")  # "json" in production
LOG_LEVEL = env("APP_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_context.RequestIdLogFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
    },
}

# LIBRARY: near-duplicate detection, do-not-reuse banks, the asset library.
# ------------------------------------------------------------------------------
# How many times a near-duplicate poster is drawn again, with another seed and the next
# layout, before it is delivered flagged (or, near a do-not-reuse bank entry, failed). Each
# draw costs a render; four lets a tall or wide poster try each of the channel's five layouts.
APP_DEDUP_MAX_REDRAWS = env.int("APP_DEDUP_MAX_REDRAWS", default=4)
# Brands with up to this many images are searched exactly (~2 ms per 10,000 on two cores,
# BENCHMARKS.md); larger ones through the HNSW index with iterative scans (library.fingerprints).
APP_LIBRARY_EXACT_SEARCH_MAX_IMAGES = env.int("APP_LIBRARY_EXACT_SEARCH_MAX_IMAGES", default=50_000)
# The library takes up to 500 images in one request (library.uploads.MAX_FILES; more go in a
# zip); Django's own limit is 100.
DATA_UPLOAD_MAX_NUMBER_FILES = 500
# A folder with a CLIP model exported to ONNX (library.semantic says what it holds; needs the
# `clip` extra) for semantic search; unset, search is full text, trigrams, colour and image.
APP_CLIP_MODEL_PATH = env("APP_CLIP_MODEL_PATH", default="")
# Cosine similarity of a query's CLIP embedding to an image's at which the image matches (CLIP
# puts matching text-image pairs around 0.25-0.35 and unrelated ones below 0.2).
APP_CLIP_MIN_SIMILARITY = env.float("APP_CLIP_MIN_SIMILARITY", default=0.22)
