import pytest

from tenants.models import AuditEvent, Invitation, Membership
from tenants.roles import Role

from .factories import TenantFactory, UserFactory, invite, member, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(brand):
    return member(brand, Role.OWNER, UserFactory(username="owner@brand.test")).user


def test_members_page_lists_members_with_roles(client, brand, owner):
    member(brand, Role.EDITOR, UserFactory(username="ed@brand.test"))
    client.force_login(owner)

    response = client.get("/members/")

    assert response.status_code == 200
    assert [m.user.email for m in response.context["members"]] == [
        "owner@brand.test",
        "ed@brand.test",
    ]
    assert "ed@brand.test" in response.text
    assert "Lotus Tea" in response.text


def test_changing_a_role_without_javascript_redirects_back(client, brand, owner):
    editor = member(brand, Role.EDITOR)
    client.force_login(owner)

    response = client.post(f"/members/{editor.pk}/role/", {"role": Role.REVIEWER})

    assert response.status_code == 302
    assert response["Location"] == "/members/"
    assert rows(Membership, brand, pk=editor.pk)[0].role == Role.REVIEWER


def test_changing_a_role_with_htmx_returns_the_row(client, brand, owner):
    editor = member(brand, Role.EDITOR)
    client.force_login(owner)

    response = client.post(
        f"/members/{editor.pk}/role/", {"role": Role.ADMIN}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response.text.strip().startswith(f'<tr id="member-{editor.pk}">')
    assert '<option value="admin" selected>' in response.text
    assert rows(Membership, brand, pk=editor.pk)[0].role == Role.ADMIN


def test_a_viewer_cannot_change_roles(client, brand, owner):
    viewer = member(brand, Role.VIEWER)
    editor = member(brand, Role.EDITOR)
    client.force_login(viewer.user)

    response = client.post(f"/members/{editor.pk}/role/", {"role": Role.ADMIN})

    assert response.status_code == 403
    assert "Your role does not allow this" in response.text
    assert rows(Membership, brand, pk=editor.pk)[0].role == Role.EDITOR


def test_the_last_owner_cannot_be_removed(client, brand, owner):
    own = rows(Membership, brand, user=owner)[0]
    client.force_login(owner)

    response = client.post(f"/members/{own.pk}/remove/", follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "The last owner cannot be removed; make someone else owner first."
    ]
    assert len(rows(Membership, brand)) == 1


def test_an_owner_removes_a_member(client, brand, owner):
    editor = member(brand, Role.EDITOR)
    client.force_login(owner)

    response = client.post(f"/members/{editor.pk}/remove/")

    assert response.status_code == 302
    assert [m.pk for m in rows(Membership, brand)] == [rows(Membership, brand, user=owner)[0].pk]
    assert [e.action for e in rows(AuditEvent, brand, action="membership.removed")] == [
        "membership.removed"
    ]


def test_an_owner_invites_and_the_invitation_is_listed_and_emailed(
    client, brand, owner, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/invite/", {"email": "New@Brand.test", "role": Role.EDITOR})

    assert response.status_code == 302
    invitation = rows(Invitation, brand)[0]
    assert (invitation.email, invitation.role) == ("new@brand.test", Role.EDITOR)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@brand.test"]
    assert "http://testserver/invitations/" in mailoutbox[0].body
    page = client.get("/members/")
    assert [i.email for i in page.context["invitations"]] == ["new@brand.test"]


def test_inviting_an_existing_member_shows_a_form_error(client, brand, owner):
    client.force_login(owner)

    response = client.post("/members/invite/", {"email": "owner@brand.test", "role": "editor"})

    assert response.status_code == 400
    assert response.context["invite_form"].errors == {
        "email": ["This person is already a member of the brand."]
    }
    assert rows(Invitation, brand) == []


def test_an_admin_cannot_invite_an_owner(client, brand, owner):
    admin = member(brand, Role.ADMIN)
    client.force_login(admin.user)

    response = client.post("/members/invite/", {"email": "x@brand.test", "role": Role.OWNER})

    assert response.status_code == 400
    assert "role" in response.context["invite_form"].errors
    assert rows(Invitation, brand) == []


def test_an_owner_revokes_an_open_invitation(client, brand, owner):
    invitation, _token = invite(brand, owner, "later@brand.test")
    client.force_login(owner)

    response = client.post(f"/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    assert rows(Invitation, brand)[0].revoked_at is not None
    assert list(client.get("/members/").context["invitations"]) == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/members/{member}/role/", {"role": Role.VIEWER}),
        ("/members/{member}/remove/", {}),
        ("/invitations/{invitation}/revoke/", {}),
    ],
)
def test_another_brands_ids_are_not_found_and_nothing_changes(client, brand, owner, path, data):
    other = TenantFactory()
    other_owner = member(other, Role.OWNER).user
    other_editor = member(other, Role.EDITOR)
    other_invitation, _token = invite(other, other_owner, "other@brand.test")
    client.force_login(owner)

    response = client.post(
        path.format(member=other_editor.pk, invitation=other_invitation.pk), data
    )

    assert response.status_code == 404
    assert [(m.pk, m.role) for m in rows(Membership, other)] == [
        (rows(Membership, other, user=other_owner)[0].pk, Role.OWNER),
        (other_editor.pk, Role.EDITOR),
    ]
    assert rows(Invitation, other)[0].revoked_at is None


def test_another_brands_member_id_is_not_found_even_without_a_role(client, brand, owner):
    other = TenantFactory()
    other_editor = member(other, Role.EDITOR)
    client.force_login(owner)

    response = client.post(f"/members/{other_editor.pk}/role/", {})

    assert response.status_code == 404
    assert rows(Membership, other)[0].role == Role.EDITOR
