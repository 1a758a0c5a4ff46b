"""Public pages of the books (公开): no login, no JavaScript, phone first, no personal data.

`/public/<code>/books/` lists the community's disclosures and its public ledger by month (the
community's public face at `/public/<code>/` opens it for `?month=` links);
`/public/<code>/disclosures/<id>/` shows one frozen disclosure with its verification and QR
code; `.../poster/` is the A4 sheet for the notice board (公开栏).
"""

import segno
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from project.params import parse_id
from workflows.approvals import actions, registry
from workflows.ledger import annotations, selectors
from workflows.ledger.categories import ExpenseCategory, IncomeSource, LineKind
from workflows.ledger.disclosures import parse_period, snapshot_of, verify

_KIND_LABELS = {LineKind.INCOME: dict(IncomeSource.choices), LineKind.EXPENSE: dict(ExpenseCategory.choices)}
_LINE_LABELS = dict(LineKind.choices)


def _step_label(step: str) -> str:
    try:
        return registry.get("expense").step_label(step) if step else ""
    except KeyError:
        return step


def _labelled(lines: list[dict], notes: dict) -> list[dict]:
    """Codes of the frozen snapshot turned into labels in the reader's language."""
    for line in lines:
        line["line_label"] = _LINE_LABELS.get(line.get("line"), line.get("line"))
        line["kind_label"] = _KIND_LABELS.get(line.get("line"), {}).get(line.get("kind"), line.get("kind"))
        line["notes"] = notes.get(("line", line.get("id")), [])
        for step in line.get("approval") or []:
            if isinstance(step, dict):
                step["action_label"] = actions.label(str(step.get("action", "")))
                step["step_label"] = _step_label(str(step.get("step", "")))
    return lines


def _split(lines: list[dict]) -> list[dict]:
    """Income and expense as two columns, never netted."""
    return [{"kind": kind, "label": label, "lines": [ln for ln in lines if ln.get("line") == kind]}
            for kind, label in LineKind.choices]


# Lines shown per page: a phone reads a few hundred, and the page's cost stays flat whatever the
# month holds (the totals, the hash and the verification always cover every line).
PAGE_LINES = 500


def _page(request, items: list) -> tuple[list, dict]:
    pages = max(1, -(-len(items) // PAGE_LINES))
    number = parse_id(request.GET.get("page") or "") or 1
    number = min(number, pages)
    start = (number - 1) * PAGE_LINES
    return items[start:start + PAGE_LINES], {
        "number": number, "pages": pages, "count": len(items),
        "previous": number - 1 if number > 1 else None, "next": number + 1 if number < pages else None,
    }


def qr_svg(url: str, *, scale: int = 4) -> str:
    """An inline SVG QR code of `url` (no image file, no request to anywhere)."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=scale, border=2, title=url))


@require_GET
def index(request):
    return render(request, "ledger/public/index.html", {"communities": selectors.public_communities()})


@require_GET
def community_page(request, code: str):
    community = selectors.public_community_get(code=code)
    disclosures = list(selectors.public_disclosures(community=community))
    months = selectors.public_line_months(community=community)
    month = parse_period(request.GET.get("month") or "")
    if month is None or month not in months:
        month = months[0] if months else None
    lines, pager = _page(request, selectors.public_lines(community=community, month=month) if month else [])
    notes = annotations.collect(community=community, line_ids=[ln["id"] for ln in lines],
                                disclosure_ids=[d.pk for d in disclosures])
    return render(request, "ledger/public/community.html", {
        "community": community,
        "disclosures": [{"obj": d, "notes": notes.get(("disclosure", d.pk), [])} for d in disclosures],
        "months": months,
        "month": month,
        "columns": _split(_labelled(lines, notes)),
        "pager": pager,
        "general_notes": notes.get(("community", community.pk), []),
    })


def _disclosure_context(request, code: str, pk):
    community = selectors.public_community_get(code=code)
    if parse_id(pk) is None:
        from django.http import Http404

        raise Http404
    disclosure = selectors.public_disclosure_get(pk=pk, community=community)
    check = verify(disclosure, selectors.previous_hash_of(disclosure))
    snapshot = snapshot_of(disclosure)
    lines = snapshot.get("lines") if isinstance(snapshot.get("lines"), list) else []
    lines = [ln for ln in lines if isinstance(ln, dict)]
    line_count = len(lines)
    lines, pager = _page(request, lines)
    notes = annotations.collect(community=community, line_ids=[ln.get("id") for ln in lines],
                                disclosure_ids=[disclosure.pk])
    url = request.build_absolute_uri(reverse("public-disclosure", args=[community.code, disclosure.pk]))
    return {
        "community": community,
        "disclosure": disclosure,
        "snapshot": snapshot,
        "verification": check,
        "columns": _split(_labelled(lines, notes)),
        "line_count": line_count,
        "pager": pager,
        "notes": notes.get(("disclosure", disclosure.pk), []),
        "url": url,
        "qr": qr_svg(url),
        "now": timezone.now(),
    }


@require_GET
def disclosure_page(request, code: str, pk: int):
    return render(request, "ledger/public/disclosure.html", _disclosure_context(request, code, pk))


@require_GET
def disclosure_poster(request, code: str, pk: int):
    context = _disclosure_context(request, code, pk)
    context["qr"] = qr_svg(context["url"], scale=8)
    return render(request, "ledger/public/poster.html", context)

