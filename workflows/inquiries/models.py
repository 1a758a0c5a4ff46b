"""A resident's inquiry (居民质询) about the money: one ledger line, one disclosure, or the
community's finances in general. Written only by `services.py`; the route is the engine's."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from viewflow.workflow.models import Process

from workflows.ledger.models import Disclosure, LedgerLine
from workflows.org.models import Community

QUESTION_MAX = 2000


class InquiryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("With the community")          # acknowledge, then answer
    ANSWERED = "answered", _("Answered, waiting for the resident")
    ESCALATED = "escalated", _("With the street")  # street review; its answer is final
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    EXPLAINED = "explained", _("Explained")                      # 说明解释
    CORRECTED = "corrected", _("Found true, corrected")          # 属实，已纠正
    DECLINED = "declined", _("Not accepted")                     # 不予受理


class ClosedHow(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted by the resident")
    SILENCE = "silence", _("No reply from the resident: deemed accepted")
    FINAL = "final", _("Final answer of the street")


class Inquiry(ConcurrentTransitionMixin, models.Model):
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="inquiries")
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resident"), on_delete=models.PROTECT,
                                  related_name="inquiries")
    ledger_line = models.ForeignKey(LedgerLine, verbose_name=_("ledger line"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="inquiries")
    disclosure = models.ForeignKey(Disclosure, verbose_name=_("disclosure"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="inquiries")
    question = models.TextField(_("question"), max_length=QUESTION_MAX)
    attachment = models.FileField(_("attachment"), upload_to="inquiries/%Y/%m/", blank=True)
    publish_consent = models.BooleanField(_("may be published (anonymised)"), default=False)

    state = FSMField(_("state"), default=InquiryState.DRAFT, choices=InquiryState.choices, protected=True)
    # The engine's route: round 1 is the community's (acknowledge → answer), round 2 the street's.
    steps = models.JSONField(_("route"), default=list)
    round = models.PositiveIntegerField(_("round"), default=1)
    process = models.OneToOneField(Process, verbose_name=_("current route"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="inquiry")

    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    # When the answer of the current round is due (the statutory deadline, moved by an extension).
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date is provisional"), default=False)
    extended_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_reason = models.CharField(_("reason for the extension"), max_length=500, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    correction_line = models.ForeignKey(LedgerLine, verbose_name=_("correcting ledger line"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    correction_disclosure = models.ForeignKey(Disclosure, verbose_name=_("correcting disclosure"), null=True,
                                              blank=True, on_delete=models.PROTECT, related_name="+")
    # Until when the resident may accept or escalate; silence past it closes the inquiry.
    resident_due_at = models.DateTimeField(_("resident may reply until"), null=True, blank=True)
    escalation_reason = models.TextField(_("reason for escalating"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_how = models.CharField(_("closed how"), max_length=16, choices=ClosedHow.choices, blank=True)

    # What the public pages show, masked when published (the resident's name removed, phone, ID
    # numbers and USCCs masked): frozen text, so the public read never touches a person's row.
    published = models.BooleanField(_("published"), default=False)
    published_question = models.TextField(_("published question"), blank=True)
    published_answer = models.TextField(_("published answer"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        constraints = [
            models.CheckConstraint(name="inquiry_about_one_thing",
                                   condition=Q(ledger_line__isnull=True) | Q(disclosure__isnull=True)),
        ]
        indexes = [
            # 我的质询 (a resident's own, newest first) and a community's list
            models.Index(fields=["submitter", "-created_at"], name="inquiry_mine"),
            models.Index(fields=["community", "-created_at"], name="inquiry_community"),
            # the silence timer: answered inquiries whose reply period has passed
            models.Index(fields=["resident_due_at"], condition=Q(state="answered"), name="inquiry_silence_due"),
            # published answers beside the public ledger of one community
            models.Index(fields=["community", "ledger_line", "disclosure"], condition=Q(published=True),
                         name="inquiry_published"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.question[:30]}"

    @property
    def title(self) -> str:
        text = " ".join(self.question.split())
        return f"#{self.pk} {text[:30]}{'…' if len(text) > 30 else ''}"

    # --- lifecycle (django-fsm); the engine calls `submit` via route_start and `route_done` ---

    @transition(field=state, source=InquiryState.DRAFT, target=InquiryState.OPEN)
    def submit(self):
        pass

    @transition(field=state, source=[InquiryState.OPEN, InquiryState.ESCALATED],
                target=RETURN_VALUE(InquiryState.ANSWERED, InquiryState.CLOSED))
    def route_done(self):
        # The street's answer is final; the community's waits for the resident.
        return InquiryState.CLOSED if self.round > 1 else InquiryState.ANSWERED

    @transition(field=state, source=[InquiryState.OPEN, InquiryState.ANSWERED], target=InquiryState.ESCALATED)
    def escalate(self):
        pass

    @transition(field=state, source=InquiryState.ANSWERED, target=InquiryState.CLOSED)
    def close(self):
        pass
