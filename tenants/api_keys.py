"""Team API keys: minting, revoking and checking `bl_<prefix>_<secret>` bearer keys.

Only a SHA-256 of the whole key is stored. The prefix is stored in clear: it finds the row
before any tenant is known (through the `apikey_lookup_by_prefix` policy) and shows the key
in lists. The plaintext is returned once by `api_key_create` and never stored or logged.
"""

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import ApiKey, Tenant
from .roles import Permission
from .services import require_permission


class ApiScope(StrEnum):
    """Every scope a key can hold: the one list the API, the command and the docs read."""

    JOBS_WRITE = "jobs:write"
    JOBS_READ = "jobs:read"
    ASSETS_READ = "assets:read"
    ASSETS_WRITE = "assets:write"
    BILLING_READ = "billing:read"
    AUDIT_READ = "audit:read"
    MEMBERS_READ = "members:read"
    API_KEYS_READ = "api_keys:read"
    COMPLIANCE_CHECK = "compliance:check"  # check a text against the ad-law rules
    COMPLIANCE_REVIEW = "compliance:review"  # read and decide the brand's review queue
    COMPLIANCE_MANAGE = "compliance:manage"  # claim evidence and the brand's custom rules


KEY_TAG = "bl"
PREFIX_LENGTH = 8
SECRET_LENGTH = 40  # 40 base-62 characters: about 238 bits
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
KEY_PATTERN = re.compile(
    rf"^{KEY_TAG}_(?P<prefix>[a-z0-9]{{{PREFIX_LENGTH}}})_[A-Za-z0-9]{{{SECRET_LENGTH}}}$"
)
# Writing last_used_at on every request would turn each read into a write; a minute is precise
# enough for "is this key still in use?".
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyMalformed(ValueError):
    """The string does not have the shape of one of our keys."""


class ApiKeyRejected(Exception):
    """A well-formed key that does not grant access; `reason` says why, for the 401 body."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_prefix(key: str) -> str:
    """The lookup prefix of `key`; ApiKeyMalformed when it is not shaped like one of ours."""
    match = KEY_PATTERN.match(key)
    if match is None:
        raise ApiKeyMalformed(key[:3])
    return match["prefix"]


def _generate_key() -> tuple[str, str]:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    return prefix, f"{KEY_TAG}_{prefix}_{secret}"


def _clean_scopes(scopes: Collection[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(ApiScope))
    if unknown:
        raise ValidationError(
            _("Unknown scope: %(scopes)s. Known scopes: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(ApiScope)}
        )
    if not scopes:
        raise ValidationError(_("An API key needs at least one scope."))
    return sorted(set(scopes))


@transaction.atomic
def api_key_create(
    *,
    tenant: Tenant,
    actor: User | None,
    name: str,
    scopes: Collection[str],
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Mint a key; returns the row and the plaintext key, which exists nowhere else afterwards.

    `actor=None` is the system (the `create_api_key` command run by an operator); a request
    always passes its user, whose role must grant MANAGE_API_KEYS (PermissionDenied otherwise).
    Raises ValidationError for an empty name, an unknown scope or an expiry in the past.
    """
    if actor is not None:
        require_permission(tenant=tenant, user=actor, permission=Permission.MANAGE_API_KEYS)
    name = name.strip()
    if not name:
        raise ValidationError(_("An API key needs a name."))
    clean_scopes = _clean_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("The expiry date must be in the future."))
    prefix, key = _generate_key()
    api_key = ApiKey.objects.create(
        tenant=tenant,
        name=name,
        prefix=prefix,
        key_hash=api_key_hash(key),
        scopes=clean_scopes,
        created_by=actor,
        expires_at=expires_at,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="api_key.created",
        target=api_key,
        data={
            "name": name,
            "prefix": prefix,
            "scopes": clean_scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return api_key, key


@transaction.atomic
def api_key_revoke(*, tenant: Tenant, actor: User | None, api_key_id: int) -> ApiKey:
    """Revoke a key of `tenant` (idempotent: revoking twice writes one audit row).

    Raises PermissionDenied without MANAGE_API_KEYS, ApiKey.DoesNotExist for another brand's id.
    """
    if actor is not None:
        require_permission(tenant=tenant, user=actor, permission=Permission.MANAGE_API_KEYS)
    api_key = ApiKey.objects.select_for_update().get(tenant=tenant, pk=api_key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="api_key.revoked",
            target=api_key,
            data={"name": api_key.name, "prefix": api_key.prefix},
        )
    return api_key


@cache
def _lookup_sql() -> tuple[str, list[str], list[str]]:
    key_fields = ApiKey._meta.concrete_fields
    tenant_fields = Tenant._meta.concrete_fields
    columns = [f"k.{f.column}" for f in key_fields] + [f"t.{f.column}" for f in tenant_fields]
    # Only column and table names from the models go into the string; the prefix is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM tenants_apikey_by_prefix(%s) k "  # noqa: S608
        f"JOIN {Tenant._meta.db_table} t ON t.id = k.tenant_id"
    )
    return sql, [f.attname for f in key_fields], [f.attname for f in tenant_fields]


def _find_by_prefix(prefix: str) -> ApiKey | None:
    # No tenant is known yet, so the tenant_isolation policy shows no rows; the
    # apikey_lookup_by_prefix policy shows the one row with this prefix, for this transaction
    # (the SQL function of migration 0006 sets it and reads in one round trip). On success the
    # tenant activation that follows clears the prefix; on failure it is cleared here.
    # The query is plain SQL because it runs on every API request: compiling the equivalent
    # ORM query cost more than the database round trip (bench/api.py --profile).
    sql, key_columns, tenant_columns = _lookup_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix])
        row = cursor.fetchone()
        if row is None:
            cursor.execute("SELECT set_config('app.api_key_prefix', '', true)")
    if row is None:
        return None
    split = len(key_columns)
    api_key = ApiKey.from_db(connection.alias, key_columns, row[:split])
    api_key.tenant = Tenant.from_db(connection.alias, tenant_columns, row[split:])
    return api_key


def api_key_authenticate(*, key: str, now: datetime | None = None) -> ApiKey:
    """The active key matching `key`, with its tenant loaded; must run inside a transaction.

    Raises ApiKeyMalformed for a string that is not shaped like a key, and ApiKeyRejected for
    an unknown, revoked or expired one. Does not scope the transaction to the key's tenant.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("api_key_authenticate() needs an open transaction")
    prefix = api_key_prefix(key)
    api_key = _find_by_prefix(prefix)
    # Compare even when no row matched, so that timing does not tell unknown prefixes apart.
    stored_hash = api_key.key_hash if api_key is not None else "0" * 64
    if not hmac.compare_digest(stored_hash, api_key_hash(key)) or api_key is None:
        raise ApiKeyRejected(_("Invalid API key."))
    now = now or timezone.now()
    if api_key.revoked_at is not None:
        raise ApiKeyRejected(_("API key has been revoked."))
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise ApiKeyRejected(_("API key has expired."))
    return api_key


def api_key_touch(*, api_key: ApiKey, now: datetime | None = None) -> None:
    """Record use of `api_key`, at most once per LAST_USED_RESOLUTION; needs its tenant in scope."""
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    # The condition repeats in SQL so that concurrent requests write the row once.
    ApiKey.objects.filter(tenant_id=api_key.tenant_id, pk=api_key.pk).exclude(
        last_used_at__gt=now - LAST_USED_RESOLUTION
    ).update(last_used_at=now)
    api_key.last_used_at = now
