import pytest

from tenants.audit import audit_record
from tenants.context import tenant_scope
from tenants.roles import Role

from .factories import TenantFactory, member

pytestmark = pytest.mark.django_db


def _events(tenant, actor, count):
    with tenant_scope(tenant.pk):
        for n in range(count):
            audit_record(tenant=tenant, actor=actor, action="invitation.created", data={"n": n})


def test_the_audit_log_shows_who_what_when_and_target(client, brand, owner):
    editor = member(brand, Role.EDITOR)
    client.force_login(owner)
    client.post(f"/members/{editor.pk}/role/", {"role": Role.REVIEWER})

    response = client.get("/audit/")

    assert response.status_code == 200
    events = list(response.context["page_obj"].object_list)
    assert [(e.action, e.actor, e.target_type, e.target_id) for e in events] == [
        ("membership.role_changed", owner, "tenants.membership", str(editor.pk))
    ]
    assert "Role changed" in response.text
    assert f"tenants.membership #{editor.pk}" in response.text
    assert owner.email in response.text


def test_the_audit_log_is_paginated(client, brand, owner):
    _events(brand, owner, 30)
    client.force_login(owner)

    first = client.get("/audit/")
    second = client.get("/audit/?page=2")

    assert len(first.context["page_obj"].object_list) == 25
    assert len(second.context["page_obj"].object_list) == 5
    assert "Page 2 of 2" in second.text


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_roles_without_the_permission_get_403(client, brand, owner, role):
    client.force_login(member(brand, role).user)

    response = client.get("/audit/")

    assert response.status_code == 403
    assert "Your role does not allow this" in response.text


def test_an_admin_sees_the_log(client, brand, owner):
    _events(brand, owner, 1)
    client.force_login(member(brand, Role.ADMIN).user)

    assert client.get("/audit/").status_code == 200


def test_another_brands_events_are_invisible(client, brand, owner):
    other = TenantFactory()
    _events(other, member(other, Role.OWNER).user, 3)
    client.force_login(owner)

    response = client.get("/audit/")

    assert list(response.context["page_obj"].object_list) == []
    assert "Nothing has happened yet." in response.text


def test_every_action_the_code_records_has_a_label_for_people():
    """A census of `action="app.verb"` in the source: a new audit action without a label would
    show its code name on the audit page (dynamic names are listed by hand below)."""
    import re
    from pathlib import Path

    from tenants.views.dashboard import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    recorded = {
        match
        for app in ("tenants", "generation", "billing", "compliance", "provenance", "webhooks")
        for path in (root / app).rglob("*.py")
        for match in re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text())
    }
    recorded |= {f"compliance.review_{verb}" for verb in ("approved", "rejected", "edited")}
    recorded |= {"compliance.moderation_approved", "compliance.moderation_rejected"}

    assert len(recorded) > 20
    assert sorted(recorded - set(ACTION_LABELS)) == []
