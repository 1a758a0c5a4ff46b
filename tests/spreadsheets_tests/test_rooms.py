"""Rooms: a scoped export, its template, and imports that write everything or nothing."""

import io
import os
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from spreadsheets.models import Job
from workflows.org.models import Room

from .conftest import body, build_sheet, read_sheets

ACTIVITY = str(Room.Kind.ACTIVITY.label)
YOGA = str(Room.Kind.YOGA.label)
HEADERS = ["社区", "场室名称", "场室类型", "面积（㎡）", "楼层", "容纳人数", "对外出租", "备注"]


def upload(client, data: bytes, kind: str = "rooms"):
    return client.post(
        f"/api/imports/{kind}/", {"file": SimpleUploadedFile("rooms.xlsx", data)}, format="multipart"
    )


@pytest.fixture
def secretary(users):
    return users["heping_secretary"]


def test_a_secretary_exports_only_the_rooms_of_their_community(api_for, secretary, communities):
    response = api_for(secretary).get("/api/exports/rooms.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_sheets(body(response))["场室"]
    header_at = next(i for i, row in enumerate(rows) if row[0] == "社区" and row[1] == "场室名称")
    assert rows[header_at] == HEADERS
    table = rows[header_at + 1 :]
    expected = Room.objects.filter(community=communities["heping"]).count()
    assert len(table) == expected > 0
    assert {row[0] for row in table} == {"和平社区"}
    assert ["生成人", f"{secretary} ({secretary.username})"] == rows[header_at - 2][:2]


def test_a_community_filter_outside_the_users_scope_is_a_400(api_for, secretary, communities):
    response = api_for(secretary).get(f"/api/exports/rooms.xlsx?community={communities['fenghuang'].pk}")
    assert response.status_code == 400
    assert "community" in response.json()


def test_an_unknown_export_kind_is_a_404(api_for, secretary):
    assert api_for(secretary).get("/api/exports/nothing.xlsx").status_code == 404


def test_the_template_has_the_headers_and_an_example_row(api_for, secretary):
    response = api_for(secretary).get("/api/imports/rooms/template.xlsx")
    assert response.status_code == 200
    sheet = read_sheets(body(response))["场室"]
    assert sheet[0] == HEADERS
    assert sheet[1][1].startswith("示例")


def test_a_good_file_creates_every_room(api_for, secretary, communities):
    before = Room.objects.count()
    data = build_sheet(
        HEADERS,
        [
            ["和平社区", "亲子室", ACTIVITY, 45, "2F", 20, "是", ""],
            ["heping", "=SUM(A1)", YOGA, "30.5", None, None, "否", "-备注"],
        ],
    )
    response = upload(api_for(secretary), data)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2}
    assert Room.objects.count() == before + 2
    odd = Room.objects.get(community=communities["heping"], name="=SUM(A1)")
    assert (odd.kind, str(odd.area_m2), odd.for_lease, odd.note) == ("yoga", "30.50", False, "-备注")


def test_the_example_row_left_in_the_template_is_not_imported(api_for, secretary):
    template = body(api_for(secretary).get("/api/imports/rooms/template.xlsx"))
    response = upload(api_for(secretary), template)
    assert response.status_code == 400
    assert "没有可导入的行" in response.json()["detail"]


BAD_ROWS = [
    (["凤凰社区", "甲", ACTIVITY, 10, "", "", "是", ""], "社区"),  # a community this user may not see
    (["和平社区", "", ACTIVITY, 10, "", "", "是", ""], "场室名称"),  # required
    (["和平社区", "乙", "游泳池", 10, "", "", "是", ""], "场室类型"),  # not a choice
    (["和平社区", "丙", ACTIVITY, "很大", "", "", "是", ""], "面积（㎡）"),  # not a number
    (["和平社区", "丁", ACTIVITY, -5, "", "", "是", ""], "面积（㎡）"),  # below the minimum
    (["和平社区", "戊", ACTIVITY, 10, "", "很多", "是", ""], "容纳人数"),  # not an integer
    (["和平社区", "己", ACTIVITY, 10, "", "", "也许", ""], "对外出租"),  # not yes/no
    (["和平社区", "培训教室", ACTIVITY, 10, "", "", "是", ""], None),  # already exists: whole row
]


@pytest.mark.parametrize(("row", "column"), BAD_ROWS, ids=[str(c) for _r, c in BAD_ROWS])
def test_a_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(api_for, secretary, row, column):
    before = Room.objects.count()
    good = ["和平社区", "好房间", ACTIVITY, 10, "", "", "是", ""]
    response = upload(api_for(secretary), build_sheet(HEADERS, [good, row]))
    assert response.status_code == 400, response.content
    payload = response.json()
    assert [(e["row"], e["column"]) for e in payload["errors"]] == [(3, column)]
    assert payload["error_workbook"].startswith("/api/jobs/")
    assert Room.objects.count() == before  # the good row was not written either


def test_two_rows_with_the_same_room_name_fail_on_the_second(api_for, secretary):
    before = Room.objects.count()
    row = ["和平社区", "新房间", ACTIVITY, 10, "", "", "是", ""]
    response = upload(api_for(secretary), build_sheet(HEADERS, [row, row]))
    assert response.status_code == 400
    assert [e["row"] for e in response.json()["errors"]] == [3]
    assert Room.objects.count() == before


def test_the_error_workbook_marks_the_bad_cells_and_only_its_owner_downloads_it(api_for, secretary, users):
    data = build_sheet(HEADERS, [["和平社区", "甲", "游泳池", "很大", "", "", "是", ""]])
    payload = upload(api_for(secretary), data).json()
    response = api_for(secretary).get(payload["error_workbook"])
    assert response.status_code == 200
    sheets = read_sheets(body(response))
    data_sheet, errors = sheets["Sheet1"], sheets["错误"]  # the user's own sheet name is kept
    assert data_sheet[1][:4] == ["和平社区", "甲", "游泳池", "很大"]
    assert errors[0] == ["行", "列", "错误信息"]
    assert {row[1] for row in errors[1:]} == {"场室类型", "面积（㎡）"}
    assert api_for(users["gubu_secretary"]).get(payload["error_workbook"]).status_code == 404


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (os.urandom(2048), "不是 Excel 工作簿"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4096, "密码"),
        (b"PK\x03\x04" + os.urandom(600), "已损坏"),
        (None, "表头"),
    ],
    ids=["random-bytes", "password-protected", "corrupt-zip", "wrong-headers"],
)
def test_a_bad_file_gets_a_message_and_writes_nothing(api_for, secretary, data, fragment):
    if data is None:
        data = build_sheet(["名称", "面积"], [["甲", 10]])
    before = (Room.objects.count(), Job.objects.count())
    response = upload(api_for(secretary), data)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert (Room.objects.count(), Job.objects.count()) == before


def test_a_file_over_the_row_or_byte_limit_is_refused(api_for, secretary, settings):
    rows = [["和平社区", f"房{i}", ACTIVITY, 10, "", "", "是", ""] for i in range(6)]
    data = build_sheet(HEADERS, rows)
    settings.IMPORT_MAX_ROWS = 5
    response = upload(api_for(secretary), data)
    assert response.status_code == 400 and "5" in response.json()["detail"]
    settings.IMPORT_MAX_ROWS = 100
    settings.IMPORT_MAX_BYTES = len(data) - 1
    response = upload(api_for(secretary), data)
    assert response.status_code == 400
    assert Room.objects.filter(name__startswith="房").count() == 0


def test_a_resident_may_neither_import_rooms_nor_fetch_the_template(api_for, users):
    resident = users["resident_li"]
    assert api_for(resident).get("/api/imports/rooms/template.xlsx").status_code == 404
    assert upload(api_for(resident), build_sheet(HEADERS, [])).status_code == 404


def test_a_community_filter_of_a_non_ascii_digit_is_a_400_not_a_server_error(api_for, secretary, client):
    response = api_for(secretary).get("/api/exports/rooms.xlsx?community=²")
    assert response.status_code == 400
    assert "community" in response.json()
    client.force_login(secretary)
    assert client.get("/spreadsheets/export/rooms/?community=²").status_code == 400


@pytest.mark.django_db(transaction=True)  # the async client's view runs in another thread: data must be committed
async def test_under_asgi_an_export_streams_in_chunks(async_client, secretary):
    await async_client.aforce_login(secretary)

    response = await async_client.get("/api/exports/rooms.xlsx")

    assert response.status_code == 200 and response.is_async  # through DRF's Request, too
    data = b"".join([chunk async for chunk in response.streaming_content])
    assert read_sheets(data)["场室"] and len(data) == int(response["Content-Length"])


def _with_extra_part(data: bytes, name: str, size: int) -> bytes:
    """The workbook with one more part of `size` bytes of one repeated character (deflates ~1000:1)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        with target.open(name, "w") as part:
            chunk = b"<si><t>a</t></si>" * 4096
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_workbook_is_refused_from_its_directory_in_under_a_second(api_for, secretary):
    before = Room.objects.count()
    bomb = _with_extra_part(build_sheet(HEADERS, [["和平社区", "亲子室", ACTIVITY, 45, "2F", 20, "是", ""]]),
                            "xl/sharedStrings.xml", 100 * 1024 * 1024)
    assert len(bomb) < 512 * 1024

    started = time.perf_counter()
    response = upload(api_for(secretary), bomb)

    assert time.perf_counter() - started < 1
    assert response.status_code == 400
    assert "zip" in str(response.json()) or "MB" in str(response.json())
    assert Room.objects.count() == before


def test_a_highly_compressed_part_under_the_total_cap_is_refused_by_its_ratio(api_for, secretary, settings):
    bomb = _with_extra_part(build_sheet(HEADERS, [["和平社区", "亲子室", ACTIVITY, 45, "2F", 20, "是", ""]]),
                            "xl/sharedStrings.xml", 8 * 1024 * 1024)

    response = upload(api_for(secretary), bomb)

    assert response.status_code == 400
    assert "100" in str(response.json())
