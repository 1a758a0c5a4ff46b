"""The monthly reports: written by the timer on the first working day, frozen, printable, xlsx."""

import datetime as dt
import io
import json

import pytest
from python_calamine import CalamineWorkbook

from workflows.supervision.models import ImmutableReport, MonthlyReport
from workflows.supervision.services import first_working_day, supervision_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_first_working_day_is_counted_on_the_statutory_calendar():
    assert first_working_day(dt.date(2026, 9, 1)) == dt.date(2026, 9, 1)     # a Tuesday
    assert first_working_day(dt.date(2026, 10, 1)) == dt.date(2026, 10, 8)   # after the National Day week (10-01..07)
    assert first_working_day(dt.date(2026, 8, 1)) == dt.date(2026, 8, 3)     # a Saturday → Monday


def test_the_timer_wrote_augusts_reports_on_september_1_once_and_froze_them(situation):
    assert situation["reports"] == 7  # six communities and the street
    reports = MonthlyReport.objects.filter(period=dt.date(2026, 8, 1))
    assert reports.count() == 7 and reports.filter(community__isnull=True).count() == 1
    heping = reports.get(community=situation["communities"]["heping"])
    data = json.loads(heping.snapshot)
    row = data["communities"][0]
    assert data["period"] == "2026-08" and data["generated_at"].startswith("2026-09-01T02:00")
    assert row["books_month"] == {"income": "1000.00", "expense": "300.00"}
    assert row["books_year_to_month"] == {"income": "1000.00", "expense": "300.00"}
    # At 09-01 10:00: A on time; B and C open past their deadline (00:00) count as late.
    assert row["inquiries_month"] == {"on_time": 1, "late": 2}
    # July's disclosure fell due in August: July had no lines.
    assert row["disclosure_due_in_month"]["last_period"] == "2026-07"
    assert row["disclosure_due_in_month"]["status"] == "nothing_to_publish"
    approvals = {(a["kind"], a["step"]): (a["count"], a["median_hours"]) for a in row["approvals"]}
    assert approvals == {("inquiry", "acknowledge"): (3, 0.0), ("inquiry", "answer"): (1, 48.0)}
    assert [(i["id"], i["timely"]) for i in row["month_inquiries"]] == [
        (situation["A"].pk, "on_time"), (situation["B"].pk, "late"), (situation["C"].pk, "late")]
    assert "resident_li" not in heping.snapshot and "李阿姨" not in heping.snapshot
    street = json.loads(reports.get(community__isnull=True).snapshot)
    assert street["street"]["books_month"] == {"income": "2400.00", "expense": "300.00"}
    assert street["street"]["inquiries_month"] == {"on_time": 1, "late": 2, "on_time_rate": 0.3333}
    # Later sweeps (and the rest of September) change nothing: frozen.
    before = heping.hash
    assert supervision_sweep()["reports"] == 0
    heping = MonthlyReport.objects.get(pk=heping.pk)
    assert heping.hash == before and json.loads(heping.snapshot)["communities"][0]["inquiries_month"]["late"] == 2
    with pytest.raises(ImmutableReport):
        heping.save()
    with pytest.raises(ImmutableReport):
        MonthlyReport.objects.filter(pk=heping.pk).update(hash="x")


def test_reports_are_scoped_printable_and_come_as_xlsx(situation, api_for, client):
    users = situation["users"]
    leader, secretary = api_for(users["shaping_leader"]), api_for(users["heping_secretary"])
    listed = leader.get("/api/street/reports/", {"period": "2026-08"}).json()["results"]
    assert len(listed) == 7
    own = secretary.get("/api/street/reports/", {"period": "2026-08"}).json()["results"]
    assert [r["community"] for r in own] == ["heping"]
    assert leader.get("/api/street/reports/", {"period": "2026-13"}).status_code == 400
    street = next(r for r in listed if r["community"] is None)
    assert secretary.get(f"/api/street/reports/{street['id']}/").status_code == 404
    assert api_for(users["resident_li"]).get(f"/api/street/reports/{street['id']}/").status_code == 404
    detail = leader.get(f"/api/street/reports/{street['id']}/").json()
    assert detail["snapshot"]["period"] == "2026-08" and len(detail["snapshot"]["communities"]) == 6
    response = leader.get(f"/api/street/reports/{own[0]['id']}.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    summary = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    heping = next(r for r in summary if r and r[0] == "和平社区")
    assert heping[1:7] == [1000.0, 300.0, 1000.0, 300.0, 1.0, 2.0]
    approvals = book.get_sheet_by_name(book.sheet_names[1]).to_python()
    assert sorted((r[3], r[4]) for r in approvals[1:]) == [(1.0, 48.0), (3.0, 0.0)]
    client.force_login(users["shaping_leader"])
    page = client.get(f"/street/reports/{street['id']}/").content.decode()
    assert 'data-testid="report-heping"' in page and "¥1,000.00" in page and street["hash"] in page
    assert client.get(f"/street/reports/{street['id']}/").status_code == 200
