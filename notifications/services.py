"""Writes in the notifications area.

`notify` writes one inbox row per recipient inside the caller's transaction and hands the rows to
the transports only after commit: a rolled-back action never announces anything, and a push that
is lost costs nothing because the row is the truth.

Inside `notify_batch()` the calls of one action are collected and written together when the
outermost batch ends: one recipient query, one counter upsert, one INSERT, one after-commit
delivery, however many events the action raised.
"""

import contextlib
import contextvars
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import kinds, transports
from notifications.groups import role_group
from notifications.models import Notification, NotificationCounter
from project.lib.prepared import insert, insert_values
from workflows.org.models import OrgUnit, RoleMembership, User


@dataclass(frozen=True)
class RoleQueue:
    """Every active holder of `role` in one org unit (a community or the street)."""

    role: str
    org_unit_id: int


@dataclass(frozen=True)
class _Call:
    """One validated notify() call waiting for its batch to be written."""

    kind: str
    params: dict
    url: str
    users: tuple[int, ...]
    queues: tuple[RoleQueue, ...]
    exclude: tuple[int, ...] = ()


class _Batch:
    def __init__(self):
        self.calls: list[_Call] = []
        self.depth = 0


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("notifications_batch", default=None)


def _clean_url(url: str) -> str:
    # Links are site paths only: a notification must never carry an off-site or javascript: link.
    if not url:
        return ""
    if not url.startswith("/") or url.startswith("//") or len(url) > 500:
        raise ValidationError({"url": _("A notification link must be a path on this site.")}, code="bad_url")
    return url


def _user_id(user) -> int:
    return user if isinstance(user, int) else user.pk


@contextlib.contextmanager
def notify_batch() -> Iterator[None]:
    """Collect the notify() calls made inside and write them together when the outermost batch
    ends (nested batches just join the outer one).

    Open it *inside* the action's transaction: the rows are written when the batch ends, so a
    batch that ends after the commit writes them in a transaction of their own. If the block
    raises, the calls collected inside it are dropped (its savepoint rolled back, if any) and the
    exception propagates; calls collected earlier in an outer batch are kept.
    """
    batch = _batch.get()
    token = None
    if batch is None:
        batch = _Batch()
        token = _batch.set(batch)
    batch.depth += 1
    mark = len(batch.calls)
    try:
        yield
    except BaseException:
        del batch.calls[mark:]
        raise
    finally:
        batch.depth -= 1
        if token is not None:
            _batch.reset(token)
    if token is not None and batch.calls:
        _write(batch.calls)


def notify(
    *,
    kind: str,
    params: Mapping,
    url: str = "",
    users: Iterable = (),
    queues: Iterable[RoleQueue] = (),
    exclude: Iterable = (),
) -> list[Notification] | None:
    """Write one row per distinct active recipient; push after commit.

    `users` are User objects or ids; `queues` are role queues resolved to their holders when the
    rows are written. A user reached twice (personally and through a queue, or through two
    queues) gets one row; a user in `exclude` gets none (the person who acted). Kind,
    parameters and link are checked at once (ValidationError).

    Outside a batch: writes now and returns the rows (with pk and seq). Inside `notify_batch()`:
    returns None; the rows are written when the outermost batch ends.
    """
    kind_def = kinds.get(kind)
    call = _Call(
        kind=kind,
        params=kinds.validate_params(kind_def, params),
        url=_clean_url(url),
        users=tuple(_user_id(u) for u in users),
        queues=tuple(dict.fromkeys(queues)),
        exclude=tuple(_user_id(u) for u in exclude),
    )
    batch = _batch.get()
    if batch is not None:
        batch.calls.append(call)
        return None
    return _write([call])


def _resolve(calls: list[_Call]) -> tuple[dict[tuple[str, int], list[int]], dict[int, str], set[int], dict[int, str]]:
    """One query for every call: the holders of each queue, the kind of each queue's org unit
    (which also tells an unknown unit from an empty queue), which personal users are active, and
    the address of each recipient who wants mail (so the mail transport needs no query)."""
    pairs = {(q.role, q.org_unit_id) for call in calls for q in call.queues}
    personal = {user_id for call in calls for user_id in call.users}
    # Written as SQL: this runs in every action, and composing the same union through the ORM
    # cost about ten times what the database takes to answer it.
    user_table, members, units = (connection.ops.quote_name(m._meta.db_table) for m in (User, RoleMembership, OrgUnit))
    mail = "CASE WHEN u.email_notifications THEN u.email ELSE '' END"
    parts, params = [], []
    if pairs:
        holders = " OR ".join(["(m.role = %s AND m.org_unit_id = %s)"] * len(pairs))
        parts.append(f"SELECT m.user_id, m.role, m.org_unit_id, o.kind, {mail} FROM {members} m "
                     f"JOIN {user_table} u ON u.id = m.user_id JOIN {units} o ON o.id = m.org_unit_id "
                     f"WHERE u.is_active AND ({holders})")
        params += [v for pair in sorted(pairs) for v in pair]
        unit_ids = sorted({unit_id for _role, unit_id in pairs})
        parts.append(f"SELECT CAST(NULL AS BIGINT), '', o.id, o.kind, '' FROM {units} o "
                     f"WHERE o.id IN ({', '.join(['%s'] * len(unit_ids))})")
        params += unit_ids
    if personal:
        ids = sorted(personal)
        parts.append(f"SELECT u.id, '', CAST(NULL AS BIGINT), '', {mail} FROM {user_table} u "
                     f"WHERE u.is_active AND u.id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    holders_of: dict[tuple[str, int], list[int]] = {pair: [] for pair in pairs}
    unit_kinds: dict[int, str] = {}
    active: set[int] = set()
    addresses: dict[int, str] = {}
    if not parts:
        return holders_of, unit_kinds, active, addresses
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = cursor.fetchall()
    for user_id, role, unit_id, unit_kind, address in found:
        if user_id is not None and address:
            addresses[user_id] = address
        if unit_id is None:
            active.add(user_id)
        elif user_id is None:
            unit_kinds[unit_id] = unit_kind
        else:
            holders_of[(role, unit_id)].append(user_id)
    for users in holders_of.values():
        users.sort()  # holders in id order, as holders_of() gives them
    return holders_of, unit_kinds, active, addresses


def _drop_superseded(calls: list[_Call], routes: list[dict]) -> None:
    """A person told of a route's decision is not also told, by the same action, of the step
    that led to it (kinds.Kind.supersedes)."""
    for i, call in enumerate(calls):
        superseded = kinds.get(call.kind).supersedes
        if not superseded:
            continue
        about = (call.params.get("process_kind"), call.params.get("process_id"))
        for other, route in zip(calls, routes, strict=True):
            if other.kind in superseded and (other.params.get("process_kind"), other.params.get("process_id")) == about:
                for user_id in routes[i]:
                    route.pop(user_id, None)


def _counters_add(deltas: Mapping[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Add (unread, seq) deltas to users' counters, creating missing rows; returns the new
    (unread, seq) per user. Rows are written in ascending user id — the lock order every writer
    keeps, so two fan-outs to overlapping users cannot deadlock on PostgreSQL."""
    table = connection.ops.quote_name(NotificationCounter._meta.db_table)
    result: dict[int, tuple[int, int]] = {}
    user_ids = sorted(deltas)
    with connection.cursor() as cursor:
        for start in range(0, len(user_ids), 2000):  # 6,000 parameters: under every backend's limit
            chunk = user_ids[start : start + 2000]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (user_id, unread, seq) VALUES {values} "
                f"ON CONFLICT (user_id) DO UPDATE SET unread = {table}.unread + excluded.unread, "
                f"seq = {table}.seq + excluded.seq RETURNING user_id, unread, seq",
                [item for user_id in chunk for item in (user_id, *deltas[user_id])],
            )
            result.update((user_id, (unread, seq)) for user_id, unread, seq in cursor.fetchall())
    return result


# Up to this many rows, PostgreSQL writes the counters and the rows in one statement.
_ONE_STATEMENT_ROWS = 2000


def _counters_add_and_insert(deltas: Mapping[int, tuple[int, int]], rows: list[Notification]) -> dict[int, tuple[int, int]]:
    """PostgreSQL: the counter upsert and the rows (their seq taken from it) in one statement;
    sets each row's id and seq and returns the new (unread, seq) per user, as _counters_add()."""
    counters = connection.ops.quote_name(NotificationCounter._meta.db_table)
    table = connection.ops.quote_name(Notification._meta.db_table)
    user_ids = sorted(deltas)  # the lock order every counter writer keeps
    columns, values, params = insert_values(Notification, rows)
    seq = connection.ops.quote_name("seq")
    chosen = ", ".join(f"c.seq + v.{column}" if column == seq else f"v.{column}" for column in columns)
    counter_rows = ", ".join(["(%s, %s, %s)"] * len(user_ids))
    sql = (
        f"WITH c AS (INSERT INTO {counters} (user_id, unread, seq) VALUES {counter_rows} "
        f"ON CONFLICT (user_id) DO UPDATE SET unread = {counters}.unread + excluded.unread, "
        f"seq = {counters}.seq + excluded.seq RETURNING user_id, unread, seq), "
        f"v (ord, {', '.join(columns)}) AS ({values}), "
        f"n AS (INSERT INTO {table} ({', '.join(columns)}) SELECT {chosen} FROM v JOIN c ON c.user_id = v.recipient_id "
        "ORDER BY v.ord RETURNING id, recipient_id, seq) "
        "SELECT n.id, n.recipient_id, n.seq, c.unread, c.seq FROM n JOIN c ON c.user_id = n.recipient_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [item for user_id in user_ids for item in (user_id, *deltas[user_id])] + params)
        found = cursor.fetchall()
    ids = {(recipient_id, row_seq): pk for pk, recipient_id, row_seq, _unread, _seq in found}
    result = {recipient_id: (unread, counter_seq) for _pk, recipient_id, _row_seq, unread, counter_seq in found}
    for row in rows:
        row.seq += result[row.recipient_id][1]
        row.pk = ids[(row.recipient_id, row.seq)]
        row._state.adding = False
        row._state.db = "default"
    return result


def _counter_unread_sub(user_id: int, count: int) -> int:
    """Take `count` off a user's unread counter; returns the new count."""
    table = connection.ops.quote_name(NotificationCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET unread = unread - %s WHERE user_id = %s RETURNING unread", [count, user_id])
        row = cursor.fetchone()
    return row[0] if row else 0


def _write(calls: list[_Call]) -> list[Notification]:
    if connection.in_atomic_block:
        # The caller's transaction: no savepoint of our own, the rows live and die with the action.
        return _write_in_transaction(calls)
    with transaction.atomic():
        return _write_in_transaction(calls)


def _write_in_transaction(calls: list[_Call]) -> list[Notification]:
    holders_of, unit_kinds, active, mail = _resolve(calls)
    # Per call, who gets a row and which channel-layer group carries the push to them: the first
    # queue that reaches a user, else their personal group.
    routes: list[dict[int, str | None]] = []
    for call in calls:
        route: dict[int, str | None] = {}
        for queue in call.queues:
            if queue.org_unit_id not in unit_kinds:
                raise ValidationError({"queues": _("Unknown org unit.")}, code="bad_queue")
            group = role_group(unit_kinds[queue.org_unit_id], queue.org_unit_id, queue.role)
            for user_id in holders_of[(queue.role, queue.org_unit_id)]:
                route.setdefault(user_id, group)
        for user_id in call.users:
            if user_id in active:
                route.setdefault(user_id, None)
        for user_id in call.exclude:
            route.pop(user_id, None)
        routes.append(route)
    _drop_superseded(calls, routes)
    per_user = Counter(user_id for route in routes for user_id in route)
    if not per_user:
        return []

    # Each row's seq is first its place among the user's new rows, counted back from the counter's
    # new value (0 for the last): the counter upsert turns it into the real one.
    rows, left = [], Counter(per_user)
    for call, route in zip(calls, routes, strict=True):
        for user_id in route:
            left[user_id] -= 1
            rows.append(Notification(recipient_id=user_id, kind=call.kind, params=call.params, url=call.url,
                                     seq=-left[user_id]))
    deltas = {user_id: (n, n) for user_id, n in per_user.items()}
    if connection.vendor == "postgresql" and len(rows) + len(deltas) <= _ONE_STATEMENT_ROWS:
        counters = _counters_add_and_insert(deltas, rows)
    else:
        counters = _counters_add(deltas)
        for row in rows:
            row.seq += counters[row.recipient_id][1]
        rows = insert(Notification, rows)

    unread = {user_id: counters[user_id][0] for user_id in per_user}
    deliveries, position = [], 0
    for call, route in zip(calls, routes, strict=True):
        mine = rows[position : position + len(route)]
        position += len(route)
        if mine:
            deliveries.append(
                transports.Delivery(
                    kind=call.kind,
                    params=call.params,
                    url=call.url,
                    created_at=mine[0].created_at,
                    rows=tuple((row.recipient_id, row.pk, row.seq, route[row.recipient_id]) for row in mine),
                    unread=unread,
                    mail={row.recipient_id: mail[row.recipient_id] for row in mine if row.recipient_id in mail},
                )
            )
    transaction.on_commit(lambda: transports.deliver(deliveries))
    return rows


def notification_mark_read(*, actor, pk) -> Notification:
    """Mark one of the actor's rows read (idempotent). Another user's id is a 404."""
    with transaction.atomic():
        try:
            row = Notification.objects.get(pk=pk, recipient_id=actor.pk)
        except (Notification.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if row.read_at is None:
            now = timezone.now()
            # Conditional, so two concurrent reads of the same row take one off the counter once.
            if Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=now):
                row.read_at = now
                unread = _counter_unread_sub(actor.pk, 1)
                user_id = actor.pk
                transaction.on_commit(lambda: transports.announce_unread(user_id, unread))
    return row


def notification_mark_all_read(*, actor) -> int:
    with transaction.atomic():
        changed = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if changed:
            unread = _counter_unread_sub(actor.pk, changed)
            user_id = actor.pk
            transaction.on_commit(lambda: transports.announce_unread(user_id, unread))
    return changed
