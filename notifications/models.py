from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One inbox row per recipient: the truth that pushes and mails only announce.

    The row keeps the kind and its parameters, not rendered text: title and body are rendered
    from the kind's translatable templates in the reader's language when shown (see kinds.py).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # 1, 2, 3 … per recipient, drawn from NotificationCounter.seq under that row's lock, so a
    # recipient's seq order is commit order (ids are not: a transaction may hold a lower id and
    # commit after a higher one). The socket resumes by it.
    seq = models.BigIntegerField(_("sequence"), editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # "my unread, newest first" (bell badge count, ?unread=1 list, read-all): only unread
            # rows are indexed, so the index stays small however long the inbox grows.
            models.Index(
                fields=["recipient", "-id"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            # The newest-first inbox page (the btree read backwards) and the legacy "after id N" resume.
            models.Index(fields=["recipient", "id"], name="notification_recipient_id"),
        ]
        constraints = [
            # Also the index of "my notifications after seq N, in order" (websocket resume).
            models.UniqueConstraint(fields=["recipient", "seq"], name="notification_recipient_seq"),
        ]

    def __str__(self):
        return f"{self.recipient_id} · {self.kind} · {self.pk}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationCounter(models.Model):
    """One row per user who was ever notified: the unread count and the last seq handed out.

    Every write that changes unread state updates it in the same transaction, so reading a badge
    is one primary-key read however long the backlog. notify() locks these rows (ascending user
    id, so concurrent fan-outs cannot deadlock) and draws the new rows' seqs under that lock.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_counter",
    )
    unread = models.IntegerField(_("unread"), default=0)
    seq = models.BigIntegerField(_("last sequence"), default=0)

    class Meta:
        verbose_name = _("notification counter")
        verbose_name_plural = _("notification counters")
        constraints = [
            models.CheckConstraint(condition=Q(unread__gte=0), name="notificationcounter_unread_not_negative"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.unread} unread · seq {self.seq}"
