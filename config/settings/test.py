"""The test suite: `make test`."""

from pathlib import Path
from urllib.parse import unquote

from .base import *  # noqa: F403
from .base import BASE_DIR, CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, STORAGES, env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STATIC_ROOT = None  # tests serve static files through the finders
WHITENOISE_USE_FINDERS = True
# Files on disk, not in memory: the Celery worker processes of the pipeline tests store renders
# that the test process then reads back. APP_STORAGE=s3 keeps base's S3 storage (moto in tests).
MEDIA_ROOT = Path(env("APP_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "test" / "media")))
STORAGES = {
    "default": (
        STORAGES["default"]
        if env("APP_STORAGE", default="local") == "s3"
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/media/"},
        }
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Short enough that the redelivery test sees a SIGKILLed worker's task come back in seconds.
CELERY_TASK_TIME_LIMIT = env.int("APP_TASK_TIME_LIMIT", default=60)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, int(CELERY_TASK_TIME_LIMIT * 0.9))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int("APP_BROKER_VISIBILITY_TIMEOUT", default=90),
}

# pytest-django creates and migrates the test database as the owner role; tests/conftest.py then
# reconnects as the application role, so every test runs under row-level security as in
# production. DATABASE_TEST_RUNTIME holds the application role's credentials for that switch.
DATABASE_TEST_RUNTIME = {
    "USER": DATABASES["default"]["USER"],
    "PASSWORD": DATABASES["default"]["PASSWORD"],
}
if env("DATABASE_OWNER_URL", default=""):
    _owner = env.db("DATABASE_OWNER_URL")
    DATABASES["default"]["USER"] = _owner["USER"]
    DATABASES["default"]["PASSWORD"] = _owner["PASSWORD"]
    DATABASES["default"]["HOST"] = unquote(_owner["HOST"])

# A compositor that takes its time, for tests that kill workers or flush Redis mid-render.
APP_IMAGE_BACKENDS = {"slow-compositor": "tests.backends.SlowCompositorBackend"}

# Most tests exercise features, not plans: a brand that never subscribed gets Team's limits and
# allowance. Billing's tests put their brands on the plan each case needs.
APP_BILLING_DEFAULT_PLAN = "team"
STRIPE_SECRET_KEY = "sk_test_brandloom"  # noqa: S105 - the local Stripe stand-in's key
STRIPE_WEBHOOK_SECRET = "whsec_test_brandloom"  # noqa: S105
