"""Shared approval pages: 待办 (my tasks), 我发起的 (filed by me), 抄送我的 (copied to me), 已办 (done by me)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from workflows.approvals import selectors


@login_required
def inbox(request):
    rows = selectors.open_tasks_for_user(user=request.user)
    return render(request, "approvals/inbox.html", {"rows": rows, "count": len(rows), "tab": "inbox"})


def _process_page(request, rows, title, tab, empty):
    items = [{"kind": kind, "object": obj, "title": kind.title(obj), "url": kind.url(obj), "state": kind.state_label(obj)}
             for kind, obj in rows]
    return render(request, "approvals/process_list.html", {
        "items": items, "title": title, "tab": tab, "empty": empty,
        "count": selectors.open_task_count(user=request.user),
    })


@login_required
def mine(request):
    return _process_page(request, selectors.submitted_by_user(user=request.user), _("Filed by me"), "mine",
                         _("You have not filed anything yet."))


@login_required
def copied(request):
    return _process_page(request, selectors.copied_to_user(user=request.user), _("Copied to me"), "cc",
                         _("Nothing has been copied to you."))


@login_required
def done(request):
    return _process_page(request, selectors.decided_by_user(user=request.user), _("Done by me"), "done",
                         _("You have not decided on anything yet."))
