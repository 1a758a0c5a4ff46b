"""Benchmark: the street dashboard with the demo street, then with 10,000 expense requests,
2,000 inquiries (and 500 leases when the lease area is installed) across the six communities.
The query count must be the same; the time is printed as a ratio to the demo's (target < 3×).

Run from the project root with the project's virtualenv:

    python benchmarks/street_dashboard.py                                     # SQLite
    DATABASE_URL=postgres://user@127.0.0.1:5432/postgres python benchmarks/street_dashboard.py

Scratch database only (created and dropped around the run). The bulk rows are written with
bulk_create in the shapes the services leave behind (a request in review has its viewflow
process and one open task; an open inquiry its task and deadline row; an overdue-escalated one
its history row), so the dashboard's queries meet realistic tables.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _scratch  # noqa: E402

SAMPLE = int(os.environ.get("BENCH_SAMPLE", "7"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "10000"))
INQUIRIES = int(os.environ.get("BENCH_INQUIRIES", "2000"))
LEASES = int(os.environ.get("BENCH_LEASES", "500"))


def main() -> None:
    with _scratch.database("street", web=True) as connection:
        run(connection)


PROFILE = os.environ.get("BENCH_PROFILE") == "1"


def _measure(connection, label, fn):
    from django.test.utils import CaptureQueriesContext

    fn()  # warm: templates, translations, the flow registry
    times, counts = [], set()
    for _ in range(SAMPLE):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        counts.add(len([q for q in queries.captured_queries
                        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]))
    if PROFILE:  # the slowest statements of the last run
        for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
            print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
    return {"label": label, "ms": statistics.median(times) * 1000, "queries": sorted(counts)}


def _bulk(org, demo_users):
    import datetime as dt
    import random
    from decimal import Decimal

    from django.utils import timezone
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import STATUS

    from workflows.approvals.models import HistoryEntry, RouteTask
    from workflows.expenses.flows import ExpenseFlow
    from workflows.expenses.models import AuthorityPolicy, ExpenseRequest
    from workflows.inquiries.flows import InquiryFlow
    from workflows.inquiries.models import Inquiry, InquiryState
    from workflows.ledger.models import LedgerLine

    rng = random.Random(15)
    communities = list(org["communities"].values())
    users = org["users"]
    policy = AuthorityPolicy.objects.order_by("-version").first()
    now = timezone.now()
    secretary_node = ExpenseFlow.instance.node("secretary")
    reviewer_node = ExpenseFlow.instance.node("reviewer")
    answer_node = InquiryFlow.instance.node("answer")

    # 10,000 requests: a third still in review (one open task each), the rest decided/paid.
    open_share = 3
    processes = Process.objects.bulk_create(
        [Process(flow_class=ExpenseFlow, status=STATUS.NEW if i % open_share == 0 else STATUS.DONE)
         for i in range(REQUESTS)], batch_size=1000)
    if processes[0].pk is None:  # SQLite before RETURNING: read the ids back in order
        processes = list(Process.objects.filter(flow_class=ExpenseFlow).order_by("-id")[:REQUESTS])[::-1]
    requests = []
    for i, process in enumerate(processes):
        community = communities[i % len(communities)]
        requests.append(ExpenseRequest(
            community=community, amount=Decimal(100 + i % 9000), category="utilities", payee="鹤山市供电局",
            purpose=f"benchmark {i}", submitter=users[f"{community.code}_staff"], policy=policy,
            steps=["community_secretary", "street_reviewer"], process=process,
            state="pending" if i % open_share == 0 else "paid",
            paid_on=None if i % open_share == 0 else dt.date(now.year, 1 + i % max(1, now.month), 1),
            voucher_number="" if i % open_share == 0 else f"B-{i}"))
    ExpenseRequest.objects.bulk_create(requests, batch_size=1000)
    tasks = []
    for i, process in enumerate(processes):
        if i % open_share:
            continue
        community = communities[i % len(communities)]
        node = secretary_node if i % 2 else reviewer_node
        owner = users[f"{community.code}_secretary"] if node is secretary_node else users["shaping_reviewer"]
        tasks.append(Task(process=process, flow_task=node, flow_task_type="HUMAN", status=STATUS.NEW, owner=owner,
                          created=now - dt.timedelta(hours=rng.randint(1, 2000)),
                          data={"step": "community_secretary" if node is secretary_node else "street_reviewer"}))
    Task.objects.bulk_create(tasks, batch_size=1000)
    LedgerLine.objects.bulk_create([
        LedgerLine(community=r.community, line="expense", category="utilities", amount=r.amount,
                   date=r.paid_on, counterparty=r.payee, note=r.purpose, voucher_number=r.voucher_number,
                   source_type="expense_bench", source_id=n, posted_by=users[f"{r.community.code}_secretary"])
        for n, r in enumerate(requests) if r.paid_on], batch_size=1000)

    # 2,000 inquiries: open (some past their deadline), escalated (some by the timer), closed.
    resident = users["resident_li"]
    states = [InquiryState.OPEN, InquiryState.ESCALATED, InquiryState.ANSWERED, InquiryState.CLOSED]
    processes = Process.objects.bulk_create([Process(flow_class=InquiryFlow, status=STATUS.NEW) for _ in range(INQUIRIES)],
                                            batch_size=1000)
    if processes[0].pk is None:
        processes = list(Process.objects.filter(flow_class=InquiryFlow).order_by("-id")[:INQUIRIES])[::-1]
    inquiries = []
    for i, process in enumerate(processes):
        state = states[i % 4]
        filed = now - dt.timedelta(days=rng.randint(1, 300))
        due = filed + dt.timedelta(days=28)
        answered = filed + dt.timedelta(days=rng.randint(1, 40)) if state in (InquiryState.ANSWERED, InquiryState.CLOSED) else None
        inquiries.append(Inquiry(community=communities[i % len(communities)], submitter=resident, question=f"问题 {i}",
                                 state=state, steps=["answer"], process=process, filed_at=filed, due_at=due,
                                 answered_at=answered, outcome="explained" if answered else "",
                                 round=2 if state == InquiryState.ESCALATED else 1))
    Inquiry.objects.bulk_create(inquiries, batch_size=1000)
    inquiries = list(Inquiry.objects.filter(question__startswith="问题 ").order_by("id"))
    open_tasks, route_rows, history = [], [], []
    for inquiry in inquiries:
        if inquiry.state in (InquiryState.OPEN, InquiryState.ESCALATED):
            open_tasks.append(Task(process_id=inquiry.process_id, flow_task=answer_node, flow_task_type="HUMAN",
                                   status=STATUS.NEW, owner=users[f"{inquiry.community.code}_secretary"],
                                   created=inquiry.filed_at, data={"step": "answer"}))
        if inquiry.state == InquiryState.ESCALATED and inquiry.pk % 2:
            history.append(HistoryEntry(process_kind="inquiry", process_id=inquiry.pk, action="overdue_escalate",
                                        step="answer"))
    Task.objects.bulk_create(open_tasks, batch_size=1000)
    by_process = {i.process_id: i for i in inquiries}
    for task in Task.objects.filter(process_id__in=list(by_process), status=STATUS.NEW):
        inquiry = by_process[task.process_id]
        route_rows.append(RouteTask(task_id=task.pk, process_kind="inquiry", process_id=inquiry.pk, step="answer",
                                    role="community_secretary", org_unit_id=inquiry.community_id, due_at=inquiry.due_at))
    RouteTask.objects.bulk_create(route_rows, batch_size=1000)
    HistoryEntry.objects.bulk_create(history, batch_size=1000)
    return {"requests": REQUESTS, "open request tasks": len(tasks), "inquiries": INQUIRIES,
            "open inquiry tasks": len(open_tasks)}


def _bulk_leases(count: int) -> dict:
    """`count` active leases over the demo's leasable rooms in all six communities, cloned from the
    demo's own leases (rows written directly: the figures are about reading them), each with six
    months of rent charges (one in four unpaid) and revenue reports (one in three not remitted)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from workflows.leases.models import (
        Lease,
        LeaseRequest,
        Remittance,
        RentCharge,
        RentPayment,
        RevenueReport,
    )

    templates = list(Lease.objects.select_related("request").order_by("pk"))
    today = timezone.localdate()
    months = [(today.replace(day=1) - dt.timedelta(days=28 * n)).replace(day=1) for n in range(1, 7)]
    requests, leases = [], []
    top = (Lease.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    for i in range(count):
        template = templates[i % len(templates)]
        request = template.request
        request.pk, request.process_id = None, None  # one process per request: the clones have none
        request.service = f"{template.service} {i}"
        requests.append(LeaseRequest(**{f.attname: getattr(request, f.attname) for f in LeaseRequest._meta.concrete_fields}))
    requests = LeaseRequest.objects.bulk_create(requests, batch_size=500)
    for i, request in enumerate(requests):
        template = templates[i % len(templates)]
        lease = Lease(**{f.attname: getattr(template, f.attname) for f in Lease._meta.concrete_fields})
        lease.pk, lease.request_id, lease.service = None, request.pk, request.service
        lease.sequence = top + i
        lease.contract_number = f"基准租〔{lease.year}〕第 {lease.sequence:05d} 号"
        # One in ten ends within the next month (the dashboard's "ending in 30 days").
        if i % 10 == 0:
            lease.ends_on = today + dt.timedelta(days=1 + i % 28)
        leases.append(lease)
    leases = Lease.objects.bulk_create(leases, batch_size=500)
    charges, payments, reports = [], [], []
    for i, lease in enumerate(leases):
        for n, month in enumerate(months):
            charges.append(RentCharge(lease=lease, month=month, amount=Decimal("300.00"), due_on=month + dt.timedelta(days=4)))
            if (i + n) % 4:
                payments.append(RentPayment(lease=lease, amount=Decimal("300.00"), paid_on=month + dt.timedelta(days=3),
                                            voucher_number=f"B{i}-{n}", recorded_by_id=lease.signed_by_id))
            reports.append(RevenueReport(lease=lease, month=month, revenue=Decimal("1234.45"), sessions=8, participants=12,
                                         charity_rate=Decimal("0.10"), charity_due=Decimal("123.45"),
                                         filed_by_id=lease.signed_by_id))
    RentCharge.objects.bulk_create(charges, batch_size=1000)
    RentPayment.objects.bulk_create(payments, batch_size=1000)
    reports = RevenueReport.objects.bulk_create(reports, batch_size=1000)
    Remittance.objects.bulk_create([
        Remittance(report=r, amount=r.charity_due, remitted_on=r.month + dt.timedelta(days=40), receipt_code="BENCH",
                   receipt_number=f"{n:08d}", recorded_by_id=r.filed_by_id)
        for n, r in enumerate(reports) if n % 3], batch_size=1000)
    return {"leases": count, "rent charges": len(charges), "revenue reports": len(reports)}


def run(connection) -> None:
    import warnings

    from django.apps import apps
    from django.test import Client

    from fixtures.loader import load_demo
    from workflows.supervision import scope, selectors

    warnings.filterwarnings("ignore", message="No directory at")
    org = load_demo("benchmark")
    leader = org["users"]["shaping_leader"]
    client = Client()
    client.force_login(leader)

    def figures():
        selectors.figures(scope.supervised_communities(leader))

    def page():
        assert client.get("/street/").status_code == 200

    def api():
        assert client.get("/api/street/dashboard/").status_code == 200

    cases = (("selectors.figures (6 communities)", figures), ("GET /street/", page), ("GET /api/street/dashboard/", api))
    print(f"database: {connection.vendor}; lease area installed: {apps.is_installed('workflows.leases')}")
    before = [_measure(connection, label, fn) for label, fn in cases]
    made = _bulk(org, org["users"])
    if apps.is_installed("workflows.leases"):
        made.update(_bulk_leases(LEASES))
    else:
        print(f"(no lease area in this tree: the {LEASES} leases are not created and the lease figures are absent)")
    print("added: " + ", ".join(f"{v:,} {k}" for k, v in made.items()))
    after = [_measure(connection, label, fn) for label, fn in cases]
    print()
    print(f"{'measure':<36} {'demo q':>7} {'large q':>8} {'demo ms':>9} {'large ms':>9} {'ratio':>6}")
    for b, a in zip(before, after, strict=True):
        same = "=" if b["queries"] == a["queries"] else "≠"
        print(f"{b['label']:<36} {'/'.join(map(str, b['queries'])):>7} {'/'.join(map(str, a['queries'])):>8} "
              f"{b['ms']:>9.1f} {a['ms']:>9.1f} {a['ms'] / b['ms']:>5.2f}× {same}")


if __name__ == "__main__":
    main()
