"""Calls, applications, their public notice and objections, agreements, partners and the
service catalogue. Personal data (ID number, phone) stays on the application; public pages
read only the fields made for them (`public_name`, the service rows)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow.workflow.models import Process

from workflows.org.models import Community, Street
from workflows.partners.categories import ApplicantKind, ServiceCategory, TargetGroup
from workflows.partners.states import ApplicationLifecycle, PartnerLifecycle

DEFAULT_NOTICE_WORKING_DAYS = 5


class Call(models.Model):
    """A public call for partners (招募公告), published by a community or by the street for several."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("call state", "Open")
        CLOSED = "closed", _("Closed")

    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    communities = models.ManyToManyField(Community, verbose_name=_("communities"), related_name="partner_calls")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    categories = models.JSONField(_("service categories sought"), default=list, blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    notice_working_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"), default=DEFAULT_NOTICE_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)])
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("partner call")
        verbose_name_plural = _("partner calls")
        constraints = [
            models.CheckConstraint(name="partnercall_dates_ordered", condition=Q(closes_on__gte=models.F("opens_on"))),
        ]
        indexes = [
            # the closing sweep: open calls past their closing date
            models.Index(fields=["state", "closes_on"], name="partnercall_state_closes"),
        ]

    def __str__(self):
        return self.title


class Application(ApplicationLifecycle):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications")
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="partner_applications")
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="partner_applications")
    form_version = models.ForeignKey("lowcode.FormVersion", verbose_name=_("form version"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(_("form data"), default=dict)
    # Read from `data` through the purpose contract at filing: what the process and pages use.
    applicant_kind = models.CharField(_("applicant kind"), max_length=20, choices=ApplicantKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # USCC of an organisation or ID number of a resident: never shown on a public page.
    identifier = models.CharField(_("USCC or ID number"), max_length=18)
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True)
    consent_full_name = models.BooleanField(_("consents to the full name in public"), default=False)
    steps = models.JSONField(_("route"), default=list)
    round = models.PositiveIntegerField(_("round"), default=1)
    process = models.OneToOneField(Process, verbose_name=_("current route"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="partner_application")
    # Published with the result when an objection is upheld or a review rejects.
    outcome_reason = models.TextField(_("reason of the outcome"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")
        indexes = [
            # the scoped list of a community's applications by state
            models.Index(fields=["community", "state"], name="partnerapp_community_state"),
            # 我发起的 (filed by me)
            models.Index(fields=["submitter", "created_at"], name="partnerapp_submitter_created"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.name}"

    @property
    def title(self) -> str:
        return f"{self.community.name} · {self.public_name}"

    @property
    def public_name(self) -> str:
        from project.lib.masking import mask_person_name

        if self.applicant_kind == ApplicantKind.INDIVIDUAL and not self.consent_full_name:
            return mask_person_name(self.name)
        return self.name

    @property
    def services(self) -> list[dict]:
        return list(self.data.get("services") or [])


class Notice(models.Model):
    """The 公示 of one application: its period in working days and a clock that stops while an
    objection is open (the period's task and its deadline belong to the engine)."""

    class Outcome(models.TextChoices):
        RUNNING = "", pgettext_lazy("notice outcome", "Running")
        PASSED = "passed", _("Passed without upheld objection")
        REJECTED = "rejected", _("Ended by an upheld objection")

    application = models.OneToOneField(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                       related_name="notice")
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    working_days = models.PositiveSmallIntegerField(_("working days"))
    starts_on = models.DateField(_("published on"))
    ends_on = models.DateField(_("ends on"))
    suspended = models.BooleanField(_("clock suspended"), default=False)
    days_left = models.PositiveSmallIntegerField(_("working days left when suspended"), null=True, blank=True)
    task_id = models.BigIntegerField(_("period task"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True, default="")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        indexes = [
            # the notice board of a community: current ones, then past results
            models.Index(fields=["community", "outcome", "starts_on"], name="notice_community_outcome"),
        ]

    def __str__(self):
        return f"{self.application} {self.starts_on}–{self.ends_on}"


def objection_upload_to(instance, filename):
    return f"partners/objections/{instance.application_id}/{filename}"


def agreement_upload_to(instance, filename):
    return f"partners/agreements/{instance.community_id}/{filename}"


class Objection(models.Model):
    """An objection (异议) under the objector's real name; shown in public without it."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("objection state", "Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")
        CLOSED = "closed", _("Closed with the application")

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="objections")
    objector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("objector"), on_delete=models.PROTECT,
                                 related_name="+")
    reason = models.TextField(_("reason"), max_length=1000)
    attachment = models.FileField(_("attachment"), upload_to=objection_upload_to, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    reply = models.TextField(_("reply"), blank=True)
    task_id = models.BigIntegerField(_("task"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        indexes = [
            # "is any objection of this application still open" (the notice clock)
            models.Index(fields=["application", "state"], name="objection_application_state"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.application}"


class Agreement(models.Model):
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(Application, verbose_name=_("application"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="agreement")
    number = models.CharField(_("number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    charity_rate = models.DecimalField(_("charity share of leased-room revenue"), max_digits=4, decimal_places=2,
                                       default=Decimal("0.10"))
    scan = models.FileField(_("signed scan"), upload_to=agreement_upload_to, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("partner agreement")
        verbose_name_plural = _("partner agreements")
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "sequence"], name="agreement_unique_sequence"),
            models.CheckConstraint(name="agreement_term_ordered", condition=Q(ends_on__gt=models.F("starts_on"))),
        ]

    def __str__(self):
        return self.number


class Partner(PartnerLifecycle):
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="partners")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT,
                             related_name="partnerships")
    application = models.OneToOneField(Application, verbose_name=_("application"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="partner")
    agreement = models.OneToOneField(Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT,
                                     related_name="partner")
    kind = models.CharField(_("kind"), max_length=20, choices=ApplicantKind.choices)
    # The name the catalogue shows: an organisation's name, a resident's masked name (李某) unless
    # they consented to the full one.
    public_name = models.CharField(_("public name"), max_length=200)
    term_ends_on = models.DateField(_("term ends on"))
    reason = models.TextField(_("reason of the last change"), blank=True)
    term_reminded_at = models.DateTimeField(_("term-end reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["community_id", "public_name", "id"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        indexes = [
            # the catalogue and the scoped list: a community's partners by state
            models.Index(fields=["community", "state"], name="partner_community_state"),
            # the term-end sweep
            models.Index(fields=["state", "term_ends_on"], name="partner_state_term"),
        ]

    def __str__(self):
        return self.public_name


class Service(models.Model):
    """One service item of a partner; `listed` ones make the community's public catalogue."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="services")
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("service"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    paid = models.BooleanField(_("paid"))
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    target = models.CharField(_("target group"), max_length=10, choices=TargetGroup.choices, default=TargetGroup.ALL)
    expected_revenue = models.DecimalField(_("expected yearly revenue"), max_digits=12, decimal_places=2,
                                           default=Decimal("0"))
    listed = models.BooleanField(_("in the catalogue"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["community_id", "category", "partner_id", "position", "id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [
            # the public catalogue of a community, filtered by target group and paid/free
            models.Index(fields=["community", "listed", "target", "paid"], name="service_catalogue"),
        ]

    def __str__(self):
        return self.name
