"""In Chromium: download the ledger workbook, upload a bad room import, get the error workbook."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.browser_support import login
from tests.conftest import DEMO_TEST_PASSWORD
from tests.demo_inputs import INCOME_EXTRA
from workflows.ledger import services as ledger
from workflows.ledger.categories import ExpenseCategory, IncomeSource
from workflows.org.models import Room

from .conftest import build_sheet, read_sheets
from .test_rooms import ACTIVITY, HEADERS


@pytest.mark.browser
def test_a_secretary_downloads_the_ledger_and_gets_the_error_workbook_for_a_bad_room_import(
    org_only, browser_page, tmp_path, settings
):
    # The street and its people only: the totals below are exactly the two lines posted here.
    context = org_only
    heping = context["communities"]["heping"]
    secretary = context["users"]["heping_secretary"]
    day = dt.date(2026, 5, 1)
    ledger.income_record(
        actor=secretary, community=heping, source=IncomeSource.OPERATING, amount=Decimal("880.00"), date=day,
        extra=INCOME_EXTRA,
    )
    ledger.expense_post(
        actor=secretary, community=heping, amount=Decimal("120.00"), date=day,
        category=ExpenseCategory.UTILITIES, payee="供电局", purpose="电费", voucher_number="V-1",
    )

    page = browser_page()
    login(page, "heping_secretary", DEMO_TEST_PASSWORD)
    page.goto("/spreadsheets/")
    assert page.locator("h1").inner_text() == "表格导入导出"

    with page.expect_download() as download:
        page.click("[data-testid=export-ledger]")
    sheets = read_sheets(open(download.value.path(), "rb").read())
    assert list(sheets)[:2] == ["收入", "支出"]
    assert sheets["收入"][-1][0] == "收入合计" and sheets["收入"][-1][3] == 880.0
    assert sheets["支出"][-1][0] == "支出合计" and sheets["支出"][-1][3] == 120.0

    rooms_before = Room.objects.count()
    bad = tmp_path / "rooms.xlsx"
    bad.write_bytes(
        build_sheet(HEADERS, [["和平社区", "新教室", ACTIVITY, 20, "", "", "是", ""], ["和平社区", "", ACTIVITY, "很大", "", "", "是", ""]])
    )
    page.set_input_files("[data-testid=upload-rooms] input[type=file]", str(bad))
    page.click("[data-testid=upload-rooms] button[type=submit]")
    errors = page.locator("[data-testid=row-errors] tbody tr")
    assert errors.count() == 2
    assert "面积（㎡）" in page.locator("[data-testid=row-errors]").inner_text()

    with page.expect_download() as download:
        page.click("[data-testid=error-workbook]")
    report = read_sheets(open(download.value.path(), "rb").read())
    assert {row[1] for row in report["错误"][1:]} == {"场室名称", "面积（㎡）"}
    assert report["Sheet1"][2][:4] == ["和平社区", "", ACTIVITY, "很大"]
    assert Room.objects.count() == rooms_before
