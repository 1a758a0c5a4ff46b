"""Shared approval pages: 待办 (my tasks), 我发起的 (filed by me), 抄送我的 (copied to me), 已办 (done by me).

A bad `?page=` or `?kind=` on a page falls back to the first page of everything: a link
someone kept from an older list should still open something, never an error page.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from workflows.approvals import selectors


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


def _process_page(request, page, title, tab, empty):
    items = [{"kind": kind, "object": obj, "title": kind.title(obj), "url": kind.url(obj), "state": kind.state_label(obj)}
             for kind, obj in page.rows]
    return render(request, "approvals/process_list.html", {
        **_common(request, page, tab), "items": items, "title": title, "empty": empty,
        "count": selectors.open_task_count(user=request.user),
    })


def _merged_page(request, select, title, tab, empty):
    kind, number = _params(request)
    page = select(user=request.user, kind=kind, page=number)
    if not page.rows and number > 1:
        page = select(user=request.user, kind=kind)
    return _process_page(request, page, title, tab, empty)


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
    rows = selectors.decided_by_user(user=request.user)
    # 已办 keeps its most recent 200 decisions on one page (no kind filter: it is a short list).
    page = selectors.Page(rows=rows, count=len(rows), page=1)
    return _process_page(request, page, _("Done by me"), "done", _("You have not decided on anything yet."))
