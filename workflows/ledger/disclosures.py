"""Monthly disclosures (月度公开): the frozen snapshot, its hash, and how anyone checks them.

The snapshot is canonical JSON — keys sorted, no spaces, non-ASCII kept, UTF-8 — so the same
books always give the same bytes, and the hash is `SHA-256(snapshot)` in hex. The snapshot names
`previous_hash` (the hash of the community's disclosure published before it, "" for the first),
so the disclosures of a community form a chain. To check one by hand: take the stored snapshot
text, hash it, compare with `hash`; read its `previous_hash`, compare with the previous link.

Nothing here writes; `services.disclosure_publish` builds and stores, these functions read.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from project.lib.masking import mask_counterparty, mask_text
from workflows.ledger.categories import LineKind
from workflows.ledger.models import Disclosure, LedgerLine
from workflows.org import calendar

FORMAT = 1
ZERO = Decimal("0.00")


def canonical_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_period(raw) -> dt.date | None:
    """'2026-11' → 2026-11-01; anything else → None."""
    if not isinstance(raw, str) or len(raw.strip()) != 7:
        return None
    try:
        day = dt.date.fromisoformat(raw.strip() + "-01")
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2999 else None


def period_end(period: dt.date) -> dt.date:
    """The first day of the month after `period`."""
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def due_day(period: dt.date) -> dt.date:
    """The last day to publish `period`: the DISCLOSURE_DUE_WORKING_DAY-th working day of the
    next month (the last day of the month itself is not counted, as periods are counted)."""
    return calendar.add_working_days(period_end(period) - dt.timedelta(days=1), settings.DISCLOSURE_DUE_WORKING_DAY)


def _money(value) -> str:
    return f"{Decimal(value).quantize(ZERO):.2f}"


def _sum(condition: Q) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def _approvals(expense_ids: list[int]) -> dict[int, list[dict]]:
    """Who signed each paid expense, when, under which authority-table version (one query)."""
    if not expense_ids:
        return {}
    from workflows.approvals import actions
    from workflows.approvals.models import HistoryEntry

    shown = {*actions.decision_codes(), "submit", "resubmit", "pay", "auto_pass", "step_passed"}
    rows = (HistoryEntry.objects.filter(process_kind="expense", process_id__in=expense_ids, action__in=shown)
            .select_related("actor").order_by("created_at", "id"))
    found: dict[int, list[dict]] = {}
    for row in rows:
        found.setdefault(row.process_id, []).append({
            "action": row.action,
            "step": row.step,
            # People who sign public money sign in their public role: their names are shown.
            "by": str(row.actor) if row.actor_id else "",
            "at": row.created_at.isoformat(),
            "policy_version": row.policy_version,
        })
    return found


def public_line(line: LedgerLine, approvals: dict[int, list[dict]] | None = None) -> dict:
    """A ledger line as the public sees it: no scan, no voucher image, counterparties masked."""
    data = {
        "id": line.id,
        "date": line.date.isoformat(),
        "line": line.line,
        "kind": line.source if line.line == LineKind.INCOME else line.category,
        "amount": _money(line.amount),
        "counterparty": mask_counterparty(line.counterparty),
        "purpose": mask_text(line.note),
        "reverses": line.reverses_id,
        "opening_balance": line.is_opening_balance,
    }
    if line.line == LineKind.EXPENSE and line.source_type == "expense" and approvals is not None:
        data["approval"] = approvals.get(line.source_id, [])
    return data


def build_snapshot(*, community, period: dt.date, published_at: dt.datetime, previous: Disclosure | None,
                   supersedes: Disclosure | None, reason: str) -> tuple[dict, list[LedgerLine]]:
    """Every line of the period, each line's own total and the balance carried in."""
    end = period_end(period)
    lines = list(LedgerLine.objects.filter(community=community, date__gte=period, date__lt=end).order_by("date", "id"))
    before = LedgerLine.objects.filter(community=community, date__lt=period).order_by().aggregate(
        income=_sum(Q(line=LineKind.INCOME)), expense=_sum(Q(line=LineKind.EXPENSE)))
    approvals = _approvals([ln.source_id for ln in lines if ln.source_type == "expense"])
    income = sum((ln.amount for ln in lines if ln.line == LineKind.INCOME), ZERO)
    expense = sum((ln.amount for ln in lines if ln.line == LineKind.EXPENSE), ZERO)
    snapshot = {
        "format": FORMAT,
        "community": {"code": community.code, "name": community.name},
        "period": f"{period:%Y-%m}",
        "published_at": published_at.isoformat(),
        "previous_hash": previous.hash if previous else "",
        "supersedes": {"id": supersedes.id, "hash": supersedes.hash} if supersedes else None,
        "reason": reason,
        # What the books held before the month: each line's running total, and the balance the
        # month starts from (the one figure a disclosure carries from month to month).
        "carried": {"income": _money(before["income"]), "expense": _money(before["expense"]),
                    "opening_balance": _money(before["income"] - before["expense"])},
        "totals": {"income": _money(income), "expense": _money(expense)},
        "lines": [public_line(ln, approvals) for ln in lines],
    }
    return snapshot, lines


@dataclass
class Verification:
    ok: bool
    problems: list[str] = field(default_factory=list)


def verify(disclosure: Disclosure, previous_hash: str | None) -> Verification:
    """Recompute everything a stored disclosure claims, from its stored snapshot alone.

    `previous_hash` is the hash column of the link before it in the chain ("" for the first,
    None when the caller does not check the link).
    """
    problems = []
    text = disclosure.snapshot or ""
    if sha256(text) != disclosure.hash:
        problems.append(_("The snapshot does not match its hash."))
    try:
        data = json.loads(text)
    except ValueError:
        return Verification(False, [*problems, _("The snapshot is not valid JSON.")])
    if not isinstance(data, dict) or canonical_json(data) != text:
        problems.append(_("The snapshot is not in canonical form."))
        data = data if isinstance(data, dict) else {}
    if data.get("previous_hash") != disclosure.previous_hash:
        problems.append(_("The snapshot names another previous hash than the stored one."))
    if previous_hash is not None and disclosure.previous_hash != previous_hash:
        problems.append(_("The previous hash does not match the disclosure before it in the chain."))
    totals = data.get("totals") or {}
    if (totals.get("income") != _money(disclosure.income_total)
            or totals.get("expense") != _money(disclosure.expense_total)
            or len(data.get("lines") or []) != disclosure.line_count):
        problems.append(_("The stored totals differ from the snapshot."))
    if data.get("period") != disclosure.period_text or (data.get("community") or {}).get("code") != disclosure.community.code:
        problems.append(_("The stored period or community differs from the snapshot."))
    return Verification(not problems, problems)


def snapshot_of(disclosure: Disclosure) -> dict:
    """The parsed snapshot, or {} when it no longer parses (verification says so)."""
    try:
        data = json.loads(disclosure.snapshot)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class ChainCheck:
    ok: bool
    checked: int
    broken: Disclosure | None = None  # the first link that fails
    problems: list[str] = field(default_factory=list)


def chain_check(community) -> ChainCheck:
    """Walk the community's disclosures in publishing order; name the first broken link."""
    previous = ""
    count = 0
    for disclosure in Disclosure.objects.filter(community=community).select_related("community").order_by("seq").iterator():
        count += 1
        result = verify(disclosure, previous)
        if not result.ok:
            return ChainCheck(False, count, disclosure, result.problems)
        previous = disclosure.hash
    return ChainCheck(True, count)
