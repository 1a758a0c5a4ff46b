"""Reads in the notifications area. Every query is scoped to one recipient."""

from collections.abc import Iterable

from django.db.models import Count, QuerySet
from django.http import Http404

from notifications.models import Notification


def notification_list_for_user(*, user, unread: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def notification_get_for_user(*, user, pk) -> Notification:
    try:
        return Notification.objects.get(pk=pk, recipient_id=user.pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def latest_id(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id).order_by("-id").values_list("id", flat=True).first() or 0


def notifications_after(*, user_id: int, after: int, limit: int) -> list[Notification]:
    """The resume query: rows with a larger id, oldest first (served by notification_recipient_id)."""
    return list(Notification.objects.filter(recipient_id=user_id, id__gt=after).order_by("id")[:limit])


def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Unread rows per recipient, in chunks so the IN list stays small on every backend."""
    ids = list(user_ids)
    counts = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        counts.update(
            Notification.objects.filter(recipient_id__in=chunk, read_at__isnull=True)
            .values("recipient_id")
            .annotate(n=Count("id"))
            .values_list("recipient_id", "n")
        )
    return counts
