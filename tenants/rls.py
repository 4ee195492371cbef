"""PostgreSQL row-level security for tenant-owned tables: the second line of isolation.

Every tenant-owned table gets `tenant_isolation`: rows are visible and writable only when their
tenant_id equals the transaction's `app.tenant_id`. Unset means no rows, not all. `FORCE` makes
the policy bind the table owner too; only a superuser or a BYPASSRLS role escapes it, and the
application connects as neither.
"""

from django.db import migrations

_CURRENT_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"
_BYPASS = "current_setting('app.bypass_rls', true) = 'on'"
POLICY_NAME = "tenant_isolation"


def enable(table: str) -> migrations.RunSQL:
    condition = f"tenant_id = {_CURRENT_TENANT} OR {_BYPASS}"
    return migrations.RunSQL(
        sql=[
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
            f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
            f'CREATE POLICY {POLICY_NAME} ON "{table}" '
            f"USING ({condition}) WITH CHECK ({condition})",
        ],
        reverse_sql=[
            f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"',
            f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
            f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
        ],
    )


def allow_own_rows(table: str, *, user_column: str = "user_id") -> migrations.RunSQL:
    """Let a user read their own rows in every brand (the brand switcher lists memberships)."""
    policy = f"{table}_own_rows"
    return migrations.RunSQL(
        sql=(
            f'CREATE POLICY {policy} ON "{table}" FOR SELECT '
            f"USING ({user_column} = NULLIF(current_setting('app.user_id', true), '')::bigint)"
        ),
        reverse_sql=f'DROP POLICY IF EXISTS {policy} ON "{table}"',
    )
