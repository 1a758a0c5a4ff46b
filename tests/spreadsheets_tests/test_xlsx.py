"""project/lib/xlsx.py: written cells, guarded text, bad files, and the one-importer rule."""

import datetime as dt
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from project.lib import xlsx
from project.lib.xlsx import BadWorkbook, Column, ExportBook, Kind, Limits

from .conftest import build_sheet, read_sheets, sheet_xml, zip_names

LIMITS = Limits(max_rows=100, max_bytes=1_000_000)
COLUMNS = [
    Column("name", "名称", required=True),
    Column("amount", "金额", Kind.MONEY),
    Column("day", "日期", Kind.DATE),
    Column("kind", "类型", choices=["甲", "乙"]),
]


def export(rows, **kwargs) -> bytes:
    buffer = io.BytesIO()
    with ExportBook(buffer) as book:
        book.table("收入", COLUMNS, rows, **kwargs)
    return buffer.getvalue()


def test_only_the_xlsx_module_imports_openpyxl():
    root = Path(settings.BASE_DIR)
    skip = {".venv", "benchmarks", "node_modules", ".git", "data", "staticfiles"}
    pattern = re.compile(r"^\s*(import openpyxl|from openpyxl)", re.MULTILINE)
    offenders = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.startswith(".")]
        for name in filenames:
            if name.endswith(".py"):
                path = Path(dirpath) / name
                if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == [os.path.join("project", "lib", "xlsx.py")]


def test_an_export_has_the_header_block_table_total_and_real_numbers_and_dates():
    data = export(
        [["房租", Decimal("1200.50"), dt.date(2026, 5, 1), "甲"], ["捐赠", Decimal("300"), dt.date(2026, 5, 2), "乙"]],
        header_block=[("社区", "凤凰社区"), ("期间", "2026-05")],
        total_label="合计",
        total_columns=["amount"],
    )
    rows = read_sheets(data)["收入"]
    assert rows[0][0] == "收入"
    assert rows[1][:2] == ["社区", "凤凰社区"]
    assert rows[4] == ["名称", "金额", "日期", "类型"]
    assert rows[5][1] == 1200.5 and rows[5][2] == dt.date(2026, 5, 1)
    assert rows[-1][:2] == ["合计", 1500.5]
    xml = sheet_xml(data)
    assert 'topLeftCell="A6"' in xml  # frozen under the header row
    assert '<autoFilter ref="A5:D7"' in xml
    assert "<col " in xml  # widths were set


def test_text_that_looks_like_a_formula_is_written_as_text_with_its_value_unchanged():
    hostile = ["=1+1", "+SUM(A1)", "-2+3", "@cmd|' /C calc'!A0"]
    data = export([[text, None, None, None] for text in hostile])
    values = [row[0] for row in read_sheets(data)["收入"][1:]]
    assert values == hostile
    xml = sheet_xml(data)
    assert "<f>" not in xml
    assert xml.count('t="inlineStr"') >= len(hostile)


def test_money_cells_carry_the_yuan_format_and_datetimes_are_shown_in_shanghai_time():
    from django.utils import timezone

    stamp = timezone.make_aware(dt.datetime(2026, 5, 1, 2, 30), dt.UTC)
    buffer = io.BytesIO()
    with ExportBook(buffer) as book:
        book.table("T", [Column("at", "时间", Kind.DATETIME), Column("m", "金额", Kind.MONEY)], [[stamp, Decimal("8000.00")]])
    data = buffer.getvalue()
    assert read_sheets(data)["T"][1] == [dt.datetime(2026, 5, 1, 10, 30), 8000.0]
    with __import__("zipfile").ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert "¥" in styles


def test_awkward_values_come_back_as_written_through_the_independent_reader():
    """Data rows are written as XML text (project.lib.xlsx._RowWriter), not through openpyxl's
    cells: every kind of value must still read back the same through calamine, and the product's
    own reader (openpyxl read-only, as imports read) must agree."""
    from django.utils import timezone

    columns = [Column("t", "文字"), Column("m", "金额", Kind.MONEY), Column("d", "日期", Kind.DATE),
               Column("at", "时间", Kind.DATETIME)]
    texts = ["甲 & 乙 <b>", "  leading and trailing  ", "行一\r\n行二\n行三", "#N/A", "=1+1", "x" * 40_000,
             "bell\x07 tab\t"]
    aware = timezone.make_aware(dt.datetime(2026, 5, 1, 2, 30), dt.UTC)
    rows = [
        [texts[0], Decimal("1234567.89"), dt.date(2026, 5, 1), aware],
        [texts[1], Decimal("-0.50"), dt.date(1900, 1, 1), dt.datetime(2026, 12, 31, 23, 59)],
        [texts[2], 7, None, None],
        [texts[3], 2.5, dt.date(2026, 2, 28), None],
        [texts[4], None, None, True],
        [texts[5], None, None, float("nan")],
        [texts[6], None, "not a date", 42],
        [None, None, None, None],
    ]
    buffer = io.BytesIO()
    with ExportBook(buffer) as book:
        book.table("T", columns, rows, total_label="合计", total_columns=["m"])
    data = buffer.getvalue()
    calamine = read_sheets(data)["T"]
    with xlsx.open_import(data, limits=Limits(max_rows=100, max_bytes=10**7)) as sheet:
        ours = [list(r) for r in sheet]
    for got in (calamine, ours):
        assert got[1][0] == "甲 & 乙 <b>" and got[1][1] == 1234567.89 and got[1][2] in (dt.date(2026, 5, 1),
                                                                                           dt.datetime(2026, 5, 1))
        assert got[1][3] == dt.datetime(2026, 5, 1, 10, 30)  # Shanghai wall-clock time
        assert got[2][0] == "  leading and trailing  " and got[2][1] == -0.5
        assert got[2][3] == dt.datetime(2026, 12, 31, 23, 59)
        assert got[3][0] == "行一\r\n行二\n行三" and got[3][1] == 7
        assert got[4][0] == "#N/A" and got[4][1] == 2.5  # text, not an error cell
        assert got[5][0] == "=1+1" and got[5][3] is True
        assert got[6][0] == "x" * 32_767  # Excel's limit for one cell
        assert got[7][0] == "bell\ufffd tab\t"  # a character XML cannot carry, replaced
        assert got[7][2] == "not a date" and got[7][3] == 42
        assert got[6][3] in (None, "")  # NaN: an empty number cell
        assert got[-1][0] == "合计" and got[-1][1] == 1234576.89
    xml = sheet_xml(data)
    assert "<f>" not in xml and 't="e"' not in xml


def test_a_template_has_headers_an_example_row_and_drop_down_lists():
    buffer = io.BytesIO()
    with ExportBook(buffer) as book:
        book.template("模板", COLUMNS, {"name": "示例", "kind": "甲"})
    data = buffer.getvalue()
    sheets = read_sheets(data)
    assert sheets["模板"][0] == ["名称", "金额", "日期", "类型"]
    assert sheets["模板"][1][0] == "示例"
    assert '<dataValidation type="list"' in sheet_xml(data) or "dataValidation" in sheet_xml(data)
    assert [row[0] for row in list(sheets.values())[1]] == ["甲", "乙"]


def test_reading_matches_headers_by_name_in_any_order_and_skips_empty_rows():
    data = build_sheet(["类型", "名称", "金额"], [["甲", "一", 5], [None, None, None], ["乙", "二", 7.25]])
    table = xlsx.read_table(data, COLUMNS, limits=LIMITS)
    assert table.positions == {"kind": 1, "name": 2, "amount": 3}
    assert [(r.number, r.values["name"], r.values["amount"]) for r in table.rows] == [
        (2, "一", 5),
        (4, "二", Decimal("7.25")),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空"),
        (os.urandom(4096), "不是 Excel 工作簿"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 2048, "密码保护"),
        (b"PK\x03\x04" + b"\0" * 200, "已损坏"),
    ],
    ids=["empty", "random-bytes", "password-protected-cfb", "corrupt-zip"],
)
def test_a_bad_file_gets_one_clear_message(data, message):
    with pytest.raises(BadWorkbook) as info:
        xlsx.read_table(data, COLUMNS, limits=LIMITS)
    assert message in info.value.message


def test_a_truncated_workbook_is_reported_as_damaged():
    data = build_sheet(["名称"], [["一"]])
    with pytest.raises(BadWorkbook) as info:
        xlsx.read_table(data[: len(data) // 2], COLUMNS, limits=LIMITS)
    assert "已损坏" in info.value.message


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(BadWorkbook) as info:
        xlsx.read_table(buffer.getvalue(), COLUMNS, limits=LIMITS)
    assert "不是 Excel 工作簿" in info.value.message


def test_wrong_and_missing_headers_are_named():
    data = build_sheet(["名字", "金额"], [["一", 1]])
    with pytest.raises(BadWorkbook) as info:
        xlsx.read_table(data, COLUMNS, limits=LIMITS)
    assert "名称" in info.value.message and "名字" in info.value.message


def test_more_rows_or_bytes_than_the_limits_are_refused():
    data = build_sheet(["名称"], [[f"r{i}"] for i in range(11)])
    with pytest.raises(BadWorkbook) as info:
        xlsx.read_table(data, COLUMNS, limits=Limits(max_rows=10, max_bytes=1_000_000))
    assert "超过 10 行" in info.value.message
    with pytest.raises(BadWorkbook) as info:
        xlsx.read_table(data, COLUMNS, limits=Limits(max_rows=100, max_bytes=len(data) - 1))
    assert "字节" in info.value.message


def test_an_error_report_marks_bad_cells_and_lists_every_error():
    data = build_sheet(["名称", "金额"], [["一", "abc"], ["=2+2", 3]])
    table = xlsx.read_table(data, COLUMNS, limits=LIMITS)
    errors = [table.error(2, "amount", "不是数字"), table.error(3, None, "整行有误")]
    buffer = io.BytesIO()
    with ExportBook(buffer) as book:
        book.error_report(data, errors, limits=LIMITS)
    report = buffer.getvalue()
    sheets = read_sheets(report)
    data_sheet, error_sheet = list(sheets.values())
    assert data_sheet[1] == ["一", "abc"]
    assert data_sheet[2][0] == "=2+2"  # the user's text comes back as text, never a formula
    assert [row[:3] for row in error_sheet[1:]] == [[2, "金额", "不是数字"], [3, "", "整行有误"]]
    assert any(name.startswith("xl/comments") for name in zip_names(report))
    assert "<f>" not in sheet_xml(report)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(report)) as archive:
        styles = archive.read("xl/styles.xml").decode()
        comments = next(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/comments"))
    assert "FFC7CE" in styles  # the red fill of the bad cells
    assert 'ref="B2"' in comments and "不是数字" in comments and 'ref="A3"' in comments
