import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from tenants.context import tenant_scope, unscoped
from tenants.models import Membership
from tenants.roles import Role

from .factories import TenantFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def _count(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_the_app_connects_as_a_role_that_owns_no_table_and_cannot_bypass_rls():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        is_superuser, bypasses = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user"
        )
        owned = cursor.fetchone()[0]

    assert (is_superuser, bypasses, owned) == (False, False, 0)


def test_raw_sql_without_a_tenant_sees_no_rows():
    member(TenantFactory(), Role.OWNER)
    member(TenantFactory(), Role.EDITOR)

    assert _count("SELECT count(*) FROM tenants_membership") == 0


def test_raw_sql_in_a_tenant_scope_sees_only_that_tenant():
    first, second = TenantFactory(), TenantFactory()
    member(first, Role.OWNER)
    member(first, Role.VIEWER)
    member(second, Role.OWNER)

    with tenant_scope(first.pk):
        seen = _count("SELECT count(*) FROM tenants_membership")
        foreign = _count(
            "SELECT count(*) FROM tenants_membership WHERE tenant_id = %s", [second.pk]
        )

    assert (seen, foreign) == (2, 0)


def test_a_write_into_another_tenant_is_refused_by_the_policy():
    first, second = TenantFactory(), TenantFactory()
    user = UserFactory()

    with pytest.raises(ProgrammingError, match="row-level security"), tenant_scope(first.pk):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tenants_membership (tenant_id, user_id, role, created_at) "
                "VALUES (%s, %s, 'owner', now())",
                [second.pk, user.pk],
            )

    with unscoped(reason="test: count every brand's rows"):
        assert Membership.all_tenants.filter(user=user).count() == 0


def test_an_update_cannot_move_a_row_to_another_tenant():
    first, second = TenantFactory(), TenantFactory()
    row = member(first, Role.OWNER)

    with pytest.raises(ProgrammingError, match="row-level security"), tenant_scope(first.pk):
        Membership.objects.filter(pk=row.pk).update(tenant=second)


def test_the_scope_ends_with_its_transaction():
    tenant = TenantFactory()
    member(tenant, Role.OWNER)

    with tenant_scope(tenant.pk):
        inside = _count("SELECT count(*) FROM tenants_membership")
    after = _count("SELECT count(*) FROM tenants_membership")

    assert (inside, after) == (1, 0)


def test_a_nested_scope_hands_the_outer_scope_back():
    outer, inner = TenantFactory(), TenantFactory()
    member(outer, Role.OWNER)
    member(inner, Role.OWNER)
    member(inner, Role.VIEWER)

    with tenant_scope(outer.pk):
        with tenant_scope(inner.pk):
            in_inner = _count("SELECT count(*) FROM tenants_membership")
        back_in_outer = _count("SELECT count(*) FROM tenants_membership")

    assert (in_inner, back_in_outer) == (2, 1)


def test_unscoped_sees_every_tenant_and_is_logged(caplog):
    member(TenantFactory(), Role.OWNER)
    member(TenantFactory(), Role.OWNER)

    with caplog.at_level("WARNING", logger="tenants.context"):
        with unscoped(reason="support report"):
            total = Membership.all_tenants.count()

    assert total == 2
    assert [r.reason for r in caplog.records if r.msg == "tenancy.unscoped"] == ["support report"]


def test_every_tenant_owned_table_has_forced_rls_and_the_isolation_policy():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname
            FROM information_schema.columns col
            JOIN pg_class c ON c.relname = col.table_name
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = col.table_schema
            WHERE col.table_schema = 'public' AND col.column_name = 'tenant_id'
              AND c.relkind = 'r'
              AND NOT (
                c.relrowsecurity AND c.relforcerowsecurity
                AND EXISTS (
                  SELECT 1 FROM pg_policies p
                  WHERE p.schemaname = 'public' AND p.tablename = c.relname
                    AND p.policyname = 'tenant_isolation'
                )
              )
            ORDER BY c.relname
            """
        )
        unprotected = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        )
        tenant_tables = cursor.fetchone()[0]

    assert unprotected == []
    assert tenant_tables >= 4


def test_a_membership_row_is_readable_by_its_own_user_across_brands():
    user = UserFactory()
    member(TenantFactory(), Role.OWNER, user=user)
    member(TenantFactory(), Role.VIEWER, user=user)
    member(TenantFactory(), Role.OWNER)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.user_id', %s, true)", [str(user.pk)])
        mine = _count("SELECT count(*) FROM tenants_membership")

    assert mine == 2
