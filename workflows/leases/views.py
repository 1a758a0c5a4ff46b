"""Pages of the lease area. Thin: parse, call a selector or service, render.

Signed-in pages live under /leases/; the public ones (/public/<code>/timetable/ and
/public/<code>/charity/) need no login and no JavaScript and show no personal data."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import services as engine
from workflows.approvals.errors import RateLimited, StaleState
from workflows.leases import permissions, schedule, selectors, services
from workflows.leases.models import PriceModel
from workflows.leases.process import LEASE
from workflows.leases.states import LeaseState, RequestState
from workflows.org.models import Community, OpeningHours
from workflows.org.selectors import memberships_of
from workflows.partners.models import Partner
from workflows.partners.states import PartnerState

PREFIX = "data"
MAX_SLOT_ROWS = 3


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _flat(exc: ValidationError) -> str:
    return " ".join(m for msgs in _errors_of(exc).values() for m in msgs)


def _week_start(request) -> dt.date:
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = today
    if abs((day - today).days) > 3650:
        day = today
    return day - dt.timedelta(days=day.weekday())


def _weekday_names() -> list[tuple[int, str]]:
    return [(d.value, str(d.label)) for d in OpeningHours.Weekday]


# --- lists and the request form -----------------------------------------------------------------------


@login_required
def lease_list(request):
    user = request.user
    # The street dashboard's figures link here with ?community=&ending=30 or &arrears=rent|charity.
    filters = {key: request.GET.get(key, "")[:20] for key in ("community", "ending", "arrears")}
    leases = selectors.leases_filtered(selectors.leases_for_user(user=user), **filters)
    return render(request, "leases/lease_list.html", {
        "leases": leases.order_by("community_id", "room__name", "-starts_on")[:500],
        "filtered": any(filters.values()),
        "requests": selectors.requests_for_user(user=user).exclude(state=RequestState.SIGNED)[:200],
        "rooms": selectors.rooms_for_user(user=user).order_by("community_id", "name")[:200],
        "can_file": _fileable_partners(user).exists(),
    })


def _fileable_partners(user):
    """The partners this user may file for: their own partnership, or any active partner of a
    community where they keep the books."""
    staff_of = [m.org_unit_id for m in memberships_of(user) if permissions.files_for_partners(user, m.org_unit_id)]
    return (Partner.objects.filter(state=PartnerState.ACTIVE).select_related("community")
            .filter(Q(user=user) | Q(community_id__in=staff_of)))


def _slots_from_post(post) -> list[dict]:
    slots = []
    for i in range(MAX_SLOT_ROWS):
        days = [int(d) for d in post.getlist(f"slot{i}_days") if d.isascii() and d.isdigit() and len(d) == 1]
        starts, ends = post.get(f"slot{i}_starts", ""), post.get(f"slot{i}_ends", "")
        if days or starts or ends:
            slots.append({"weekdays": days, "starts": starts, "ends": ends})
    return slots


def _date(value: str):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@login_required
def request_new(request):
    from forms import builder
    from forms.selectors import published_version_for

    partners = list(_fileable_partners(request.user))
    if not partners:
        raise Http404
    communities = {p.community_id for p in partners}
    rooms = list(selectors.rooms_for_user(user=request.user).filter(community_id__in=communities)
                 .order_by("community_id", "name"))
    version = published_version_for(purpose=services.PURPOSE, street=partners[0].community.parent_id)
    post = request.POST if request.method == "POST" else None
    form = builder.form_class_for(version)(data=post, files=request.FILES or None, user=request.user,
                                           prefix=PREFIX) if version else None
    errors, conflicts, status = {}, [], 200
    values = post or request.GET
    if post is not None:
        partner = next((p for p in partners if str(p.pk) == post.get("partner")), None)
        room = next((r for r in rooms if str(r.pk) == post.get("room")), None)
        starts_on, ends_on = _date(post.get("starts_on")), _date(post.get("ends_on"))
        if partner is None:
            errors["partner"] = [_("Choose the partner.")]
        if room is None:
            errors["room"] = [_("Choose a room.")]
        if starts_on is None or ends_on is None:
            errors["ends_on"] = [_("Enter the term's dates as YYYY-MM-DD.")]
        if not errors:
            try:
                lease_request = services.request_file(
                    actor=request.user, room=room, partner=partner, service=post.get("service", ""),
                    starts_on=starts_on, ends_on=ends_on, slots=_slots_from_post(post),
                    price_model=post.get("price_model", ""), hourly_rate=post.get("hourly_rate") or None,
                    skip_conflicts=post.get("skip_conflicts") == "on", data=post if version else None,
                    files=request.FILES, prefix=PREFIX if version else None)
            except services.LeaseConflict as exc:
                conflicts, status = exc.conflicts, 409
            except StaleState as exc:
                errors["__all__"], status = [str(exc)], 409
            except ValidationError as exc:
                errors, status = _errors_of(exc), 400
                if form is not None:
                    form.is_valid()
            else:
                messages.success(request, _("Your request was filed; its slots are held while it is reviewed."))
                return redirect("lease-request-detail", pk=lease_request.pk)
        else:
            status = 400
    return render(request, "leases/request_form.html", {
        "partners": partners, "rooms": rooms, "form": form, "errors": errors, "conflicts": conflicts,
        "values": values, "weekdays": _weekday_names(), "slot_rows": _slot_rows(values, errors),
        "general_errors": errors.get("__all__", []) + errors.get("detail", []),
        "price_models": PriceModel.choices,
        "logic": builder.client_logic(builder.schema_of(version), prefix=PREFIX) if version else None,
    }, status=status)


def _slot_rows(values, errors: dict) -> list[dict]:
    rows = []
    for i in range(MAX_SLOT_ROWS):
        rows.append({"i": i, "days": {int(d) for d in values.getlist(f"slot{i}_days") if d.isdigit()}
                     if hasattr(values, "getlist") else set(),
                     "starts": values.get(f"slot{i}_starts", ""), "ends": values.get(f"slot{i}_ends", ""),
                     "errors": errors.get(f"slots.{i}", [])})
    return rows


# --- a request, its tasks, the contract --------------------------------------------------------------


def _my_tasks(lease_request, user) -> list[dict]:
    if lease_request.process_id is None or lease_request.state not in (RequestState.REVIEWING, RequestState.CONTRACT):
        return []
    tasks = Task.objects.filter(process_id=lease_request.process_id, status=STATUS.NEW, owner=user).order_by("id")
    return [{"task": t, "step": t.data.get("step", ""), "step_label": LEASE.step_label(t.data.get("step", "")),
             "actions": [a for a in LEASE.step_actions(t.data.get("step", "")) if a != "transfer"]} for t in tasks]


@login_required
def request_detail(request, pk: int):
    from forms import builder

    lease_request = selectors.request_get_for_user(user=request.user, pk=pk)
    display = builder.display(builder.schema_of(lease_request.form_version), lease_request.data,
                              get_language() or "zh-hans") if lease_request.form_version_id else []
    return render(request, "leases/request_detail.html", {
        "r": lease_request, "display": display, "tasks": _my_tasks(lease_request, request.user),
        "history": selectors.request_history(lease_request), "today": timezone.localdate(),
        "occurrences": lease_request.occurrences.count(),
        "lease": getattr(lease_request, "lease", None) if lease_request.state == RequestState.SIGNED else None,
        "is_filer": request.user.pk == lease_request.submitter_id,
        "weekday_names": dict(_weekday_names()),
    })


@login_required
@require_POST
def request_act(request, pk: int):
    lease_request = selectors.request_get_for_user(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    task_id = request.POST.get("task")
    try:
        if action == "sign":
            signed_on = _date(request.POST.get("signed_on", ""))
            if signed_on is None:
                raise ValidationError({"signed_on": _("Enter the signing date.")})
            engine.task_act(actor=request.user, task_id=task_id, action="sign", signed_on=signed_on,
                            scan=request.FILES.get("scan"), comment=request.POST.get("comment", ""))
        elif engine.is_task_action(action):
            engine.task_act_from_form(actor=request.user, task_id=task_id, action=action, data=request.POST)
        elif action == "withdraw":
            services.request_withdraw(actor=request.user, request=lease_request, comment=request.POST.get("comment", ""))
        elif action == "resubmit":
            services.request_resubmit(actor=request.user, request=lease_request, comment=request.POST.get("comment", ""))
        else:
            raise Http404
    except (StaleState, RateLimited) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _flat(exc))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Done."))
    return redirect("lease-request-detail", pk=lease_request.pk)


# --- a lease ---------------------------------------------------------------------------------------------


def _lease_context(request, lease) -> dict:
    user = request.user
    reports = list(lease.reports.prefetch_related("remittances"))
    for report in reports:
        report.outstanding = services.share_outstanding(report)
    return {
        "lease": lease, "slots": lease.request.slots, "weekday_names": dict(_weekday_names()),
        "charges": list(lease.charges.all()), "payments": list(lease.payments.all()), "reports": reports,
        "next_rent_due": selectors.next_rent_due(lease), "history": selectors.lease_history(lease),
        "can_rent": permissions.can_record_rent(user, lease) and lease.price_model != PriceModel.FREE,
        "can_report": permissions.can_report(user, lease),
        "can_end": permissions.can_end_lease(user, lease) and lease.state == LeaseState.ACTIVE,
        "active": lease.state == LeaseState.ACTIVE, "today": timezone.localdate(),
        "last_month": (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
    }


@login_required
def lease_detail(request, pk: int):
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        return _lease_post(request, lease)
    return render(request, "leases/lease_detail.html", _lease_context(request, lease))


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 7 else None


def _lease_post(request, lease):
    post, action = request.POST, request.POST.get("action", "")
    try:
        if action == "rent":
            services.rent_payment_record(actor=request.user, lease=lease, amount=post.get("amount", ""),
                                         paid_on=_date(post.get("paid_on", "")) or timezone.localdate(),
                                         voucher_number=post.get("voucher_number", ""))
        elif action == "report":
            services.revenue_report_file(actor=request.user, lease=lease, month=post.get("month", ""),
                                         revenue=post.get("revenue", ""), sessions=_int(post.get("sessions")),
                                         participants=_int(post.get("participants")))
        elif action == "remit":
            report = selectors.report_get_for_user(user=request.user, pk=post.get("report", ""))
            if report.lease_id != lease.pk:
                raise Http404
            remitted_on = _date(post.get("remitted_on", ""))
            if remitted_on is None:
                raise ValidationError({"remitted_on": _("Enter a date as YYYY-MM-DD.")})
            services.remittance_record(actor=request.user, report=report, amount=post.get("amount", ""),
                                       remitted_on=remitted_on, receipt_code=post.get("receipt_code", ""),
                                       receipt_number=post.get("receipt_number", ""), scan=request.FILES.get("scan"))
        elif action == "terminate":
            on = _date(post.get("on", ""))
            if on is None:
                raise ValidationError({"on": _("Enter a date as YYYY-MM-DD.")})
            services.lease_terminate(actor=request.user, lease=lease, reason=post.get("reason", ""), on=on)
        elif action == "renew":
            renewal = services.lease_renew(actor=request.user, lease=lease,
                                           skip_conflicts=post.get("skip_conflicts") == "on")
            messages.success(request, _("The renewal request was filed."))
            return redirect("lease-request-detail", pk=renewal.pk)
        else:
            raise Http404
    except services.LeaseConflict as exc:
        messages.error(request, str(exc) + " " + "; ".join(f"{c['date']} {c['starts']}–{c['ends']} ({c['lease']})"
                                                         for c in exc.conflicts[:20]))
    except StaleState as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        context = _lease_context(request, lease)
        context["errors"] = _errors_of(exc)
        context["failed"] = action
        return render(request, "leases/lease_detail.html", context, status=400)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Done."))
    return redirect("lease-detail", pk=lease.pk)


@login_required
def contract_page(request, pk: int):
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    enterprise = getattr(lease.community, "enterprise", None)
    return render(request, "leases/contract.html", {
        "lease": lease, "enterprise": enterprise, "slots": lease.request.slots,
        "weekday_names": dict(_weekday_names()), "charity_percent": int(lease.charity_rate * 100),
        "months": (lease.ends_on.year - lease.starts_on.year) * 12 + lease.ends_on.month - lease.starts_on.month + 1,
    })


# --- the room week view ------------------------------------------------------------------------------


@login_required
def room_week(request, pk: int):
    room = selectors.room_get_for_user(user=request.user, pk=pk)
    start = _week_start(request)
    end = start + dt.timedelta(days=6)
    rows = selectors.room_calendar(room, start, end)
    skipped = selectors.room_skipped(room, start, end)
    days = []
    for i in range(7):
        day = start + dt.timedelta(days=i)
        days.append({"date": day, "name": str(OpeningHours.Weekday(day.weekday()).label),
                     "hours": schedule.describe_hours(room, day.weekday()),
                     "items": [r for r in rows if r["date"] == day],
                     "skipped": [s for s in skipped if s["date"] == day.isoformat()]})
    return render(request, "leases/room_week.html", {
        "room": room, "days": days, "start": start, "end": end,
        "previous": start - dt.timedelta(days=7), "next": start + dt.timedelta(days=7),
    })


# --- public pages -------------------------------------------------------------------------------------


def _community(code: str) -> Community:
    community = Community.objects.filter(code=code[:64]).first()
    if community is None:
        raise Http404
    return community


def public_timetable(request, code: str):
    community = _community(code)
    start = _week_start(request)
    days = selectors.week_timetable(community.pk, start)
    for day in days:
        day["name"] = str(OpeningHours.Weekday(day["date"].weekday()).label)
    return render(request, "leases/public_timetable.html", {
        "community": community, "days": days, "start": start, "end": start + dt.timedelta(days=6),
        "previous": start - dt.timedelta(days=7), "next": start + dt.timedelta(days=7),
    })


def public_charity(request, code: str):
    community = _community(code)
    year = _int(request.GET.get("year", "")) if request.GET.get("year") else None
    return render(request, "leases/public_charity.html", {
        "community": community, "tally": selectors.charity_tally([community.pk], year), "year": year,
    })
