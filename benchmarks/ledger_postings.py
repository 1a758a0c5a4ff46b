"""Benchmark: ledger postings through the service layer against the bare limit, and whether the
cost of a posting, the payment balance check and the ledger list grows with the size of the books.

Run from the project root with the project's virtualenv:

    python benchmarks/ledger_postings.py                                    # SQLite
    DATABASE_URL=postgres://user@127.0.0.1:5432/postgres python benchmarks/ledger_postings.py

It never touches the development data: SQLite runs on a scratch file in a temporary folder;
PostgreSQL on a scratch database (BENCH_DATABASE_NAME, default "bench_gongying_ledger") created
and dropped through Django's test-database machinery. Loops are bounded; one connection, this
process only.

What it prints:
  1. income postings per second through `income_record` (validation, permission, books lock,
     insert, one transaction each);
  2. the bare limit of the same connection: one transaction inserting one ledger row by raw SQL;
  3. their ratio;
  4. SQL queries and time per posting, per `posted_balance` and per ledger list
     (GET /api/ledger/?community=…) with ~100 and with ~10,000 lines on the community's books.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _scratch  # noqa: E402  (the scratch database every benchmark runs on; this script's folder is on the path)

POSTINGS = int(os.environ.get("BENCH_POSTINGS", "500"))   # service postings timed
BARE = int(os.environ.get("BENCH_BARE", "2000"))          # bare insert transactions timed
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "30"))        # operations measured per book size
LARGE = int(os.environ.get("BENCH_LINES", "10000"))       # the large book size


def main() -> None:
    with _scratch.database("ledger", web=True) as connection:
        run(connection)

def run(connection) -> None:
    import datetime as dt
    import warnings
    from decimal import Decimal

    from django.db import transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from fixtures.ledger_demo import income_extra
    from fixtures.loader import load_demo
    from workflows.ledger import selectors, services
    from workflows.ledger.models import LedgerLine

    warnings.filterwarnings("ignore", message="No directory at")  # collectstatic has not run
    demo = load_demo("benchmark")
    users, communities = demo["users"], demo["communities"]
    heping, staff = communities["heping"], users["heping_staff"]
    day = timezone.localdate() - dt.timedelta(days=1)

    def post(i: int):
        return services.income_record(
            actor=staff, community=heping, source="operating", amount=Decimal("100.00") + i % 97,
            date=day, counterparty="benchmark payer", note="benchmark", extra=income_extra("operating", "benchmark payer", i),
        )

    # 1. Service postings (warm up first).
    for i in range(5):
        post(i)
    start = time.perf_counter()
    for i in range(POSTINGS):
        post(i)
    service_rate = POSTINGS / (time.perf_counter() - start)

    # 2. The bare limit: one transaction, one raw INSERT of a ledger row, same connection.
    table = LedgerLine._meta.db_table
    now = timezone.now()
    sql = (
        f"INSERT INTO {table} (community_id, line, source, category, amount, date, counterparty, note, "
        "voucher_number, scan, source_type, source_id, reverses_id, is_opening_balance, posted_by_id, posted_at, "
        "extra) VALUES (%s, 'income', 'operating', '', %s, %s, 'bare', '', '', '', '', NULL, NULL, %s, %s, %s, '{}')"
    )
    start = time.perf_counter()
    for _ in range(BARE):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [heping.id, Decimal("1.00"), day, False, staff.id, now])
    bare_rate = BARE / (time.perf_counter() - start)

    print(f"database: {connection.vendor}")
    print(f"income postings through services: {service_rate:8.1f} /s  ({POSTINGS} postings)")
    print(f"bare limit (1 txn, 1 INSERT):      {bare_rate:8.1f} /s  ({BARE} transactions)")
    print(f"ratio service / bare:              {service_rate / bare_rate:8.3f}")

    # 3. Cost against the size of the books: a fresh community's books at ~100, then ~10,000 lines.
    books = communities["gubu"]
    gubu_staff = users["gubu_staff"]
    reader = APIClient()
    reader.force_authenticate(users["gubu_secretary"])

    def fill_to(target: int) -> int:
        have = LedgerLine.objects.filter(community=books).count()
        LedgerLine.objects.bulk_create(
            [
                LedgerLine(
                    community=books, line="income" if i % 3 else "expense",
                    source="operating" if i % 3 else "", category="" if i % 3 else "utilities",
                    amount=Decimal("10.00"), date=day - dt.timedelta(days=i % 300), posted_by=gubu_staff,
                )
                for i in range(max(0, target - have))
            ],
            batch_size=1000,
        )
        return LedgerLine.objects.filter(community=books).count()

    def measure(label: str, fn) -> tuple[float, float]:
        fn()  # warm
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            for _ in range(SAMPLE):
                fn()
            elapsed = time.perf_counter() - start
        return len(queries.captured_queries) / SAMPLE, elapsed / SAMPLE * 1000

    def one_posting():
        services.income_record(actor=gubu_staff, community=books, source="donation", amount=Decimal("5.00"), date=day,
                               extra=income_extra("donation", "benchmark payer", 0))

    def balance_check():
        with transaction.atomic():
            services.books_lock(community=books)
            selectors.posted_balance(community=books)

    def ledger_list():
        response = reader.get("/api/ledger/", {"community": books.id, "limit": 50})
        assert response.status_code == 200, response.status_code

    print()
    print(f"{'lines on the books':>20} {'operation':<34} {'queries/op':>10} {'ms/op':>8}")
    for target in (100, LARGE):
        size = fill_to(target)
        for label, fn in (
            ("income posting (service)", one_posting),
            ("books_lock + posted_balance", balance_check),
            ("GET /api/ledger/ (50 per line)", ledger_list),
        ):
            queries, ms = measure(label, fn)
            print(f"{size:>20} {label:<34} {queries:>10.1f} {ms:>8.2f}")


if __name__ == "__main__":
    main()
