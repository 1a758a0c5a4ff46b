"""Every write of the lease area: requests and their hold, the contract, rent, revenue reports,
charity remittances, the end of a lease, and the area's timers.

The route (reviews, countersign, history, events) is the approval engine's; these services call
`workflows.approvals.services` with the request locked, inside their own transaction. The
contract is the area's own task verb (`sign`). The room row is the calendar's lock: the conflict
check and the insertion of occurrences run under it, and on PostgreSQL an exclusion constraint
on the occurrence ranges backs it (a lost race is a 409, never a double booking).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from project import uploads
from project.templatetags.money import money
from workflows.approvals import actions, history, route
from workflows.approvals import services as engine
from workflows.approvals.deadlines import LOCAL_TZ, DeadlineRule, due_for
from workflows.approvals.errors import StaleState
from workflows.approvals.events import EventKind
from workflows.leases import permissions
from workflows.leases.models import (
    Guideline,
    Lease,
    LeaseRequest,
    Occurrence,
    PriceModel,
    Reminder,
    Remittance,
    RentCharge,
    RentPayment,
    RevenueReport,
    RoomRate,
)
from workflows.leases.process import (
    HOLD_EXPIRE,
    LEASE,
    LEASE_CONTRACT,
    LEASE_EXPIRE,
    LEASE_REMIND,
    LEASE_RENEW,
    LEASE_SIGNED,
    LEASE_TERMINATE,
    REMITTED,
    RENT_PAID,
    REPORT_FILED,
)
from workflows.leases.schedule import (
    Occ,
    build_recurrence,
    check_opening_hours,
    expand,
    overlaps,
    parse_slots,
)
from workflows.leases.states import HOLDING_STATES, LeaseState, RequestState
from workflows.leases.steps import COMMITTEE, COMMUNITY_REVIEW, CONTRACT, STREET_REVIEW
from workflows.org import calendar
from workflows.org.models import Room, User
from workflows.org.numbering import next_number
from workflows.org.roles import Role

PURPOSE = "lease.request"
CENT = Decimal("0.01")
# 民法典 Art. 705: a lease runs for at most 20 years; the guideline sets the street's own limit.
MAX_TERM_YEARS_BY_LAW = 20
TERM_REMINDER_DAYS = 30
RENT_GRACE_WORKING_DAYS = 10      # rent unpaid this long after its due day: staff and secretary told
REPORT_GRACE_WORKING_DAYS = 5     # a month's report missing this long after the month: partner and secretary told
SHARE_GRACE_WORKING_DAYS = 20     # a charity share unpaid this long after its report: told
ESCALATE_WORKING_DAYS = 5         # still outstanding this long after the reminder: the street reviewer told
MAX_MONEY = Decimal("10000000.00")
# Dates a lease may use (a term of 20 years from the last one still fits the calendar).
MIN_YEAR, MAX_YEAR = 2000, 2079


class LeaseConflict(Exception):
    """The request's occurrences clash with a lease or a hold: HTTP 409 with every clash."""

    def __init__(self, conflicts: list[dict]):
        super().__init__(_("The room is taken at %(n)s of the requested times.") % {"n": len(conflicts)})
        self.conflicts = conflicts


def _today() -> dt.date:
    return timezone.now().astimezone(LOCAL_TZ).date()


def _check_upload(upload, *, field: str) -> None:
    problem = uploads.field_error(upload, kinds=uploads.SCAN_KINDS)
    if problem:
        raise ValidationError({field: problem})


def _money(value, field: str, errors: dict, *, allow_zero: bool = False) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = [_("Enter an amount such as 800.00.")]
        return None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        errors[field] = [_("Enter an amount with at most two decimal places.")]
    elif amount < 0 or (amount == 0 and not allow_zero):
        errors[field] = [_("The amount must be greater than zero.")]
    elif amount > MAX_MONEY:
        errors[field] = [_("The amount may not exceed 10,000,000.00.")]
    else:
        return amount.quantize(CENT)
    return None


def charity_share(revenue: Decimal, rate: Decimal) -> Decimal:
    """The charity share of a month's revenue: rate × revenue, rounded half-up to the cent."""
    return (revenue * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _history(lease: Lease, action: str, actor, *, before: str | None = None, comment: str = "",
             detail: dict | None = None) -> None:
    history.record(history.HistoryRow(process_kind=LEASE_CONTRACT, process_id=lease.pk, action=action,
                                      actor_id=actor.pk if actor is not None else None, comment=comment,
                                      state_before=before if before is not None else lease.state,
                                      state_after=lease.state, detail=detail))


# --- the guideline and the route ----------------------------------------------------------------


def guideline_for(street_id: int, day: dt.date) -> Guideline:
    found = (Guideline.objects.filter(street_id=street_id, effective_from__lte=day)
             .order_by("-effective_from", "-version").first())
    if found is None:
        raise StaleState(_("The street has no lease guideline in force; ask the administrator to enter it."))
    return found


def _longer_than(starts_on: dt.date, ends_on: dt.date, months: int) -> bool:
    """A term [starts_on, ends_on] is longer than `months` when it runs past the day before the
    same date `months` later (1 Sep – 31 Aug is one year, not more)."""
    return ends_on > starts_on + relativedelta(months=months) - dt.timedelta(days=1)


def route_for(guideline: Guideline, *, area_m2: Decimal, starts_on: dt.date, ends_on: dt.date,
              price_model: str) -> list[str]:
    """The steps a request passes under `guideline`: the secretary always; the committee for a
    long or market-price lease; the street for a large room or a long term; then the contract."""
    steps = [COMMUNITY_REVIEW]
    if _longer_than(starts_on, ends_on, guideline.committee_term_months) or (
            guideline.committee_on_market and price_model == PriceModel.MARKET):
        steps.append(COMMITTEE)
    if area_m2 > guideline.street_area_m2 or _longer_than(starts_on, ends_on, guideline.street_term_months):
        steps.append(STREET_REVIEW)
    steps.append(CONTRACT)
    return steps


# --- checking a request -------------------------------------------------------------------------


def _check_dates(starts_on, ends_on, guideline: Guideline, errors: dict) -> None:
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors["ends_on"] = [_("Enter the term's dates as YYYY-MM-DD.")]
        return
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            errors[name] = [_("Enter a date between %(first)s and %(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR}]
    if errors:
        return
    if ends_on <= starts_on:
        errors["ends_on"] = [_("The term must end after it starts.")]
    elif _longer_than(starts_on, ends_on, 12 * MAX_TERM_YEARS_BY_LAW):
        errors["ends_on"] = [_("A lease runs for at most 20 years (Civil Code Art. 705).")]
    elif _longer_than(starts_on, ends_on, 12 * guideline.max_term_years):
        errors["ends_on"] = [_("The street's lease guideline allows a term of at most %(n)s years.")
                             % {"n": guideline.max_term_years}]


def _price(room: Room, price_model: str, hourly_rate, guideline: Guideline, errors: dict) -> Decimal:
    if price_model not in PriceModel.values:
        errors["price_model"] = [_("Choose free, low or market.")]
        return Decimal("0")
    if price_model == PriceModel.FREE:
        return Decimal("0.00")
    rate = RoomRate.objects.filter(room=room).first()
    if rate is None:
        errors["price_model"] = [_("This room has no market rate yet; only a free lease is possible.")]
        return Decimal("0")
    if price_model == PriceModel.MARKET:
        return rate.hourly_rate
    cap = (rate.hourly_rate * guideline.low_price_cap).quantize(CENT, rounding=ROUND_HALF_UP)
    if hourly_rate in (None, ""):
        return cap
    amount = _money(hourly_rate, "hourly_rate", errors)
    if amount is not None and amount > cap:
        errors["hourly_rate"] = [_("A low price is at most %(share)s%% of the market rate: %(cap)s per hour.")
                                 % {"share": int(guideline.low_price_cap * 100), "cap": money(cap)}]
    return amount or Decimal("0")


def _parse_skip_dates(raw, starts_on, ends_on, errors: dict) -> set[dt.date]:
    found = set()
    if not isinstance(raw, list | tuple) or len(raw) > 500:
        errors["skip_dates"] = [_("A list of dates (YYYY-MM-DD).")]
        return found
    for value in raw:
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            errors["skip_dates"] = [_("A list of dates (YYYY-MM-DD).")]
            return set()
        found.add(day)
    return found


def _validate_data(*, street_id: int, actor, data, files=None, prefix: str | None = None) -> tuple[object, dict]:
    """The request's form fields from the street's published `lease.request` form (none published:
    no extra fields)."""
    from forms.selectors import published_version_for
    from forms.services import submission_validate

    version = published_version_for(purpose=PURPOSE, street=street_id)
    if version is None:
        return None, {}
    try:
        return version, submission_validate(version=version, data=data or {}, user=actor, files=files, prefix=prefix)
    except ValidationError as exc:
        raise ValidationError({f"data.{k}": v for k, v in exc.message_dict.items()}) from None


# --- the calendar: holds and conflicts ------------------------------------------------------------


def _describe(occ: Occ) -> dict:
    return {"date": occ.date.isoformat(), "starts": f"{occ.starts_at.astimezone(LOCAL_TZ):%H:%M}",
            "ends": f"{occ.ends_at.astimezone(LOCAL_TZ):%H:%M}"}


def _holder_label(lease_number: str | None, request_id: int) -> str:
    return lease_number or _("request #%(id)s (on hold)") % {"id": request_id}


def _release_expired_holds(room_id: int, now: dt.datetime) -> None:
    """Holds of this room past their end are released before the check sees them (the sweep
    would release them too, later)."""
    for pk in LeaseRequest.objects.filter(room_id=room_id, state__in=HOLDING_STATES,
                                          held_until__lt=now).values_list("pk", flat=True):
        _expire_hold(pk, now)


def _clashes(room_id: int, wanted: list[Occ], *, exclude_request: int | None = None) -> list[dict]:
    """Every wanted occurrence that overlaps a live occurrence of the room (a lease's or a hold's)."""
    if not wanted:
        return []
    # A slot never crosses midnight, so only the wanted dates can clash (a 3-year twice-weekly
    # request reads its ~300 days, not every row of the room in three years).
    rows = Occurrence.objects.filter(room_id=room_id, date__in=sorted({o.date for o in wanted}))
    if exclude_request is not None:
        rows = rows.exclude(request_id=exclude_request)
    taken = [(s, e, (lease_id, number, req, s, e)) for s, e, lease_id, number, req in
             rows.values_list("starts_at", "ends_at", "lease_id", "lease__contract_number", "request_id")]
    return [{**_describe(occ), "lease": _holder_label(number, req), "lease_id": lease_id, "request_id": req,
             "taken": f"{s.astimezone(LOCAL_TZ):%H:%M}–{e.astimezone(LOCAL_TZ):%H:%M}"}
            for occ, (lease_id, number, req, s, e) in overlaps(wanted, taken)]


def _insert(request: LeaseRequest, wanted: list[Occ]) -> None:
    rows = [Occurrence(room_id=request.room_id, request=request, date=o.date, starts_at=o.starts_at,
                       ends_at=o.ends_at) for o in wanted]
    try:
        with transaction.atomic():
            Occurrence.objects.bulk_create(rows, batch_size=500)
    except IntegrityError:
        # PostgreSQL's exclusion constraint: another request took a slot between the check and
        # the insert (only possible if a writer skipped the room lock). Never a double booking.
        raise LeaseConflict(_clashes(request.room_id, wanted, exclude_request=request.pk)) from None


def reserve(request: LeaseRequest, *, skip_conflicts: bool, now: dt.datetime | None = None) -> int:
    """Check the request's occurrences against the room's calendar under the room lock and hold
    them. A clash is a LeaseConflict listing each one, unless `skip_conflicts`: then the clashing
    dates are left out and kept on the request (`conflict_skips`). Returns the occurrences held."""
    now = now or timezone.now()
    Room.objects.select_for_update().filter(pk=request.room_id).first()
    _release_expired_holds(request.room_id, now)
    wanted = expand(request.recurrence)
    clashes = _clashes(request.room_id, wanted, exclude_request=request.pk)
    if clashes and not skip_conflicts:
        raise LeaseConflict(clashes)
    if clashes:
        clashing = {(c["date"], c["starts"]) for c in clashes}
        wanted = [o for o in wanted if (_describe(o)["date"], _describe(o)["starts"]) not in clashing]
        request.conflict_skips = [{k: c[k] for k in ("date", "starts", "ends", "lease")} for c in clashes]
        LeaseRequest.objects.filter(pk=request.pk).update(conflict_skips=request.conflict_skips)
    if not wanted:
        raise ValidationError({"slots": [_("Every requested time is taken or skipped: nothing is left to lease.")]})
    _insert(request, wanted)
    return len(wanted)


def hold_until(now: dt.datetime) -> dt.datetime:
    """24:00 of the LEASE_HOLD_WORKING_DAYS-th working day after today (counted as deadlines are)."""
    return due_for(DeadlineRule(settings.LEASE_HOLD_WORKING_DAYS, unit="working"), now).at


# --- filing -------------------------------------------------------------------------------------


def request_file(*, actor: User, room: Room, partner, service: str, starts_on: dt.date, ends_on: dt.date,
                 slots, price_model: str, hourly_rate=None, skip_dates=(), skip_conflicts: bool = False,
                 include_holidays: bool = False, data=None, renews: Lease | None = None, files=None,
                 prefix: str | None = None) -> LeaseRequest:
    """File a lease request (the partner, or staff on its behalf): checked, routed by the
    guideline in force, its occurrences held for LEASE_HOLD_WORKING_DAYS working days."""
    from workflows.partners.states import PartnerState

    if not actor.is_authenticated or not permissions.can_file_request(actor, partner):
        raise PermissionDenied
    errors: dict = {}
    community = partner.community
    if partner.state != PartnerState.ACTIVE:
        errors["partner"] = [_("Only an active partner may lease a room.")]
    if not room.for_lease:
        errors["room"] = [_("This room is not offered for lease.")]
    elif room.community_id != partner.community_id:
        errors["room"] = [_("Choose a room of the partner's community.")]
    service = (service or "").strip()
    if not service or len(service) > 200:
        errors["service"] = [_("Name the service (at most 200 characters).")]
    guideline = guideline_for(community.parent_id, _today())
    _check_dates(starts_on, ends_on, guideline, errors)
    rate = _price(room, price_model, hourly_rate, guideline, errors)
    skip = _parse_skip_dates(skip_dates, starts_on, ends_on, errors)
    try:
        parsed = parse_slots(slots)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        parsed = []
    if parsed and "room" not in errors:
        try:
            check_opening_hours(room, parsed)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    version, cleaned = _validate_data(street_id=community.parent_id, actor=actor, data=data, files=files,
                                      prefix=prefix)
    recurrence = build_recurrence(parsed, starts_on, ends_on, skip=skip, include_holidays=include_holidays)
    deposit = getattr(getattr(room, "lease_rate", None), "deposit", Decimal("0")) if price_model != "free" else 0
    now = timezone.now()
    with transaction.atomic():
        request = LeaseRequest(
            community=community, room=room, partner=partner, submitter=actor, service=service, starts_on=starts_on,
            ends_on=ends_on, slots=[s.as_dict() for s in parsed], recurrence=recurrence,
            skip_dates=sorted(d.isoformat() for d in skip), include_holidays=include_holidays,
            price_model=price_model, hourly_rate=rate, deposit=deposit, form_version=version, data=cleaned,
            guideline=guideline, held_until=hold_until(now), renews=renews,
            steps=route_for(guideline, area_m2=room.area_m2, starts_on=starts_on, ends_on=ends_on,
                            price_model=price_model))
        request.save()
        count = reserve(request, skip_conflicts=skip_conflicts, now=now)

        def submit():
            request.submit()
            history.save_checked(request)

        detail = {"occurrences": count, "held_until": request.held_until.isoformat(),
                  "guideline": guideline.version, "on_behalf": actor.pk != partner.user_id}
        if request.conflict_skips:
            detail["conflict_skips"] = len(request.conflict_skips)
        if renews is not None:
            detail["renews"] = renews.contract_number
        engine.route_start(LEASE, request, actor=actor, action=actions.SUBMIT.code, before=submit, detail=detail)
    return request


def _lock_request(pk: int) -> LeaseRequest:
    found = LeaseRequest.objects.select_for_update(of=("self",)).select_related(*LEASE.select_related).filter(pk=pk)
    request = found.first()
    if request is None:
        raise PermissionDenied
    return request


def _is_filer(actor, request: LeaseRequest) -> bool:
    return actor.pk in (request.submitter_id, request.partner.user_id)


def request_withdraw(*, actor: User, request: LeaseRequest, comment: str = "") -> LeaseRequest:
    """The filer takes the request back before anyone decided: its slots are free again."""
    with transaction.atomic():
        request = _lock_request(request.pk)
        if request.submitter_id != actor.pk:
            raise PermissionDenied
        engine.process_withdraw(LEASE, request, actor=actor, comment=comment)
        Occurrence.objects.filter(request=request).delete()
    return request


def request_resubmit(*, actor: User, request: LeaseRequest, service: str | None = None, data=None,
                     comment: str = "") -> LeaseRequest:
    """The filer sends a returned request again (its slots still held): the route starts over."""
    with transaction.atomic():
        request = _lock_request(request.pk)
        if not _is_filer(actor, request):
            raise PermissionDenied
        if request.state != RequestState.RETURNED:
            raise StaleState(_("Only a returned request can be resubmitted."))
        if request.held_until is not None and request.held_until < timezone.now():
            raise StaleState(_("The hold on these slots has expired; file a new request."))
        if service is not None and service.strip():
            request.service = service.strip()[:200]
        if data is not None:
            request.form_version, request.data = _validate_data(street_id=request.community.parent_id, actor=actor,
                                                                data=data)
        request.round += 1

        def resubmit():
            request.resubmit()
            history.save_checked(request)

        engine.route_start(LEASE, request, actor=actor, action=actions.RESUBMIT.code, before=resubmit,
                           comment=comment)
    return request


def request_reviews_passed(request: LeaseRequest, *, process) -> None:
    """Called by the flow when the last review passes: the contract is next. The secretary signs
    it for the community whoever reviewed the request, so the rule "whoever signed the step
    before never holds the next one" starts afresh here."""
    request.reviews_passed()
    history.save_checked(request, update_fields=["state", "updated_at"])
    state = route.RouteState.of(process)
    state.last_signer = None
    state.store(process)


def request_rejected(request: LeaseRequest, *, process) -> None:
    """Called by the flow when a review or the secretary rejects: the slots are free again."""
    route.finished(process=process, approved=False)
    Occurrence.objects.filter(request=request).delete()


def _expire_hold(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        request = _lock_request(pk)
        if request.state not in HOLDING_STATES or request.held_until is None or request.held_until >= now:
            return False

        def work():
            engine.route_cancel(LEASE, request)
            request.hold_expire()
            history.save_checked(request)
            Occurrence.objects.filter(request=request).delete()

        engine.perform(LEASE, request, actor=None, action=HOLD_EXPIRE.code, work=work,
                       comment=_("Nobody decided within %(n)s working days; the slots are free again.")
                       % {"n": settings.LEASE_HOLD_WORKING_DAYS})
        route.emit(LEASE, request, EventKind.REJECTED, user_ids=route.watchers(LEASE, request),
                   comment=_("The hold expired."))
    return True


# --- the contract ---------------------------------------------------------------------------------


class SignSerializer(serializers.Serializer):
    signed_on = serializers.DateField()
    scan = serializers.FileField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


def _month_starts(starts_on: dt.date, ends_on: dt.date):
    month = starts_on.replace(day=1)
    while month <= ends_on:
        yield month
        month += relativedelta(months=1)


def _charges(lease: Lease) -> list[RentCharge]:
    """Monthly rent of a low- or market-price lease: the rate × the month's reserved hours, due on
    the first day of the month (the lease's first day in its first month)."""
    if lease.price_model == PriceModel.FREE or lease.hourly_rate <= 0:
        return []
    hours: dict[dt.date, Decimal] = {}
    for starts_at, ends_at, day in Occurrence.objects.filter(lease=lease).values_list("starts_at", "ends_at", "date"):
        key = day.replace(day=1)
        hours[key] = hours.get(key, Decimal("0")) + Decimal((ends_at - starts_at).total_seconds()) / 3600
    rows = []
    for month in _month_starts(lease.starts_on, lease.ends_on):
        if hours.get(month):
            rows.append(RentCharge(lease=lease, month=month, amount=(hours[month] * lease.hourly_rate).quantize(
                CENT, rounding=ROUND_HALF_UP), due_on=max(month, lease.starts_on)))
    return rows


def contract_sign(ctx: engine.ActionContext, *, signed_on: dt.date, scan=None, comment: str = "") -> None:
    """The secretary signs the contract: it gets its number (和平租〔2026〕第 003 号), the lease is
    active and its occurrences fill the room calendar; rent falls due month by month."""
    request = ctx.obj
    if signed_on > _today():
        raise ValidationError({"signed_on": [_("The signing date cannot be in the future.")]})
    if scan is not None:
        _check_upload(scan, field="scan")
    community = request.community
    sequence, number = next_number(community=community, year=signed_on.year, tag="租",
                                   issued=Lease.objects.filter(community=community, year=signed_on.year))
    lease = Lease(request=request, community=community, room_id=request.room_id, partner_id=request.partner_id,
                  service=request.service, contract_number=number, year=signed_on.year, sequence=sequence,
                  signed_on=signed_on, signed_by=ctx.actor, starts_on=request.starts_on, ends_on=request.ends_on,
                  price_model=request.price_model, hourly_rate=request.hourly_rate, deposit=request.deposit)
    if scan is not None:
        lease.scan = scan
    lease.save()
    Occurrence.objects.filter(request=request).update(lease=lease)
    RentCharge.objects.bulk_create(_charges(lease))
    LeaseRequest.objects.filter(pk=request.pk).update(held_until=None)
    request.held_until = None
    _history(lease, LEASE_SIGNED.code, ctx.actor, before="", detail={"number": number, "request": request.pk})
    engine.task_decide(ctx, route.APPROVE, action=SIGN_ACTION.code, comment=comment,
                       detail={"number": number, "lease": lease.pk})


# --- rent -------------------------------------------------------------------------------------------


def _lock_lease(pk: int) -> Lease:
    lease = Lease.objects.select_for_update(of=("self",)).select_related("community", "partner", "room").filter(
        pk=pk).first()
    if lease is None:
        raise PermissionDenied
    return lease


def rent_outstanding(lease: Lease, *, until: dt.date | None = None) -> Decimal:
    """Rent due (up to `until`, else the whole term) less every payment."""
    charges = RentCharge.objects.filter(lease=lease)
    if until is not None:
        charges = charges.filter(due_on__lte=until)
    due = charges.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    paid = RentPayment.objects.filter(lease=lease).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return (due - paid).quantize(CENT)


def rent_payment_record(*, actor: User, lease: Lease, amount, paid_on, voucher_number: str) -> RentPayment:
    """Staff record a rent payment: it posts an operating-income line to the community's books,
    the partner as counterparty, linked to the payment (and through it to the lease)."""
    from workflows.ledger.categories import IncomeSource
    from workflows.ledger.services import income_post

    errors: dict = {}
    amount = _money(amount, "amount", errors)
    voucher_number = (voucher_number or "").strip()
    if not voucher_number or len(voucher_number) > 64:
        errors["voucher_number"] = [_("Enter the voucher number (at most 64 characters).")]
    if isinstance(paid_on, dt.date) and paid_on > _today():
        errors["paid_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lease = _lock_lease(lease.pk)
        if not permissions.can_view_lease(actor, lease) or not permissions.can_record_rent(actor, lease):
            raise PermissionDenied
        if lease.price_model == PriceModel.FREE:
            raise StaleState(_("A free lease has no rent."))
        left = rent_outstanding(lease)
        if amount > left:
            raise ValidationError({"amount": [_("At most the rent still to pay: %(left)s.") % {"left": money(left)}]})
        payment = RentPayment.objects.create(lease=lease, amount=amount, paid_on=paid_on,
                                             voucher_number=voucher_number, recorded_by=actor)
        line = income_post(actor=actor, community=lease.community, source=IncomeSource.OPERATING, amount=amount,
                           date=paid_on, counterparty=lease.partner.public_name,
                           note=_("Rent, contract %(number)s") % {"number": lease.contract_number},
                           voucher_number=voucher_number, source_type="lease_rent", source_id=payment.pk)
        RentPayment.objects.filter(pk=payment.pk).update(ledger_line=line)
        payment.ledger_line = line
        _history(lease, RENT_PAID.code, actor, detail={"amount": str(amount), "line": line.pk})
    return payment


# --- revenue reports and the charity share --------------------------------------------------------


def parse_month(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        return dt.datetime.strptime(str(value).strip(), "%Y-%m").date()
    except ValueError:
        return None


def revenue_report_file(*, actor: User, lease: Lease, month, revenue, sessions: int,
                        participants: int) -> RevenueReport:
    """The partner (or staff on its behalf) reports a month's revenue from the room; the share
    due to 鹤山市慈善会 is the lease's charity rate of it, half-up to the cent. One per month."""
    errors: dict = {}
    day = parse_month(month)
    revenue = _money(revenue, "revenue", errors, allow_zero=True)
    for name, value in (("sessions", sessions), ("participants", participants)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100000:
            errors[name] = [_("A whole number from 0.")]
    if day is None:
        errors["month"] = [_("Enter a month as YYYY-MM.")]
    elif day > _today().replace(day=1):
        errors["month"] = [_("A month that has not begun cannot be reported.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lease = _lock_lease(lease.pk)
        if not permissions.can_view_lease(actor, lease) or not permissions.can_report(actor, lease):
            raise PermissionDenied
        if not lease.starts_on.replace(day=1) <= day <= lease.ends_on:
            raise ValidationError({"month": [_("The month is outside the lease's term.")]})
        if RevenueReport.objects.filter(lease=lease, month=day).exists():
            raise StaleState(_("This month has already been reported."))
        on_behalf = actor.pk != lease.partner.user_id
        try:
            with transaction.atomic():
                report = RevenueReport.objects.create(
                    lease=lease, month=day, revenue=revenue, sessions=sessions, participants=participants,
                    charity_rate=lease.charity_rate, charity_due=charity_share(revenue, lease.charity_rate),
                    filed_by=actor, on_behalf=on_behalf)
        except IntegrityError:
            raise StaleState(_("This month has already been reported.")) from None
        _history(lease, REPORT_FILED.code, actor, detail={"month": day.strftime("%Y-%m"), "revenue": str(revenue),
                                                          "charity_due": str(report.charity_due),
                                                          "on_behalf": on_behalf})
    return report


def share_outstanding(report: RevenueReport) -> Decimal:
    paid = report.remittances.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    # SQLite sums decimals as floats-with-digits: quantized so 123.45 − 123.45 reads 0.00.
    return (report.charity_due - paid).quantize(CENT)


def remittance_record(*, actor: User, report: RevenueReport, amount, remitted_on: dt.date, receipt_code: str,
                      receipt_number: str, scan=None) -> Remittance:
    """The partner (or staff on its behalf) records money passed to 鹤山市慈善会 with the
    federation's receipt; at most what is still outstanding of the report's share."""
    errors: dict = {}
    amount = _money(amount, "amount", errors)
    receipt_code, receipt_number = (receipt_code or "").strip(), (receipt_number or "").strip()
    if not receipt_code.isdigit() or not 6 <= len(receipt_code) <= 20:
        errors["receipt_code"] = [_("The receipt code (票据代码) is 6 to 20 digits.")]
    if not receipt_number.isdigit() or not 6 <= len(receipt_number) <= 20:
        errors["receipt_number"] = [_("The receipt number (号码) is 6 to 20 digits.")]
    if isinstance(remitted_on, dt.date) and remitted_on > _today():
        errors["remitted_on"] = [_("The date cannot be in the future.")]
    if scan is not None:
        problem = uploads.field_error(scan, kinds=uploads.SCAN_KINDS)
        if problem:
            errors["scan"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lease = _lock_lease(report.lease_id)
        if not permissions.can_view_lease(actor, lease) or not permissions.can_report(actor, lease):
            raise PermissionDenied
        report = RevenueReport.objects.get(pk=report.pk)
        left = share_outstanding(report)
        if amount > left:
            raise ValidationError({"amount": [_("At most the share still outstanding: %(left)s.") % {"left": money(left)}]})
        if Remittance.objects.filter(receipt_code=receipt_code, receipt_number=receipt_number).exists():
            raise ValidationError({"receipt_number": [_("This receipt has been recorded already.")]})
        on_behalf = actor.pk != lease.partner.user_id
        remittance = Remittance(report=report, amount=amount, remitted_on=remitted_on, receipt_code=receipt_code,
                                receipt_number=receipt_number, recorded_by=actor, on_behalf=on_behalf)
        if scan is not None:
            remittance.scan = scan
        remittance.save()
        _history(lease, REMITTED.code, actor, detail={"month": report.month.strftime("%Y-%m"), "amount": str(amount),
                                                      "receipt": f"{receipt_code} {receipt_number}",
                                                      "on_behalf": on_behalf})
    return remittance


# --- the end of a lease ---------------------------------------------------------------------------


def _end(lease: Lease, *, actor, on: dt.date, method: str, action: str, reason: str) -> None:
    """End the lease on `on`: its occurrences after that day leave the calendar, with the rent
    that would have fallen due for them; the partner and the secretary are told."""
    from notifications.services import RoleQueue, notify

    before = lease.state
    getattr(lease, method)()
    lease.ended_on, lease.reason = on, reason
    history.save_checked(lease)
    cutoff = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
    Occurrence.objects.filter(lease=lease, starts_at__gte=cutoff).delete()
    RentCharge.objects.filter(lease=lease, month__gt=on).delete()
    _history(lease, action, actor, before=before, comment=reason, detail={"on": on.isoformat()})
    notify(kind="lease.ended", users=[lease.partner.user_id],
           queues=[RoleQueue(Role.COMMUNITY_SECRETARY, lease.community_id)],
           url=reverse("lease-detail", args=[lease.pk]),
           params={"title": f"{lease.room} · {lease.service}", "number": lease.contract_number,
                   "ended_on": on.isoformat(), "reason": reason})


def lease_terminate(*, actor: User, lease: Lease, reason: str, on: dt.date) -> Lease:
    """Early termination by either side, with a reason: nothing after `on` stays on the calendar."""
    reason = (reason or "").strip()
    errors = {}
    if not reason or len(reason) > 1000:
        errors["reason"] = [_("Give the reason (at most 1000 characters).")]
    with transaction.atomic():
        lease = _lock_lease(lease.pk)
        if not permissions.can_view_lease(actor, lease) or not permissions.can_end_lease(actor, lease):
            raise PermissionDenied
        if isinstance(on, dt.date) and not (lease.starts_on - dt.timedelta(days=1) <= on < lease.ends_on):
            errors["on"] = [_("Choose a day within the term, before its end (%(end)s).") % {"end": lease.ends_on}]
        if errors:
            raise ValidationError(errors)
        if lease.state != LeaseState.ACTIVE:
            raise StaleState(_("This lease has already ended."))
        _end(lease, actor=actor, on=on, method="terminate", action=LEASE_TERMINATE.code, reason=reason)
    return lease


def lease_renew(*, actor: User, lease: Lease, starts_on: dt.date | None = None, ends_on: dt.date | None = None,
                skip_conflicts: bool = False) -> LeaseRequest:
    """A new request prefilled from the lease (same room, slots, service, price), running on from
    its end; it passes the same checks and conflict check as any request."""
    lease = Lease.objects.select_related("request", "room", "partner__community", "community").get(pk=lease.pk)
    if not permissions.can_view_lease(actor, lease):
        raise PermissionDenied
    if lease.state != LeaseState.ACTIVE:
        raise StaleState(_("Only an active lease can be renewed."))
    old = lease.request
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise ValidationError({name: [_("Enter a date between %(first)s and %(last)s.")
                                          % {"first": MIN_YEAR, "last": MAX_YEAR}]})
    starts_on = starts_on or lease.ends_on + dt.timedelta(days=1)
    ends_on = ends_on or starts_on + (lease.ends_on - lease.starts_on)
    request = request_file(actor=actor, room=lease.room, partner=lease.partner, service=lease.service,
                           starts_on=starts_on, ends_on=ends_on, slots=old.slots, price_model=lease.price_model,
                           hourly_rate=lease.hourly_rate if lease.price_model == PriceModel.LOW else None,
                           skip_conflicts=skip_conflicts, include_holidays=old.include_holidays,
                           data=old.data or None, renews=lease)
    _history(lease, LEASE_RENEW.code, actor, detail={"request": request.pk})
    return request


# --- the timers -----------------------------------------------------------------------------------


def _remind_once(lease: Lease, subject: str, key: str, level: int) -> bool:
    """Record that this reminder is sent (False: it was sent before)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(lease=lease, subject=subject, key=key, level=level)
    except IntegrityError:
        return False
    return True


def _tell(lease: Lease, *, kind: str, params: dict, partner: bool, staff: bool, street: bool = False) -> None:
    from notifications.services import RoleQueue, notify

    queues = [RoleQueue(Role.COMMUNITY_SECRETARY, lease.community_id)]
    if staff:
        queues.append(RoleQueue(Role.COMMUNITY_STAFF, lease.community_id))
    if street:
        queues.append(RoleQueue(Role.STREET_REVIEWER, lease.community.parent_id))
    notify(kind=kind, users=[lease.partner.user_id] if partner else [], queues=queues,
           url=reverse("lease-detail", args=[lease.pk]), params={"title": f"{lease.room} · {lease.service}", **params})


def _arrears_sweep(lease: Lease, today: dt.date) -> int:
    """Rent unpaid 10 working days after its due day (staff and the secretary told); a revenue
    report missing 5 working days after its month, or a share unpaid 20 working days after its
    report (the partner and the secretary told); each still outstanding 5 working days after
    that reminder goes to the street reviewer."""
    fired = 0
    paid = RentPayment.objects.filter(lease=lease).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    running = Decimal("0")
    for charge in RentCharge.objects.filter(lease=lease, due_on__lte=today).order_by("month"):
        running += charge.amount
        if running <= paid:
            continue
        late = calendar.working_days_between(charge.due_on, today)
        month = charge.month.strftime("%Y-%m")
        if late > RENT_GRACE_WORKING_DAYS and _remind_once(lease, Reminder.Subject.RENT, month, 1):
            _tell(lease, kind="lease.rent_overdue", partner=True, staff=True,
                  params={"month": month, "amount": money(min(running - paid, charge.amount)),
                          "due_on": charge.due_on.isoformat()})
            _history(lease, LEASE_REMIND.code, None, detail={"subject": "rent", "month": month})
            fired += 1
        if late > RENT_GRACE_WORKING_DAYS + ESCALATE_WORKING_DAYS and _remind_once(
                lease, Reminder.Subject.RENT, month, 2):
            _tell(lease, kind="lease.escalated", partner=False, staff=False, street=True,
                  params={"what": str(Reminder.Subject.RENT.label), "month": month})
            _history(lease, LEASE_REMIND.code, None, detail={"subject": "rent", "month": month, "level": 2})
            fired += 1
    reported = set(RevenueReport.objects.filter(lease=lease).values_list("month", flat=True))
    last = min(today, lease.ended_on or lease.ends_on)
    for month in _month_starts(lease.starts_on, last):
        month_end = month + relativedelta(months=1) - dt.timedelta(days=1)
        if month in reported or month_end >= today:
            continue
        late = calendar.working_days_between(month_end, today)
        key = month.strftime("%Y-%m")
        for level, limit in ((1, REPORT_GRACE_WORKING_DAYS), (2, REPORT_GRACE_WORKING_DAYS + ESCALATE_WORKING_DAYS)):
            if late > limit and _remind_once(lease, Reminder.Subject.REPORT, key, level):
                if level == 1:
                    _tell(lease, kind="lease.report_missing", partner=True, staff=False, params={"month": key})
                else:
                    _tell(lease, kind="lease.escalated", partner=False, staff=False, street=True,
                          params={"what": str(Reminder.Subject.REPORT.label), "month": key})
                _history(lease, LEASE_REMIND.code, None, detail={"subject": "report", "month": key, "level": level})
                fired += 1
    for report in RevenueReport.objects.filter(lease=lease, charity_due__gt=0):
        left = share_outstanding(report)
        if left <= 0:
            continue
        late = calendar.working_days_between(report.created_at.astimezone(LOCAL_TZ).date(), today)
        key = str(report.pk)
        month = report.month.strftime("%Y-%m")
        for level, limit in ((1, SHARE_GRACE_WORKING_DAYS), (2, SHARE_GRACE_WORKING_DAYS + ESCALATE_WORKING_DAYS)):
            if late > limit and _remind_once(lease, Reminder.Subject.SHARE, key, level):
                if level == 1:
                    _tell(lease, kind="lease.share_unpaid", partner=True, staff=False,
                          params={"month": month, "amount": money(left)})
                else:
                    _tell(lease, kind="lease.escalated", partner=False, staff=False, street=True,
                          params={"what": str(Reminder.Subject.SHARE.label), "month": month})
                _history(lease, LEASE_REMIND.code, None, detail={"subject": "share", "month": month, "level": level})
                fired += 1
    return fired


def lease_sweep(*, now: dt.datetime | None = None) -> int:
    """The area's timers (ProcessKind.sweep, run by the engine's deadline sweep in `run_timers`):
    holds past their end are released; leases 30 days from their end are announced and those
    past it expire; rent, reports and shares in arrears are told and escalated. Each object is
    its own transaction, as the system actor."""
    now = now or timezone.now()
    today = now.astimezone(LOCAL_TZ).date()
    fired = 0
    for pk in LeaseRequest.objects.filter(state__in=HOLDING_STATES, held_until__lt=now).values_list("pk", flat=True):
        fired += _expire_hold(pk, now)
    soon = Lease.objects.filter(state=LeaseState.ACTIVE, term_reminded_at=None,
                                ends_on__lte=today + dt.timedelta(days=TERM_REMINDER_DAYS), ends_on__gte=today)
    for pk in soon.values_list("pk", flat=True):
        with transaction.atomic():
            lease = _lock_lease(pk)
            if lease.term_reminded_at is not None:
                continue
            Lease.objects.filter(pk=pk).update(term_reminded_at=now)
            _tell(lease, kind="lease.term_ending", partner=True, staff=False,
                  params={"number": lease.contract_number, "ends_on": lease.ends_on.isoformat()})
            _history(lease, LEASE_REMIND.code, None, detail={"subject": "term", "ends_on": lease.ends_on.isoformat()})
            fired += 1
    for pk in Lease.objects.filter(state=LeaseState.ACTIVE, ends_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            lease = _lock_lease(pk)
            if lease.state == LeaseState.ACTIVE:
                _end(lease, actor=None, on=lease.ends_on, method="expire", action=LEASE_EXPIRE.code,
                     reason=_("The term ended."))
                fired += 1
    for lease in Lease.objects.filter(state=LeaseState.ACTIVE).select_related("community", "partner", "room"):
        with transaction.atomic():
            fired += _arrears_sweep(lease, today)
    return fired


# The area's own task verb (registered in apps.py; listed in LEASE.actions).
SIGN_ACTION = actions.ActionDef("sign", gettext_lazy("Contract signed"), handler=contract_sign,
                                serializer=SignSerializer, decision=True, kind="lease")


def _contract():
    from forms.purposes import PurposeContract

    return PurposeContract(purpose=PURPOSE, fields={"contact_name": None, "contact_mobile": "mobile",
                                                    "expected_participants": "integer", "target": "single_choice"})


PURPOSE_CONTRACT = _contract()
