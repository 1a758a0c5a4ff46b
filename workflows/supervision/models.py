"""Monthly reports for the street office, frozen like a disclosure.

A report is written once, by the timer on the first working day of the next month (or by an
admin's command), from the figures of that moment: `snapshot` is canonical JSON and `hash` its
SHA-256, so the printed page and the xlsx show what was true then, whatever changes later. Rows
are never edited or deleted.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workflows.org.models import Community, Street


class ImmutableReport(Exception):
    pass


class ReportQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableReport("Monthly reports cannot be changed.")

    def delete(self):
        raise ImmutableReport("Monthly reports cannot be deleted.")


class MonthlyReport(models.Model):
    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="street_reports")
    # Empty: the street's own report (every community, and the totals).
    community = models.ForeignKey(Community, verbose_name=_("community"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="community_reports")
    period = models.DateField(_("period"), help_text=_("the first day of the month reported"))
    snapshot = models.TextField(_("snapshot (canonical JSON)"))
    hash = models.CharField(_("SHA-256"), max_length=64)
    generated_at = models.DateTimeField(_("generated at"))

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "street_id", "community_id"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.CheckConstraint(name="report_period_is_first_of_month", condition=Q(period__day=1)),
            # One report per community and month, and one street report per month: the timer may
            # run twice (two loops, a restart) and must not write a second one.
            models.UniqueConstraint(fields=["community", "period"], condition=Q(community__isnull=False),
                                    name="report_one_per_community_month"),
            models.UniqueConstraint(fields=["street", "period"], condition=Q(community__isnull=True),
                                    name="report_one_per_street_month"),
        ]
        indexes = [
            # GET /api/street/reports/?period=: a month's reports of a street
            models.Index(fields=["street", "period"], name="report_street_period"),
        ]

    def __str__(self):
        return f"{self.community or self.street} · {self.period:%Y-%m}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableReport("Monthly reports cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableReport("Monthly reports cannot be deleted.")

    @property
    def period_text(self) -> str:
        return f"{self.period:%Y-%m}"
