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
            # "my notifications after id N, in order" (websocket resume) and the newest-first inbox
            # page (the same btree read backwards).
            models.Index(fields=["recipient", "id"], name="notification_recipient_id"),
        ]

    def __str__(self):
        return f"{self.recipient_id} · {self.kind} · {self.pk}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
