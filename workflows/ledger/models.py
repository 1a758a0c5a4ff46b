"""The two-line ledger (收支两条线): income and expense lines that are posted once and never change.

A correction is a reversing line (红冲) on the same line kind with the negated amount, pointing
at the original; the original stays as it was. Income and expense are kept apart everywhere:
there is no netted figure in the model, the API or the pages.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.ledger.categories import ExpenseCategory, IncomeSource, LineKind
from workflows.org.models import Community

# The largest single amount the product accepts anywhere (expense requests use the same cap).
MAX_AMOUNT = Decimal("10000000.00")


class ImmutableLine(Exception):
    """Raised on any attempt to change or delete a posted ledger line."""


class LedgerLineQuerySet(models.QuerySet):
    # Bulk writes would bypass save(); the ledger has no legitimate use for them.
    def update(self, **kwargs):
        raise ImmutableLine("Posted ledger lines cannot be updated; post a reversing line instead.")

    def delete(self):
        raise ImmutableLine("Posted ledger lines cannot be deleted; post a reversing line instead.")


class LedgerLine(models.Model):
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="ledger_lines"
    )
    line = models.CharField(_("line"), max_length=8, choices=LineKind.choices)
    source = models.CharField(_("income source"), max_length=24, choices=IncomeSource.choices, blank=True)
    category = models.CharField(_("expense category"), max_length=24, choices=ExpenseCategory.choices, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    date = models.DateField(_("date"))
    # Payer for income, payee for expense.
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True)
    # Purpose of an expense, note on an income, reason of a reversal.
    note = models.CharField(_("purpose / note"), max_length=500, blank=True)
    voucher_number = models.CharField(_("voucher number"), max_length=64, blank=True)
    scan = models.FileField(_("voucher scan"), upload_to="ledger/scans/%Y/%m/", blank=True)
    # The process object that posted the line, e.g. ("expense", <request id>).
    source_type = models.CharField(_("posted by process"), max_length=32, blank=True)
    source_id = models.PositiveBigIntegerField(_("process id"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    is_opening_balance = models.BooleanField(_("opening balance"), default=False)
    # The street's published income.extra form when the income was recorded, and the data validated
    # against it: kept on the line as an expense request keeps its expense.extra (the version and
    # the JSON), so the immutable line carries everything it was recorded with and is read under
    # the ledger's scope, not the forms area's.
    extra_form = models.ForeignKey(
        "lowcode.FormVersion", verbose_name=_("extra form"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    extra = models.JSONField(_("extra fields"), default=dict, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)

    objects = LedgerLineQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        constraints = [
            models.CheckConstraint(name="ledgerline_line_known", condition=Q(line__in=LineKind.values)),
            # Income carries a source and no category; expense the other way round.
            models.CheckConstraint(
                name="ledgerline_income_has_source_expense_has_category",
                condition=(
                    Q(line=LineKind.INCOME, source__in=IncomeSource.values, category="")
                    | Q(line=LineKind.EXPENSE, category__in=ExpenseCategory.values, source="")
                ),
            ),
            # Originals are positive; a reversal is negative. The cap holds both ways.
            models.CheckConstraint(
                name="ledgerline_amount_sign_matches_reversal",
                condition=(
                    Q(reverses__isnull=True, amount__gt=0, amount__lte=MAX_AMOUNT)
                    | Q(reverses__isnull=False, amount__lt=0, amount__gte=-MAX_AMOUNT)
                ),
            ),
            models.CheckConstraint(
                name="ledgerline_source_ref_complete",
                condition=Q(source_type="", source_id__isnull=True) | (~Q(source_type="") & Q(source_id__isnull=False)),
            ),
            # A process object (an expense request) posts at most one original line: a retried or
            # doubled payment fails here instead of paying twice.
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=Q(reverses__isnull=True) & ~Q(source_type=""),
                name="ledgerline_one_posting_per_process_object",
            ),
            # `reverses` is one-to-one, so an original is reversed at most once (unique index).
        ]
        indexes = [
            # The ledger page and GET /api/ledger/: one community's lines of one kind, newest first,
            # in exactly the list's order so a page is an index range, not a sort of the whole line.
            models.Index(fields=["community", "line", "-date", "-id"], name="ledgerline_list_newest"),
        ]

    def __str__(self):
        return f"{self.community} · {self.get_line_display()} · {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableLine("Posted ledger lines cannot be changed; post a reversing line instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableLine("Posted ledger lines cannot be deleted; post a reversing line instead.")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def reversing_line(self) -> "LedgerLine | None":
        """The line that reversed this one, if any (select_related("reversed_by") to avoid a query)."""
        try:
            return self.reversed_by
        except LedgerLine.reversed_by.RelatedObjectDoesNotExist:
            return None

    @property
    def kind_label(self) -> str:
        return self.get_source_display() if self.line == LineKind.INCOME else self.get_category_display()


class ImmutableDisclosure(Exception):
    """Raised on any attempt to change or delete a published disclosure."""


class DisclosureQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableDisclosure("Published disclosures cannot be changed; publish a correction instead.")

    def delete(self):
        raise ImmutableDisclosure("Published disclosures cannot be deleted; publish a correction instead.")


class Disclosure(models.Model):
    """A month's books as published (月度公开), frozen: the snapshot text is what was shown.

    `snapshot` is canonical JSON (sorted keys, no spaces, UTF-8) holding every line of the period,
    each line's own total, the balance carried in, the previous disclosure's hash and what this
    one supersedes; `hash` is the SHA-256 of exactly that text. The community's disclosures form
    a chain in publishing order (`seq`): each snapshot names the hash of the one before it, so
    editing any stored row breaks its own hash or the next link. The totals and line count are
    copies of the snapshot's, kept for lists; verification compares them too.
    """

    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="disclosures")
    period = models.DateField(_("period"), help_text=_("the first day of the month disclosed"))
    seq = models.PositiveIntegerField(_("position in the chain"))
    snapshot = models.TextField(_("snapshot (canonical JSON)"))
    hash = models.CharField(_("SHA-256"), max_length=64, unique=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    supersedes = models.OneToOneField("self", verbose_name=_("supersedes"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    income_total = models.DecimalField(_("income total"), max_digits=14, decimal_places=2)
    expense_total = models.DecimalField(_("expense total"), max_digits=14, decimal_places=2)
    line_count = models.PositiveIntegerField(_("lines"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"),
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"))

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("monthly disclosure")
        verbose_name_plural = _("monthly disclosures")
        constraints = [
            models.UniqueConstraint(fields=["community", "seq"], name="disclosure_one_link_per_position"),
            models.CheckConstraint(name="disclosure_period_is_first_of_month", condition=Q(period__day=1)),
        ]
        indexes = [
            # the public list of a community (newest first) and the link before a disclosure
            models.Index(fields=["community", "-seq"], name="disclosure_chain"),
            # "is this period published?" and the due-date flag per community and month
            models.Index(fields=["community", "period"], name="disclosure_period"),
        ]

    def __str__(self):
        return f"{self.community} · {self.period:%Y-%m} · {self.hash[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDisclosure("Published disclosures cannot be changed; publish a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDisclosure("Published disclosures cannot be deleted; publish a correction instead.")

    @property
    def period_text(self) -> str:
        return f"{self.period:%Y-%m}"

    @property
    def is_superseded(self) -> bool:
        try:
            return self.superseded_by is not None
        except Disclosure.superseded_by.RelatedObjectDoesNotExist:
            return False
