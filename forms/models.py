from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forms.states import VersionLifecycle, VersionState


class VersionImmutable(Exception):
    """A published or retired version's schema cannot change (the API answers 409)."""


class Purpose(models.TextChoices):
    EXPENSE_EXTRA = "expense.extra", _("Expense request: extra fields")
    INCOME_EXTRA = "income.extra", _("Income record: extra fields")
    PARTNER_APPLICATION = "partner.application", _("Partner application")
    LEASE_REQUEST = "lease.request", _("Lease request")
    INQUIRY = "inquiry", _("Resident inquiry")


# Purposes filled only by people with a working role (community work roles, street roles): the
# internal extra fields of an expense or an income line. Residents and partners never see them
# among the forms they may fill. This is the default audience of such a form; a designer may set
# another one per form (FormDefinition.audience).
INTERNAL_PURPOSES: frozenset[str] = frozenset({Purpose.EXPENSE_EXTRA, Purpose.INCOME_EXTRA})

# Purposes whose submissions the residents of the submission's community may read. None is public
# yet: what a form carries (names, phones, amounts) is internal unless its purpose says otherwise.
PUBLIC_PURPOSES: frozenset[str] = frozenset()


class FormDefinition(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("owner (street)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "street"},
        related_name="form_definitions",
        help_text=_("Empty means the form applies to every street."),
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    # Role codes (workflows.org.roles.Role) of the people who may fill the form; empty means the
    # default of its purpose (permissions.audience_of). Written only by services.definition_audience_set,
    # which refuses anything but a list of known role codes.
    audience = models.JSONField(
        _("audience"), default=list, blank=True,
        help_text=_("Roles that may fill this form; none ticked means the default for its purpose."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["purpose", "code"]
        verbose_name = _("form definition")
        verbose_name_plural = _("form definitions")
        constraints = [
            # One form per purpose per street, and one global fallback per purpose, so
            # published_version_for(purpose, street) has a single answer.
            models.UniqueConstraint(fields=["purpose", "owner"], name="formdefinition_one_per_street_purpose"),
            models.UniqueConstraint(
                fields=["purpose"], condition=Q(owner__isnull=True), name="formdefinition_one_global_per_purpose"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class FormVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Bulk updates bypass save(); refuse the one that would rewrite a published schema.
        if "schema" in kwargs and self.exclude(state=VersionState.DRAFT).exists():
            raise VersionImmutable("A published or retired form version cannot be changed.")
        return super().update(**kwargs)


class FormVersion(VersionLifecycle):
    definition = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    schema = models.JSONField(_("schema"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = FormVersionQuerySet.as_manager()

    class Meta:
        ordering = ["definition_id", "-number"]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="formversion_unique_number"),
            models.UniqueConstraint(
                fields=["definition"], condition=Q(state="published"), name="formversion_one_published"
            ),
            models.UniqueConstraint(fields=["definition"], condition=Q(state="draft"), name="formversion_one_draft"),
        ]

    def __str__(self):
        return f"{self.definition.code} v{self.number} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        # The last line of defence (services and admin check first): whatever the caller, a
        # schema stored on a published or retired row is never rewritten.
        if self.pk is not None:
            stored = FormVersion.objects.filter(pk=self.pk).values("state", "schema").first()
            if stored and stored["state"] != VersionState.DRAFT and stored["schema"] != self.schema:
                raise VersionImmutable("A published or retired form version cannot be changed.")
        super().save(*args, **kwargs)

    def parsed(self):
        from forms.builder import schema_of

        return schema_of(self)


class FormSubmission(models.Model):
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    data = models.JSONField(_("data"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        indexes = [
            # "my submissions, newest first" and the scoped submission list.
            models.Index(fields=["submitted_by", "-created_at"], name="formsub_by_created"),
            models.Index(fields=["org_unit", "-created_at"], name="formsub_unit_created"),
        ]

    def __str__(self):
        return f"#{self.pk} · {self.version}"


class FormHistory(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        DRAFT_CREATED = "draft_created", _("Draft created")
        EDITED = "edited", _("Edited")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")
        SUBMITTED = "submitted", _("Submitted")
        AUDIENCE_SET = "audience_set", _("Audience set")

    definition = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="history")
    version = models.ForeignKey(FormVersion, null=True, on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    state_before = models.CharField(max_length=16, blank=True)
    state_after = models.CharField(max_length=16, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("form history")
        verbose_name_plural = _("form history")
        indexes = [
            # "history of this definition, newest first" on the designer page.
            models.Index(fields=["definition", "-at"], name="formhistory_definition_at"),
        ]

    def __str__(self):
        return f"{self.definition.code} · {self.action}"
