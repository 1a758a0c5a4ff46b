from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workflows.org.roles import COMMUNITY_ROLES, STREET_ROLES, Role


class User(AbstractUser):
    """A person. Roles live in RoleMembership, never on the user row."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    email_notifications = models.BooleanField(
        _("e-mail notifications"), default=False, help_text=_("Also send notifications by e-mail.")
    )

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @property
    def label(self) -> str:
        return str(self)


class OrgUnit(models.Model):
    """One table for the street and its communities, so an org unit has one id space.

    Street and Community are proxies over it; every foreign key that means "a community" points
    at the Community proxy and is checked by services.
    """

    class Kind(models.TextChoices):
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Community")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("street"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    centre_name = models.CharField(_("service centre"), max_length=100, blank=True)
    public_space_m2 = models.DecimalField(
        _("public space (m²)"), max_digits=9, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        constraints = [
            models.CheckConstraint(
                name="orgunit_street_has_no_parent_community_has_one",
                condition=(Q(kind="street", parent__isnull=True) | Q(kind="community", parent__isnull=False)),
            ),
        ]
        indexes = [
            # "communities of this street", used by every street-level scope.
            models.Index(fields=["parent", "kind"], name="orgunit_parent_kind"),
        ]

    def __str__(self):
        return self.name

    @property
    def street_id(self) -> int:
        return self.id if self.kind == self.Kind.STREET else self.parent_id


class StreetManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OrgUnit.Kind.STREET)


class CommunityManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OrgUnit.Kind.COMMUNITY)


class Street(OrgUnit):
    objects = StreetManager()

    class Meta:
        proxy = True
        verbose_name = _("street")
        verbose_name_plural = _("streets")

    def save(self, *args, **kwargs):
        self.kind = OrgUnit.Kind.STREET
        super().save(*args, **kwargs)


class Community(OrgUnit):
    objects = CommunityManager()

    class Meta:
        proxy = True
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def save(self, *args, **kwargs):
        self.kind = OrgUnit.Kind.COMMUNITY
        super().save(*args, **kwargs)


class CommunityEnterprise(models.Model):
    """The community enterprise (社区企业) that holds the community's books and leases rooms."""

    community = models.OneToOneField(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="enterprise"
    )
    name = models.CharField(_("name"), max_length=150)
    established_on = models.DateField(_("established on"), null=True, blank=True)

    class Meta:
        verbose_name = _("community enterprise")
        verbose_name_plural = _("community enterprises")

    def __str__(self):
        return self.name


class Room(models.Model):
    class Kind(models.TextChoices):
        YOGA = "yoga", _("Yoga room")
        READING = "reading", _("Reading room")
        CALLIGRAPHY = "calligraphy", _("Calligraphy room")
        PAINTING = "painting", _("Painting room")
        COUNSELLING = "counselling", _("Counselling room")
        DANCE = "dance", _("Dance room")
        CLASSROOM = "classroom", _("Classroom")
        MEETING = "meeting", _("Meeting room")
        ACTIVITY = "activity", _("Activity hall")
        SERVICE = "service", _("Service room")
        OTHER = "other", _("Other")

    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    for_lease = models.BooleanField(_("offered for lease"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["community_id", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="room_unique_name_per_community"),
        ]
        indexes = [
            # "rooms of these communities", the scoped room list.
            models.Index(fields=["community", "for_lease"], name="room_community_lease"),
        ]

    def __str__(self):
        return f"{self.community.name} · {self.name}"


class OpeningHours(models.Model):
    """A weekly opening window. Extended (延时) and staggered (错时) hours are windows of their own."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular hours")
        EXTENDED = "extended", _("Extended hours")
        STAGGERED = "staggered", _("Staggered hours")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REGULAR)

    class Meta:
        ordering = ["room_id", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(name="openinghours_opens_before_closes", condition=Q(opens__lt=models.F("closes"))),
            models.UniqueConstraint(fields=["room", "weekday", "opens"], name="openinghours_unique_window"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class RoleMembership(models.Model):
    """A user holds a role in one org unit (the street or one community)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="rolemembership_unique"),
        ]
        indexes = [
            # "holders of role R in unit U": task assignment and notification fan-out.
            models.Index(fields=["org_unit", "role"], name="rolemembership_unit_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.org_unit}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.org_unit_id is None:
            return
        kind = self.org_unit.kind
        if kind == OrgUnit.Kind.STREET and self.role not in STREET_ROLES:
            raise ValidationError({"role": _("This role is held in a community, not at the street.")})
        if kind == OrgUnit.Kind.COMMUNITY and self.role not in COMMUNITY_ROLES:
            raise ValidationError({"role": _("This role is held at the street, not in a community.")})


class CalendarOverride(models.Model):
    """An admin's correction to the official holiday schedule for one date."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self):
        return f"{self.date}: {'working' if self.is_working_day else 'rest'}"


class CalendarYear(models.Model):
    """An admin's record that a year's official holiday schedule has been entered as overrides.

    chinese_calendar only knows the years up to its last release; for a later year deadlines are
    counted on the holidays package's festivals and shown as 预计 until this row says the State
    Council's schedule (holidays and make-up working days) is in CalendarOverride.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    official_entered = models.BooleanField(
        _("official schedule entered"),
        default=False,
        help_text=_("Every holiday and make-up working day of the official schedule has been entered as calendar overrides."),
    )
    official_entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. the State Council notice it follows"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self):
        return str(self.year)
