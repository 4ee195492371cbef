"""The current tenant: a context variable in Python and a transaction-local setting in PostgreSQL.

The ORM's scoped manager reads the variable (and raises when it is unset); the row-level
security policies read `app.tenant_id`, which dies with the transaction, so a pooled connection
never carries one brand's scope into another's request.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

logger = logging.getLogger(__name__)

_tenant_id: ContextVar[int | None] = ContextVar("tenant_id", default=None)
_user_id: ContextVar[int | None] = ContextVar("user_id", default=None)


class TenantScopeMissing(RuntimeError):
    """A tenant-owned table was queried with no tenant in scope."""


def current_tenant_id() -> int | None:
    return _tenant_id.get()


def require_tenant_id() -> int:
    tenant_id = _tenant_id.get()
    if tenant_id is None:
        raise TenantScopeMissing(
            "No tenant is in scope: wrap the code in tenant_scope(tenant_id), or use "
            "Model.all_tenants / unscoped(reason=...) in staff tools."
        )
    return tenant_id


def _set_database_scope(tenant_id: int | None, user_id: int | None) -> None:
    # One statement, one round trip; it also closes the API key lookup window, if one was open.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true),"
            " set_config('app.api_key_prefix', '', true)",
            ["" if tenant_id is None else str(tenant_id), "" if user_id is None else str(user_id)],
        )


def activate_in_transaction(tenant_id: int | None, *, user_id: int | None = None) -> None:
    """Scope the current transaction (the request's ATOMIC_REQUESTS one) to a tenant and user.

    Must run inside `transaction.atomic`: outside it the setting would last one statement.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("activate_in_transaction() needs an open transaction")
    _tenant_id.set(tenant_id)
    _user_id.set(user_id)
    _set_database_scope(tenant_id, user_id)


@contextmanager
def tenant_scope(tenant_id: int, *, user_id: int | None = None) -> Iterator[None]:
    """Run the block in one transaction scoped to `tenant_id` (tasks, commands, tests)."""
    tenant_token = _tenant_id.set(tenant_id)
    user_token = _user_id.set(user_id)
    try:
        with transaction.atomic():
            _set_database_scope(tenant_id, user_id)
            yield
    finally:
        _tenant_id.reset(tenant_token)
        _user_id.reset(user_token)
        if connection.in_atomic_block:
            # An inner tenant_scope ends inside an outer one: give the outer its scope back.
            _set_database_scope(_tenant_id.get(), _user_id.get())


@contextmanager
def unscoped(*, reason: str) -> Iterator[None]:
    """Staff-only bypass of row-level security for this transaction, logged with its reason."""
    if not reason.strip():
        raise ValueError("unscoped() needs a reason")
    logger.warning("tenancy.unscoped", extra={"reason": reason})
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.bypass_rls', 'on', true)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('app.bypass_rls', '', true)")
