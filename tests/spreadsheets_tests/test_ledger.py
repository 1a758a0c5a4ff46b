"""The ledger workbook: separate 收入 and 支出 sheets, own totals, never a netted figure; imports."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.demo_inputs import INCOME_EXTRA
from workflows.ledger import services as ledger
from workflows.ledger.categories import ExpenseCategory, IncomeSource
from workflows.ledger.models import LedgerLine

from .conftest import body, build_sheet, read_sheets

IMPORT_HEADERS = ["社区", "收支", "收入来源/支出类别", "金额（元）", "日期", "付款方/收款方", "摘要/用途", "凭证号", "期初余额"]
OPERATING = str(IncomeSource.OPERATING.label)
UTILITIES = str(ExpenseCategory.UTILITIES.label)


@pytest.fixture
def demo(org_only):
    """Only the street and its people: these tests count every ledger line they post, and the
    full demo's income and paid expenses would be in every sheet."""
    return org_only


@pytest.fixture
def books(users, communities):
    heping, gubu = communities["heping"], communities["gubu"]
    staff, secretary = users["heping_staff"], users["heping_secretary"]
    day = dt.date(2026, 5, 1)
    first = ledger.income_record(
        actor=staff, community=heping, source=IncomeSource.OPERATING, amount=Decimal("1000.00"), date=day,
        counterparty="=HYPERLINK(\"http://x\")", note="场地费", extra=INCOME_EXTRA,
    )
    ledger.income_record(
        actor=staff, community=heping, source=IncomeSource.DONATION, amount=Decimal("250.50"), date=day, note="捐赠",
        extra=INCOME_EXTRA,
    )
    ledger.line_reverse(actor=secretary, line=first, reason="录错")
    ledger.expense_post(
        actor=secretary, community=heping, amount=Decimal("300.00"), date=day, category=ExpenseCategory.UTILITIES,
        payee="供电局", purpose="电费", voucher_number="V-1",
    )
    ledger.income_record(
        actor=users["gubu_staff"], community=gubu, source=IncomeSource.OTHER, amount=Decimal("77.00"), date=day,
        extra=INCOME_EXTRA,
    )
    return {"heping": heping, "gubu": gubu}


def sheet_table(rows: list[list]) -> tuple[list, list[list], list]:
    """(header row, data rows, total row) of one exported sheet."""
    start = next(i for i, row in enumerate(rows) if row[0] == "日期")
    return rows[start], rows[start + 1 : -1], rows[-1]


def test_the_ledger_export_has_separate_income_and_expense_sheets_with_their_own_totals(api_for, users, books):
    response = api_for(users["heping_secretary"]).get(f"/api/exports/ledger.xlsx?community={books['heping'].pk}")
    assert response.status_code == 200
    sheets = read_sheets(body(response))
    assert list(sheets)[:2] == ["收入", "支出"]

    income_header, income_rows, income_total = sheet_table(sheets["收入"])
    expense_header, expense_rows, expense_total = sheet_table(sheets["支出"])
    assert income_header[:4] == ["日期", "社区", "收入来源", "金额（元）"]
    assert expense_header[:4] == ["日期", "社区", "支出类别", "金额（元）"]
    # 1000 + 250.50 and the reversal of the 1000.
    assert sorted(row[3] for row in income_rows) == [-1000.0, 250.5, 1000.0]
    assert [row[3] for row in expense_rows] == [300.0]
    assert income_total[0] == "收入合计" and income_total[3] == 250.5
    assert expense_total[0] == "支出合计" and expense_total[3] == 300.0
    assert all(row[1] == "和平社区" for row in income_rows + expense_rows)

    netted = 250.5 - 300.0
    every_cell = [cell for rows in sheets.values() for row in rows for cell in row]
    assert netted not in every_cell and -netted not in every_cell
    # The header block names the community, the period and who generated it.
    labels = {row[0]: row[1] for row in sheets["收入"][:6]}
    assert labels["社区"] == "和平社区" and "生成时间" in labels and labels["生成人"].endswith("(heping_secretary)")
    # A payer typed as a formula is text in the workbook, unchanged.
    assert '=HYPERLINK("http://x")' in [row[4] for row in income_rows]


def test_a_ledger_export_holds_only_the_communities_the_user_may_read(api_for, users, books):
    sheets = read_sheets(body(api_for(users["gubu_secretary"]).get("/api/exports/ledger.xlsx")))
    _header, rows, total = sheet_table(sheets["收入"])
    assert [row[1] for row in rows] == ["谷埠社区"] and total[3] == 77.0
    assert sheet_table(sheets["支出"])[1] == []
    denied = api_for(users["gubu_secretary"]).get(f"/api/exports/ledger.xlsx?community={books['heping'].pk}")
    assert denied.status_code == 400
    assert api_for(users["heping_secretary"]).get("/api/exports/ledger.xlsx?from=yesterday").status_code == 400


def test_the_period_filter_limits_both_sheets(api_for, users, books):
    sheets = read_sheets(body(api_for(users["shaping_leader"]).get("/api/exports/ledger.xlsx?from=2026-05-02")))
    # Only the reversal (dated today) is after 1 May.
    assert [row[3] for row in sheet_table(sheets["收入"])[1]] == [-1000.0]
    assert sheet_table(sheets["支出"])[1] == []


def upload(client, data):
    return client.post("/api/imports/ledger/", {"file": SimpleUploadedFile("l.xlsx", data)}, format="multipart")


def test_a_ledger_import_posts_opening_balances_income_and_expenses(api_for, users, communities):
    data = build_sheet(
        IMPORT_HEADERS,
        [
            ["和平社区", "收入", "", "5000", dt.date(2026, 4, 15), "", "期初", "", "是"],
            ["和平社区", "收入", OPERATING, 1200.5, dt.date(2026, 5, 1), "瑜伽工作室", "场地费", "", "否"],
            ["heping", "支出", UTILITIES, "88.80", "2026-05-03", "供电局", "电费", "V-9", ""],
        ],
    )
    response = upload(api_for(users["heping_secretary"]), data)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3}
    lines = LedgerLine.objects.filter(community=communities["heping"]).order_by("date")
    assert [(x.line, x.amount, x.is_opening_balance) for x in lines] == [
        ("income", Decimal("5000.00"), True),
        ("income", Decimal("1200.50"), False),
        ("expense", Decimal("88.80"), False),
    ]


GOOD = ["和平社区", "收入", OPERATING, "10", "2026-05-01", "", "", "", ""]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["和平社区", "收入", OPERATING, "-10", "2026-05-01", "", "", "", ""], "金额（元）"),
        (["和平社区", "收入", OPERATING, "10.001", "2026-05-01", "", "", "", ""], "金额（元）"),
        (["和平社区", "收入", OPERATING, "10", "2999-01-01", "", "", "", ""], "日期"),
        (["和平社区", "收入", "彩票", "10", "2026-05-01", "", "", "", ""], "收入来源/支出类别"),
        (["和平社区", "转账", OPERATING, "10", "2026-05-01", "", "", "", ""], "收支"),
        (["和平社区", "支出", UTILITIES, "10", "2026-05-01", "供电局", "电费", "", ""], "凭证号"),
        (["和平社区", "支出", UTILITIES, "10", "2026-05-01", "", "", "V", "是"], "期初余额"),
        (["凤凰社区", "收入", OPERATING, "10", "2026-05-01", "", "", "", ""], "社区"),
    ],
)
def test_a_bad_ledger_row_is_reported_and_no_line_is_posted(api_for, users, row, column):
    before = LedgerLine.objects.count()
    response = upload(api_for(users["heping_secretary"]), build_sheet(IMPORT_HEADERS, [GOOD, row]))
    assert response.status_code == 400, response.content
    assert (3, column) in [(e["row"], e["column"]) for e in response.json()["errors"]]
    assert LedgerLine.objects.count() == before


def test_staff_may_import_income_but_not_expenses(api_for, users):
    row = ["和平社区", "支出", UTILITIES, "10", "2026-05-01", "供电局", "电费", "V-1", ""]
    response = upload(api_for(users["heping_staff"]), build_sheet(IMPORT_HEADERS, [GOOD, row]))
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "社区")]
    assert LedgerLine.objects.count() == 0
    assert upload(api_for(users["resident_li"]), build_sheet(IMPORT_HEADERS, [GOOD])).status_code == 404


def test_a_ledger_export_filtered_by_a_non_ascii_digit_community_is_a_400_not_a_server_error(api_for, users, books):
    response = api_for(users["shaping_leader"]).get("/api/exports/ledger.xlsx?community=²")
    assert response.status_code == 400
    assert "community" in response.json()


def test_a_large_ledger_import_posts_in_batched_inserts_with_one_books_lock_per_community(
    api_for, users, communities, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(ledger, "IMPORT_BATCH", 50)
    rows = [["和平社区", "收入", OPERATING, f"{10 + i}.25", "2026-05-01", f"付款方{i}", f"摘要{i}", "", "否"] for i in range(120)]
    rows += [["heping", "支出", UTILITIES, "8.80", "2026-05-03", "供电局", f"电费{i}", f"V-{i}", ""] for i in range(30)]
    client = api_for(users["heping_secretary"])
    with CaptureQueriesContext(connection) as queries:
        response = upload(client, build_sheet(IMPORT_HEADERS, rows))
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 150}
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "ledger_ledgerline"')]
    assert len(inserts) == 3  # 150 lines in batches of 50, not one statement per row
    locks = [q["sql"] for q in queries.captured_queries if '"org_communityenterprise"' in q["sql"] and "community_id" in q["sql"]]
    assert len(locks) == 1
    posted = LedgerLine.objects.filter(community=communities["heping"])
    assert posted.filter(line="income").count() == 120 and posted.filter(line="expense").count() == 30
    assert {x.posted_by_id for x in posted} == {users["heping_secretary"].pk}
    assert sum(x.amount for x in posted.filter(line="income")) == sum(Decimal(f"{10 + i}.25") for i in range(120))


def test_lines_import_posts_only_new_original_lines_of_its_own_actor(users, communities):
    secretary, staff = users["heping_secretary"], users["heping_staff"]
    line = ledger.income_line_build(
        actor=staff, community=communities["heping"], source=IncomeSource.OPERATING, amount="5", date=dt.date(2026, 5, 1)
    )
    with pytest.raises(ValueError):
        ledger.lines_import(actor=secretary, lines=[line])
    assert LedgerLine.objects.count() == 0


def test_lines_import_refuses_an_opening_balance_from_staff(users, communities):
    from django.core.exceptions import PermissionDenied

    staff = users["heping_staff"]
    line = ledger.income_line_build(
        actor=staff, community=communities["heping"], source=IncomeSource.OTHER, amount="5", date=dt.date(2026, 5, 1),
        is_opening_balance=True,
    )
    with pytest.raises(PermissionDenied):
        ledger.lines_import(actor=staff, lines=[line])
    assert LedgerLine.objects.count() == 0
