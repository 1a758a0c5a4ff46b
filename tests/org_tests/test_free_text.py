"""Invisible and direction-changing characters are refused in every free-text field, by one
validator, with a message naming them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from forms import selectors as form_selectors
from forms import services as form_services
from forms.schema import SchemaError, parse_schema
from project.text import check_free_text, invisible_characters
from tests.demo_inputs import INCOME_EXTRA
from tests.expenses_tests.helpers import file, task_of
from tests.forms_tests.helpers import field, schema_of
from workflows.expenses import services as expenses
from workflows.ledger import services as ledger
from workflows.org import services as org

pytestmark = pytest.mark.django_db

RLO = "鹤山市供电局\u202efdp.exe"  # reads as "鹤山市供电局exe.pdf"
ZERO_WIDTH = "新华\u200b书店"


@pytest.mark.parametrize("text", [RLO, ZERO_WIDTH, "a\u2066b\u2069", "\ufeffBOM", "x\u00ady", "a\u2028b", "bell\x07"])
def test_the_validator_refuses_bidi_zero_width_and_control_characters(text):
    with pytest.raises(ValidationError) as info:
        check_free_text(text)
    assert "U+" in info.value.messages[0]


@pytest.mark.parametrize("text", ["沙坪街道 和平社区", "第一行\n第二行\t缩进", "¥1,200.00（含税）", "Ｆｕｌｌ　ｗｉｄｔｈ", "emoji 🎉"])
def test_ordinary_chinese_and_english_text_passes(text):
    assert invisible_characters(text) == []
    check_free_text(text)


def test_an_expense_payee_with_a_right_to_left_override_is_refused_on_the_api(api_for, users, communities):
    response = api_for(users["heping_staff"]).post(
        "/api/expenses/",
        {"community": communities["heping"].pk, "amount": "100.00", "category": "utilities", "payee": RLO,
         "purpose": "电费"},
        format="json",
    )
    assert response.status_code == 400
    assert "U+202E" in str(response.json()["payee"])


def test_a_ledger_counterparty_with_a_zero_width_space_is_refused(users, communities):
    with pytest.raises(ValidationError) as info:
        ledger.income_record(actor=users["heping_staff"], community=communities["heping"], source="operating",
                             amount=Decimal("10.00"), date=dt.date.today(), counterparty=ZERO_WIDTH,
                             extra=INCOME_EXTRA)
    assert "U+200B" in str(info.value.message_dict["counterparty"])


def test_a_task_comment_with_bidi_characters_is_refused(api_for, users, communities):
    request = file(users, communities, amount="800.00")
    task = task_of(request, users["heping_secretary"])

    response = api_for(users["heping_secretary"]).post(f"/api/tasks/{task.pk}/approve/", {"comment": RLO}, format="json")

    assert response.status_code == 400
    assert "comment" in response.json()


def test_withdraw_and_comment_refuse_them_too(users, communities):
    request = file(users, communities, amount="800.00")
    for service in (expenses.expense_withdraw, expenses.expense_comment):
        with pytest.raises(ValidationError) as info:
            service(actor=users["heping_staff"], request=request, comment=ZERO_WIDTH)
        assert "comment" in info.value.message_dict


def test_names_of_rooms_users_and_forms_refuse_them(users, communities):
    with pytest.raises(ValidationError) as room:
        org.room_create(actor=users["heping_secretary"], community=communities["heping"], name=ZERO_WIDTH,
                        kind="activity", area_m2="10")
    assert "name" in room.value.message_dict
    with pytest.raises(ValidationError) as user:
        org.user_create(actor=users["admin"], username="new_user", display_name=RLO)
    assert "display_name" in user.value.message_dict
    with pytest.raises(ValidationError) as form:
        form_services.definition_create(actor=users["admin"], code="x-form", name=RLO, purpose="lease.request")
    assert "name" in form.value.message_dict


def test_a_form_text_field_and_a_form_label_refuse_them(users):
    version = form_selectors.published_form_get_for_user(user=users["heping_staff"], code="shaping-expense-extra")
    with pytest.raises(ValidationError) as info:
        form_services.submission_validate(version=version, user=users["heping_staff"],
                                          data={"invoice_no": "INV-0000001", "project_type": "goods",
                                                "items": [{"name": RLO, "quantity": 1, "unit_price": "1.00"}]})
    assert "U+202E" in str(info.value.message_dict)
    with pytest.raises(SchemaError) as schema:
        parse_schema(schema_of(field("a", "text", label="付款\u200d方")))
    assert "invisible" in str(schema.value)
