"""Every field kind with a valid and an invalid value, through the real builder."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from forms import kinds
from forms.checksums import id_card_check_char
from forms.schema import FormField
from tests.forms_tests.helpers import field, run, schema_of

CHOICES = {"choices": [{"value": "a", "label_zh": "甲"}, {"value": "b", "label_zh": "乙"}]}


@pytest.mark.parametrize(
    ("spec", "good", "expected", "bad"),
    [
        (field("x", "text", validators={"max_length": 5}), "hello", "hello", "too long"),
        (field("x", "text", validators={"pattern": r"[A-Z]{2}\d{3}"}), "AB123", "AB123", "ab123"),
        (field("x", "textarea", validators={"min_length": 3}), "多行文字", "多行文字", "短"),
        (field("x", "integer", validators={"min": "1", "max": "10"}), "7", 7, "11"),
        (field("x", "integer"), 3, 3, "3.5"),
        (field("x", "decimal", decimal_places=3), "1.125", "1.125", "1.1255"),
        (field("x", "money"), "8000", "8000.00", "-1"),
        (field("x", "money"), "12.5", "12.50", "12.345"),
        (field("x", "date"), "2026-11-28", "2026-11-28", "2026-02-30"),
        (field("x", "date_range"), {"start": "2026-01-01", "end": "2026-01-31"},
         {"start": "2026-01-01", "end": "2026-01-31"}, {"start": "2026-02-01", "end": "2026-01-31"}),
        (field("x", "time"), "18:30", "18:30", "25:00"),
        (field("x", "single_choice", validators=CHOICES), "a", "a", "c"),
        (field("x", "multiple_choice", validators=CHOICES), ["a", "b"], ["a", "b"], ["a", "z"]),
        (field("x", "yes_no"), True, True, "maybe"),
        (field("x", "yes_no"), "no", False, "1"),
        (field("x", "mobile"), "138 0013 8000", "13800138000", "12800138000"),
        (field("x", "email"), "li@example.cn", "li@example.cn", "li@"),
        (field("x", "id_card"), "11010519491231002x", "11010519491231002X", "110105194912310021"),
        (field("x", "uscc"), "91350100M000100Y43", "91350100M000100Y43", "91350100M000100Y44"),
    ],
)
def test_each_kind_accepts_a_valid_value_and_refuses_an_invalid_one(spec, good, expected, bad):
    cleaned, errors = run([spec], {"x": good})
    assert errors == {}
    assert cleaned["x"] == expected
    cleaned, errors = run([spec], {"x": bad})
    assert cleaned is None and "x" in errors and errors["x"][0]


def test_identity_numbers_explain_what_is_wrong():
    body = "44078419850615123"
    good = body + id_card_check_char(body)
    wrong = body + ("0" if good[-1] != "0" else "1")
    assert run([field("x", "id_card")], {"x": good})[1] == {}
    assert run([field("x", "id_card")], {"x": wrong})[1]["x"] == [_("The check character of this ID number is wrong.")]
    errors = run([field("x", "id_card")], {"x": "44078420010230123X"})[1]
    assert errors["x"] == [_("The birth date in this ID number is not a real date.")]
    errors = run([field("x", "uscc")], {"x": "91350100M000100Y44"})[1]
    assert errors["x"] == [_("The check character of this unified social credit code is wrong.")]


def test_money_is_displayed_with_yuan_sign_and_chinese_capitals():
    text = kinds.get("money").display(None, "8000.00")
    assert text == "¥8,000.00（捌仟元整）"
    assert kinds.money_text(Decimal("1234.5")) == "¥1,234.50（壹仟贰佰叁拾肆元伍角）"


def test_a_required_field_left_empty_is_refused_and_an_optional_one_is_not_stored_as_an_error():
    cleaned, errors = run([field("a", "text", required=True), field("b", "text")], {"b": ""})
    assert "a" in errors and "b" not in errors


def test_a_detail_table_validates_each_row_and_sums_its_columns():
    table = field(
        "items", "table", max_rows=3,
        columns=[
            field("name", "text", "名称", required=True),
            field("qty", "integer", "数量", required=True, validators={"min": "1"}),
            field("price", "money", "单价", required=True),
            field("amount", "computed", "金额", expression="qty * price"),
        ],
    )
    total = field("total", "computed", "合计", expression="sum(items.amount)")
    rows = [{"name": "水泥", "qty": 10, "price": "35.5"}, {"name": "砂", "qty": "2", "price": "100"}]
    cleaned, errors = run([table, total], {"items": rows})
    assert errors == {}
    assert cleaned["items"][0] == {"name": "水泥", "qty": 10, "price": "35.50", "amount": "355.00"}
    assert cleaned["total"] == "555.00"
    assert kinds.get("table").column_sums(FormField(**table), cleaned["items"])["amount"] == Decimal("555.00")

    cleaned, errors = run([table, total], {"items": [{"name": "", "qty": 0, "price": "1"}]})
    row1 = _("Row %(row)s, %(column)s: %(message)s") % {"row": 1, "column": "名称", "message": _("This field is required.")}
    assert row1 in errors["items"] and len(errors["items"]) == 2
    cleaned, errors = run([table, total], {"items": [{"name": "x", "qty": 1, "price": "1"}] * 4})
    assert errors["items"]


def test_the_browser_cannot_overrule_a_computed_value():
    spec = [field("a", "integer"), field("b", "integer"), field("c", "computed", expression="a * b + 1")]
    cleaned, errors = run(spec, {"a": 3, "b": 4})
    assert cleaned["c"] == "13.00"
    # A computed value sent by the client is not an input: it is ignored and recomputed.
    cleaned, _ = run(spec, {"a": 3, "b": 4, "c": "999"})
    assert cleaned["c"] == "13.00"


def test_division_by_zero_in_a_computed_value_leaves_it_empty_instead_of_failing():
    cleaned, errors = run([field("a", "integer"), field("c", "computed", expression="10 / a")], {"a": 0})
    assert errors == {} and cleaned["c"] is None


def test_an_attachment_within_limits_is_stored_and_others_are_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    spec = field("file", "attachment", validators={"max_size_kb": 1, "extensions": ["pdf"]})
    ok = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 small", content_type="application/pdf")
    cleaned, errors = run([spec], {}, files={"file": ok})
    assert errors == {}
    assert cleaned["file"]["name"] == "发票.pdf" and (tmp_path / cleaned["file"]["path"]).exists()
    assert cleaned["file"]["content_type"] == "application/pdf"
    assert "发票" not in cleaned["file"]["path"] and cleaned["file"]["path"].endswith(".pdf")
    too_big = SimpleUploadedFile("big.pdf", b"%PDF" + b"x" * 2048, content_type="application/pdf")
    assert run([spec], {}, files={"file": too_big})[1]["file"] == [_("The file is larger than %(limit)s.") % {"limit": "1 kB"}]
    allowed = _("This kind of file is not accepted; allowed: %(allowed)s.") % {"allowed": "pdf"}
    wrong_type = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    assert run([spec], {}, files={"file": wrong_type})[1]["file"] == [allowed]
    # The name and the client's type are not believed: an HTML page called .pdf is refused.
    disguised = SimpleUploadedFile("发票.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    assert run([spec], {}, files={"file": disguised})[1]["file"] == [allowed]


def test_an_invalid_form_leaves_no_attachment_behind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    spec = [field("file", "attachment"), field("n", "integer", required=True)]
    ok = SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf")
    _, errors = run(spec, {}, files={"file": ok})
    assert "n" in errors
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_static_text_is_neither_an_input_nor_stored():
    cleaned, errors = run([field("h", "static", "说明", help_zh="请如实填写"), field("a", "text")], {"a": "x"})
    assert errors == {} and "h" not in cleaned


@pytest.mark.django_db
def test_org_unit_and_user_pickers_only_offer_what_the_filler_can_see(demo):
    users, communities = demo["users"], demo["communities"]
    secretary = users["heping_secretary"]
    own, other = communities["heping"], communities["fenghuang"]
    spec = [field("unit", "org_unit"), field("person", "user")]
    cleaned, errors = run(spec, {"unit": own.pk, "person": users["heping_staff"].pk}, user=secretary)
    assert errors == {} and cleaned == {"unit": own.pk, "person": users["heping_staff"].pk}
    _, errors = run(spec, {"unit": other.pk, "person": users["fenghuang_staff"].pk}, user=secretary)
    assert set(errors) == {"unit", "person"}
    assert kinds.get("org_unit").display(None, own.pk) == own.name


@pytest.mark.django_db
def test_a_link_must_name_a_request_the_user_can_see(demo):
    from forms import selectors, services

    users = demo["users"]
    version = selectors.published_version_for(purpose="income.extra", street=demo["street"])
    mine = services.submission_create(
        actor=users["heping_staff"], version=version, data={"receipt_no": "R1", "payer_type": "other"},
        org_unit=demo["communities"]["heping"],
    )
    spec = [field("ref", "link", link_kind="lowcode.submission")]
    assert run(spec, {"ref": mine.pk}, user=users["heping_secretary"])[1] == {}
    assert "ref" in run(spec, {"ref": mine.pk}, user=users["fenghuang_secretary"])[1]
    assert "ref" in run(spec, {"ref": 999999}, user=users["heping_secretary"])[1]


@pytest.mark.django_db
def test_user_scoped_columns_of_a_detail_table_are_not_shared_between_fillers(demo):
    from forms import builder
    from forms.schema import parse_schema
    from tests.forms_tests.helpers import schema_of

    users, communities = demo["users"], demo["communities"]
    schema = parse_schema(schema_of(field("rows", "table", columns=[field("unit", "org_unit", required=True)])))
    cls = builder.build_form_class(schema)
    heping = cls(data=builder.flatten(schema, {"rows": [{"unit": communities["heping"].pk}]}), user=users["heping_secretary"])
    fenghuang = cls(data=builder.flatten(schema, {"rows": [{"unit": communities["heping"].pk}]}), user=users["fenghuang_secretary"])
    assert heping.is_valid() and not fenghuang.is_valid()


def test_a_zip_bomb_attachment_is_refused_by_the_same_policy_before_it_is_unpacked(settings, tmp_path):
    import io
    import time
    import zipfile

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        with archive.open("word/media/filler.xml", "w") as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(80):
                part.write(chunk)
    spec = field("file", "attachment", validators={"extensions": ["docx"]})
    bomb = SimpleUploadedFile("合同.docx", buffer.getvalue())

    started = time.perf_counter()
    _, errors = run([spec], {}, files={"file": bomb})

    assert time.perf_counter() - started < 1
    assert "MB" in errors["file"][0]
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_choice_answer_reads_in_the_pages_language_with_the_chinese_label_where_no_english_one_was_given():
    from forms import builder
    from forms.demo import INCOME_EXTRA
    from forms.schema import parse_schema

    schema = parse_schema(INCOME_EXTRA)
    data = {"receipt_no": "SP-1", "payer_type": "enterprise"}
    texts = {lang: {i["key"]: i["text"] for s in builder.display(schema, data, lang) for i in s["items"] if "key" in i}
             for lang in ("zh-hans", "en")}
    assert texts["zh-hans"]["payer_type"] == "企业"
    assert texts["en"]["payer_type"] == "Enterprise"
    assert texts["en"]["receipt_no"] == "SP-1"
    multiple = parse_schema(schema_of(field("m", "multiple_choice", validators=CHOICES))).sections[0].rows[0].fields[0]
    assert kinds.REGISTRY["multiple_choice"].display(multiple, ["a", "b"], "en") == "甲、乙"  # no English label given
