"""Benchmark: approval actions through the service layer, against the bare limit and a peer engine.

Run from the project root with the project's virtualenv (SpiffWorkflow comes from the `bench`
extra):

    python benchmarks/expense_actions.py                                    # SQLite
    DATABASE_URL=postgres://user@127.0.0.1:5432/postgres python benchmarks/expense_actions.py

It never touches the development data: SQLite runs on a scratch file in a temporary folder;
PostgreSQL on a scratch database (BENCH_DATABASE_NAME, default "bench_gongying_expenses")
created and dropped through Django's test-database machinery. Loops are bounded (a few minutes
at most) and everything runs on one connection in this process.

What it prints:
  1. approvals per second through the services: on a route of sequential steps (secretary,
     street reviewer, street leader: the hot path), and on the ¥50,000 route (secretary, two
     committee votes, street reviewer, street leader);
  2. the bare limit of the same connection: one transaction that updates one row and inserts
     one row (what an action must do at the least), and the ratio;
  3. SQL statements (and time) per sequential approval with ~100 and ~10,000 open requests;
  4. four sequential user tasks in SpiffWorkflow, its serialized state saved to the same
     database after every step, and the ratios to it (the target); then the same with the state
     also read back and deserialized before every step, as a request that finds its workflow in
     the database must, and the ratio to that;
  5. the unread-count read time at 0 and 100,000 unread rows (benchmarks/unread_counts.py).
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _scratch  # noqa: E402  (the scratch database every benchmark runs on)
import unread_counts  # noqa: E402  (the unread-count measurement, shared with its own script)

ROUTES = int(os.environ.get("BENCH_ROUTES", "60"))          # ¥50,000 routes through services
BARE = int(os.environ.get("BENCH_BARE", "2000"))            # bare transactions
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "20"))          # approvals measured per open-request level
LARGE = int(os.environ.get("BENCH_OPEN", "10000"))          # the large open-request level
SPIFF_ROUTES = int(os.environ.get("BENCH_SPIFF_ROUTES", "300"))

SPIFF_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="gongying-bench">
  <bpmn:process id="expense" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="secretary"/>
    <bpmn:userTask id="secretary"/>
    <bpmn:sequenceFlow id="f1" sourceRef="secretary" targetRef="committee"/>
    <bpmn:userTask id="committee"/>
    <bpmn:sequenceFlow id="f2" sourceRef="committee" targetRef="reviewer"/>
    <bpmn:userTask id="reviewer"/>
    <bpmn:sequenceFlow id="f3" sourceRef="reviewer" targetRef="leader"/>
    <bpmn:userTask id="leader"/>
    <bpmn:sequenceFlow id="f4" sourceRef="leader" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def main() -> None:
    import logging

    logging.disable(logging.INFO)  # SpiffWorkflow logs every state change at INFO
    with _scratch.database("expenses") as connection:
        run(connection)


def _statements(ctx) -> int:
    """Statements an action ran, without BEGIN/COMMIT (PostgreSQL's driver sends those itself and
    Django does not log them, SQLite's are logged): both backends count the same way."""
    return sum(1 for q in ctx.captured_queries if q["sql"].split(" ", 1)[0].upper() not in ("BEGIN", "COMMIT"))


def run(connection) -> None:
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from fixtures.loader import load_demo
    from workflows.approvals import services as approvals
    from workflows.expenses import services
    from workflows.expenses.demo import DEMO_POLICY_V1
    from workflows.expenses.models import ExpenseRequest

    demo = load_demo("benchmark")
    users, communities = demo["users"], demo["communities"]
    heping = communities["heping"]
    # A version of the authority table with one sequential route (daily operations: secretary →
    # street reviewer → street leader) beside the demo's tiers: the common case of a person
    # completing a sequential step, which SpiffWorkflow's four sequential user tasks also are.
    services.policy_create_version(
        actor=users["admin"], street=demo["street"], effective_from=timezone.localdate(),
        rows=[{"category": "daily_operations", "amount_above": "0", "amount_upto": None,
               "steps": ["community_secretary", "street_reviewer", "street_leader"]}, *DEMO_POLICY_V1],
    )
    sequential = ["heping_secretary", "shaping_reviewer", "shaping_leader"]
    mixed = ["heping_secretary", "heping_committee1", "heping_committee2", "shaping_reviewer", "shaping_leader"]

    def file(amount: str, category: str = "utilities") -> ExpenseRequest:
        return services.expense_create(actor=users["heping_staff"], community=heping, amount=amount,
                                       category=category, payee="鹤山市供电局", purpose="电费")

    def open_task(request_id: int, user) -> int:
        return Task.objects.filter(process__expense_request__pk=request_id, owner_id=user.pk, status=STATUS.NEW).values_list("pk", flat=True)[0]

    def approvals_per_second(amount: str, category: str, signers: list[str], routes: int) -> tuple[float, int, float]:
        for _ in range(3):  # warm up
            r = file(amount, category)
            for who in signers:
                approvals.task_act(actor=users[who], task_id=open_task(r.pk, users[who]), action="approve")
        requests = [file(amount, category) for _ in range(routes)]
        spent, count = 0.0, 0
        started = time.perf_counter()
        for r in requests:
            for who in signers:
                task_id = open_task(r.pk, users[who])
                t0 = time.perf_counter()
                approvals.task_act(actor=users[who], task_id=task_id, action="approve")
                spent += time.perf_counter() - t0
                count += 1
        wall = time.perf_counter() - started
        assert ExpenseRequest.objects.filter(pk__in=[r.pk for r in requests], state="approved").count() == routes
        return count / spent, count, wall

    rows = []

    # 1. Service-layer approvals: the sequential route (the hot path), then the ¥50,000 route
    #    with the committee countersign (its votes keep viewflow's own path).
    seq_rate, seq_count, seq_wall = approvals_per_second("6000.00", "daily_operations", sequential, ROUTES)
    rows.append(("service: sequential approvals/s (3-step route)", f"{seq_rate:,.0f}",
                 f"{seq_count} actions, {seq_wall:.1f} s"))
    mixed_rate, mixed_count, mixed_wall = approvals_per_second("50000.00", "utilities", mixed, max(ROUTES // 2, 10))
    rows.append(("service: approvals/s on the ¥50,000 route (countersign)", f"{mixed_rate:,.0f}",
                 f"{mixed_count} actions, {mixed_wall:.1f} s"))

    # 2. The bare limit of the same connection: update one row and insert one row per transaction.
    target = ExpenseRequest.objects.order_by("pk").values_list("pk", flat=True).first()
    insert = (
        "INSERT INTO approvals_historyentry (process_kind, process_id, action, comment, state_before, state_after, step,"
        " round, detail, created_at) VALUES (%s, %s, %s, '', 'pending', 'pending', '', 1, %s, %s)"
    )
    t0 = time.perf_counter()
    for _ in range(BARE):
        with transaction.atomic(), connection.cursor() as cursor:
            now = timezone.now()
            cursor.execute("UPDATE expenses_expenserequest SET updated_at = %s WHERE id = %s", [now, target])
            cursor.execute(insert, ["bench", target, "comment", "{}", now])
    bare_s = (time.perf_counter() - t0) / BARE
    rows.append(("bare: update 1 row + insert 1 row per transaction/s", f"{1 / bare_s:,.0f}", f"{BARE} transactions"))
    rows.append(("ratio sequential approvals / bare transactions", f"{seq_rate * bare_s:.3f}", "1.000 would be the limit"))

    # 3. Statements per sequential approval (the street reviewer's step: it finishes her task and
    #    assigns the leader's) at ~100 and ~10,000 open requests.
    def measure(pending: list[ExpenseRequest]) -> tuple[float, float]:
        statements = 0
        spent = 0.0
        for r in pending:
            task_id = open_task(r.pk, users["shaping_reviewer"])
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                approvals.task_act(actor=users["shaping_reviewer"], task_id=task_id, action="approve")
                spent += time.perf_counter() - t0
            statements += _statements(ctx)
        return statements / len(pending), spent / len(pending) * 1000

    small = [file("6000.00", "daily_operations") for _ in range(100 + 2 * SAMPLE)]
    for r in small:
        approvals.task_act(actor=users["heping_secretary"], task_id=open_task(r.pk, users["heping_secretary"]),
                           action="approve")
    open_small = ExpenseRequest.objects.filter(state="pending").count()
    q_small, ms_small = measure(small[:SAMPLE])
    clone_open_requests(LARGE - ExpenseRequest.objects.filter(state="pending").count(), template=small[-1])
    open_large = ExpenseRequest.objects.filter(state="pending").count()
    q_large, ms_large = measure(small[SAMPLE:2 * SAMPLE])
    rows.append((f"statements per sequential approval at {open_small:,} open requests", f"{q_small:.1f}",
                 f"{ms_small:.2f} ms per action"))
    rows.append((f"statements per sequential approval at {open_large:,} open requests", f"{q_large:.1f}",
                 f"{ms_large:.2f} ms per action"))

    # 4. SpiffWorkflow: four sequential user tasks, serialized state saved after every step (the
    #    workflow stays in memory between steps); then the same with the state also read and
    #    deserialized before each step, as a web request that finds its workflow in the database does.
    spiff_total, spiff_steps = spiff(connection)
    spiff_rate = spiff_steps / spiff_total
    rows.append(("SpiffWorkflow: steps/s (state saved each step)", f"{spiff_rate:,.0f}",
                 f"{SPIFF_ROUTES} routes, {spiff_steps} steps"))
    rows.append(("sequential approvals/s ÷ SpiffWorkflow steps/s", f"{seq_rate / spiff_rate:.2f}", "target ≥ 0.5"))
    rows.append(("¥50,000-route approvals/s ÷ SpiffWorkflow steps/s", f"{mixed_rate / spiff_rate:.2f}",
                 "countersign votes included"))
    loaded_total, loaded_steps = spiff(connection, load=True)
    loaded_rate = loaded_steps / loaded_total
    rows.append(("SpiffWorkflow: steps/s (state read and saved each step)", f"{loaded_rate:,.0f}",
                 f"{SPIFF_ROUTES} routes, {loaded_steps} steps"))
    rows.append(("sequential approvals/s ÷ that", f"{seq_rate / loaded_rate:.2f}", "a request's view of Spiff"))

    # 5. The unread count a page's bell reads, with no backlog and with 100,000 unread rows.
    rows.extend(unread_counts.measure(connection))

    vendor = connection.vendor
    print(f"\nGongying expense actions benchmark · database: {vendor} · {time.strftime('%Y-%m-%d %H:%M:%S')}")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':>10}  note")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 30}")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value:>10}  {note}")
    growth = "constant" if q_large <= q_small + 0.01 else f"GREW by {q_large - q_small:.1f}"
    print(f"\nstatements per sequential approval from ~100 to ~{LARGE:,} open requests: {growth}")


def clone_open_requests(count: int, *, template) -> None:
    """Add `count` open requests in bulk, shaped like `template` (pending, one open secretary task)."""
    from django.db import transaction
    from viewflow.workflow.models import Process, Task

    from workflows.expenses.models import ExpenseRequest

    if count <= 0:
        return
    template = ExpenseRequest.objects.get(pk=template.pk)
    process = Process.objects.get(pk=template.process_id)
    open_task = Task.objects.get(process=process, status="NEW")
    batch = 1000
    with transaction.atomic():
        for start in range(0, count, batch):
            n = min(batch, count - start)
            processes = Process.objects.bulk_create(
                [Process(flow_class=process.flow_class, status=process.status, data=dict(process.data)) for _ in range(n)]
            )
            clones = []
            for p in processes:
                clones.append(ExpenseRequest(
                    community_id=template.community_id, amount=template.amount, category=template.category,
                    payee=template.payee, purpose=template.purpose, submitter_id=template.submitter_id,
                    policy_id=template.policy_id, steps=template.steps, process=p, state="pending",
                ))
            clones = ExpenseRequest.objects.bulk_create(clones)
            for p, r in zip(processes, clones, strict=True):
                p.data["request_id"] = r.pk
            Process.objects.bulk_update(processes, ["data"])
            Task.objects.bulk_create([
                Task(process=p, flow_task=open_task.flow_task, flow_task_type=open_task.flow_task_type, status="NEW",
                     owner_id=open_task.owner_id, token=open_task.token, data=dict(open_task.data))
                for p in processes
            ])


def spiff(connection, *, load: bool = False) -> tuple[float, int]:
    from django.db import transaction
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_str(SPIFF_BPMN)
    spec = parser.get_spec("expense")
    serializer = BpmnWorkflowSerializer()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_spiff_state")
        cursor.execute("CREATE TABLE bench_spiff_state (id bigint PRIMARY KEY, state text NOT NULL)")
    steps = 0
    t0 = time.perf_counter()
    for i in range(SPIFF_ROUTES):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_spiff_state (id, state) VALUES (%s, %s)", [i, serializer.serialize_json(workflow)])
        while not workflow.is_completed():
            with transaction.atomic(), connection.cursor() as cursor:
                if load:
                    cursor.execute("SELECT state FROM bench_spiff_state WHERE id = %s", [i])
                    workflow = serializer.deserialize_json(cursor.fetchone()[0])
                task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
                task.data["decision"] = "approve"
                task.run()
                workflow.do_engine_steps()
                cursor.execute("UPDATE bench_spiff_state SET state = %s WHERE id = %s", [serializer.serialize_json(workflow), i])
            steps += 1
    return time.perf_counter() - t0, steps


if __name__ == "__main__":
    main()
