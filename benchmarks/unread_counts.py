#!/usr/bin/env python
"""Benchmark: reading a user's unread count with an empty inbox and with 100,000 unread rows.

    python benchmarks/unread_counts.py                                    # SQLite
    DATABASE_URL=postgres://user@127.0.0.1:5432/postgres python benchmarks/unread_counts.py

Like benchmarks/expense_actions.py it never touches the development data: a scratch SQLite file
in a temporary folder, or a scratch PostgreSQL database (BENCH_DATABASE_NAME, default
"bench_gongying_unread") created and dropped through Django's test-database machinery.

The badge reads `selectors.unread_count`, one primary-key read of NotificationCounter, so the
two figures should be the same. It is timed through the selector (most of it is the ORM, whose
cost wanders by tens of percent with the process's state) and as the bare statement. For
comparison it also times the COUNT(*) over the partial unread index that the counter replaced,
which grows with the backlog.
"""

import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _scratch  # noqa: E402  (the scratch database every benchmark runs on; this script's folder is on the path)

READS = int(os.environ.get("BENCH_READS", "2000"))       # reads per measurement (median taken)
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "100000"))  # unread rows of the second measurement


def _median_ms(read, reads: int) -> float:
    read()  # warm the statement cache and the pages
    times = []
    for _ in range(reads):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(connection) -> list[tuple[str, str, str]]:
    """Rows of (measure, value, note). Writes a scratch user and BACKLOG rows on `connection`."""
    from django.db import transaction

    from notifications import selectors
    from notifications.models import Notification, NotificationCounter
    from workflows.org.models import User

    assert connection.alias == "default"
    user = User.objects.create(username=f"bench-unread-{time.time_ns()}", password="!")
    # A control: a user with no backlog, read after the insert, shows what the process and the
    # database file cost apart from any one user's rows.
    control = User.objects.create(username=f"bench-control-{time.time_ns()}", password="!")
    NotificationCounter.objects.create(user=control)

    def counter_read():
        return selectors.unread_count(user_id=user.pk)

    table = connection.ops.quote_name(NotificationCounter._meta.db_table)

    def counter_sql(user_id=user.pk):  # the same read without the ORM around it
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT unread FROM {table} WHERE user_id = %s", [user_id])
            return cursor.fetchone()

    def count_read():  # the query the counter replaced
        return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()

    assert counter_read() == 0
    gc.collect()
    empty, empty_sql, empty_count = (_median_ms(read, READS) for read in (counter_read, counter_sql, count_read))

    with transaction.atomic():
        for start in range(0, BACKLOG, 5000):
            Notification.objects.bulk_create(
                Notification(recipient_id=user.pk, kind="system.message", params={"title": str(seq)}, seq=seq)
                for seq in range(start + 1, min(start + 5000, BACKLOG) + 1)
            )
        # The counter stays true: bulk_create bypasses notify(), so it is set to what was written.
        NotificationCounter.objects.update_or_create(user=user, defaults={"unread": BACKLOG, "seq": BACKLOG})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {Notification._meta.db_table}")
        else:
            # Steady state: SQLite's automatic checkpoint would have folded the insert's WAL
            # frames back by now; a read otherwise searches the WAL index first.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    gc.collect()  # the 100,000 model instances, not the read, should pay for their collection
    assert counter_read() == count_read() == BACKLOG
    full, full_sql, full_count = (_median_ms(read, READS) for read in (counter_read, counter_sql, count_read))
    control_sql = _median_ms(lambda: counter_sql(control.pk), READS)

    backend = f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}".strip()
    note = f"median of {READS} reads, {backend}"
    return [
        ("unread count (counter), 0 unread", f"{empty:.3f} ms", note),
        (f"unread count (counter), {BACKLOG:,} unread", f"{full:.3f} ms", note),
        (f"ratio {BACKLOG:,} / 0", f"{full / empty:.2f}", "1.00 is constant time"),
        ("counter SQL alone, 0 unread", f"{empty_sql:.3f} ms", "the statement without the ORM"),
        (f"counter SQL alone, {BACKLOG:,} unread", f"{full_sql:.3f} ms", "the statement without the ORM"),
        (f"ratio {BACKLOG:,} / 0", f"{full_sql / empty_sql:.2f}", "1.00 is constant time"),
        ("counter SQL alone, another user, after", f"{control_sql:.3f} ms", "control: same database, no backlog"),
        ("COUNT(*) of unread rows, 0 unread", f"{empty_count:.3f} ms", "the query the counter replaced"),
        (f"COUNT(*) of unread rows, {BACKLOG:,} unread", f"{full_count:.3f} ms", "the query the counter replaced"),
    ]


def main() -> None:
    with _scratch.database("unread") as connection:
        rows = measure(connection)
    print(f"\nUnread-count reads, {os.cpu_count()} CPUs")
    width = max(len(name) for name, _value, _note in rows)
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
