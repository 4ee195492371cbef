import pytest
from django.core.exceptions import PermissionDenied

from tenants.api_keys import api_key_create, api_key_revoke
from tenants.context import tenant_scope
from tenants.models import ApiKey, AuditEvent, Invitation, Membership
from tenants.roles import ROLE_PERMISSIONS, Permission, Role
from tenants.services import (
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)

from .factories import TenantFactory, UserFactory, member

pytestmark = pytest.mark.django_db

P = Permission
# The written table (docs/roles.md): a change here must be a decision, not an accident.
EXPECTED = {
    Role.OWNER: set(Permission),
    Role.ADMIN: set(Permission) - {P.MANAGE_OWNERS, P.MANAGE_BILLING},
    Role.EDITOR: {P.VIEW_CONTENT, P.CREATE_CONTENT},
    Role.REVIEWER: {P.VIEW_CONTENT, P.DECIDE_REVIEWS},
    Role.VIEWER: {P.VIEW_CONTENT},
}


def test_the_role_table_is_the_documented_one():
    assert {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()} == EXPECTED


class World:
    def __init__(self, actor_role):
        self.tenant = TenantFactory()
        self.owner = member(self.tenant, Role.OWNER)
        self.second_owner = member(self.tenant, Role.OWNER)
        self.editor = member(self.tenant, Role.EDITOR)
        self.actor = member(self.tenant, actor_role).user
        with tenant_scope(self.tenant.pk, user_id=self.owner.user_id):
            self.invitation, _ = invitation_create(
                tenant=self.tenant, actor=self.owner.user, email="open@brand.test", role="editor"
            )
            self.api_key, _ = api_key_create(
                tenant=self.tenant, actor=self.owner.user, name="CI", scopes=["jobs:read"]
            )

    def snapshot(self):
        with tenant_scope(self.tenant.pk):
            t = self.tenant
            return (
                sorted(Membership.objects.filter(tenant=t).values_list("pk", "role")),
                sorted(Invitation.objects.filter(tenant=t).values_list("pk", "role", "revoked_at")),
                sorted(ApiKey.objects.filter(tenant=t).values_list("pk", "revoked_at")),
                AuditEvent.objects.filter(tenant=t).count(),
            )


ACTIONS = {
    "invite an editor": (
        P.MANAGE_MEMBERS,
        lambda w: invitation_create(
            tenant=w.tenant, actor=w.actor, email="n@b.test", role="editor"
        ),
    ),
    "invite an owner": (
        P.MANAGE_OWNERS,
        lambda w: invitation_create(tenant=w.tenant, actor=w.actor, email="n@b.test", role="owner"),
    ),
    "make an editor a viewer": (
        P.MANAGE_MEMBERS,
        lambda w: membership_change_role(
            tenant=w.tenant, actor=w.actor, membership_id=w.editor.pk, role="viewer"
        ),
    ),
    "make an editor an owner": (
        P.MANAGE_OWNERS,
        lambda w: membership_change_role(
            tenant=w.tenant, actor=w.actor, membership_id=w.editor.pk, role="owner"
        ),
    ),
    "make an owner an admin": (
        P.MANAGE_OWNERS,
        lambda w: membership_change_role(
            tenant=w.tenant, actor=w.actor, membership_id=w.second_owner.pk, role="admin"
        ),
    ),
    "remove an editor": (
        P.MANAGE_MEMBERS,
        lambda w: membership_remove(tenant=w.tenant, actor=w.actor, membership_id=w.editor.pk),
    ),
    "remove an owner": (
        P.MANAGE_OWNERS,
        lambda w: membership_remove(
            tenant=w.tenant, actor=w.actor, membership_id=w.second_owner.pk
        ),
    ),
    "revoke an invitation": (
        P.MANAGE_MEMBERS,
        lambda w: invitation_revoke(tenant=w.tenant, actor=w.actor, invitation_id=w.invitation.pk),
    ),
    "create an API key": (
        P.MANAGE_API_KEYS,
        lambda w: api_key_create(tenant=w.tenant, actor=w.actor, name="X", scopes=["jobs:read"]),
    ),
    "revoke an API key": (
        P.MANAGE_API_KEYS,
        lambda w: api_key_revoke(tenant=w.tenant, actor=w.actor, api_key_id=w.api_key.pk),
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", list(Role))
def test_services_enforce_the_role_table(role, action):
    permission, perform = ACTIONS[action]
    world = World(role)
    before = world.snapshot()

    with tenant_scope(world.tenant.pk, user_id=world.actor.pk):
        if permission in EXPECTED[role]:
            perform(world)
            allowed = True
        else:
            with pytest.raises(PermissionDenied):
                perform(world)
            allowed = False

    assert allowed == (permission in EXPECTED[role])
    if allowed:
        assert world.snapshot() != before
    else:
        assert world.snapshot() == before


@pytest.mark.parametrize("role", list(Role))
def test_any_member_may_leave(role):
    world = World(role)
    own = world.snapshot()[0]

    with tenant_scope(world.tenant.pk, user_id=world.actor.pk):
        mine = Membership.objects.get(tenant=world.tenant, user=world.actor)
        membership_remove(tenant=world.tenant, actor=world.actor, membership_id=mine.pk)

    assert len(world.snapshot()[0]) == len(own) - 1


def test_an_outsider_is_denied_everything():
    world = World(Role.VIEWER)
    outsider = UserFactory()
    before = world.snapshot()

    with tenant_scope(world.tenant.pk, user_id=outsider.pk), pytest.raises(PermissionDenied):
        invitation_create(tenant=world.tenant, actor=outsider, email="n@b.test", role="viewer")

    assert world.snapshot() == before
