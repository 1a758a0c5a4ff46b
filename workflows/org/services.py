"""Writes in the org area: role memberships and login bookkeeping."""

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workflows.org import permissions
from workflows.org.models import Community, OrgUnit, RoleMembership, Room, User
from workflows.org.signals import roles_changed


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _failure_keys(username: str, client_ip: str) -> list[str]:
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{user_key}", f"login-fail:ip:{client_ip or 'unknown'}"]


def login_failures_exceeded(*, username: str, client_ip: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _failure_keys(username, client_ip))


def login_record_failure(*, username: str, client_ip: str) -> None:
    for key in _failure_keys(username, client_ip):
        # add() only sets when absent, so the window starts at the first failure.
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def user_authenticate(*, request, username: str, password: str, client_ip: str) -> User:
    """Check credentials with failed-attempt throttling shared by the login page and the API."""
    if login_failures_exceeded(username=username, client_ip=client_ip):
        raise LoginThrottled(settings.LOGIN_FAILURE_WINDOW)
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_record_failure(username=username, client_ip=client_ip)
        raise ValidationError(_("Wrong username or password."), code="invalid_login")
    for key in _failure_keys(username, client_ip):
        cache.delete(key)
    return user


def client_ip_of(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


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
