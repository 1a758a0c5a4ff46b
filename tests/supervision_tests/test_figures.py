"""Every figure of the dashboard in a known situation (conftest.situation), through the API the
page reads, and the same figures on the page and in the workbook."""

import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from workflows.supervision import providers

pytestmark = pytest.mark.django_db(transaction=True)

CODES = ["fenghuang", "gubu", "yanshan", "guilin", "nanshan", "heping"]


def _by_code(body):
    return {c["code"]: c for c in body["communities"]}


def test_every_figure_of_the_known_situation(situation, api_for):
    users = situation["users"]
    body = api_for(users["shaping_leader"]).get("/api/street/dashboard/").json()
    assert [c["code"] for c in body["communities"]] == CODES
    rows = _by_code(body)
    heping = rows["heping"]

    # Tasks: the expense at the secretary; C's answer; D's acknowledgement; E's street review.
    tasks = heping["tasks"]
    assert tasks["open"] == 4 and tasks["overdue"] == 2
    steps = {(k["kind"], s["step"]): s["count"] for k in tasks["kinds"] for s in k["steps"]}
    assert steps == {("expense", "community_secretary"): 1, ("inquiry", "answer"): 1, ("inquiry", "acknowledge"): 1,
                     ("inquiry", "street_review"): 1}
    assert tasks["oldest"].startswith("2026-08-03T01:00")  # the street review of E and C's answer, 09:00/10:00 BJT
    assert tasks["oldest_days"] == 43
    overdue = heping["overdue"]
    # Both were due 09-01 00:00; E's street review task is the older one.
    assert [(o["kind"], o["step"]) for o in overdue] == [("inquiry", "street_review"), ("inquiry", "answer")]
    assert [o["days_over"] for o in overdue] == [14, 14]
    holders = {o["step"]: o["holder"] for o in overdue}
    assert holders["answer"] == {"kind": "person", "name": "何书记"}
    assert holders["street_review"]["kind"] == "queue" and "沙坪街道" in holders["street_review"]["name"]
    assert {o["url"] for o in overdue} == {f"/inquiries/{situation['C'].pk}/", f"/inquiries/{situation['E'].pk}/"}
    for code in CODES[:-1]:
        assert rows[code]["tasks"]["open"] == 0 and rows[code]["overdue"] == [] and rows[code]["tasks"]["oldest"] is None

    # Inquiries: C and E open past their deadlines; E escalated; A on time; B, C, E late; D pending.
    assert heping["inquiries"] == {"open": 3, "overdue": 2, "escalated": 1, "on_time": 1, "late": 3, "pending": 1,
                                   "on_time_rate": 0.25}
    months = heping["by_month"]["inquiries"]
    assert months["7"] == {"on_time": 0, "late": 1} and months["8"] == {"on_time": 1, "late": 2}
    assert months["9"] == {"on_time": 0, "late": 0}
    for code in CODES[:-1]:
        assert rows[code]["inquiries"]["on_time_rate"] is None and rows[code]["inquiries"]["open"] == 0

    # Last month's disclosure: heping missed it, fenghuang on time, gubu late, yanshan had nothing to publish.
    assert heping["disclosure"]["last_period"] == "2026-08" and heping["disclosure"]["due_day"] == "2026-09-14"
    assert (heping["disclosure"]["status"], heping["disclosure"]["on_time"]) == ("missing", False)
    assert (rows["fenghuang"]["disclosure"]["status"], rows["fenghuang"]["disclosure"]["on_time"]) == ("on_time", True)
    assert (rows["gubu"]["disclosure"]["status"], rows["gubu"]["disclosure"]["on_time"]) == ("late", False)
    assert (rows["yanshan"]["disclosure"]["status"], rows["yanshan"]["disclosure"]["on_time"]) == ("nothing_to_publish", None)

    # Books: two lines, never netted.
    assert heping["books"] == {"income": "1500.00", "expense": "300.00"}
    assert heping["by_month"]["books"]["8"] == {"income": "1000.00", "expense": "300.00"}
    assert heping["by_month"]["books"]["9"] == {"income": "500.00", "expense": "0.00"}
    assert rows["fenghuang"]["books"] == {"income": "800.00", "expense": "0.00"}
    assert "balance" not in heping["books"] and "net" not in heping["books"]

    # Nothing public noticed, no partners and no leases here: the lease area is installed, so its
    # figures are real zeros (not absent).
    for code in CODES:
        assert rows[code]["notices"] == {"in_progress": 0, "open_objections": 0}
        assert (rows[code]["partners"], rows[code]["services"], rows[code]["revenue_expected"]) == (0, 0, "0.00")
        assert rows[code]["leases_ending"] == [] and rows[code]["arrears"] == {"rent": "0.00", "charity": "0.00"}
        assert rows[code]["revenue_reported"] == "0.00"
    assert body["leases_tracked"] is True

    street = body["street"]
    assert street["tasks"] == {"open": 4, "overdue": 2}
    assert street["inquiries"]["on_time_rate"] == 0.25 and street["inquiries"]["late"] == 3
    assert street["books"] == {"income": "2900.00", "expense": "300.00"}
    assert street["disclosure"] == {"on_time": 1, "missed": 2}
    assert street["arrears"] == {"rent": "0.00", "charity": "0.00"} and street["leases_ending"] == 0
    assert body["expected"] == {"partners": 29, "revenue": "72000.00"}


class FakeLeases:
    """A stand-in provider with known answers: what the lease area will plug into the hook."""

    key = "test-leases"

    def __init__(self, heping_id):
        self.heping_id = heping_id

    def leases_ending(self, community_ids, today, days=30):
        from workflows.supervision.providers import LeaseEnding

        return {cid: ([LeaseEnding(cid, 7, "瑞腾培训", "多功能室", today.replace(day=30), "/leases/7/")]
                      if cid == self.heping_id else []) for cid in community_ids}

    def arrears(self, community_ids, today):
        return {cid: {"rent": Decimal("1200.00") if cid == self.heping_id else Decimal("0.00"),
                      "charity": Decimal("80.00") if cid == self.heping_id else Decimal("0.00")} for cid in community_ids}

    def charity_by_month(self, community_ids, year):
        return {cid: {m: {"due": Decimal("100.00") if (cid == self.heping_id and m == 8) else Decimal("0.00"),
                          "remitted": Decimal("20.00") if (cid == self.heping_id and m == 8) else Decimal("0.00")}
                      for m in range(1, 13)} for cid in community_ids}

    def revenue_reported(self, community_ids, year):
        return {cid: Decimal("1000.00") if cid == self.heping_id else Decimal("0.00") for cid in community_ids}

    def week_timetable(self, community_id, week_start):
        import datetime as dt

        from workflows.supervision.providers import TimetableSlot

        if community_id != self.heping_id:
            return []
        return [TimetableSlot("多功能室", 2, dt.time(19, 0), dt.time(21, 0), "瑞腾培训 · 叉车理论课")]


@pytest.fixture
def fake_leases(situation):
    """The hook itself, with a stand-in in place of the lease area's provider (restored after)."""
    real = {p.key: p for p in providers.providers()}
    for key in real:
        providers.unregister(key)
    provider = FakeLeases(situation["communities"]["heping"].pk)
    providers.register(provider)
    yield provider
    providers.unregister(provider.key)
    for other in real.values():
        providers.register(other)


def test_charity_arrears_and_leases_come_through_the_provider_hook(situation, fake_leases, api_for, client):
    users = situation["users"]
    body = api_for(users["shaping_reviewer"]).get("/api/street/dashboard/").json()
    rows = _by_code(body)
    assert rows["heping"]["arrears"] == {"rent": "1200.00", "charity": "80.00"}
    assert [lease["partner"] for lease in rows["heping"]["leases_ending"]] == ["瑞腾培训"]
    assert rows["heping"]["revenue_reported"] == "1000.00"
    assert rows["heping"]["by_month"]["charity"]["8"] == {"due": "100.00", "remitted": "20.00"}
    assert rows["gubu"]["arrears"] == {"rent": "0.00", "charity": "0.00"}
    assert body["street"]["arrears"] == {"rent": "1200.00", "charity": "80.00"} and body["street"]["leases_ending"] == 1
    assert body["leases_tracked"] is True
    client.force_login(users["shaping_reviewer"])
    html = client.get("/street/").content.decode()
    assert "¥1,200.00" in html and "¥80.00" in html and 'data-testid="chart-charity"' in html
    public = client.get("/public/heping/").content.decode()
    assert 'data-testid="chart-public-charity"' in public and "¥100.00" in public and "¥20.00" in public
    assert "星期三" in public and "19:00–21:00" in public and "瑞腾培训 · 叉车理论课" in public


def test_the_page_shows_the_figures_and_links_each_to_its_list(situation, client):
    users = situation["users"]
    client.force_login(users["shaping_leader"])
    html = client.get("/street/").content.decode()
    heping = situation["communities"]["heping"]
    assert 'data-testid="tasks-open-heping" data-live="tasks.open">4<' in html
    assert f'href="/street/tasks/?community={heping.pk}&amp;overdue=1" data-testid="tasks-overdue-heping"' in html
    assert 'href="/inquiries/?community=heping&amp;overdue=1" data-testid="inquiries-overdue-heping"' in html
    assert 'data-testid="on-time-rate-heping">25.0%<' in html
    assert "2026-08: 缺失（已过截止日）" in html and "2026-08: 按时公开" in html and "2026-08: 逾期公开" in html
    assert 'data-testid="leases-not-tracked"' not in html  # the lease area is installed
    # The lists behind the figures show exactly what was counted.
    listed = client.get(f"/street/tasks/?community={heping.pk}&overdue=1").content.decode()
    assert listed.count("<li class=\"overdue\">") == 2 and "何书记" in listed
    assert client.get(f"/street/tasks/?community={heping.pk}").content.decode().count("<li") >= 4
    inquiries = client.get("/inquiries/?community=heping&overdue=1").content.decode()
    assert f"inquiry-row-{situation['C'].pk}" in inquiries and f"inquiry-row-{situation['E'].pk}" in inquiries
    assert f"inquiry-row-{situation['A'].pk}" not in inquiries
    late = client.get("/inquiries/?community=heping&year=2026&timely=late").content.decode()
    assert all(f"inquiry-row-{situation[k].pk}" in late for k in "BCE") and f"inquiry-row-{situation['A'].pk}" not in late


def test_the_workbook_has_a_sheet_per_section_with_the_same_figures(situation, api_for):
    response = api_for(situation["users"]["shaping_leader"]).get("/api/exports/street_dashboard.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    names = book.sheet_names
    assert names == ["待办", "已逾期", "公示栏", "质询", "场地租赁", "月度公开", "收支", "合伙人"]
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in names}
    heping = next(r for r in sheets["质询"] if r[0] == "和平社区")
    assert [int(v) for v in heping[1:6]] == [3, 2, 1, 1, 3] and heping[6] == "25.0%"
    books = sheets["收支"]
    assert [r for r in books if r[0] == "和平社区"][0][1:] == [1500.0, 300.0]
    assert books[-1] == ["合计", 2900.0, 300.0]
    overdue = sheets["已逾期"]
    assert [r[2] for r in overdue[1:]] == ["街道复查", "答复"] and overdue[2][4] == "何书记"
    tasks = sheets["待办"]
    assert sorted((r[1], r[2], r[3]) for r in tasks[1:] if r[0] == "和平社区") == sorted(
        [("支出申请", "社区党委书记", 1.0), ("居民质询", "答复", 1.0), ("居民质询", "受理", 1.0), ("居民质询", "街道复查", 1.0)])
    disclosures = {r[0]: r[2] for r in sheets["月度公开"][1:]}
    assert disclosures["和平社区"] == "缺失（已过截止日）" and disclosures["凤凰社区"] == "按时公开"
