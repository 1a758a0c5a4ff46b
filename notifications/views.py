from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications import kinds, selectors, services


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list_for_user(user=request.user, unread=unread_only), 30).get_page(
        request.GET.get("page")
    )
    rows = [(row, *kinds.render(row.kind, row.params)) for row in page.object_list]
    return render(request, "notifications/inbox.html", {"page": page, "rows": rows, "unread_only": unread_only})


@login_required
@require_POST
def mark_read(request, pk: int):
    row = services.notification_mark_read(actor=request.user, pk=pk)
    if request.POST.get("open") and row.url:
        return redirect(row.url)
    return redirect("notification-inbox")


@login_required
def open_row(request, pk: int):
    """Opening a notification reads it: marked read, then on to what it is about. The link was
    checked to be a path of this site when the row was written."""
    row = services.notification_mark_read(actor=request.user, pk=pk)
    return redirect(row.url or "notification-inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.notification_mark_all_read(actor=request.user)
    return redirect("notification-inbox")
