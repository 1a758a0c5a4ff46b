"""Reads in the notifications area. Every query is scoped to one recipient."""

from django.db.models import QuerySet
from django.http import Http404

from notifications.models import Notification, NotificationCounter


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


def counter_of(*, user_id: int) -> tuple[int, int]:
    """(unread count, last seq) of a user: one primary-key read, whatever the backlog."""
    row = NotificationCounter.objects.filter(user_id=user_id).values_list("unread", "seq")[:1]
    return tuple(row[0]) if row else (0, 0)


def unread_count(*, user_id: int) -> int:
    return counter_of(user_id=user_id)[0]


def notifications_after_seq(*, user_id: int, after_seq: int, limit: int) -> list[Notification]:
    """The resume query: rows with a larger seq, in seq (= commit) order (notification_recipient_seq)."""
    return list(Notification.objects.filter(recipient_id=user_id, seq__gt=after_seq).order_by("seq")[:limit])


def notifications_after(*, user_id: int, after: int, limit: int) -> list[Notification]:
    """The legacy resume by id, oldest first (notification_recipient_id). It misses a row whose
    transaction committed after a higher id was seen; clients should resume by seq."""
    return list(Notification.objects.filter(recipient_id=user_id, id__gt=after).order_by("id")[:limit])
