"""Monthly disclosures: frozen snapshots, the hash chain, corrections, and the public pages."""

import datetime as dt
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from tests.demo_inputs import INCOME_EXTRA
from workflows.ledger import services
from workflows.ledger.disclosures import canonical_json, chain_check, sha256
from workflows.ledger.models import Disclosure, ImmutableDisclosure

# A fixed "now" well after the demo's books: December 2026 has ended.
JAN_2027 = dt.datetime(2027, 1, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def traveller():
    with time_machine.travel(JAN_2027, tick=False) as traveller:
        yield traveller


@pytest.fixture
def december_lines(users, communities, traveller):
    heping = communities["heping"]
    for day, amount, payer in ((3, "800.00", "张三"), (15, "1200.00", "鹤山市沙坪街道办事处")):
        services.income_record(actor=users["heping_staff"], community=heping, source="operating",
                               amount=amount, date=dt.date(2026, 12, day), counterparty=payer,
                               note="联系电话13800138000", extra=INCOME_EXTRA)
    return heping


def publish(api_for, user, **body):
    return api_for(user).post("/api/disclosures/", body, format="json")


def test_the_secretary_publishes_a_month_as_a_frozen_hash_chained_snapshot(api_for, users, december_lines, anon_api):
    before = Disclosure.objects.filter(community=december_lines).order_by("-seq").first()
    response = publish(api_for, users["heping_secretary"], community="heping", period="2026-12")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["period"] == "2026-12" and body["verified"] is True
    assert body["totals"] == {"income": "2000.00", "expense": "0.00"}
    assert body["previous_hash"] == (before.hash if before else "")
    assert [line["counterparty"] for line in body["lines"]] == ["张某", "鹤山市沙坪街道办事处"]
    assert all("13800138000" not in line["purpose"] for line in body["lines"])
    stored = Disclosure.objects.get(pk=body["id"])
    assert stored.hash == sha256(stored.snapshot) and canonical_json(__import__("json").loads(stored.snapshot)) == stored.snapshot
    public = anon_api.get(f"/api/public/disclosures/{stored.pk}/").json()
    assert public["hash"] == stored.hash and public["verified"] is True and public["url"].endswith(
        f"/public/heping/disclosures/{stored.pk}/")
    listed = anon_api.get("/api/public/disclosures/", {"community": "heping"}).json()
    assert listed[0]["id"] == stored.pk and all(row["verified"] for row in listed)
    with pytest.raises(ImmutableDisclosure):
        stored.save()


def test_publishing_a_month_again_needs_a_reason_and_supersedes_the_first(api_for, users, december_lines):
    first = publish(api_for, users["heping_secretary"], community="heping", period="2026-12").json()
    again = publish(api_for, users["heping_secretary"], community="heping", period="2026-12")
    assert again.status_code == 409 and again.json()["detail"]
    fixed = publish(api_for, users["heping_secretary"], community="heping", period="2026-12", reason="补录一笔收入")
    assert fixed.status_code == 201
    body = fixed.json()
    assert body["supersedes"] == first["id"] and body["reason"] == "补录一笔收入"
    assert body["previous_hash"] == first["hash"]
    assert chain_check(december_lines).ok


@pytest.mark.parametrize("period, field", [("2027-01", "period"), ("2027-05", "period"), ("12-2026", "period"),
                                           ("2026-13", "period"), ("2026-03", "period")])
def test_a_future_unfinished_malformed_or_empty_month_is_a_400(api_for, users, december_lines, period, field):
    response = publish(api_for, users["heping_secretary"], community="heping", period=period)
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize("who", ["heping_staff", "fenghuang_secretary", "resident_li", "shaping_reviewer"])
def test_only_the_communitys_secretary_publishes_everyone_else_gets_404(api_for, users, december_lines, who):
    assert publish(api_for, users[who], community="heping", period="2026-12").status_code == 404
    assert publish(api_for, users["heping_secretary"], community="nowhere", period="2026-12").status_code == 404


def _tamper(disclosure, snapshot: str) -> None:
    # Behind the application's back: raw SQL, as someone with database access would.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Disclosure._meta.db_table} SET snapshot = %s WHERE id = %s", [snapshot, disclosure.pk])


def test_editing_a_stored_snapshot_makes_verified_false_and_the_chain_check_names_the_broken_link(
        api_for, users, december_lines, anon_api, client):
    first = publish(api_for, users["heping_secretary"], community="heping", period="2026-12").json()
    publish(api_for, users["heping_secretary"], community="heping", period="2026-12", reason="更正")
    target = Disclosure.objects.get(pk=first["id"])
    _tamper(target, target.snapshot.replace('"800.00"', '"80.00"'))
    assert anon_api.get(f"/api/public/disclosures/{target.pk}/").json()["verified"] is False
    page = client.get(f"/public/heping/disclosures/{target.pk}/")
    assert page.status_code == 200
    assert 'data-verified="false"' in page.content.decode()
    check = chain_check(december_lines)
    assert not check.ok and check.broken.pk == target.pk and check.problems


def test_the_public_pages_work_without_login_and_show_no_personal_data(api_for, users, december_lines, client):
    body = publish(api_for, users["heping_secretary"], community="heping", period="2026-12").json()
    page = client.get("/public/heping/?month=2026-12")
    html = page.content.decode()
    assert page.status_code == 200 and "张某" in html and "张三" not in html and "13800138000" not in html
    assert f"/public/heping/disclosures/{body['id']}/" in html
    detail = client.get(f"/public/heping/disclosures/{body['id']}/").content.decode()
    assert "<svg" in detail and 'data-verified="true"' in detail and body["hash"] in detail and "<script" not in detail
    poster = client.get(f"/public/heping/disclosures/{body['id']}/poster/")
    assert poster.status_code == 200 and "<svg" in poster.content.decode()
    assert client.get(f"/public/fenghuang/disclosures/{body['id']}/").status_code == 404
    assert client.get("/public/nowhere/").status_code == 404
    communities = client.get("/api/public/communities/").json()
    assert {"code": "heping", "name": "和平社区"} in communities


def test_a_month_missing_its_disclosure_after_the_tenth_working_day_is_flagged(users, december_lines, traveller):
    from workflows.ledger.selectors import communities_missing_disclosure, disclosure_due_status

    reviewer = users["shaping_reviewer"]
    row = next(r for r in disclosure_due_status(user=reviewer) if r["community"] == december_lines and r["period"] == "2026-12")
    # 2027-01's 10th working day: New Year's Day is a holiday.
    assert row["due_day"] == dt.date(2027, 1, 15) and row["overdue"] is True
    assert december_lines in communities_missing_disclosure(user=reviewer)
    services.disclosure_publish(actor=users["heping_secretary"], community=december_lines, period="2026-12")
    row = next(r for r in disclosure_due_status(user=reviewer) if r["community"] == december_lines and r["period"] == "2026-12")
    assert row["overdue"] is False and row["late"] is True
    assert disclosure_due_status(user=users["resident_chen"]) == [] or all(
        r["community"].code == "fenghuang" for r in disclosure_due_status(user=users["resident_chen"]))


def test_verification_takes_well_under_a_second_per_disclosure(api_for, users, december_lines):
    body = publish(api_for, users["heping_secretary"], community="heping", period="2026-12").json()
    started = time.perf_counter()
    assert chain_check(december_lines).ok
    assert time.perf_counter() - started < 5
    assert Decimal(body["totals"]["income"]) == Decimal("2000.00")


def test_the_secretary_publishes_from_the_disclosures_page_and_staff_only_see_it(users, december_lines, client):
    client.force_login(users["heping_staff"])
    page = client.get("/ledger/disclosures/").content.decode()
    assert 'data-testid="month-2026-12"' in page and 'data-testid="publish-2026-12"' not in page
    assert client.post("/ledger/disclosures/publish/", {"community": december_lines.pk, "period": "2026-12"}).status_code == 404
    client.force_login(users["heping_secretary"])
    page = client.get("/ledger/disclosures/").content.decode()
    assert 'data-testid="publish-2026-12"' in page and "逾期" in page
    response = client.post("/ledger/disclosures/publish/", {"community": december_lines.pk, "period": "2026-12"})
    assert response.status_code == 302 and "/public/heping/disclosures/" in response["Location"]
    again = client.post("/ledger/disclosures/publish/", {"community": december_lines.pk, "period": "2026-12"}, follow=True)
    assert "更正须说明理由" in again.content.decode()
    client.force_login(users["resident_li"])
    assert client.get("/ledger/disclosures/").status_code == 404


def test_the_public_ledger_shows_who_signed_a_paid_expense_and_under_which_authority_table(client, communities):
    from workflows.ledger.models import LedgerLine

    paid = LedgerLine.objects.filter(community=communities["fenghuang"], line="expense", source_type="expense").first()
    html = client.get(f"/public/fenghuang/?month={paid.date:%Y-%m}").content.decode()
    line = html.split(f'data-testid="public-line-{paid.pk}"')[1].split("</li>\n")[0]
    assert "审批路线" in line or "审批路径" in line
    assert "冯书记" in line and "权限表第 1 版" in line and "鹤山市供水有限公司" in line


def test_a_disclosure_with_many_lines_is_shown_in_pages_with_its_totals_over_all_of_them(
        api_for, users, december_lines, client, monkeypatch):
    from workflows.ledger import public_views

    monkeypatch.setattr(public_views, "PAGE_LINES", 1)
    body = publish(api_for, users["heping_secretary"], community="heping", period="2026-12").json()
    first = client.get(f"/public/heping/disclosures/{body['id']}/").content.decode()
    second = client.get(f"/public/heping/disclosures/{body['id']}/?page=2").content.decode()
    ids = [line["id"] for line in body["lines"]]
    assert f"public-line-{ids[0]}" in first and f"public-line-{ids[1]}" not in first
    assert f"public-line-{ids[1]}" in second and 'data-testid="public-pager"' in second
    assert "¥2,000.00" in first and "¥2,000.00" in second  # the one money format
    assert client.get(f"/public/heping/disclosures/{body['id']}/?page=abc").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_publishing_one_month_at_once_publish_it_once_and_the_chain_holds(demo):
    import threading

    from django.db import connections

    heping, secretary = demo["communities"]["heping"], demo["users"]["heping_secretary"]
    with time_machine.travel(JAN_2027, tick=True):
        services.income_record(actor=demo["users"]["heping_staff"], community=heping, source="operating",
                               amount="500.00", date=dt.date(2026, 12, 8), counterparty="优阅托管",
                               extra=INCOME_EXTRA)
        barrier = threading.Barrier(2)
        results = []

        def publish_december():
            try:
                barrier.wait(timeout=10)
                services.disclosure_publish(actor=secretary, community=heping, period="2026-12")
                results.append("published")
            except services.AlreadyPublished:
                results.append("conflict")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=publish_december) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(results) == ["conflict", "published"]
    assert Disclosure.objects.filter(community=heping, period=dt.date(2026, 12, 1)).count() == 1
    assert chain_check(heping).ok
