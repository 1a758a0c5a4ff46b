"""Pages: the street dashboard (/street/), the list behind its task figures, the monthly
reports, and the community's public face (/public/<code>/). Phone first; the dashboard's only
script makes its counters live; the public page needs none."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from project.params import parse_id
from workflows.approvals import registry
from workflows.ledger import public_views as books_views
from workflows.ledger import selectors as ledger_selectors
from workflows.ledger.disclosures import parse_period
from workflows.supervision import presenters, scope, selectors
from workflows.supervision.labels import disclosure_label, rate_text
from workflows.supervision.report_selectors import report_get_for_user, reports_for_user


def _street_id(request):
    return parse_id(request.GET.get("street") or "")


def _lease_url(name: str, code: str) -> str:
    """The lease area's list for a figure, when that area has one (its URL name)."""
    try:
        return reverse(name) + f"?community={code}"
    except NoReverseMatch:
        return ""


@login_required
def dashboard(request):
    communities = scope.communities_or_404(request.user, street_id=_street_id(request))
    data = selectors.figures(communities)
    for row in data["communities"]:
        row["disclosure_label"] = disclosure_label(row["disclosure"]["status"])
        row["rate_text"] = rate_text(row["inquiries"]["on_time_rate"])
        row["books_chart"] = presenters.books_chart(row["books_by_month"], chart_id=f"chart-books-{row['code']}",
                                                    title=_("%(name)s: income and expense by month, %(year)s")
                                                    % {"name": row["name"], "year": data["year"]})
        row["lease_list_url"] = _lease_url("lease-list", row["code"])
    street = data["street"]
    street["rate_text"] = rate_text(street["inquiries"]["on_time_rate"])
    charts = [presenters.inquiries_chart(street["inquiries_by_month"], chart_id="chart-inquiries",
                                         title=_("Inquiries answered on time and late by month, %(year)s") % {"year": data["year"]})]
    if street["charity_by_month"] is not None:
        charts.append(presenters.charity_chart(street["charity_by_month"], chart_id="chart-charity",
                                               title=_("Charity due and remitted by month, %(year)s") % {"year": data["year"]}))
    street_param = _street_id(request)
    return render(request, "supervision/dashboard.html", {
        "data": data, "rows": data["communities"], "street": street, "charts": charts,
        "many": len(communities) > 1, "street_param": street_param or "",
        "export_url": reverse("spreadsheet-export", args=["street_dashboard"]) + (f"?street={street_param}" if street_param else ""),
        "live_url": reverse("api-street-dashboard") + (f"?street={street_param}" if street_param else ""),
    })


@login_required
def task_list(request):
    """The list behind the task figures: everyone's open tasks in the communities I supervise."""
    communities = scope.communities_or_404(request.user)
    community_id = parse_id(request.GET.get("community") or "")
    if community_id is not None and community_id not in {c.pk for c in communities}:
        community_id = None  # not mine or unknown: the whole list, as the inquiry list does
    kind = request.GET.get("kind") or None
    if kind is not None and kind not in {k.kind for k in registry.all_kinds()}:
        kind = None
    step = (request.GET.get("step") or "")[:40] or None
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.task_rows(communities, now=timezone.now(), community_id=community_id, kind=kind, step=step,
                               overdue=overdue)
    names = {c.pk: c.name for c in communities}
    return render(request, "supervision/tasks.html", {
        "rows": rows, "community": names.get(community_id), "kind_label": str(registry.get(kind).label) if kind else "",
        "step_label": registry.get(kind).step_label(step) if kind and step else (step or ""), "overdue": overdue,
    })


@login_required
def report_list(request):
    if not scope.supervised_communities(request.user):
        raise Http404
    qs = reports_for_user(user=request.user)
    period = parse_period(request.GET.get("period") or "")
    if period is not None:
        qs = qs.filter(period=period)
    return render(request, "supervision/reports.html", {"reports": list(qs[:200]), "period": period})


@login_required
def report_detail(request, pk):
    report = report_get_for_user(user=request.user, pk=pk)
    data = json.loads(report.snapshot)
    for row in data["communities"]:
        row["disclosure_label"] = disclosure_label(row["disclosure_due_in_month"]["status"])
        row["rate_text"] = rate_text(row["inquiries"]["on_time_rate"])
    if data.get("street"):
        data["street"]["month_rate_text"] = rate_text(data["street"]["inquiries_month"]["on_time_rate"])
    return render(request, "supervision/report.html", {
        "report": report, "data": data,
        "xlsx_url": reverse("spreadsheet-export", args=["street_report"]) + f"?id={report.pk}",
    })


@require_GET
def public_page(request, code: str):
    """The community's public face. The books by month keep their own page (/books/); an old
    link to this address with ?month= or ?page= (printed QR codes) still opens them."""
    if "month" in request.GET or "page" in request.GET:
        return books_views.community_page(request, code)
    community = ledger_selectors.public_community_get(code=code)
    summary = selectors.public_summary(community)
    summary["books_chart"] = presenters.books_chart(
        summary["books_by_month"], chart_id="chart-public-books",
        title=_("%(name)s: income and expense by month, %(year)s") % {"name": community.name, "year": summary["year"]})
    if summary["charity_by_month"] is not None:
        summary["charity_chart"] = presenters.charity_chart(summary["charity_by_month"], chart_id="chart-public-charity",
                                                            title=_("Charity share due and remitted, %(year)s")
                                                            % {"year": summary["year"]})
    summary["rate_text"] = rate_text(summary["inquiries"]["on_time_rate"])
    disclosure = summary["disclosure"]
    if disclosure is not None:
        url = request.build_absolute_uri(reverse("public-disclosure", args=[community.code, disclosure.pk]))
        summary["disclosure_url"], summary["disclosure_qr"] = url, books_views.qr_svg(url)
    if summary["timetable"]:
        from workflows.org.models import OpeningHours

        days = dict(OpeningHours.Weekday.choices)
        summary["timetable"] = [{"day": days.get(t.weekday, t.weekday), "slot": t} for t in summary["timetable"]]
    return render(request, "supervision/public.html", summary)
