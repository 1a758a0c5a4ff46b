from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticError
from viewflow.workflow.models import Process

from workflows.expenses.policy import RowCondition, StepList
from workflows.expenses.states import ExpenseLifecycle, ExpenseState
from workflows.ledger.categories import ExpenseCategory
from workflows.org.models import Community, Street

MAX_AMOUNT = Decimal("10000000.00")


class AuthorityPolicy(models.Model):
    """One numbered version of a street's authority table (分级审批权限表). Never edited in place."""

    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="authority_policies")
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["street_id", "-version"]
        verbose_name = _("authority policy")
        verbose_name_plural = _("authority policies")
        constraints = [
            models.UniqueConstraint(fields=["street", "version"], name="authoritypolicy_unique_version"),
        ]
        indexes = [
            # "the version in force for this street on date D": newest version with effective_from <= D
            models.Index(fields=["street", "version", "effective_from"], name="authoritypolicy_in_force"),
        ]

    def __str__(self):
        return f"{self.street} v{self.version}"


class AuthorityRule(models.Model):
    """A row: category (or any) × amount range (exclusive lower, inclusive upper) → ordered steps."""

    policy = models.ForeignKey(AuthorityPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(_("position"))
    category = models.CharField(_("category"), max_length=32, choices=ExpenseCategory.choices, blank=True,
                                help_text=_("Empty means any category."))
    amount_above = models.DecimalField(_("amount above"), max_digits=12, decimal_places=2, default=Decimal("0"))
    amount_upto = models.DecimalField(_("amount up to"), max_digits=12, decimal_places=2, null=True, blank=True,
                                      help_text=_("Empty means no upper limit."))
    steps = models.JSONField(_("steps"))
    condition = models.JSONField(_("condition"), null=True, blank=True,
                                 help_text=_("Optional: the row applies only when this condition on the request holds."))

    class Meta:
        ordering = ["policy_id", "position"]
        verbose_name = _("authority rule")
        verbose_name_plural = _("authority rules")
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="authorityrule_unique_position"),
            models.CheckConstraint(
                name="authorityrule_range_is_ordered",
                condition=Q(amount_upto__isnull=True) | Q(amount_upto__gt=models.F("amount_above")),
            ),
        ]

    def __str__(self):
        return f"{self.policy} #{self.position}"

    def clean(self):
        try:
            StepList.model_validate(self.steps)
        except PydanticError as exc:
            raise ValidationError({"steps": exc.errors()[0]["msg"]}) from None
        if self.condition is not None:
            try:
                RowCondition.model_validate(self.condition)
            except PydanticError as exc:
                raise ValidationError({"condition": exc.errors()[0]["msg"]}) from None

    def matches(self, *, category: str, amount: Decimal, facts: dict | None = None) -> bool:
        """`facts`: what a row condition may read (expense.extra fields, amount, category)."""
        from forms.conditions import evaluate

        if self.category and self.category != category:
            return False
        if amount <= self.amount_above:
            return False
        if self.amount_upto is not None and amount > self.amount_upto:
            return False
        return evaluate(self.condition, facts or {"category": category, "amount": str(amount)})


class ExpenseRequest(ExpenseLifecycle):
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="expense_requests")
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    category = models.CharField(_("category"), max_length=32, choices=ExpenseCategory.choices)
    payee = models.CharField(_("payee"), max_length=150)
    purpose = models.TextField(_("purpose"), max_length=2000)
    cc = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("copied to"), blank=True, related_name="expense_requests_cc")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitter"), on_delete=models.PROTECT, related_name="expense_requests"
    )
    policy = models.ForeignKey(AuthorityPolicy, verbose_name=_("authority policy"), on_delete=models.PROTECT, related_name="requests")
    # The route snapshot taken at filing: the steps of the matching row of `policy`.
    steps = models.JSONField(_("route"), default=list)
    # The street's published expense.extra form at filing, and the data validated against it.
    extra_form = models.ForeignKey(
        "lowcode.FormVersion", verbose_name=_("extra form"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extra = models.JSONField(_("extra fields"), default=dict, blank=True)
    round = models.PositiveIntegerField(_("round"), default=1)
    process = models.OneToOneField(
        Process, verbose_name=_("current route"), null=True, blank=True, on_delete=models.SET_NULL, related_name="expense_request"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    voucher_number = models.CharField(_("voucher number"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("expense request")
        verbose_name_plural = _("expense requests")
        constraints = [
            models.CheckConstraint(name="expenserequest_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="expenserequest_paid_has_voucher",
                condition=~Q(state=ExpenseState.PAID) | (Q(paid_on__isnull=False) & ~Q(voucher_number="")),
            ),
        ]
        indexes = [
            # the scoped list "requests of these communities in state S", and the approved-but-unpaid sum at payment
            models.Index(fields=["community", "state"], name="expense_community_state"),
            # 我发起的 (filed by me)
            models.Index(fields=["submitter", "created_at"], name="expense_submitter_created"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.community} ¥{self.amount} {self.payee}"

    @property
    def title(self) -> str:
        # The choice's own label (one translation lookup): get_category_display() rebuilds the
        # whole choices mapping on every call, and the title is in every event of every action.
        label = ExpenseCategory(self.category).label if self.category in ExpenseCategory.values else self.category
        return f"{self.community.name} · {label} · ¥{self.amount:,.2f} · {self.payee}"


class ExpenseAttachment(models.Model):
    """An invoice or photo attached when the request is filed or resubmitted (images and PDF,
    checked by the one upload policy); shown to everyone who may see the request."""

    request = models.ForeignKey(ExpenseRequest, verbose_name=_("request"), on_delete=models.CASCADE,
                                related_name="attachments")
    file = models.FileField(_("file"), upload_to="expenses/attachments/%Y/%m/")
    # The name the uploader's device gave it (shown, never used as a path).
    client_name = models.CharField(_("original name"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    round = models.PositiveIntegerField(_("round"), default=1)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return f"#{self.request_id} {self.client_name or self.file.name}"
