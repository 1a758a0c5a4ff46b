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
     database after every step, run in slices between the sequential routes of (1) so that both
     see the same load, and the ratios to it (the target); then the same with the state also
     read back and deserialized before every step, as a request that finds its workflow in the
     database must, and the ratio to that; then the floor: the statements of one sequential
     approval replayed on the raw driver cursor, one transaction each (the database alone), and
     how much of an approval is Python above it;
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

    def approvals_per_second(amount: str, category: str, signers: list[str], routes: int,
                             beside=None) -> tuple[float, int, float]:
        """Approvals per second over `routes` routes; `beside` (a callable taking a route count)
        runs a peer's routes in slices between ours, so both see the same load on a shared machine."""
        for _ in range(3):  # warm up
            r = file(amount, category)
            for who in signers:
                approvals.task_act(actor=users[who], task_id=open_task(r.pk, users[who]), action="approve")
        requests = [file(amount, category) for _ in range(routes)]
        spent, count = 0.0, 0
        started = time.perf_counter()
        slices = 10 if beside is not None else 1
        for n, r in enumerate(requests):
            for who in signers:
                task_id = open_task(r.pk, users[who])
                t0 = time.perf_counter()
                approvals.task_act(actor=users[who], task_id=task_id, action="approve")
                spent += time.perf_counter() - t0
                count += 1
            if beside is not None and (n + 1) % max(routes // slices, 1) == 0:
                beside()
        wall = time.perf_counter() - started
        assert ExpenseRequest.objects.filter(pk__in=[r.pk for r in requests], state="approved").count() == routes
        return count / spent, count, wall

    rows = []

    # 1. Service-layer approvals: the sequential route (the hot path), then the ¥50,000 route
    #    with the committee countersign (its votes keep viewflow's own path).
    # SpiffWorkflow runs in ten slices between ours (section 4 prints it): the same load for both.
    peer = _Spiff(connection, SPIFF_ROUTES // 10)
    seq_rate, seq_count, seq_wall = approvals_per_second("6000.00", "daily_operations", sequential, ROUTES,
                                                         beside=peer.run)
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

    def approve_one(who: str) -> None:
        """File a sequential request, pass the secretary's step, and let `who` approve the next."""
        r = file("6000.00", "daily_operations")
        approvals.task_act(actor=users["heping_secretary"], task_id=open_task(r.pk, users["heping_secretary"]),
                           action="approve")
        task_id = open_task(r.pk, users[who])
        yield
        approvals.task_act(actor=users[who], task_id=task_id, action="approve")

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
    #    workflow stays in memory between steps), run in slices between the sequential routes of
    #    section 1; then the same with the state also read and deserialized before each step, as a
    #    web request that finds its workflow in the database does, again beside our routes.
    spiff_rate = peer.steps / peer.spent
    rows.append(("SpiffWorkflow: steps/s (state saved each step)", f"{spiff_rate:,.0f}",
                 f"{peer.routes} routes, {peer.steps} steps, beside ours"))
    rows.append(("sequential approvals/s ÷ SpiffWorkflow steps/s", f"{seq_rate / spiff_rate:.2f}", "target ≥ 0.5"))
    rows.append(("¥50,000-route approvals/s ÷ SpiffWorkflow steps/s", f"{mixed_rate / spiff_rate:.2f}",
                 "countersign votes included"))
    loaded = _Spiff(connection, SPIFF_ROUTES // 10, load=True)
    again_rate, _count, _wall = approvals_per_second("6000.00", "daily_operations", sequential, ROUTES,
                                                     beside=loaded.run)
    loaded_rate = loaded.steps / loaded.spent
    rows.append(("SpiffWorkflow: steps/s (state read and saved each step)", f"{loaded_rate:,.0f}",
                 f"{loaded.routes} routes, {loaded.steps} steps, beside ours"))
    rows.append(("sequential approvals/s ÷ that", f"{again_rate / loaded_rate:.2f}",
                 f"a request's view of Spiff ({again_rate:,.0f} approvals/s in that run)"))

    # 4b. The floor: the statements one sequential approval runs, replayed on the raw driver
    #     cursor per transaction (no Python of ours, no ORM): what the database itself costs.
    floor_rate, recorded = replay_floor(connection, lambda: approve_one(sequential[1]))
    rows.append(("floor: one approval's statements replayed raw per transaction/s", f"{floor_rate:,.0f}",
                 f"{recorded} statements, the database alone"))
    rows.append(("floor ÷ SpiffWorkflow steps/s", f"{floor_rate / spiff_rate:.2f}",
                 "at 0.5 or below the target could not be met by any Python"))
    rows.append(("ms per approval above the floor (our Python)", f"{(1 / seq_rate - 1 / floor_rate) * 1000:.2f}",
                 f"0.5× Spiff leaves {(2 / spiff_rate - 1 / floor_rate) * 1000:.2f} ms"))

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


class _Spiff:
    """SpiffWorkflow's four sequential user tasks, run `routes` at a time (`run`), its serialized
    state saved to the same database after every step; `load`: also read back and deserialized
    before every step. Accumulates the time and steps of every slice."""

    def __init__(self, connection, routes: int, *, load: bool = False):
        from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        parser = BpmnParser()
        parser.add_bpmn_str(SPIFF_BPMN)
        self.spec = parser.get_spec("expense")
        self.serializer = BpmnWorkflowSerializer()
        self.connection, self.slice, self.load = connection, routes, load
        self.table = "bench_spiff_state_loaded" if load else "bench_spiff_state"
        self.routes = self.steps = 0
        self.spent = 0.0
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"CREATE TABLE {self.table} (id bigint PRIMARY KEY, state text NOT NULL)")

    def run(self) -> None:
        from django.db import transaction
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        serializer, table = self.serializer, self.table
        t0 = time.perf_counter()
        for i in range(self.routes, self.routes + self.slice):
            workflow = BpmnWorkflow(self.spec)
            workflow.do_engine_steps()
            with transaction.atomic(), self.connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} (id, state) VALUES (%s, %s)", [i, serializer.serialize_json(workflow)])
            while not workflow.is_completed():
                with transaction.atomic(), self.connection.cursor() as cursor:
                    if self.load:
                        cursor.execute(f"SELECT state FROM {table} WHERE id = %s", [i])
                        workflow = serializer.deserialize_json(cursor.fetchone()[0])
                    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
                    task.data["decision"] = "approve"
                    task.run()
                    workflow.do_engine_steps()
                    cursor.execute(f"UPDATE {table} SET state = %s WHERE id = %s", [serializer.serialize_json(workflow), i])
                self.steps += 1
        self.spent += time.perf_counter() - t0
        self.routes += self.slice


def replay_floor(connection, action, repeats: int = 2000) -> tuple[float, int]:
    """Record the statements `action` (a generator: set-up, yield, the action) runs, then replay
    them on the raw driver cursor, one transaction per replay; returns replays/s and the count.
    The replays' UPDATEs find their task already finished and their INSERTs add rows: the same
    statements and about the same work, without any Python of the project or the ORM."""
    import re

    from django.db import transaction

    recorded = []

    def record(execute, sql, params, many, context):
        if sql.split(" ", 1)[0].upper() not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"):
            recorded.append((sql, params))
        return execute(sql, params, many, context)

    steps = action()
    next(steps)
    with connection.execute_wrapper(record):
        next(steps, None)
    if connection.vendor == "sqlite":
        # The driver's own placeholders, as Django converts them. The `previous` links name the
        # recorded task ids and the notification rows their recorded per-user seq, which a replay
        # would insert twice (PostgreSQL's one statements take the ids and seq they have just
        # written instead): here those rows are checked against their unique indexes and not
        # written again, so SQLite's floor is a lower bound.
        once = ("viewflow_task_previous", '"notifications_notification"')
        recorded = [(re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%"), params) for sql, params in recorded]
        recorded = [(sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1) if any(f"INTO {t} " in sql for t in once)
                     else sql, params) for sql, params in recorded]
    t0 = time.perf_counter()
    for _ in range(repeats):
        with transaction.atomic():
            cursor = connection.connection.cursor()
            for sql, params in recorded:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
    return repeats / (time.perf_counter() - t0), len(recorded)


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


if __name__ == "__main__":
    main()
