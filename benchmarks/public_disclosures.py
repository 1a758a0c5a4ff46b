"""Benchmark: the public disclosure page and API at 100 and at 10,000 ledger lines in the month
(the query count must not grow with the lines), and chain verification time per disclosure.

Run from the project root with the project's virtualenv:

    python benchmarks/public_disclosures.py                                    # SQLite
    DATABASE_URL=postgres://user@127.0.0.1:5432/postgres python benchmarks/public_disclosures.py

Scratch database only (SQLite in a temporary folder; PostgreSQL BENCH_DATABASE_NAME, default
"bench_gongying_disclosures", created and dropped by Django's test-database machinery). Bounded
loops, one connection.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _scratch  # noqa: E402  (the scratch database every benchmark runs on; this script's folder is on the path)

SAMPLE = int(os.environ.get("BENCH_SAMPLE", "5"))      # requests measured per size
LARGE = int(os.environ.get("BENCH_LINES", "10000"))    # lines in the large month
CHAIN = int(os.environ.get("BENCH_CHAIN", "24"))       # extra disclosures for the chain check


def main() -> None:
    with _scratch.database("disclosures", web=True) as connection:
        run(connection)

def run(connection) -> None:
    import datetime as dt
    import warnings
    from decimal import Decimal

    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from fixtures.loader import load_org
    from workflows.ledger.disclosures import chain_check
    from workflows.ledger.models import LedgerLine
    from workflows.ledger.services import disclosure_publish

    warnings.filterwarnings("ignore", message="No directory at")
    org = load_org("benchmark")
    community, secretary, staff = org["communities"]["yanshan"], org["users"]["yanshan_secretary"], org["users"]["yanshan_staff"]
    this_month = timezone.localdate().replace(day=1)

    def month_back(n: int) -> dt.date:
        day = this_month
        for _ in range(n):
            day = (day - dt.timedelta(days=1)).replace(day=1)
        return day

    def fill(month: dt.date, count: int) -> None:
        LedgerLine.objects.bulk_create([
            LedgerLine(community=community, line="income" if i % 3 else "expense",
                       source="operating" if i % 3 else "", category="" if i % 3 else "utilities",
                       amount=Decimal("10.00") + i % 50, date=month + dt.timedelta(days=i % 28),
                       counterparty="张三" if i % 7 == 0 else "鹤山市供水有限公司", note=f"benchmark line {i}",
                       posted_by=staff)
            for i in range(count)], batch_size=1000)

    client = Client()
    print(f"database: {connection.vendor}")
    print(f"{'lines in month':>15} {'request':<40} {'queries':>8} {'ms/request':>11}")
    for months_ago, count in ((2, 100), (1, LARGE)):
        month = month_back(months_ago)
        fill(month, count)
        disclosure = disclosure_publish(actor=secretary, community=community, period=f"{month:%Y-%m}")
        for label, path in ((f"GET /public/{community.code}/disclosures/<id>/", f"/public/{community.code}/disclosures/{disclosure.pk}/"),
                            ("GET /api/public/disclosures/<id>/", f"/api/public/disclosures/{disclosure.pk}/")):
            assert client.get(path).status_code == 200
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                for _ in range(SAMPLE):
                    response = client.get(path)
                    assert response.status_code == 200
                elapsed = time.perf_counter() - start
            print(f"{count:>15} {label:<40} {len(queries.captured_queries) / SAMPLE:>8.1f} {elapsed / SAMPLE * 1000:>11.1f}")

    # Chain verification: corrections of the small month lengthen the chain without new lines.
    small = month_back(2)
    for i in range(CHAIN):
        disclosure_publish(actor=secretary, community=community, period=f"{small:%Y-%m}", reason=f"benchmark correction {i}")
    start = time.perf_counter()
    result = chain_check(community)
    elapsed = time.perf_counter() - start
    assert result.ok
    print()
    print(f"chain check: {result.checked} disclosures (one of {LARGE} lines, the rest of 100) in {elapsed * 1000:.1f} ms, "
          f"{elapsed / result.checked * 1000:.2f} ms per disclosure on average")


if __name__ == "__main__":
    main()
