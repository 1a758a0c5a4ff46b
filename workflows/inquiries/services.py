"""Every write of an inquiry. The route (queues, holders, deadlines, timers, history) is the
engine's; these services and task-action handlers decide what an inquiry allows.

Task actions (`POST /api/tasks/{id}/<code>/`, run by the engine with the inquiry and its task
locked): `acknowledge` (受理; the timer fires it as the system actor when the queue lets the 3
working days pass), `answer`, `extend`, and `overdue_escalate` (the timer only: 逾期自动上报).
The resident's own verbs are services on the inquiry: `inquiry_accept`, `inquiry_escalate`,
`inquiry_urge`. The silence timer (`silence_sweep`) closes what the resident let pass.
"""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project import uploads
from project.lib.masking import remove_names
from project.storage import files_kept_on_success, track_saved
from workflows.approvals import actions, history, route
from workflows.approvals import services as engine
from workflows.approvals.deadlines import LOCAL_TZ, _end_of, due_for
from workflows.approvals.errors import RateLimited, StaleState
from workflows.approvals.extensions import deadline_extend
from workflows.approvals.models import RouteTask
from workflows.inquiries import notifications as notes
from workflows.inquiries import permissions
from workflows.inquiries.flows import ACKNOWLEDGE, ANSWER, STREET_REVIEW
from workflows.inquiries.models import QUESTION_MAX, ClosedHow, Inquiry, InquiryState, Outcome
from workflows.inquiries.process import (
    ANSWER_RULE,
    COMMUNITY_ROUND,
    INQUIRY,
    KIND,
    MAX_EXTENSION_WORKING_DAYS,
    RESIDENT_REPLY_WORKING_DAYS,
    STREET_ROUND,
    STREET_RULE,
)
from workflows.ledger.models import Disclosure, LedgerLine
from workflows.org import calendar

logger = logging.getLogger(__name__)
ANSWER_MAX = 4000


def _due_text(moment) -> str:
    """The last day of a period, as people read it (due_at is 24:00 of that day)."""
    if moment is None:
        return ""
    return f"{moment.astimezone(LOCAL_TZ).date() - dt.timedelta(days=1):%Y-%m-%d}"


def _outcome_text(outcome: str) -> str:
    return str(Outcome(outcome).label) if outcome in Outcome.values else outcome


def _masked(inquiry: Inquiry, text: str) -> str:
    """Public text: the resident's names removed, phone and ID numbers and USCCs masked."""
    user = inquiry.submitter
    return remove_names(text, [user.display_name, user.get_full_name(), user.first_name + user.last_name,
                               user.last_name + user.first_name, user.username])


# --- filing ---------------------------------------------------------------------------------------


def inquiry_file(*, actor, community, question: str, publish_consent: bool = False, ledger_line=None,
                 disclosure=None, attachment=None) -> Inquiry:
    """A resident asks about one line, one disclosure, or the community's finances in general."""
    if not permissions.can_file_inquiry(actor, community):
        raise PermissionDenied
    errors = {}
    question = (question or "").strip() if isinstance(question, str) else ""
    if not question:
        errors["question"] = _("Write your question.")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("At most %(n)d characters.") % {"n": QUESTION_MAX}
    line = doc = None
    if ledger_line not in (None, ""):
        line = LedgerLine.objects.filter(pk=getattr(ledger_line, "pk", ledger_line), community=community).first()
        if line is None:
            errors["ledger_line"] = _("Choose a line of this community's books.")
    if disclosure not in (None, ""):
        doc = Disclosure.objects.filter(pk=getattr(disclosure, "pk", disclosure), community=community).first()
        if doc is None:
            errors["disclosure"] = _("Choose a disclosure of this community.")
    if line is not None and doc is not None:
        errors["disclosure"] = _("Ask about one line or one disclosure, not both.")
    if attachment:
        # The one upload policy: images and PDF, told by their content, size-capped.
        problem = uploads.field_error(attachment, kinds=uploads.SCAN_KINDS)
        if problem:
            errors["attachment"] = problem
    if errors:
        raise ValidationError(errors)
    with files_kept_on_success(), transaction.atomic():
        now = timezone.now()
        due = due_for(ANSWER_RULE, now)
        inquiry = Inquiry(community=community, submitter=actor, ledger_line=line, disclosure=doc, question=question,
                          publish_consent=bool(publish_consent), steps=list(COMMUNITY_ROUND), filed_at=now,
                          due_at=due.at, due_provisional=due.provisional)
        if attachment:
            inquiry.attachment = attachment
        inquiry.save()
        if inquiry.attachment:
            track_saved(inquiry.attachment.name, inquiry.attachment.storage)

        def submit():
            inquiry.submit()
            history.save_checked(inquiry)

        engine.route_start(INQUIRY, inquiry, actor=actor, action=actions.SUBMIT.code, before=submit)
    return inquiry


# --- task actions -------------------------------------------------------------------------------


def _step_of(ctx) -> str:
    return ctx.task.data.get("step", "")


def inquiry_acknowledge(ctx: engine.ActionContext, *, comment: str = "") -> None:
    """受理: the community's queue takes the inquiry on; the secretary's answer task follows."""
    if _step_of(ctx) != ACKNOWLEDGE:
        raise StaleState(_("This inquiry has already been acknowledged."))
    inquiry = ctx.obj
    inquiry.acknowledged_at = timezone.now()
    Inquiry.objects.filter(pk=inquiry.pk).update(acknowledged_at=inquiry.acknowledged_at)
    if ctx.actor is None:
        comment = _("Not acknowledged within 3 working days: deemed acknowledged.")
    engine.task_decide(ctx, route.APPROVE, action=ACKNOWLEDGE_ACTION.code, comment=comment)
    notes.send(notes.ACKNOWLEDGED, inquiry, users=(inquiry.submitter_id,), due=_due_text(inquiry.due_at))


class AnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    answer = serializers.CharField(max_length=ANSWER_MAX)
    publish = serializers.BooleanField(required=False, default=False)
    correction_line = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    correction_disclosure = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                                     max_value=2**63 - 1)


def inquiry_answer(ctx: engine.ActionContext, *, outcome: str, answer: str, publish: bool = False,
                   correction_line=None, correction_disclosure=None) -> None:
    """The secretary's answer (or the street's final one) with its outcome."""
    step = _step_of(ctx)
    if step == ACKNOWLEDGE:
        raise StaleState(_("Acknowledge the inquiry before answering it."))
    if step not in (ANSWER, STREET_REVIEW):
        raise StaleState(_("This inquiry cannot be answered now."))
    inquiry = ctx.obj
    errors = {}
    answer = (answer or "").strip()
    if not answer:
        errors["answer"] = _("Write the answer.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose an outcome.")
    line = doc = None
    if correction_line:
        line = LedgerLine.objects.filter(pk=correction_line, community_id=inquiry.community_id).first()
        if line is None:
            errors["correction_line"] = _("Choose a line of this community's books.")
    if correction_disclosure:
        doc = Disclosure.objects.filter(pk=correction_disclosure, community_id=inquiry.community_id).first()
        if doc is None:
            errors["correction_disclosure"] = _("Choose a disclosure of this community.")
    if outcome == Outcome.CORRECTED and line is None and doc is None and not errors:
        errors["correction_line"] = _("Link the ledger line or disclosure that corrects it.")
    if publish and not inquiry.publish_consent:
        errors["publish"] = _("The resident did not agree to publish this inquiry.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    inquiry.outcome, inquiry.answer, inquiry.answered_at = outcome, answer, now
    inquiry.answered_by_id = ctx.actor.pk if ctx.actor else None
    inquiry.correction_line, inquiry.correction_disclosure = line, doc
    final = step == STREET_REVIEW
    if final:
        inquiry.closed_at, inquiry.closed_how, inquiry.resident_due_at = now, ClosedHow.FINAL, None
    else:
        reply_day = calendar.add_working_days(now.astimezone(LOCAL_TZ).date(), RESIDENT_REPLY_WORKING_DAYS)
        inquiry.resident_due_at = _end_of(reply_day)
    if publish:
        inquiry.published, inquiry.published_at = True, now
        inquiry.published_question = _masked(inquiry, inquiry.question)
        inquiry.published_answer = _masked(inquiry, answer)
    # The route ends with this step: the engine moves the inquiry on (route_done) and saves it.
    engine.task_decide(ctx, route.APPROVE, action=ANSWER_ACTION.code, comment=answer,
                       detail={"outcome": outcome, "published": bool(publish), "final": final,
                               "correction_line": line.pk if line else None,
                               "correction_disclosure": doc.pk if doc else None})
    if final:
        notes.send(notes.FINAL, inquiry, users=(inquiry.submitter_id,), outcome=_outcome_text(outcome),
                   queues=notes.community_queues(inquiry))
    else:
        notes.send(notes.ANSWERED, inquiry, users=(inquiry.submitter_id,), outcome=_outcome_text(outcome),
                   due=_due_text(inquiry.resident_due_at))


class ExtendSerializer(serializers.Serializer):
    working_days = serializers.IntegerField(min_value=1, max_value=MAX_EXTENSION_WORKING_DAYS)
    reason = serializers.CharField(max_length=500)


def inquiry_extend(ctx: engine.ActionContext, *, working_days: int, reason: str) -> None:
    """One extension of the answer's deadline, with a reason the resident sees."""
    if _step_of(ctx) != ANSWER:
        raise StaleState(_("Only the community's answer can be extended."))
    inquiry = ctx.obj
    if inquiry.extended_days:
        raise StaleState(_("The answer has already been extended once."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the answer needs more time.")})
    if not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
        raise ValidationError({"working_days": _("Between 1 and %(n)d working days.") % {"n": MAX_EXTENSION_WORKING_DAYS}})

    def work():
        due = deadline_extend(ctx, days=working_days)
        inquiry.extended_days, inquiry.extension_reason = working_days, reason
        inquiry.due_at, inquiry.due_provisional = due.at, due.provisional
        Inquiry.objects.filter(pk=inquiry.pk).update(extended_days=working_days, extension_reason=reason,
                                                     due_at=due.at, due_provisional=due.provisional)

    engine.perform(ctx.kind, inquiry, actor=ctx.actor, action=EXTEND_ACTION.code, work=work, comment=reason,
                   step=ANSWER, task_id=ctx.task.pk, detail={"working_days": working_days})
    notes.send(notes.EXTENDED, inquiry, users=(inquiry.submitter_id,), due=_due_text(inquiry.due_at), reason=reason)


def inquiry_overdue_escalate(ctx: engine.ActionContext, *, comment: str = "") -> None:
    """The timer: the answer's deadline passed unanswered, so the street takes it over."""
    _to_street(ctx.obj, actor=ctx.actor, action=OVERDUE_ACTION.code,
               comment=_("逾期自动上报: no answer by the deadline (%(due)s).") % {"due": _due_text(ctx.obj.due_at)})
    notes.send(notes.OVERDUE, ctx.obj, users=(ctx.obj.submitter_id,),
               queues=[*notes.street_queues(ctx.obj), *notes.community_queues(ctx.obj)],
               due=_due_text(ctx.obj.due_at))


def _to_street(inquiry: Inquiry, *, actor, action: str, comment: str, reason: str = "") -> None:
    """End the community's round (if it still runs) and start the street's review (round 2)."""
    if inquiry.state == InquiryState.OPEN:
        engine.route_cancel(INQUIRY, inquiry)
    due = due_for(STREET_RULE, timezone.now())

    def before():
        inquiry.escalate()
        inquiry.round += 1
        inquiry.steps = list(STREET_ROUND)
        inquiry.due_at, inquiry.due_provisional = due.at, due.provisional
        inquiry.resident_due_at = None
        if reason:
            inquiry.escalation_reason = reason
        history.save_checked(inquiry)

    engine.route_start(INQUIRY, inquiry, actor=actor, action=action, comment=comment, before=before)


# --- the resident's verbs ---------------------------------------------------------------------------


def _lock_own(*, actor, inquiry) -> Inquiry:
    locked = Inquiry.objects.select_for_update().select_related("community", "submitter").filter(pk=inquiry.pk).first()
    if locked is None or actor is None or locked.submitter_id != actor.pk:
        raise PermissionDenied
    return locked


def inquiry_accept(*, actor, inquiry: Inquiry) -> Inquiry:
    """The resident is satisfied with the community's answer: closed."""
    with transaction.atomic():
        inquiry = _lock_own(actor=actor, inquiry=inquiry)
        if inquiry.state != InquiryState.ANSWERED:
            raise StaleState(_("Only an answered inquiry can be accepted."))
        _close(inquiry, actor=actor, how=ClosedHow.ACCEPTED, action=ACCEPT_ACTION.code)
    return inquiry


def _close(inquiry: Inquiry, *, actor, how: str, action: str, comment: str = "") -> None:
    def work():
        inquiry.close()
        inquiry.closed_at, inquiry.closed_how, inquiry.resident_due_at = timezone.now(), how, None
        history.save_checked(inquiry)

    engine.perform(INQUIRY, inquiry, actor=actor, action=action, work=work, comment=comment)
    notes.send(notes.CLOSED, inquiry, users=[u for u in (inquiry.answered_by_id,) if u],
               queues=[] if inquiry.answered_by_id else notes.community_queues(inquiry),
               reason=str(ClosedHow(how).label))


def inquiry_escalate(*, actor, inquiry: Inquiry, reason: str) -> Inquiry:
    """The resident asks the street to review the community's answer (within 10 working days)."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": _("Say what the answer leaves open.")})
    if len(reason) > QUESTION_MAX:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": QUESTION_MAX}})
    with transaction.atomic():
        inquiry = _lock_own(actor=actor, inquiry=inquiry)
        if inquiry.state != InquiryState.ANSWERED or inquiry.round > 1:
            raise StaleState(_("Only the community's answer can be escalated to the street."))
        if inquiry.resident_due_at is not None and timezone.now() >= inquiry.resident_due_at:
            raise StaleState(_("The 10 working days to escalate have passed."))
        _to_street(inquiry, actor=actor, action=STREET_ESCALATE_ACTION.code, comment=reason, reason=reason)
        notes.send(notes.ESCALATED, inquiry, queues=[*notes.street_queues(inquiry), *notes.community_queues(inquiry)],
                   reason=reason)
    return inquiry


def _urge_bucket(day: dt.date) -> dt.date:
    """The working day an urge on `day` counts for (a rest day counts for the next one)."""
    for _i in range(60):
        if calendar.is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    return day


def inquiry_urge(*, actor, inquiry: Inquiry, comment: str = "") -> Inquiry:
    """催办: at most once per working day; the holder (or the queue) is told."""
    with transaction.atomic():
        inquiry = _lock_own(actor=actor, inquiry=inquiry)
        if inquiry.state not in (InquiryState.OPEN, InquiryState.ESCALATED):
            raise StaleState(_("Only an inquiry waiting for an answer can be urged."))
        now = timezone.now()
        from workflows.approvals.models import HistoryEntry

        last = (HistoryEntry.objects.filter(process_kind=INQUIRY.kind, process_id=inquiry.pk, action=actions.URGE.code)
                .order_by("-created_at").values_list("created_at", flat=True).first())
        bucket = _urge_bucket(now.astimezone(LOCAL_TZ).date())
        if last is not None and _urge_bucket(last.astimezone(LOCAL_TZ).date()) == bucket:
            wait = int((_end_of(bucket) - now).total_seconds()) + 1
            raise RateLimited(_("You have urged this inquiry today; you can urge again on the next working day."),
                              retry_after=wait)
        open_tasks = list(Task.objects.filter(process_id=inquiry.process_id, status=STATUS.NEW).values_list("pk", "owner_id"))
        owners = tuple(o for _pk, o in open_tasks if o)
        queues = []
        for entry in RouteTask.objects.filter(task_id__in=[pk for pk, o in open_tasks if not o], queue=True,
                                              closed_at__isnull=True):
            from notifications.services import RoleQueue

            queues.extend(RoleQueue(role, entry.org_unit_id) for role in INQUIRY.queue_holds(entry.step, entry.role))
        engine.perform(INQUIRY, inquiry, actor=actor, action=actions.URGE.code, work=lambda: None, comment=comment,
                       detail={"users": list(owners)})
        notes.send(notes.URGED, inquiry, users=owners, queues=queues, due=_due_text(inquiry.due_at))
    return inquiry


# --- publishing an answer later -------------------------------------------------------------------


def inquiry_publish(*, actor, inquiry: Inquiry) -> Inquiry:
    """The secretary (or, for the street's final answer, a street reviewer) publishes an answered
    inquiry the resident agreed to publish: the masked question and answer go on the public page."""
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().select_related("community", "submitter").filter(
            pk=inquiry.pk).first()
        if inquiry is None or not permissions.can_publish_answer(actor, inquiry):
            raise PermissionDenied
        if not inquiry.answer:
            raise StaleState(_("Only an answered inquiry can be published."))
        if not inquiry.publish_consent:
            raise ValidationError({"publish": _("The resident did not agree to publish this inquiry.")})
        if inquiry.published:
            raise StaleState(_("This inquiry is already published."))

        def work():
            now = timezone.now()
            inquiry.published, inquiry.published_at = True, now
            inquiry.published_question = _masked(inquiry, inquiry.question)
            inquiry.published_answer = _masked(inquiry, inquiry.answer)
            Inquiry.objects.filter(pk=inquiry.pk).update(
                published=True, published_at=now, published_question=inquiry.published_question,
                published_answer=inquiry.published_answer)

        engine.perform(INQUIRY, inquiry, actor=actor, action=PUBLISH_ACTION.code, work=work)
    return inquiry


# --- the silence timer ------------------------------------------------------------------------------


def silence_sweep(*, now=None, limit: int = 500) -> int:
    """Close, as accepted, every answered inquiry whose resident let the reply period pass.

    Run by the engine's deadline sweep (ProcessKind.sweep) as the system actor; each inquiry is
    its own transaction, and one that a resident answered meanwhile is left alone.
    """
    now = now or timezone.now()
    ids = list(Inquiry.objects.filter(state=InquiryState.ANSWERED, resident_due_at__lte=now)
               .order_by("resident_due_at").values_list("pk", flat=True)[:limit])
    closed = 0
    for pk in ids:
        try:
            with transaction.atomic():
                inquiry = Inquiry.objects.select_for_update().select_related("community").filter(pk=pk).first()
                if inquiry is None or inquiry.state != InquiryState.ANSWERED or not inquiry.resident_due_at \
                        or inquiry.resident_due_at > now:
                    continue
                _close(inquiry, actor=None, how=ClosedHow.SILENCE, action=SILENCE_ACTION.code,
                       comment=_("No reply within %(n)d working days: deemed accepted.")
                       % {"n": RESIDENT_REPLY_WORKING_DAYS})
                notes.send(notes.CLOSED, inquiry, users=(inquiry.submitter_id,), reason=str(ClosedHow.SILENCE.label))
                closed += 1
        except (ValidationError, StaleState) as exc:
            logger.warning("silence close of inquiry %s failed: %s", pk, exc)
    return closed


# --- the inquiry's verbs, registered in apps.py ----------------------------------------------------

ACKNOWLEDGE_ACTION = actions.ActionDef("acknowledge", gettext_lazy("Acknowledged"), handler=inquiry_acknowledge,
                                       decision=True, system=True)
# The inquiry's own `answer`: verbs are looked up per process kind, so another process may have one.
ANSWER_ACTION = actions.ActionDef("answer", gettext_lazy("Answered"), handler=inquiry_answer, serializer=AnswerSerializer,
                                  decision=True, kind=KIND)
EXTEND_ACTION = actions.ActionDef("extend", gettext_lazy("Answer extended"), handler=inquiry_extend,
                                  serializer=ExtendSerializer)
OVERDUE_ACTION = actions.ActionDef("overdue_escalate", gettext_lazy("Overdue: sent to the street automatically"),
                                   handler=inquiry_overdue_escalate, system=True)
# Request-level codes (history rows only).
ACCEPT_ACTION = actions.ActionDef("accept", gettext_lazy("Accepted by the resident"))
STREET_ESCALATE_ACTION = actions.ActionDef("street_escalate", gettext_lazy("Sent to the street for review"))
SILENCE_ACTION = actions.ActionDef("silence_close", gettext_lazy("Closed: no reply, deemed accepted"))
PUBLISH_ACTION = actions.ActionDef("publish_answer", gettext_lazy("Answer published"))

ALL_ACTIONS = (ACKNOWLEDGE_ACTION, ANSWER_ACTION, EXTEND_ACTION, OVERDUE_ACTION, ACCEPT_ACTION,
               STREET_ESCALATE_ACTION, SILENCE_ACTION, PUBLISH_ACTION)
