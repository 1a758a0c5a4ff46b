"""The lease area's real figures on the dashboard, its workbook and the public page, from the
demo's leases (made through the lease services): each figure is recomputed here from the lease
rows themselves, independently of the lease selectors the provider calls."""

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from python_calamine import CalamineWorkbook

from workflows.leases.models import Lease, Occurrence, Remittance, RevenueReport
from workflows.leases.states import LeaseState
from workflows.org.calendar import statutory_holidays


def _rows(body):
    return {row["code"]: row for row in body["communities"]}


def test_the_demos_leases_reach_the_dashboard_the_workbook_and_the_public_page(demo, api_for, client):
    users, communities = demo["users"], demo["communities"]
    today = timezone.localdate()
    body = api_for(users["shaping_reviewer"]).get("/api/street/dashboard/").json()
    rows = _rows(body)
    assert body["leases_tracked"] is True

    # The charity share: 10% of each report, less what was remitted, per community and month.
    due, remitted, revenue = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    by_month = defaultdict(lambda: defaultdict(lambda: [Decimal("0"), Decimal("0")]))
    for report in RevenueReport.objects.select_related("lease"):
        paid = sum((r.amount for r in Remittance.objects.filter(report=report)), Decimal("0"))
        code = next(c for c, unit in communities.items() if unit.pk == report.lease.community_id)
        due[code] += report.charity_due
        remitted[code] += paid
        if report.month.year == today.year:
            revenue[code] += report.revenue
            by_month[code][report.month.month][0] += report.charity_due
            by_month[code][report.month.month][1] += paid
    assert sum(revenue.values()) > 0
    for code, row in rows.items():
        assert row["arrears"]["charity"] == f"{due[code] - remitted[code]:.2f}", code
        assert row["revenue_reported"] == f"{revenue[code]:.2f}", code
        for month, (month_due, month_paid) in by_month[code].items():
            assert row["by_month"]["charity"][str(month)] == {"due": f"{month_due:.2f}", "remitted": f"{month_paid:.2f}"}
    # The demo's partner in arrears with its rent is in 桂林, and only there.
    assert Decimal(rows["guilin"]["arrears"]["rent"]) > 0
    assert all(rows[code]["arrears"]["rent"] == "0.00" for code in rows if code != "guilin")

    # Leases ending within 30 days: exactly the active leases whose end date falls in the window.
    for code, row in rows.items():
        expected = sorted(Lease.objects.filter(community=communities[code], state=LeaseState.ACTIVE, ends_on__gte=today,
                                               ends_on__lte=today + dt.timedelta(days=30)).values_list("pk", flat=True))
        assert sorted(lease["lease_id"] for lease in row["leases_ending"]) == expected, code

    # The workbook's lease sheet carries the same figures.
    response = api_for(users["shaping_leader"]).get("/api/exports/street_dashboard.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.get_sheet_by_name("场地租赁").to_python()
    guilin = next(r for r in sheet if r[0] == communities["guilin"].name)
    assert guilin[2] == float(rows["guilin"]["arrears"]["rent"]) and guilin[3] == float(rows["guilin"]["arrears"]["charity"])

    # This week's timetable on the public page, without login: every active lease's service on
    # at a centre this week is listed by the partner's public name.
    week_start = today - dt.timedelta(days=today.weekday())
    week_end = week_start + dt.timedelta(days=6)
    listed = 0
    for code, unit in communities.items():
        on = (Occurrence.objects.filter(room__community=unit, lease__state=LeaseState.ACTIVE, date__gte=week_start,
                                        date__lte=week_end).select_related("lease__partner"))
        page = client.get(f"/public/{code}/").content.decode()
        for occurrence in on:
            assert f"{occurrence.lease.partner.public_name} · {occurrence.lease.service}" in page, code
            listed += 1
    # The demo's leases run every week of their term except on statutory holidays (rooms closed).
    if len(statutory_holidays(week_start, week_end)) < 3:
        assert listed > 0


def test_each_lease_figure_links_to_the_leases_behind_it(demo, client):
    users, communities = demo["users"], demo["communities"]
    today = timezone.localdate()
    client.force_login(users["shaping_reviewer"])
    html = client.get("/street/").content.decode()
    assert 'href="/leases/?community=guilin&amp;arrears=rent"' in html
    assert 'href="/leases/?community=heping&amp;ending=30"' in html

    def listed(query):
        page = client.get("/leases/" + query).content.decode()
        assert 'data-testid="lease-filter"' in page
        return {lease.pk for lease in Lease.objects.all() if f'href="/leases/{lease.pk}/"' in page}

    rent_late = listed("?community=guilin&arrears=rent")
    assert rent_late and all(lease.community_id == communities["guilin"].pk for lease in Lease.objects.filter(pk__in=rent_late))
    assert listed("?community=heping&arrears=rent") == set()
    owing = {r.lease_id for r in RevenueReport.objects.filter(lease__community=communities["guilin"])
             if r.charity_due > sum((m.amount for m in Remittance.objects.filter(report=r)), Decimal("0"))}
    assert listed("?community=guilin&arrears=charity") == owing and owing
    ending = set(Lease.objects.filter(community=communities["heping"], state=LeaseState.ACTIVE, ends_on__gte=today,
                                      ends_on__lte=today + dt.timedelta(days=30)).values_list("pk", flat=True))
    assert listed("?community=heping&ending=30") == ending
    # Bad values are ignored, never a 500.
    assert client.get("/leases/?ending=abc&arrears=x&community=" + "z" * 300).status_code == 200
