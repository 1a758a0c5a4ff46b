"""Shared approval pages: 待办 (my tasks), 我发起的 (filed by me), 抄送我的 (copied to me), 已办 (done by me).

A bad `?page=` or `?kind=` on a page falls back to the first page of everything: a link
someone kept from an older list should still open something, never an error page.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from project.params import parse_id
from workflows.approvals import selectors, services


def _params(request) -> tuple[str | None, int]:
    try:
        kind = selectors.parse_kind(request.GET.get("kind"))
    except selectors.BadParam:
        kind = None
    try:
        page = selectors.parse_page(request.GET.get("page"))
    except selectors.BadParam:
        page = 1
    return kind, page


def _common(request, page, tab) -> dict:
    return {"page": page, "tab": tab, "kinds": selectors.kind_choices(), "kind": page.kind}


def _search(request) -> tuple[selectors.Search, dict]:
    search, errors = selectors.parse_search(request.GET)
    kept = {k: request.GET[k] for k in ("q", "date_from", "date_to", "status") if request.GET.get(k)}
    return search, {"search": search, "search_errors": errors, "search_values": kept,
                    "search_query": urlencode(kept)}


@login_required
def inbox(request):
    kind, number = _params(request)
    page = selectors.open_tasks_for_user(user=request.user, kind=kind, page=number)
    if not page.rows and number > 1:
        page = selectors.open_tasks_for_user(user=request.user, kind=kind)
    # The tab badge counts everything open, whatever the filter.
    count = page.count if kind is None else selectors.open_task_count(user=request.user)
    return render(request, "approvals/inbox.html", {**_common(request, page, "inbox"), "rows": page.rows,
                                                    "count": count})


def _process_page(request, page, title, tab, empty, search_context: dict):
    items = [{"kind": kind, "object": obj, "title": kind.title(obj), "url": kind.url(obj), "state": kind.state_label(obj)}
             for kind, obj in page.rows]
    return render(request, "approvals/process_list.html", {
        **_common(request, page, tab), "items": items, "title": title, "empty": empty,
        "count": selectors.open_task_count(user=request.user), **search_context,
    }, status=400 if search_context["search_errors"] else 200)


def _merged_page(request, select, title, tab, empty):
    kind, number = _params(request)
    search, search_context = _search(request)
    page = select(user=request.user, kind=kind, page=number, search=search)
    if not page.rows and number > 1:
        page = select(user=request.user, kind=kind, search=search)
    return _process_page(request, page, title, tab, empty, search_context)


@login_required
def mine(request):
    return _merged_page(request, selectors.submitted_by_user, _("Filed by me"), "mine",
                        _("You have not filed anything yet."))


@login_required
def copied(request):
    return _merged_page(request, selectors.copied_to_user, _("Copied to me"), "cc",
                        _("Nothing has been copied to you."))


@login_required
def done(request):
    search, search_context = _search(request)
    rows = selectors.decided_by_user(user=request.user, search=search)
    # 已办 keeps its most recent 200 decisions on one page (no kind filter: it is a short list).
    page = selectors.Page(rows=rows, count=len(rows), page=1)
    return _process_page(request, page, _("Done by me"), "done", _("You have not decided on anything yet."),
                         search_context)


@login_required
@require_POST
def batch_approve(request):
    """批量同意 from the 待办 page: the ticked tasks, one comment, one line per task after."""
    ids = [parse_id(raw) for raw in request.POST.getlist("tasks")]
    ids = [i for i in ids if i is not None]
    if not ids:
        messages.error(request, gettext("Tick the tasks to approve."))
        return redirect("approvals-inbox")
    results = services.tasks_batch_approve(actor=request.user, task_ids=ids,
                                           comment=request.POST.get("comment", "").strip()[:2000])
    done = sum(1 for line in results if line["status"] == 200)
    messages.success(request, gettext("%(done)s of %(total)s approved.") % {"done": done, "total": len(results)})
    for line in results:
        if line["status"] != 200:
            messages.error(request, gettext("Task %(task)s: %(detail)s") % line)
    return redirect("approvals-inbox")


def _delegation_page(request, *, errors=None, values=None, status=200):
    user = request.user
    return render(request, "approvals/delegations.html", {
        "delegations": list(selectors.delegations_of(user=user)),
        "deputies": selectors.deputy_candidates(user=user),
        "done_for_me": selectors.done_on_behalf_of(user=user, limit=50),
        "errors": errors or {}, "values": values or {}, "today": timezone.localdate(),
    }, status=status)


@login_required
def delegations(request):
    """代理: name a deputy for a date range, end it early, and see what was done in one's name."""
    if request.method != "POST":
        return _delegation_page(request)
    values = {k: request.POST.get(k, "") for k in ("deputy", "starts_on", "ends_on", "reason")}
    errors = {}
    dates = {}
    for name in ("starts_on", "ends_on"):
        try:
            dates[name] = dt.date.fromisoformat(values[name])
        except ValueError:
            errors[name] = [gettext("Enter a date.")]
    deputy = parse_id(values["deputy"])
    if deputy is None:
        errors["deputy"] = [gettext("Choose a deputy.")]
    if not errors:
        try:
            services.delegation_create(actor=request.user, deputy=deputy, reason=values["reason"][:200], **dates)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"deputy": exc.messages}
    if errors:
        return _delegation_page(request, errors=errors, values=values, status=400)
    messages.success(request, gettext("Your deputy is set."))
    return redirect("approvals-delegations")


@login_required
@require_POST
def delegation_end(request, pk: int):
    services.delegation_end(actor=request.user, pk=pk)
    messages.success(request, gettext("The delegation has ended."))
    return redirect("approvals-delegations")
