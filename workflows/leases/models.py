"""The room calendar (occurrences), lease requests and leases, the guideline that routes them,
rent, revenue reports and the charity remittances.

Opening hours are `org.OpeningHours` (a weekly window per weekday, its kind regular, extended 延时
or staggered 错时): they belong to the room, whoever uses it, so they live beside the room in org;
this app only reads them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from workflows.leases.states import LeaseLifecycle, RequestLifecycle
from workflows.org.models import Community, Room, Street

CHARITY_RATE = Decimal("0.10")


class PriceModel(models.TextChoices):
    FREE = "free", _("Free (公益)")
    LOW = "low", _("Low price (低偿)")
    MARKET = "market", _("Market price")


class Guideline(models.Model):
    """One version of the street's lease guideline (《沙坪街道社区物业租赁管理工作指引》) as data:
    who must sign a lease request beyond the community secretary, the term limit and the low-price
    cap. A request is routed by the version in force on the day it is filed and keeps it."""

    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    committee_term_months = models.PositiveSmallIntegerField(
        _("committee countersigns a term longer than (months)"), default=12)
    committee_on_market = models.BooleanField(_("committee countersigns a market-price lease"), default=True)
    street_area_m2 = models.DecimalField(_("street reviews a room larger than (m²)"), max_digits=8, decimal_places=2,
                                         default=Decimal("100"))
    street_term_months = models.PositiveSmallIntegerField(_("street reviews a term longer than (months)"), default=12)
    max_term_years = models.PositiveSmallIntegerField(_("longest term (years)"), default=3,
                                                      validators=[MinValueValidator(1), MaxValueValidator(20)])
    low_price_cap = models.DecimalField(_("low price cap (share of the market rate)"), max_digits=3, decimal_places=2,
                                        default=Decimal("0.70"))
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["street_id", "-effective_from", "-version"]
        verbose_name = _("lease guideline")
        verbose_name_plural = _("lease guidelines")
        constraints = [
            models.UniqueConstraint(fields=["street", "version"], name="leaseguideline_unique_version"),
            # 民法典 Art. 705: a lease runs for at most 20 years.
            models.CheckConstraint(name="leaseguideline_term_by_law", condition=Q(max_term_years__lte=20)),
        ]

    def __str__(self):
        return f"{self.street} v{self.version}"


class RoomRate(models.Model):
    """A leasable room's market rate per hour and deposit (what `market` charges and `low` caps)."""

    room = models.OneToOneField(Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="lease_rate")
    hourly_rate = models.DecimalField(_("market rate per hour"), max_digits=8, decimal_places=2,
                                      validators=[MinValueValidator(Decimal("0"))])
    deposit = models.DecimalField(_("deposit"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("room rate")
        verbose_name_plural = _("room rates")

    def __str__(self):
        return f"{self.room} ¥{self.hourly_rate}/h"


class LeaseRequest(RequestLifecycle):
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="lease_requests")
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="lease_requests")
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                                  related_name="lease_requests")
    service = models.CharField(_("service"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # [{"weekdays": [1, 3], "starts": "18:30", "ends": "20:30"}] (weekday 0 = Monday)
    slots = models.JSONField(_("weekly slots"), default=list)
    # The slots as RFC 5545 text (DTSTART, RRULE and EXDATE lines per slot), expanded by dateutil.
    recurrence = models.TextField(_("recurrence (RFC 5545)"))
    skip_dates = models.JSONField(_("dates skipped on purpose"), default=list, blank=True)
    # Dates left out because they clashed with another lease: [{date, starts, ends, lease}].
    conflict_skips = models.JSONField(_("dates skipped for a conflict"), default=list, blank=True)
    include_holidays = models.BooleanField(_("also on statutory holidays"), default=False)
    price_model = models.CharField(_("price model"), max_length=10, choices=PriceModel.choices)
    hourly_rate = models.DecimalField(_("rent per hour"), max_digits=8, decimal_places=2, default=Decimal("0"))
    deposit = models.DecimalField(_("deposit"), max_digits=10, decimal_places=2, default=Decimal("0"))
    form_version = models.ForeignKey("lowcode.FormVersion", verbose_name=_("form version"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(_("form data"), default=dict, blank=True)
    guideline = models.ForeignKey(Guideline, verbose_name=_("guideline version"), on_delete=models.PROTECT,
                                  related_name="+")
    steps = models.JSONField(_("route"), default=list)
    round = models.PositiveIntegerField(_("round"), default=1)
    process = models.OneToOneField(Process, verbose_name=_("current route"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="lease_request")
    held_until = models.DateTimeField(_("slots held until"), null=True, blank=True)
    renews = models.ForeignKey("Lease", verbose_name=_("renews"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="renewals")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lease request")
        verbose_name_plural = _("lease requests")
        constraints = [
            models.CheckConstraint(name="leaserequest_term_ordered", condition=Q(ends_on__gt=models.F("starts_on"))),
        ]
        indexes = [
            # the scoped list of a community's requests by state
            models.Index(fields=["community", "state"], name="leaserequest_community_state"),
            # the hold sweep: requests still holding, by the end of their hold
            models.Index(fields=["state", "held_until"], name="leaserequest_state_held"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.service}"

    @property
    def title(self) -> str:
        return f"{self.room} · {self.service}"


def contract_upload_to(instance, filename):
    return f"leases/contracts/{instance.community_id}/{filename}"


def receipt_upload_to(instance, filename):
    return f"leases/receipts/{instance.report.lease.community_id}/{filename}"


class Lease(LeaseLifecycle):
    request = models.OneToOneField(LeaseRequest, verbose_name=_("request"), on_delete=models.PROTECT,
                                   related_name="lease")
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="leases")
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="leases")
    service = models.CharField(_("service"), max_length=200)
    contract_number = models.CharField(_("contract number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    signed_on = models.DateField(_("signed on"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
                                  related_name="+")
    scan = models.FileField(_("signed scan"), upload_to=contract_upload_to, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    price_model = models.CharField(_("price model"), max_length=10, choices=PriceModel.choices)
    hourly_rate = models.DecimalField(_("rent per hour"), max_digits=8, decimal_places=2)
    deposit = models.DecimalField(_("deposit"), max_digits=10, decimal_places=2, default=Decimal("0"))
    charity_rate = models.DecimalField(_("charity share of revenue"), max_digits=4, decimal_places=2,
                                       default=CHARITY_RATE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    reason = models.TextField(_("reason of the end"), blank=True)
    term_reminded_at = models.DateTimeField(_("end-of-term reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["community_id", "-starts_on", "-id"]
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "sequence"], name="lease_unique_sequence"),
            models.CheckConstraint(name="lease_term_ordered", condition=Q(ends_on__gt=models.F("starts_on"))),
        ]
        indexes = [
            # the scoped list and the sweeps: a community's leases by state and end date
            models.Index(fields=["community", "state", "ends_on"], name="lease_community_state_ends"),
            models.Index(fields=["state", "ends_on"], name="lease_state_ends"),
        ]

    def __str__(self):
        return self.contract_number


class Occurrence(models.Model):
    """One reserved slot of a room: held by a request under review, or part of an active lease.

    Only live reservations are rows: a released hold or an ended lease's future slots are deleted,
    so "two rows of one room overlap" is exactly a double booking. On PostgreSQL an exclusion
    constraint on (room, [starts_at, ends_at)) forbids it (migration 0002)."""

    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(LeaseRequest, verbose_name=_("request"), on_delete=models.CASCADE,
                                related_name="occurrences")
    lease = models.ForeignKey(Lease, verbose_name=_("lease"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="occurrences")
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        constraints = [
            models.CheckConstraint(name="occurrence_starts_before_ends", condition=Q(starts_at__lt=models.F("ends_at"))),
        ]
        indexes = [
            # the room calendar and the conflict check: a room's slots in a time window
            models.Index(fields=["room", "starts_at"], name="occurrence_room_starts"),
            # the public week page: every slot of a community's rooms in a week
            models.Index(fields=["date", "room"], name="occurrence_date_room"),
        ]

    def __str__(self):
        return f"{self.room_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    @property
    def state(self) -> str:
        return "active" if self.lease_id else "held"


class RentCharge(models.Model):
    """The rent of one month of a low- or market-price lease: rate × the month's hours."""

    lease = models.ForeignKey(Lease, verbose_name=_("lease"), on_delete=models.CASCADE, related_name="charges")
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("rent"), max_digits=12, decimal_places=2)
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["lease_id", "month"]
        verbose_name = _("rent charge")
        verbose_name_plural = _("rent charges")
        constraints = [models.UniqueConstraint(fields=["lease", "month"], name="rentcharge_unique_month")]
        indexes = [
            # the arrears sweep: charges by due date
            models.Index(fields=["due_on"], name="rentcharge_due"),
        ]

    def __str__(self):
        return f"{self.lease_id} {self.month:%Y-%m} ¥{self.amount}"


class RentPayment(models.Model):
    lease = models.ForeignKey(Lease, verbose_name=_("lease"), on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    voucher_number = models.CharField(_("voucher number"), max_length=64)
    ledger_line = models.OneToOneField("ledger.LedgerLine", verbose_name=_("ledger line"), null=True,
                                       on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["lease_id", "paid_on", "id"]
        verbose_name = _("rent payment")
        verbose_name_plural = _("rent payments")

    def __str__(self):
        return f"{self.lease_id} {self.paid_on} ¥{self.amount}"


class RevenueReport(models.Model):
    """A partner's revenue from a leased room in one month, and the charity share it owes."""

    lease = models.ForeignKey(Lease, verbose_name=_("lease"), on_delete=models.PROTECT, related_name="reports")
    month = models.DateField(_("month"))
    revenue = models.DecimalField(_("revenue"), max_digits=12, decimal_places=2)
    sessions = models.PositiveIntegerField(_("sessions held"))
    participants = models.PositiveIntegerField(_("participants"))
    charity_rate = models.DecimalField(_("charity rate"), max_digits=4, decimal_places=2)
    charity_due = models.DecimalField(_("charity share due"), max_digits=12, decimal_places=2)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                                 related_name="+")
    on_behalf = models.BooleanField(_("filed by staff on the partner's behalf"), default=False)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        ordering = ["lease_id", "month"]
        verbose_name = _("revenue report")
        verbose_name_plural = _("revenue reports")
        constraints = [models.UniqueConstraint(fields=["lease", "month"], name="revenuereport_unique_month")]

    def __str__(self):
        return f"{self.lease_id} {self.month:%Y-%m} ¥{self.revenue}"


class Remittance(models.Model):
    """Money the partner passed to 鹤山市慈善会, with the federation's receipt (not a line of the
    community's books: it goes from the partner to the federation)."""

    report = models.ForeignKey(RevenueReport, verbose_name=_("revenue report"), on_delete=models.PROTECT,
                               related_name="remittances")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    remitted_on = models.DateField(_("remitted on"))
    receipt_code = models.CharField(_("receipt code (票据代码)"), max_length=20)
    receipt_number = models.CharField(_("receipt number (号码)"), max_length=20)
    scan = models.FileField(_("receipt scan"), upload_to=receipt_upload_to, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    on_behalf = models.BooleanField(_("recorded by staff on the partner's behalf"), default=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["report_id", "remitted_on", "id"]
        verbose_name = _("remittance")
        verbose_name_plural = _("remittances")
        constraints = [
            models.UniqueConstraint(fields=["receipt_code", "receipt_number"], name="remittance_unique_receipt"),
        ]

    def __str__(self):
        return f"{self.receipt_code} {self.receipt_number} ¥{self.amount}"


class Reminder(models.Model):
    """That a timer told someone about a lease (rent arrears, a missing report, an unpaid share,
    the end of the term) at a level (1 told, 2 escalated): the sweep tells each thing once."""

    class Subject(models.TextChoices):
        RENT = "rent", _("Rent unpaid")
        REPORT = "report", _("Revenue report missing")
        SHARE = "share", _("Charity share unpaid")
        TERM = "term", _("Lease ends soon")

    lease = models.ForeignKey(Lease, verbose_name=_("lease"), on_delete=models.CASCADE, related_name="reminders")
    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices)
    key = models.CharField(_("about"), max_length=20)  # the month (YYYY-MM) or the report id
    level = models.PositiveSmallIntegerField(_("level"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lease reminder")
        verbose_name_plural = _("lease reminders")
        constraints = [
            models.UniqueConstraint(fields=["lease", "subject", "key", "level"], name="leasereminder_once"),
        ]

    def __str__(self):
        return f"{self.lease_id} {self.subject} {self.key} {self.level}"
