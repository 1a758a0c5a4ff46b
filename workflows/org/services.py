"""Writes in the org area: role memberships and login bookkeeping."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from project import throttle
from project.text import free_text_problem
from workflows.org import permissions
from workflows.org.models import Community, OrgUnit, RoleMembership, Room, User
from workflows.org.signals import roles_changed

LoginThrottled = throttle.Throttled


def _login_counters(username: str, client_ip: str) -> tuple[throttle.Counter, throttle.Counter, throttle.Counter]:
    """A user name is limited per address (typos elsewhere never lock its owner out); an address
    has a much higher limit of its own (an office may share one); and a name has a limit across
    all addresses, higher still, against guessing one account from many addresses."""
    address = client_ip or "unknown"
    name = username.strip().lower()
    window = settings.LOGIN_FAILURE_WINDOW
    return (
        throttle.Counter("login-user", f"{name}@{address}", settings.LOGIN_FAILURE_LIMIT, window),
        throttle.Counter("login-address", address, settings.LOGIN_ADDRESS_FAILURE_LIMIT, window),
        throttle.Counter("login-name", name, settings.LOGIN_NAME_FAILURE_LIMIT, window),
    )


def user_authenticate(*, request, username: str, password: str, client_ip: str) -> User:
    """Check credentials with failed-attempt throttling shared by the login page and the API.

    The attempt is counted before the password is checked (atomically), so simultaneous
    guesses cannot all slip under the limit; a success gives its count back and clears the name's
    count at this address, but never the address's count of other failures, nor the name's count
    from other addresses (the owner's own login must not reopen the account to a spread attack).
    """
    per_user, per_address, per_name = _login_counters(username, client_ip)
    throttle.reserve_all([per_user, per_address, per_name])
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise ValidationError(_("Wrong username or password."), code="invalid_login")
    per_address.release()
    per_name.release()
    per_user.reset()
    return user


def login_throttled_message(exc: throttle.Throttled) -> str:
    """The same words on the page and the API, with the time really left."""
    minutes = max(1, -(-exc.retry_after // 60))
    if exc.scope == "login-name":
        return ngettext(
            "Too many failed logins to this account from several addresses. Try again in %(minutes)s minute.",
            "Too many failed logins to this account from several addresses. Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    if exc.scope == "login-address":
        return ngettext(
            "Too many failed logins from this address. Try again in %(minutes)s minute.",
            "Too many failed logins from this address. Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    return ngettext(
        "Too many failed logins. Try again in %(minutes)s minute.",
        "Too many failed logins. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def client_ip_of(request) -> str:
    return throttle.client_ip(request)


def _check_texts(**values) -> None:
    errors = {field: [p] for field, value in values.items() if (p := free_text_problem(value))}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def membership_grant(*, actor, user: User, role: str, org_unit: OrgUnit) -> RoleMembership:
    if not permissions.can_manage_memberships(actor):
        raise PermissionDenied
    membership = RoleMembership(user=user, role=role, org_unit=org_unit)
    membership.full_clean(validate_unique=False)
    membership, _created = RoleMembership.objects.get_or_create(user=user, role=role, org_unit=org_unit)
    transaction.on_commit(lambda: roles_changed.send(sender=RoleMembership, user_id=user.id))
    return membership


@transaction.atomic
def membership_revoke(*, actor, user: User, role: str, org_unit: OrgUnit) -> int:
    if not permissions.can_manage_memberships(actor):
        raise PermissionDenied
    deleted, _ = RoleMembership.objects.filter(user=user, role=role, org_unit=org_unit).delete()
    if deleted:
        transaction.on_commit(lambda: roles_changed.send(sender=RoleMembership, user_id=user.id))
    return deleted


@transaction.atomic
def room_create(
    *,
    actor,
    community: Community,
    name: str,
    kind: str,
    area_m2,
    floor: str = "",
    capacity=None,
    for_lease: bool = False,
    note: str = "",
) -> Room:
    """Add a room. Values may be raw text (an import): full_clean converts and validates them."""
    if not permissions.can_manage_rooms(actor, community):
        raise PermissionDenied
    _check_texts(name=name, floor=floor, note=note)
    room = Room(
        community=community,
        name=name,
        kind=kind,
        area_m2=area_m2,
        floor=floor,
        capacity=capacity,
        for_lease=for_lease,
        note=note,
    )
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def user_create(*, actor, username: str, display_name: str = "", phone: str = "", email: str = "") -> User:
    """Create a user without a password: they set one through a reset, never from a file."""
    if not permissions.can_create_users(actor):
        raise PermissionDenied
    _check_texts(username=username, display_name=display_name)
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def validate_role_for_unit(role: str, org_unit: OrgUnit) -> None:
    RoleMembership(role=role, org_unit=org_unit).clean()


__all__ = [
    "LoginThrottled",
    "ValidationError",
    "client_ip_of",
    "membership_grant",
    "membership_revoke",
    "room_create",
    "user_create",
    "user_authenticate",
    "validate_role_for_unit",
]
