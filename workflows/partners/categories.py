"""Service categories and target groups of the partner catalogue (一老一少一青)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ServiceCategory(models.TextChoices):
    EDUCATION = "education", _("Education and training")
    HEALTH = "health", _("Health care")
    ELDERLY = "elderly", _("Elderly care")
    CHILDCARE = "childcare", _("Childcare and after-school care")
    CULTURE = "culture", _("Culture and sport")
    SKILLS = "skills", _("Vocational skills")
    FAMILY = "family", _("Marriage and family")
    HOME = "home", _("Home services")
    FOOD = "food", _("Meals and delivery")
    PETS = "pets", _("Pet services")
    EMPLOYMENT = "employment", _("Employment services")
    OTHER = "other", _("Other")


class TargetGroup(models.TextChoices):
    OLD = "old", _("The old")
    YOUNG = "young", _("The young")
    YOUTH = "youth", _("Young adults")
    ALL = "all", _("All residents")


class ApplicantKind(models.TextChoices):
    ORGANISATION = "organisation", pgettext_lazy("applicant kind", "Organisation")
    INDIVIDUAL = "individual", _("Individual (resident)")
