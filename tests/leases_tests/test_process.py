"""A lease request walked through the engine through the real API, the clock moved by
time-machine: each guideline route, approve / reject / return, the contract and its number, rent
posting to the ledger, revenue reports and their 10% share, remittances, the charity tally,
arrears reminders and their escalation, the end of term, renewal and termination."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from workflows.approvals import services as engine
from workflows.approvals.models import HistoryEntry
from workflows.leases.models import Lease, LeaseRequest, Occurrence, Reminder, RentCharge
from workflows.leases.states import LeaseState, RequestState
from workflows.ledger.models import LedgerLine

from .helpers import NOW, TZ, file, leased, partner, room, slot

pytestmark = pytest.mark.django_db

MONDAYS = [slot((0,), "19:00", "21:00")]


def task_of(request_id: int, user) -> dict:
    tasks = Task.objects.filter(process_id=LeaseRequest.objects.get(pk=request_id).process_id, status=STATUS.NEW,
                                owner=user)
    task = tasks.get()
    return {"id": task.pk, "step": task.data["step"]}


def act(api, task_id: int, action: str, body=None, fmt="json"):
    return api.post(f"/api/tasks/{task_id}/{action}/", body or {}, format=fmt)


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("contract.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                              content_type="application/pdf")


def signed(api_for, users, request_id: int, code: str = "heping") -> Lease:
    """Every review approved through the API by its holder, then the secretary signs."""
    for _ in range(8):
        open_tasks = Task.objects.filter(process_id=LeaseRequest.objects.get(pk=request_id).process_id,
                                         status=STATUS.NEW).exclude(owner=None).order_by("id")
        task = open_tasks.first()
        if task is None:
            break
        holder = users_by_pk(users)[task.owner_id]
        if task.data["step"] == "contract":
            response = act(api_for(holder), task.pk, "sign", {"signed_on": "2026-09-14", "scan": pdf()},
                           fmt="multipart")
        else:
            response = act(api_for(holder), task.pk, "approve", {"comment": "同意"})
        assert response.status_code == 200, response.json()
    return Lease.objects.get(request_id=request_id)


def users_by_pk(users) -> dict:
    from workflows.org.models import User

    return {u.pk: u for u in User.objects.all()}


@pytest.mark.parametrize(("where", "changes", "route"), [
    (("heping", "书法室"), {}, ["community_review", "contract"]),
    (("heping", "书法室"), {"price_model": "market"}, ["community_review", "committee", "contract"]),
    (("fenghuang", "瑜伽室"), {"slots": [slot((4,), "19:00", "21:00")]}, ["community_review", "street_review", "contract"]),
    (("heping", "书法室"), {"ends_on": "2028-03-14"}, ["community_review", "committee", "street_review", "contract"]),
])
def test_each_guideline_route_is_walked_and_the_request_shows_its_guideline_version(
        demo, api_for, users, where, changes, route):
    code, name = where
    who = partner({"heping": "墨韵书法工作室", "fenghuang": "静心瑜伽馆"}[code])
    with time_machine.travel(NOW, tick=False):
        created = file(api_for(who.user), room(code, name), who, **changes)
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body["route"] == route and body["guideline_version"] == 1
        lease = signed(api_for, users, body["id"], code)
    steps = list(HistoryEntry.objects.filter(process_kind="lease", process_id=body["id"])
                 .exclude(step="").values_list("step", flat=True).distinct())
    assert [s for s in route if s in steps] == route
    assert set(HistoryEntry.objects.filter(process_kind="lease", process_id=body["id"])
               .values_list("policy_version", flat=True)) == {1}
    assert lease.state == LeaseState.ACTIVE and LeaseRequest.objects.get(pk=body["id"]).state == RequestState.SIGNED


def test_the_secretary_signs_the_contract_the_lease_is_active_and_its_slots_fill_the_calendar(demo, api_for, users):
    who = partner()
    secretary = users["heping_secretary"]
    with time_machine.travel(NOW, tick=False):
        body = file(api_for(who.user), room(), who).json()
        review = task_of(body["id"], secretary)
        tasks = api_for(secretary).get("/api/tasks/").json()["results"]
        listed = [t for t in tasks if t["process"] == {"kind": "lease", "id": body["id"]}]
        assert [sorted(t["actions"]) for t in listed] == [["approve", "reject", "return", "transfer"]]
        assert act(api_for(secretary), review["id"], "approve").status_code == 200
        contract = task_of(body["id"], secretary)
        assert contract["step"] == "contract"
        assert act(api_for(secretary), contract["id"], "sign", {"signed_on": "2026-09-20"}).status_code == 400
        response = act(api_for(secretary), contract["id"], "sign", {"signed_on": "2026-09-14", "scan": pdf()},
                       fmt="multipart")
        assert response.status_code == 200, response.json()
        lease = Lease.objects.get(request_id=body["id"])
        detail = api_for(who.user).get(f"/api/leases/{lease.pk}/").json()
        browser = Client()
        browser.force_login(secretary)
        page = browser.get(f"/leases/{lease.pk}/contract/")
    previous = Lease.objects.filter(community=lease.community, year=2026).exclude(pk=lease.pk).count()
    assert lease.contract_number == f"和平租〔2026〕第 {previous + 1:03d} 号"
    assert detail["state"] == "active" and detail["contract_number"] == lease.contract_number
    assert detail["next_rent_due"] == {"month": "2026-09", "due_on": "2026-09-15", "amount": "140.00"}
    assert [h["action"] for h in detail["history"]][:3] == ["submit", "approve", "lease_signed"]
    assert "sign" in [h["action"] for h in detail["history"]]
    assert Occurrence.objects.filter(request_id=body["id"]).exclude(lease=lease).count() == 0
    assert lease.scan.name.endswith(".pdf") and "contract" not in lease.scan.name.rsplit("/", 1)[-1]
    text = page.content.decode()
    assert page.status_code == 200 and lease.contract_number in text and "鹤山市慈善会" in text
    assert "30" in text and "19:00" in text and "contract.css" in text


def test_reject_frees_the_slots_and_return_keeps_them_until_resubmitted(demo, api_for, users):
    who = partner()
    secretary = users["heping_secretary"]
    with time_machine.travel(NOW, tick=False):
        first = file(api_for(who.user), room(), who).json()
        assert act(api_for(secretary), task_of(first["id"], secretary)["id"], "reject", {}).status_code == 400
        assert act(api_for(secretary), task_of(first["id"], secretary)["id"], "reject",
                   {"comment": "时段另有安排"}).status_code == 200
        assert LeaseRequest.objects.get(pk=first["id"]).state == RequestState.REJECTED
        assert not Occurrence.objects.filter(request_id=first["id"]).exists()
        second = file(api_for(who.user), room(), who).json()
        assert act(api_for(secretary), task_of(second["id"], secretary)["id"], "return",
                   {"comment": "请补充课程安排"}).status_code == 200
        assert LeaseRequest.objects.get(pk=second["id"]).state == RequestState.RETURNED
        assert Occurrence.objects.filter(request_id=second["id"]).count() == 5
        # Still held: a third request for the same time clashes with it.
        clash = file(api_for(partner("茶语文创工作室").user), room(), partner("茶语文创工作室"))
        assert clash.status_code == 409 and f"#{second['id']}" in clash.json()["conflicts"][0]["lease"]
        again = api_for(who.user).post(f"/api/lease-requests/{second['id']}/resubmit/", {"comment": "已补充"},
                                       format="json")
        assert again.status_code == 200 and again.json()["state"] == "reviewing"
    assert task_of(second["id"], secretary)["step"] == "community_review"


def test_rent_posts_an_operating_income_line_with_the_partner_as_counterparty(demo, api_for, users):
    who = partner()
    staff = users["heping_staff"]
    with time_machine.travel(NOW, tick=False):
        lease = leased(users, room(), who, slots=MONDAYS, starts_on=dt.date(2026, 9, 15), ends_on=dt.date(2026, 10, 31))
    # ¥35 an hour (70% of ¥50), two hours each Monday: Sep 21, 28; Oct 12, 19, 26 (5 Oct is National Day).
    assert list(RentCharge.objects.filter(lease=lease).values_list("month", "amount", "due_on")) == [
        (dt.date(2026, 9, 1), Decimal("140.00"), dt.date(2026, 9, 15)),
        (dt.date(2026, 10, 1), Decimal("210.00"), dt.date(2026, 10, 1))]
    with time_machine.travel(dt.datetime(2026, 9, 20, 10, 0, tzinfo=TZ), tick=False):
        api = api_for(staff)
        response = api.post(f"/api/leases/{lease.pk}/rent-payments/",
                            {"amount": "140.00", "paid_on": "2026-09-18", "voucher_number": "ZJ-0918"}, format="json")
        assert response.status_code == 201, response.json()
        too_much = api.post(f"/api/leases/{lease.pk}/rent-payments/",
                            {"amount": "210.01", "paid_on": "2026-09-18", "voucher_number": "ZJ-0919"}, format="json")
        assert too_much.status_code == 400 and "210.00" in too_much.json()["amount"][0]
        assert api_for(who.user).post(f"/api/leases/{lease.pk}/rent-payments/", {
            "amount": "1.00", "paid_on": "2026-09-18", "voucher_number": "X"}, format="json").status_code == 404
        detail = api.get(f"/api/leases/{lease.pk}/").json()
    line = LedgerLine.objects.get(pk=response.json()["ledger_line"])
    assert (line.line, line.source, line.amount, line.counterparty, line.source_type) == (
        "income", "operating", Decimal("140.00"), who.public_name, "lease_rent")
    assert line.community_id == lease.community_id and lease.contract_number in line.note
    assert detail["next_rent_due"]["month"] == "2026-10"
    assert HistoryEntry.objects.filter(process_kind="lease_contract", process_id=lease.pk, action="rent_paid").exists()


def test_a_revenue_report_owes_ten_percent_half_up_and_remittances_stop_at_the_outstanding_amount(
        demo, api_for, anon_api, users):
    who = partner("宝芝林医院")  # no demo lease: the tally's September cell is this report alone
    with time_machine.travel(NOW, tick=False):
        lease = leased(users, room(), who, slots=MONDAYS, starts_on=dt.date(2026, 9, 15), ends_on=dt.date(2026, 12, 31))
    with time_machine.travel(dt.datetime(2026, 10, 9, 10, 0, tzinfo=TZ), tick=False):
        api = api_for(who.user)
        report = api.post(f"/api/leases/{lease.pk}/revenue-reports/",
                          {"month": "2026-09", "revenue": "1234.45", "sessions": 2, "participants": 24}, format="json")
        assert report.status_code == 201, report.json()
        # 123.445: half-up gives 123.45 (banker's rounding would give 123.44).
        assert report.json()["charity_due"] == "123.45"
        twice = api.post(f"/api/leases/{lease.pk}/revenue-reports/",
                         {"month": "2026-09", "revenue": "1.00", "sessions": 1, "participants": 1}, format="json")
        assert twice.status_code == 409
        future = api.post(f"/api/leases/{lease.pk}/revenue-reports/",
                          {"month": "2026-11", "revenue": "1.00", "sessions": 1, "participants": 1}, format="json")
        assert future.status_code == 400 and "month" in future.json()
        report_id = report.json()["id"]
        url = f"/api/revenue-reports/{report_id}/remittances/"
        first = api.post(url, {"amount": "100.00", "remitted_on": "2026-10-09", "receipt_code": "44070126",
                               "receipt_number": "00012345"}, format="json")
        assert first.status_code == 201 and first.json()["report"]["outstanding"] == "23.45"
        beyond = api.post(url, {"amount": "23.46", "remitted_on": "2026-10-09", "receipt_code": "44070126",
                                "receipt_number": "00012346"}, format="json")
        assert beyond.status_code == 400 and "23.45" in beyond.json()["amount"][0]
        # Staff record the rest for a partner who handed in the paper receipt; the history says so.
        rest = api_for(users["heping_staff"]).post(url, {
            "amount": "23.45", "remitted_on": "2026-10-09", "receipt_code": "44070126", "receipt_number": "00012346",
            "scan": SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")},
            format="multipart")
        assert rest.status_code == 201 and rest.json()["report"]["outstanding"] == "0.00"
        private = api_for(users["heping_secretary"]).get("/api/charity/?community=heping").json()
        public = anon_api.get("/api/public/charity/?community=heping").json()
        assert api_for(users["gubu_secretary"]).get("/api/charity/?community=heping").status_code == 404
    remitted = HistoryEntry.objects.filter(process_kind="lease_contract", process_id=lease.pk, action="remittance")
    assert [r.detail["on_behalf"] for r in remitted.order_by("id")] == [False, True]
    row = next(r for r in public["rows"] if r["partner"] == who.public_name and r["month"] == "2026-09")
    assert (row["due"], row["remitted"], row["outstanding"]) == ("123.45", "123.45", "0.00")
    assert public == private and Decimal(public["totals"]["due"]) >= Decimal("123.45")
    assert "13800138123" not in str(public) and "filed_by" not in str(public)


def test_unpaid_rent_a_missing_report_and_an_unpaid_share_are_told_then_escalated(demo, api_for, users):
    who = partner()
    with time_machine.travel(NOW, tick=False):
        lease = leased(users, room(), who, slots=MONDAYS, starts_on=dt.date(2026, 9, 15), ends_on=dt.date(2026, 12, 31))

    def told(user, kind) -> int:
        return Notification.objects.filter(recipient=user, kind=kind, url__endswith=f"/leases/{lease.pk}/").count()

    def sweep(day: dt.date):
        with time_machine.travel(dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ), tick=False):
            engine.deadlines_sweep()

    # September's rent (due 15 Sep) is told after 10 working days: 16–18, 20 (make-up), 21–24, 28, 29 → the 30th.
    sweep(dt.date(2026, 9, 29))
    assert told(users["heping_staff"], "lease.rent_overdue") == 0
    sweep(dt.date(2026, 9, 30))
    assert told(users["heping_staff"], "lease.rent_overdue") == 1 and told(users["heping_secretary"], "lease.rent_overdue") == 1
    sweep(dt.date(2026, 10, 1))
    assert told(users["heping_staff"], "lease.rent_overdue") == 1  # once
    # September's report is missing 5 working days after the month (8, 9, 10, 12, 13 Oct): told on the 14th.
    sweep(dt.date(2026, 10, 13))
    assert told(who.user, "lease.report_missing") == 0
    sweep(dt.date(2026, 10, 14))
    assert told(who.user, "lease.report_missing") == 1 and told(users["heping_secretary"], "lease.report_missing") == 1
    # Five working days after each reminder the street reviewer hears of it.
    sweep(dt.date(2026, 10, 22))
    escalated = Notification.objects.filter(recipient=users["shaping_reviewer"], kind="lease.escalated",
                                            url__endswith=f"/leases/{lease.pk}/")
    # September's rent and September's report, each escalated once.
    assert sorted((n.params["what"], n.params["month"]) for n in escalated) == sorted([
        (str(Reminder.Subject.RENT.label), "2026-09"), (str(Reminder.Subject.REPORT.label), "2026-09")])
    with time_machine.travel(dt.datetime(2026, 10, 22, 10, 0, tzinfo=TZ), tick=False):
        report = api_for(who.user).post(f"/api/leases/{lease.pk}/revenue-reports/", {
            "month": "2026-09", "revenue": "800.00", "sessions": 2, "participants": 20}, format="json")
        assert report.status_code == 201
    # The share (¥80) unpaid 20 working days after its report: told, then escalated 5 days later.
    sweep(dt.date(2026, 11, 19))
    assert told(who.user, "lease.share_unpaid") == 0
    sweep(dt.date(2026, 11, 20))
    assert told(who.user, "lease.share_unpaid") == 1
    sweep(dt.date(2026, 11, 28))
    shares = Notification.objects.filter(recipient=users["shaping_reviewer"], kind="lease.escalated",
                                         url__endswith=f"/leases/{lease.pk}/", params__month="2026-09",
                                         params__what=str(Reminder.Subject.SHARE.label))
    reminders = HistoryEntry.objects.filter(process_kind="lease_contract", process_id=lease.pk, action="lease_remind")
    assert {(r.detail["subject"], r.detail.get("level", 1)) for r in reminders} >= {
        ("rent", 1), ("rent", 2), ("report", 1), ("report", 2), ("share", 1), ("share", 2)}
    assert shares.count() == 1


def test_the_term_ends_with_a_reminder_then_expires_by_itself(demo, api_for, users):
    who = partner()
    with time_machine.travel(NOW, tick=False):
        lease = leased(users, room(), who, slots=MONDAYS, starts_on=dt.date(2026, 9, 15), ends_on=dt.date(2026, 10, 31))
    with time_machine.travel(dt.datetime(2026, 9, 30, 9, 0, tzinfo=TZ), tick=False):
        engine.deadlines_sweep()
    assert Notification.objects.filter(recipient=who.user, kind="lease.term_ending").count() == 0
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, 0, tzinfo=TZ), tick=False):
        engine.deadlines_sweep()
        engine.deadlines_sweep()
    assert Notification.objects.filter(recipient=who.user, kind="lease.term_ending").count() == 1
    assert Notification.objects.filter(recipient=users["heping_secretary"], kind="lease.term_ending",
                                       params__number=lease.contract_number).count() == 1
    with time_machine.travel(dt.datetime(2026, 10, 31, 22, 0, tzinfo=TZ), tick=False):
        engine.deadlines_sweep()
    assert Lease.objects.get(pk=lease.pk).state == LeaseState.ACTIVE
    with time_machine.travel(dt.datetime(2026, 11, 1, 0, 30, tzinfo=TZ), tick=False):
        engine.deadlines_sweep()
    lease.refresh_from_db()
    assert lease.state == LeaseState.EXPIRED and lease.ended_on == dt.date(2026, 10, 31)
    assert HistoryEntry.objects.filter(process_kind="lease_contract", process_id=lease.pk, action="lease_expire",
                                       actor=None).exists()


def test_renewal_files_a_prefilled_request_that_passes_the_same_conflict_check(demo, api_for, users):
    who = partner()
    with time_machine.travel(NOW, tick=False):
        lease = leased(users, room(), who, slots=MONDAYS, starts_on=dt.date(2026, 9, 15), ends_on=dt.date(2026, 10, 31))
        other = partner("茶语文创工作室")
        leased(users, room(), other, slots=[slot((0,), "20:00", "21:30")], starts_on=dt.date(2026, 11, 9),
               ends_on=dt.date(2026, 11, 30))
        api = api_for(who.user)
        clash = api.post(f"/api/leases/{lease.pk}/renew/", {}, format="json")
        assert clash.status_code == 409 and [c["date"] for c in clash.json()["conflicts"]] == [
            "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"]
        renewal = api.post(f"/api/leases/{lease.pk}/renew/", {"skip_conflicts": True}, format="json")
        assert renewal.status_code == 201, renewal.json()
    body = renewal.json()
    request = LeaseRequest.objects.get(pk=body["id"])
    assert (request.renews_id, request.slots, request.service, request.starts_on) == (
        lease.pk, lease.request.slots, lease.service, dt.date(2026, 11, 1))
    assert body["state"] == "reviewing" and len(body["conflict_skips"]) == 4


def test_termination_by_either_side_takes_the_future_slots_off_the_calendar(demo, api_for, users):
    who = partner()
    with time_machine.travel(NOW, tick=False):
        lease = leased(users, room(), who, slots=MONDAYS, starts_on=dt.date(2026, 9, 15), ends_on=dt.date(2026, 12, 31))
    with time_machine.travel(dt.datetime(2026, 10, 15, 10, 0, tzinfo=TZ), tick=False):
        api = api_for(who.user)
        assert api.post(f"/api/leases/{lease.pk}/terminate/", {"on": "2026-10-20"}, format="json").status_code == 400
        done = api.post(f"/api/leases/{lease.pk}/terminate/", {"reason": "学员不足，提前结束", "on": "2026-10-20"},
                        format="json")
        assert done.status_code == 200 and done.json()["state"] == "terminated"
        assert api.post(f"/api/leases/{lease.pk}/terminate/", {"reason": "again", "on": "2026-10-20"},
                        format="json").status_code == 409
        week = api.get(f"/api/rooms/{lease.room_id}/calendar/?from=2026-10-19&to=2026-11-30").json()
    dates = [o["date"] for o in week["occurrences"] if o["lease"] == lease.contract_number]
    assert dates == ["2026-10-19"]
    assert not RentCharge.objects.filter(lease=lease, month__gte=dt.date(2026, 11, 1)).exists()
    assert Notification.objects.filter(recipient=users["heping_secretary"], kind="lease.ended").exists()
