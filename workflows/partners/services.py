"""Every write of the partner area: sign-up, calls, applications, the notice and objections,
agreements and the partner lifecycle.

The route (reviews, countersign, the notice period's timer, history, events) is the approval
engine's; these services call `workflows.approvals.services` with the application locked, inside
their own transaction. The engine's task actions on partner tasks that are the area's own verbs
(`notice_end`, `uphold`, `dismiss`, `agreement`) are the handlers below.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from project import uploads
from workflows.approvals import actions, history, route
from workflows.approvals import services as engine
from workflows.approvals.deadlines import LOCAL_TZ, due_for
from workflows.approvals.errors import StaleState
from workflows.approvals.events import EventKind
from workflows.org.models import Community, RoleMembership, User
from workflows.org.numbering import next_number
from workflows.org.roles import Role
from workflows.org.signals import roles_changed
from workflows.partners import permissions
from workflows.partners.categories import ApplicantKind, ServiceCategory, TargetGroup
from workflows.partners.models import Agreement, Application, Call, Notice, Objection, Partner, Service
from workflows.partners.process import (
    CALL_CLOSE,
    CALL_PUBLISH,
    ENROL,
    EXIT,
    KIND,
    OBJECT,
    PARTNER,
    PARTNER_CALL,
    PARTNER_MEMBER,
    RESUME,
    SUSPEND,
    TERM_REMINDER,
)
from workflows.partners.states import ApplicationState, PartnerState
from workflows.partners.steps import ALL_STEPS, NOTICE, OBJECTION

PURPOSE = "partner.application"
MAX_TERM_YEARS = 5
TERM_REMINDER_DAYS = 30
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,50}$")


def _check_upload(upload, *, field: str) -> None:
    """The one upload policy (images and PDF, by content, size-capped); its message on `field`."""
    problem = uploads.field_error(upload, kinds=uploads.SCAN_KINDS)
    if problem:
        raise ValidationError({field: problem})


def _today() -> dt.date:
    return timezone.now().astimezone(LOCAL_TZ).date()


# --- sign-up ---------------------------------------------------------------------------------


def user_signup(*, username: str, display_name: str, mobile: str, password: str) -> User:
    """A new applicant's own account: no roles until an agreement is signed."""
    username, display_name, mobile = (username or "").strip(), (display_name or "").strip(), (mobile or "").strip()
    errors = {}
    if not USERNAME_RE.match(username):
        errors["username"] = [_("3–50 letters, digits or _ . @ + -.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    if not display_name or len(display_name) > 100:
        errors["display_name"] = [_("Enter your name (at most 100 characters).")]
    if not MOBILE_RE.match(mobile):
        errors["mobile"] = [_("Enter an 11-digit mobile number.")]
    user = User(username=username, display_name=display_name, phone=mobile)
    if "username" not in errors:
        try:
            validate_password(password or "", user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    with transaction.atomic():
        user.save()
    return user


# --- calls -----------------------------------------------------------------------------------


def _call_history(call: Call, action: str, actor) -> None:
    history.record(history.HistoryRow(process_kind=PARTNER_CALL, process_id=call.pk, action=action,
                                      actor_id=actor.pk if actor is not None else None, state_after=call.state))


def call_create(*, actor: User, title: str, body: str, communities: list[Community], opens_on: dt.date,
                closes_on: dt.date, notice_working_days: int = 5, categories: list[str] | None = None) -> Call:
    title, body = (title or "").strip(), (body or "").strip()
    communities = list(dict.fromkeys(communities))
    errors = {}
    if not title or len(title) > 200:
        errors["title"] = [_("Enter a title (at most 200 characters).")]
    if not body:
        errors["body"] = [_("Write the call's text.")]
    if not communities:
        errors["communities"] = [_("Choose at least one community.")]
    elif len({c.parent_id for c in communities}) != 1:
        errors["communities"] = [_("A call covers communities of one street.")]
    if closes_on < opens_on:
        errors["closes_on"] = [_("The call cannot close before it opens.")]
    if not isinstance(notice_working_days, int) or not 1 <= notice_working_days <= 30:
        errors["notice_working_days"] = [_("Between 1 and 30 working days.")]
    unknown = [c for c in (categories or []) if c not in ServiceCategory.values]
    if unknown:
        errors["categories"] = [_("Unknown categories: %(list)s.") % {"list": ", ".join(unknown)}]
    if errors:
        raise ValidationError(errors)
    if not permissions.can_publish_call(actor, communities):
        raise PermissionDenied
    with transaction.atomic():
        call = Call.objects.create(street_id=communities[0].parent_id, title=title, body=body,
                                   categories=list(categories or []), opens_on=opens_on, closes_on=closes_on,
                                   notice_working_days=notice_working_days, created_by=actor)
        call.communities.set(communities)
        _call_history(call, CALL_PUBLISH.code, actor)
    return call


def call_close(*, actor: User | None, call: Call) -> Call:
    """Close a call by hand (its publisher's roles) or by date (actor None: the sweep)."""
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if actor is not None and not permissions.can_publish_call(actor, list(call.communities.all())):
            raise PermissionDenied
        if call.state != Call.State.OPEN:
            raise StaleState(_("This call is already closed."))
        call.state = Call.State.CLOSED
        call.closed_at = timezone.now()
        call.save(update_fields=["state", "closed_at"])
        _call_history(call, CALL_CLOSE.code, actor)
    return call


def call_is_open(call: Call, today: dt.date | None = None) -> bool:
    today = today or _today()
    return call.state == Call.State.OPEN and call.opens_on <= today <= call.closes_on


# --- applications ------------------------------------------------------------------------------


def application_form(call: Call):
    from forms.selectors import published_version_for

    return published_version_for(purpose=PURPOSE, street=call.street_id)


def _validate_data(*, version, actor: User, data, files=None, prefix=None) -> dict:
    from forms.services import submission_validate

    try:
        return submission_validate(version=version, data=data, user=actor, files=files, prefix=prefix)
    except ValidationError as exc:
        raise ValidationError({f"data.{k}": v for k, v in exc.message_dict.items()}) from None


def _read_contract(data: dict) -> dict:
    """The keys the purpose contract guarantees, read into the application's own columns."""
    kind = data.get("applicant_type")
    if kind == ApplicantKind.ORGANISATION:
        name, identifier = data.get("org_name") or "", data.get("uscc") or ""
    else:
        kind, name, identifier = ApplicantKind.INDIVIDUAL, data.get("person_name") or "", data.get("id_card") or ""
    if not data.get("services"):
        raise ValidationError({"data.services": [_("List at least one service.")]})
    return {"applicant_kind": kind, "name": name.strip(), "identifier": identifier.strip().upper(),
            "mobile": data.get("mobile") or "", "consent_full_name": bool(data.get("consent_full_name"))}


def _lock(pk: int) -> Application:
    found = Application.objects.select_for_update(of=("self",)).select_related(*PARTNER.select_related).filter(pk=pk)
    application = found.first()
    if application is None:
        raise PermissionDenied
    return application


def application_create(*, actor: User, call: Call, data, community: Community | None = None, files=None,
                       prefix: str | None = None) -> Application:
    if not actor.is_authenticated:
        raise PermissionDenied
    communities = list(call.communities.all())
    if community is None and len(communities) == 1:
        community = communities[0]
    if community is None or community not in communities:
        raise ValidationError({"community": [_("Choose one of the call's communities.")]})
    if not call_is_open(call):
        raise StaleState(_("This call is not open for applications."))
    version = application_form(call)
    if version is None:
        raise StaleState(_("The street has not published an application form yet."))
    cleaned = _validate_data(version=version, actor=actor, data=data, files=files, prefix=prefix)
    fields = _read_contract(cleaned)
    with transaction.atomic():
        application = Application(call=call, community=community, submitter=actor, form_version=version,
                                  data=cleaned, steps=list(ALL_STEPS), **fields)
        application.save()

        def submit():
            application.submit()
            history.save_checked(application)

        engine.route_start(PARTNER, application, actor=actor, action=actions.SUBMIT.code, before=submit,
                           detail={"call": call.pk})
    return application


def application_resubmit(*, actor: User, application: Application, data=None, comment: str = "", files=None,
                         prefix: str | None = None) -> Application:
    """The applicant edits a returned application (against the form version it was filed with)
    and the route starts again from the community review."""
    with transaction.atomic():
        application = _lock(application.pk)
        if application.submitter_id != actor.pk:
            raise PermissionDenied
        if application.state != ApplicationState.RETURNED:
            raise StaleState(_("Only a returned application can be resubmitted."))
        changes = {}
        if data is not None:
            cleaned = _validate_data(version=application.form_version, actor=actor, data=data, files=files,
                                     prefix=prefix)
            for key, value in _read_contract(cleaned).items():
                if getattr(application, key) != value:
                    changes[key] = True
                    setattr(application, key, value)
            if cleaned != application.data:
                changes["data"] = True
                application.data = cleaned
        application.round += 1

        def resubmit():
            application.resubmit()
            history.save_checked(application)

        engine.route_start(PARTNER, application, actor=actor, action=actions.RESUBMIT.code, before=resubmit,
                           comment=comment, detail={"changed": sorted(changes)})
        route.emit(PARTNER, application, EventKind.RESUBMITTED, actor=actor, comment=comment)
    return application


def application_urge(*, actor: User, application: Application, comment: str = "") -> Application:
    """The applicant urges the current holders (rate-limited by the engine)."""
    with transaction.atomic():
        application = _lock(application.pk)
        if application.submitter_id != actor.pk:
            raise PermissionDenied
        engine.process_urge(PARTNER, application, actor=actor, comment=comment)
    return application


def application_comment(*, actor: User, application: Application, comment: str) -> Application:
    comment = engine.clean_comment(comment)
    with transaction.atomic():
        application = _lock(application.pk)
        if not permissions.can_view_application(actor, application):
            raise PermissionDenied
        engine.process_comment(PARTNER, application, actor=actor, comment=comment)
    return application


def application_withdraw(*, actor: User, application: Application, comment: str = "") -> Application:
    with transaction.atomic():
        application = _lock(application.pk)
        if application.submitter_id != actor.pk:
            raise PermissionDenied
        engine.process_withdraw(PARTNER, application, actor=actor, comment=comment)
    return application


# --- the public notice (公示) ---------------------------------------------------------------------


def notice_open(application: Application, *, process) -> Notice:
    """Called by the flow when the last review passes: the application goes on the notice board."""
    application.open_notice()
    history.save_checked(application, update_fields=["state", "updated_at"])
    days = application.call.notice_working_days
    rule = PARTNER.deadline_rule(application, PARTNER.step(NOTICE))
    now = timezone.now()
    return Notice.objects.create(application=application, community_id=application.community_id, working_days=days,
                                 starts_on=now.astimezone(LOCAL_TZ).date(), ends_on=due_for(rule, now).day)


def notice_close(application: Application, *, process=None) -> None:
    """Called by the flow when the notice period has passed: the agreement is next."""
    application.close_notice()
    history.save_checked(application, update_fields=["state", "updated_at"])
    Notice.objects.filter(application=application).update(outcome=Notice.Outcome.PASSED, closed_at=timezone.now(),
                                                          suspended=False, days_left=None)


def _notice_task(application: Application):
    return engine.open_tasks(application).filter(data__step=NOTICE).select_related("process").first()


def notice_end(ctx: engine.ActionContext, *, comment: str = "") -> None:
    """The timer's action when the notice period is over: with no objection open, it moves on."""
    if ctx.actor is not None:
        raise PermissionDenied
    if engine.open_side_tasks(ctx.obj, OBJECTION).exists():
        raise StaleState(_("An objection is still open."))
    engine.task_decide(ctx, route.APPROVE, action=NOTICE_END.code, comment=comment)


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason of your objection.")]})
    if len(reason) > 1000:
        raise ValidationError({"reason": [_("At most 1000 characters.")]})
    return reason


def objection_file(*, actor: User, application_id: int, reason: str, attachment=None) -> Objection:
    """Anyone logged in objects under their real name while the notice runs; the clock stops
    until the objection is answered."""
    if not actor.is_authenticated:
        raise PermissionDenied
    reason = _clean_reason(reason)
    if attachment is not None:
        _check_upload(attachment, field="attachment")
    with transaction.atomic():
        application = _lock(application_id)
        notice = Notice.objects.select_for_update().filter(application=application).first()
        if notice is None or application.state != ApplicationState.NOTICE:
            raise StaleState(_("This application is not in public notice."))
        objection = Objection(application=application, objector=actor, reason=reason)
        if attachment is not None:
            objection.attachment = attachment
        objection.save()

        def work():
            task = engine.side_task_open(PARTNER, application, step_code=OBJECTION,
                                         data={"objection_id": objection.pk}, exclude=(actor.pk,))
            Objection.objects.filter(pk=objection.pk).update(task_id=task.pk)
            objection.task_id = task.pk
            if not notice.suspended:
                period = _notice_task(application)
                left = engine.deadline_suspend(period)
                Notice.objects.filter(pk=notice.pk).update(suspended=True, days_left=left, task_id=period.pk)

        with engine.events.batched():
            engine.perform(PARTNER, application, actor=actor, action=OBJECT.code, work=work,
                           step=OBJECTION, detail={"objection": objection.pk})
    return objection


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=2000)


def _objection_of(ctx: engine.ActionContext) -> Objection:
    objection = Objection.objects.select_for_update().filter(
        pk=ctx.task.data.get("objection_id"), application=ctx.obj, state=Objection.State.OPEN).first()
    if objection is None:
        raise StaleState(_("This objection is already answered."))
    return objection


def _answer(objection: Objection, state: str, reply: str, actor) -> None:
    objection.state, objection.reply = state, reply.strip()
    objection.answered_by, objection.answered_at = actor, timezone.now()
    objection.save(update_fields=["state", "reply", "answered_by", "answered_at"])


def _tell_objector(application: Application, objection: Objection, actor) -> None:
    from notifications.services import notify

    notify(kind="partner.objection_answered", users=[objection.objector_id],
           url=reverse("partner-public-notice", args=[application.community.code, application.pk]),
           params={"title": application.title, "outcome": objection.get_state_display(), "reply": objection.reply})


def objection_dismiss(ctx: engine.ActionContext, *, reply: str) -> None:
    """The objection does not stand: the objector gets the written reply, and the clock runs on
    with the days that were left once no objection is open."""
    if not reply.strip():
        raise ValidationError({"reply": [_("Write the reply to the objector.")]})
    objection = _objection_of(ctx)
    application = ctx.obj

    def work():
        _answer(objection, Objection.State.DISMISSED, reply, ctx.actor)
        if not engine.open_side_tasks(application, OBJECTION).exists():
            period = _notice_task(application)
            due_at = engine.deadline_resume(period)
            last_day = (due_at.astimezone(LOCAL_TZ) - dt.timedelta(days=1)).date()
            Notice.objects.filter(application=application).update(suspended=False, days_left=None, ends_on=last_day)

    engine.side_task_finish(ctx, action=DISMISS.code, comment=reply.strip(), detail={"objection": objection.pk},
                            work=work)
    _tell_objector(application, objection, ctx.actor)


def objection_uphold(ctx: engine.ActionContext, *, reply: str) -> None:
    """The objection stands: the application ends rejected, the reason published."""
    if not reply.strip():
        raise ValidationError({"reply": [_("Write the reply to the objector.")]})
    objection = _objection_of(ctx)
    application = ctx.obj

    def work():
        _answer(objection, Objection.State.UPHELD, reply, ctx.actor)
        Objection.objects.filter(application=application, state=Objection.State.OPEN).update(
            state=Objection.State.CLOSED, answered_at=timezone.now())
        engine.route_cancel(PARTNER, application)
        route.transition(PARTNER, application, "rejected")
        application.outcome_reason = reply.strip()
        Application.objects.filter(pk=application.pk).update(outcome_reason=application.outcome_reason)
        Notice.objects.filter(application=application).update(outcome=Notice.Outcome.REJECTED,
                                                              closed_at=timezone.now(), suspended=False)

    engine.side_task_finish(ctx, action=UPHOLD.code, comment=reply.strip(), detail={"objection": objection.pk},
                            work=work)
    route.emit(PARTNER, application, EventKind.REJECTED, actor=ctx.actor, user_ids=route.watchers(PARTNER, application),
               comment=reply.strip())
    _tell_objector(application, objection, ctx.actor)


# --- the agreement ----------------------------------------------------------------------------


class AgreementSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    services = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=1000), min_length=1,
                                     max_length=100)
    scan = serializers.FileField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_term(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": [_("The term must end after it starts.")]})
    if ends_on > _years_later(starts_on, MAX_TERM_YEARS):
        raise ValidationError({"ends_on": [_("A partner agreement runs for at most 5 years.")]})


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _next_number(community: Community, year: int) -> tuple[int, str]:
    return next_number(community=community, year=year, tag="合协",
                       issued=Agreement.objects.filter(community=community, year=year))


def _grant_partner_role(user_id: int, community: Community) -> None:
    _, created = RoleMembership.objects.get_or_create(user_id=user_id, role=Role.PARTNER, org_unit=community)
    if created:
        transaction.on_commit(lambda: roles_changed.send(sender=RoleMembership, user_id=user_id))


def _enrol(*, actor, community: Community, user_id: int, kind: str, public_name: str, services: list[dict],
           starts_on: dt.date, ends_on: dt.date, application: Application | None = None, scan=None) -> Partner:
    sequence, number = _next_number(community, starts_on.year)
    agreement = Agreement(community=community, application=application, number=number, year=starts_on.year,
                          sequence=sequence, starts_on=starts_on, ends_on=ends_on, signed_by=actor)
    if scan is not None:
        agreement.scan = scan
    agreement.save()
    partner = Partner.objects.create(community=community, user_id=user_id, application=application,
                                     agreement=agreement, kind=kind, public_name=public_name, term_ends_on=ends_on)
    Service.objects.bulk_create(
        Service(partner=partner, community=community, name=row["name"], category=row["category"],
                paid=row.get("paid") == "paid", price=_money(row.get("price")),
                target=row.get("target") or TargetGroup.ALL,
                expected_revenue=_money(row.get("expected_revenue")) or Decimal("0"), position=i)
        for i, row in enumerate(services)
    )
    _grant_partner_role(user_id, community)
    return partner


def agreement_record(ctx: engine.ActionContext, *, starts_on: dt.date, ends_on: dt.date, services: list[int],
                     scan=None, comment: str = "") -> None:
    """The secretary records the signed agreement: the applicant becomes an active partner with
    the `partner` role in the community, and the accepted services enter its catalogue."""
    application = ctx.obj
    _check_term(starts_on, ends_on)
    offered = application.services
    chosen = list(dict.fromkeys(services))
    if any(i >= len(offered) for i in chosen):
        raise ValidationError({"services": [_("Choose services from the application (0 to %(n)s).")
                                            % {"n": len(offered) - 1}]})
    if scan is not None:
        _check_upload(scan, field="scan")
    partner = _enrol(actor=ctx.actor, community=application.community, user_id=application.submitter_id,
                     kind=application.applicant_kind, public_name=application.public_name,
                     services=[offered[i] for i in chosen], starts_on=starts_on, ends_on=ends_on,
                     application=application, scan=scan)
    engine.task_decide(ctx, route.APPROVE, action=AGREEMENT_ACTION.code, comment=comment,
                       detail={"number": partner.agreement.number, "partner": partner.pk, "services": chosen})


def partner_enrol_existing(*, actor: User, community: Community, user: User, kind: str, name: str,
                           services: list[dict], starts_on: dt.date, ends_on: dt.date,
                           consent_full_name: bool = False) -> Partner:
    """Record a partner whose agreement was signed on paper before the process ran here (the
    pilot's first partners): its agreement, services and role, with a history row."""
    from project.lib.masking import mask_person_name

    if not permissions.is_secretary(actor, community.pk):
        raise PermissionDenied
    _check_term(starts_on, ends_on)
    public = name if kind == ApplicantKind.ORGANISATION or consent_full_name else mask_person_name(name)
    with transaction.atomic():
        partner = _enrol(actor=actor, community=community, user_id=user.pk, kind=kind, public_name=public,
                         services=services, starts_on=starts_on, ends_on=ends_on)
        _member_history(partner, ENROL.code, actor, "", PartnerState.ACTIVE,
                        detail={"number": partner.agreement.number})
    return partner


# --- the partner lifecycle --------------------------------------------------------------------


def _member_history(partner: Partner, action: str, actor, before: str, after: str, comment: str = "",
                    detail: dict | None = None) -> None:
    history.record(history.HistoryRow(process_kind=PARTNER_MEMBER, process_id=partner.pk, action=action,
                                      actor_id=actor.pk if actor is not None else None, comment=comment,
                                      state_before=before, state_after=after, detail=detail))


def _lock_partner(pk: int) -> Partner:
    partner = Partner.objects.select_for_update(of=("self",)).select_related("community").filter(pk=pk).first()
    if partner is None:
        raise PermissionDenied
    return partner


def _clean_change_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if len(reason) > 1000:
        raise ValidationError({"reason": [_("At most 1000 characters.")]})
    return reason


def _change(partner_id: int, *, actor, reason: str, method: str, action: str, allowed) -> Partner:
    reason = _clean_change_reason(reason)
    with transaction.atomic():
        partner = _lock_partner(partner_id)
        if actor is not None and not permissions.can_view_partner(actor, partner):
            raise PermissionDenied
        if actor is not None and not allowed(actor, partner):
            raise PermissionDenied
        before = partner.state
        try:
            getattr(partner, method)()
        except Exception as exc:
            from django_fsm import TransitionNotAllowed

            if isinstance(exc, TransitionNotAllowed):
                raise StaleState(_("This is not possible in the partner's current state.")) from None
            raise
        partner.reason = reason
        history.save_checked(partner)
        if partner.state == PartnerState.EXITED:
            Service.objects.filter(partner=partner).update(listed=False)
            others = Partner.objects.filter(user_id=partner.user_id, community_id=partner.community_id).exclude(
                state=PartnerState.EXITED).exclude(pk=partner.pk)
            if not others.exists():
                RoleMembership.objects.filter(user_id=partner.user_id, role=Role.PARTNER,
                                              org_unit_id=partner.community_id).delete()
                user_id = partner.user_id
                transaction.on_commit(lambda: roles_changed.send(sender=RoleMembership, user_id=user_id))
        _member_history(partner, action, actor, before, partner.state, comment=reason)
    return partner


def partner_suspend(*, actor: User, partner_id: int, reason: str) -> Partner:
    return _change(partner_id, actor=actor, reason=reason, method="suspend", action=SUSPEND.code,
                   allowed=permissions.can_manage_partner)


def partner_resume(*, actor: User, partner_id: int, reason: str = "") -> Partner:
    return _change(partner_id, actor=actor, reason=reason or _("Resumed"), method="resume", action=RESUME.code,
                   allowed=permissions.can_manage_partner)


def partner_exit(*, actor: User | None, partner_id: int, reason: str) -> Partner:
    """End a partnership: by the community or the partner with a reason, or at the end of the term
    (actor None). Its services leave the catalogue; the partner row and its history stay."""
    return _change(partner_id, actor=actor, reason=reason, method="exit", action=EXIT.code,
                   allowed=permissions.can_exit_partner)


def partners_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The area's daily housekeeping (run by `run_timers`): calls close by date, partners are
    reminded 30 days before their term ends, and leave when it has ended."""
    from notifications.services import RoleQueue, notify

    now = now or timezone.now()
    today = now.astimezone(LOCAL_TZ).date()
    counts = {"calls_closed": 0, "reminded": 0, "exited": 0}
    for call in Call.objects.filter(state=Call.State.OPEN, closes_on__lt=today):
        try:
            call_close(actor=None, call=call)
            counts["calls_closed"] += 1
        except StaleState:
            pass
    due = Partner.objects.filter(state__in=[PartnerState.ACTIVE, PartnerState.SUSPENDED], term_reminded_at=None,
                                 term_ends_on__lte=today + dt.timedelta(days=TERM_REMINDER_DAYS),
                                 term_ends_on__gte=today).select_related("community", "agreement")
    for partner in due:
        with transaction.atomic():
            locked = _lock_partner(partner.pk)
            if locked.term_reminded_at is not None:
                continue
            Partner.objects.filter(pk=locked.pk).update(term_reminded_at=now)
            _member_history(locked, TERM_REMINDER.code, None, locked.state, locked.state,
                            detail={"term_ends_on": locked.term_ends_on.isoformat()})
            notify(kind="partner.term_ending", users=[locked.user_id],
                   queues=[RoleQueue(Role.COMMUNITY_SECRETARY, locked.community_id)],
                   url=reverse("partner-detail", args=[locked.pk]),
                   params={"title": locked.public_name, "number": partner.agreement.number,
                           "ends_on": locked.term_ends_on.isoformat()})
            counts["reminded"] += 1
    ended = Partner.objects.filter(state__in=[PartnerState.ACTIVE, PartnerState.SUSPENDED], term_ends_on__lt=today)
    for pk in ended.values_list("pk", flat=True):
        partner_exit(actor=None, partner_id=pk, reason=_("The term of the agreement ended."))
        counts["exited"] += 1
    return counts


# The area's own task actions (registered in apps.py; listed in PARTNER.actions).
NOTICE_END = actions.ActionDef("notice_end", gettext_lazy("Public notice ended"), handler=notice_end, system=True,
                               decision=False)
UPHOLD = actions.ActionDef("uphold", gettext_lazy("Objection upheld"), handler=objection_uphold, serializer=ReplySerializer,
                           decision=True)
DISMISS = actions.ActionDef("dismiss", gettext_lazy("Objection dismissed"), handler=objection_dismiss,
                            serializer=ReplySerializer, decision=True)
AGREEMENT_ACTION = actions.ActionDef("agreement", gettext_lazy("Agreement recorded"), handler=agreement_record,
                                     serializer=AgreementSerializer, decision=True)

__all__ = ["KIND"]


def _contract():
    from forms.purposes import PurposeContract

    return PurposeContract(
        purpose=PURPOSE,
        fields={"applicant_type": "single_choice", "org_name": None, "uscc": "uscc", "person_name": None,
                "id_card": "id_card", "mobile": "mobile", "services": "table"},
        columns={"services": {"name": None, "category": "single_choice", "paid": "single_choice", "price": "money",
                              "target": "single_choice"}},
    )


CONTRACT = _contract()
