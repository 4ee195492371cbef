"""Changes to brands and memberships. Each checks the actor's role and writes its audit row."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .audit import audit_record
from .context import tenant_scope, unscoped
from .entitlements import entitlements_for
from .models import Invitation, Membership, Tenant, UserProfile
from .roles import Permission, Role, role_can

INVITATION_LIFETIME = timedelta(days=7)


def require_permission(*, tenant: Tenant, user: User, permission: Permission) -> Membership:
    """The actor's membership if their role grants `permission`; PermissionDenied otherwise."""
    membership = Membership.objects.filter(tenant=tenant, user_id=user.pk).first()
    if membership is None or not role_can(membership.role, permission):
        raise PermissionDenied(_("Your role in this brand does not allow this."))
    return membership


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:50] or "brand"
    slug = base
    while Tenant.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def tenant_create(*, name: str, owner: User, locale: str = Tenant.Locale.ZH_CN) -> Tenant:
    """Create a brand with `owner` as its first owner. Unicode names get an ASCII slug."""
    name = name.strip()
    if not name:
        raise ValidationError(_("A brand needs a name."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                tenant = Tenant.objects.create(name=name, slug=_unique_slug(name), locale=locale)
            break
        except IntegrityError:
            continue  # a concurrent sign-up took the slug between the check and the insert
    else:
        raise ValidationError(_("Could not choose a unique address for this brand; try again."))
    with tenant_scope(tenant.pk, user_id=owner.pk):
        Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
        audit_record(tenant=tenant, actor=owner, action="tenant.created", target=tenant)
    return tenant


def _owner_count(tenant: Tenant) -> int:
    return Membership.objects.filter(tenant=tenant, role=Role.OWNER).count()


def _check_can_touch(*, tenant: Tenant, actor: User, roles: set[str]) -> None:
    permission = Permission.MANAGE_OWNERS if Role.OWNER in roles else Permission.MANAGE_MEMBERS
    require_permission(tenant=tenant, user=actor, permission=permission)


@transaction.atomic
def membership_change_role(
    *, tenant: Tenant, actor: User, membership_id: int, role: str
) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    membership = Membership.objects.select_for_update().get(tenant=tenant, pk=membership_id)
    _check_can_touch(tenant=tenant, actor=actor, roles={membership.role, role})
    # Lock every owner row so two demotions cannot both pass the last-owner check.
    list(Membership.objects.select_for_update().filter(tenant=tenant, role=Role.OWNER))
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(tenant) == 1:
        raise ValidationError(_("A brand must keep at least one owner."))
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="membership.role_changed",
        target=membership,
        data={"user_id": membership.user_id, "from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, tenant: Tenant, actor: User, membership_id: int) -> None:
    membership = Membership.objects.select_for_update().get(tenant=tenant, pk=membership_id)
    if membership.user_id != actor.pk:  # leaving a brand yourself needs no permission
        _check_can_touch(tenant=tenant, actor=actor, roles={membership.role})
    list(Membership.objects.select_for_update().filter(tenant=tenant, role=Role.OWNER))
    if membership.role == Role.OWNER and _owner_count(tenant) == 1:
        raise ValidationError(_("The last owner cannot be removed; make someone else owner first."))
    audit_record(
        tenant=tenant,
        actor=actor,
        action="membership.removed",
        target=membership,
        data={"user_id": membership.user_id, "role": membership.role},
    )
    membership.delete()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, tenant: Tenant, actor: User, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite `email` with `role`; returns the invitation and its token (only ever shown once).

    A new invitation to the same address replaces the open one.
    """
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    _check_can_touch(tenant=tenant, actor=actor, roles={role})
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
        raise ValidationError(_("This person is already a member of the brand."))
    now = timezone.now()
    _check_seat_free(tenant=tenant, now=now, replacing=email)
    Invitation.objects.filter(
        tenant=tenant, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        tenant=tenant,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor,
        expires_at=now + INVITATION_LIFETIME,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="invitation.created",
        target=invitation,
        data={"email": email, "role": role},
    )
    return invitation, token


class SeatLimitReached(ValidationError):
    """Every seat of the brand's plan is taken by a member or an open invitation."""


def _check_seat_free(
    *, tenant: Tenant, now: datetime, replacing: str = "", accepting: Invitation | None = None
) -> None:
    """Members plus open invitations may not exceed the plan's seats (a downgrade keeps the
    members it has, but nobody new joins until there is room)."""
    seats = entitlements_for(tenant).seats
    if seats is None:
        return
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()  # one seat count at a time
    open_invitations = Invitation.objects.filter(
        tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).exclude(email=replacing)
    if accepting is not None:
        open_invitations = open_invitations.exclude(pk=accepting.pk)
    taken = Membership.objects.filter(tenant=tenant).count() + open_invitations.count()
    if taken >= seats:
        raise SeatLimitReached(
            _(
                "All %(seats)s seats of this brand's plan are taken by members and open "
                "invitations. Remove someone, revoke an invitation or upgrade the plan."
            )
            % {"seats": seats}
        )


class InvitationInvalid(ValidationError):
    """The token is unknown, used, revoked or expired."""


def invitation_find(*, token: str) -> Invitation:
    """The open invitation for `token`, from any brand (the token is the only key we have)."""
    with unscoped(reason="invitation lookup by its secret token"):
        invitation = (
            Invitation.all_tenants.select_related("tenant")
            .filter(token_hash=_token_hash(token))
            .first()
        )
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationInvalid(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation has expired; ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_find(token=token)
    tenant = invitation.tenant
    with tenant_scope(tenant.pk, user_id=user.pk):
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise InvitationInvalid(_("This invitation has already been used."))
        if not Membership.objects.filter(tenant=tenant, user=user).exists():
            _check_seat_free(tenant=tenant, now=timezone.now(), accepting=locked)
        membership, created = Membership.objects.get_or_create(
            tenant=tenant, user=user, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            tenant=tenant,
            actor=user,
            action="membership.joined" if created else "invitation.accepted_existing",
            target=membership,
            data={"role": membership.role, "invitation_id": locked.pk},
        )
    return membership


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, actor: User, invitation_id: int) -> None:
    invitation = Invitation.objects.select_for_update().get(tenant=tenant, pk=invitation_id)
    _check_can_touch(tenant=tenant, actor=actor, roles={invitation.role})
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(tenant=tenant, actor=actor, action="invitation.revoked", target=invitation)


# ACCOUNTS
# ------------------------------------------------------------------------------


class EmailTaken(ValidationError):
    """An account with this email address already exists."""


@transaction.atomic
def account_signup(
    *, email: str, password: str, brand_name: str, locale: str = Tenant.Locale.ZH_CN
) -> tuple[User, Tenant | None]:
    """Create a login (username = lower-cased email) with an unverified email, and its brand.

    An empty `brand_name` creates no brand (someone signing up to accept an invitation).
    Raises EmailTaken when the address already has an account, even under a concurrent sign-up.
    """
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email.strip()).lower()
    taken = EmailTaken(_("An account with this email already exists. Log in instead."))
    if user_model.objects.filter(username__iexact=email).exists():
        raise taken
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(username=email, email=email, password=password)
    except IntegrityError:
        raise taken from None
    UserProfile.objects.create(user=user)
    tenant = tenant_create(name=brand_name, owner=user, locale=locale) if brand_name else None
    return user, tenant


def email_verify(*, user_id: int, email: str) -> bool:
    """Mark the user's email verified if it is still `email`; True when it is verified now.

    Idempotent: a second click keeps the first verification time.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or user.email.lower() != email.lower():
        return False
    profile, _created = UserProfile.objects.get_or_create(user=user)
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at"])
    return True


def invitation_state(*, token: str) -> str:
    """Why a token does or does not work: "open", "unknown", "used", "revoked" or "expired".

    The invitation page answers 404 for an unknown token and 410 for the others.
    """
    with unscoped(reason="invitation lookup by its secret token"):
        invitation = Invitation.all_tenants.filter(token_hash=_token_hash(token)).first()
    if invitation is None:
        return "unknown"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "open"
