"""Writes in the notifications area.

`notify` writes one inbox row per recipient inside the caller's transaction and hands the rows to
the transports only after commit: a rolled-back action never announces anything, and a push that
is lost costs nothing because the row is the truth.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import kinds, transports
from notifications.groups import role_group
from notifications.models import Notification
from workflows.org.models import OrgUnit, User
from workflows.org.selectors import holders_of


@dataclass(frozen=True)
class RoleQueue:
    """Every active holder of `role` in one org unit (a community or the street)."""

    role: str
    org_unit_id: int


def _clean_url(url: str) -> str:
    # Links are site paths only: a notification must never carry an off-site or javascript: link.
    if not url:
        return ""
    if not url.startswith("/") or url.startswith("//") or len(url) > 500:
        raise ValidationError({"url": _("A notification link must be a path on this site.")}, code="bad_url")
    return url


def _user_id(user) -> int:
    return user if isinstance(user, int) else user.pk


def notify(
    *,
    kind: str,
    params: Mapping,
    url: str = "",
    users: Iterable = (),
    queues: Iterable[RoleQueue] = (),
) -> list[Notification]:
    """Write one row per distinct active recipient; push after commit. Returns the rows.

    `users` are User objects or ids; `queues` are role queues resolved to their holders now.
    A user reached twice (personally and through a queue, or through two queues) gets one row.
    """
    kind_def = kinds.get(kind)
    clean_params = kinds.validate_params(kind_def, params)
    url = _clean_url(url)
    queues = list(dict.fromkeys(queues))

    # Who gets the row, and which channel-layer group will carry the push to them: the first
    # queue that reaches a user, else their personal group.
    route: dict[int, str | None] = {}
    if queues:
        unit_kinds = dict(OrgUnit.objects.filter(id__in={q.org_unit_id for q in queues}).values_list("id", "kind"))
        for queue in queues:
            if queue.org_unit_id not in unit_kinds:
                raise ValidationError({"queues": _("Unknown org unit.")}, code="bad_queue")
            group = role_group(unit_kinds[queue.org_unit_id], queue.org_unit_id, queue.role)
            for user_id in holders_of(role=queue.role, org_unit_id=queue.org_unit_id).values_list("id", flat=True):
                route.setdefault(user_id, group)
    personal = [_user_id(u) for u in users]
    if personal:
        active = set(User.objects.filter(id__in=personal, is_active=True).values_list("id", flat=True))
        for user_id in personal:
            if user_id in active:
                route.setdefault(user_id, None)
    if not route:
        return []

    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            Notification(recipient_id=user_id, kind=kind, params=clean_params, url=url) for user_id in route
        )
        if any(row.pk is None for row in rows):  # backends without RETURNING (none we support)
            raise RuntimeError("bulk_create did not return primary keys")
        delivery = transports.Delivery(
            kind=kind,
            params=clean_params,
            url=url,
            created_at=rows[0].created_at,
            rows=tuple((row.recipient_id, row.pk, route[row.recipient_id]) for row in rows),
        )
        transaction.on_commit(lambda: transports.deliver(delivery))
    return rows


def notification_mark_read(*, actor, pk) -> Notification:
    """Mark one of the actor's rows read (idempotent). Another user's id is a 404."""
    with transaction.atomic():
        try:
            row = Notification.objects.select_for_update().get(pk=pk, recipient_id=actor.pk)
        except (Notification.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if row.read_at is None:
            row.read_at = timezone.now()
            row.save(update_fields=["read_at"])
            user_id = actor.pk
            transaction.on_commit(lambda: transports.announce_unread(user_id))
    return row


def notification_mark_all_read(*, actor) -> int:
    with transaction.atomic():
        changed = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if changed:
            user_id = actor.pk
            transaction.on_commit(lambda: transports.announce_unread(user_id))
    return changed
