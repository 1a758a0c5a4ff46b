"""The condition engine and how the builder applies show_if / required_if."""

import datetime as dt
from decimal import Decimal

import pytest

from forms.conditions import evaluate
from tests.forms_tests.helpers import field, run

CHOICES = {"choices": [{"value": "engineering", "label_zh": "工程类"}, {"value": "goods", "label_zh": "物资采购"}]}


@pytest.mark.parametrize(
    ("condition", "data", "expected"),
    [
        ({"field": "t", "op": "eq", "value": "工程类"}, {"t": "工程类"}, True),
        ({"field": "t", "op": "eq", "value": "工程类"}, {}, False),
        ({"field": "t", "op": "ne", "value": "工程类"}, {}, True),
        ({"field": "amount", "op": "gt", "value": 5000}, {"amount": "8000.00"}, True),
        ({"field": "amount", "op": "gt", "value": "5000"}, {"amount": Decimal("5000")}, False),
        ({"field": "amount", "op": "ge", "value": 5000}, {"amount": Decimal("5000.00")}, True),
        ({"field": "amount", "op": "lt", "value": 10}, {"amount": "9.99"}, True),
        ({"field": "amount", "op": "le", "value": 10}, {"amount": "abc"}, False),
        ({"field": "amount", "op": "lt", "value": 10}, {}, False),
        ({"field": "d", "op": "ge", "value": "2026-01-01"}, {"d": dt.date(2026, 3, 1)}, True),
        ({"field": "t", "op": "in", "value": ["a", "b"]}, {"t": "b"}, True),
        ({"field": "t", "op": "in", "value": ["a", "b"]}, {"t": "c"}, False),
        ({"field": "tags", "op": "contains", "value": "x"}, {"tags": ["x", "y"]}, True),
        ({"field": "note", "op": "contains", "value": "急"}, {"note": "加急处理"}, True),
        ({"field": "note", "op": "empty"}, {"note": ""}, True),
        ({"field": "note", "op": "not_empty"}, {"note": []}, False),
        ({"field": "ok", "op": "eq", "value": True}, {"ok": True}, True),
        ({"field": "ok", "op": "eq", "value": True}, {"ok": "true"}, False),
        ({"all": [{"field": "a", "op": "eq", "value": 1}, {"field": "b", "op": "eq", "value": 2}]}, {"a": 1, "b": 2}, True),
        ({"all": [{"field": "a", "op": "eq", "value": 1}, {"field": "b", "op": "eq", "value": 2}]}, {"a": 1, "b": 3}, False),
        ({"any": [{"field": "a", "op": "eq", "value": 1}, {"all": [{"field": "b", "op": "empty"}]}]}, {"a": 0}, True),
        (None, {}, True),
    ],
)
def test_the_condition_engine(condition, data, expected):
    assert evaluate(condition, data) is expected


def test_a_condition_nested_too_deeply_is_refused_at_run_time_too():
    cond = {"field": "a", "op": "empty"}
    for _ in range(10):
        cond = {"all": [cond]}
    with pytest.raises(ValueError):
        evaluate(cond, {})


SPEC = [
    field("project_type", "single_choice", "项目类型", required=True, validators=CHOICES),
    field("approval", "text", "批复文号", required=True, show_if={"field": "project_type", "op": "eq", "value": "engineering"}),
    field("amount", "money", "金额"),
    field("reason", "textarea", "说明", required_if={"field": "amount", "op": "gt", "value": 5000}),
]


def test_a_field_shown_by_its_condition_is_required_and_stored():
    cleaned, errors = run(SPEC, {"project_type": "engineering"})
    assert "approval" in errors
    cleaned, errors = run(SPEC, {"project_type": "engineering", "approval": "沙坪建〔2026〕3号"})
    assert errors == {} and cleaned["approval"] == "沙坪建〔2026〕3号"


def test_a_field_hidden_by_its_condition_is_neither_required_nor_stored_even_when_sent():
    cleaned, errors = run(SPEC, {"project_type": "goods"})
    assert errors == {} and "approval" not in cleaned
    cleaned, errors = run(SPEC, {"project_type": "goods", "approval": "sneaked in"})
    assert errors == {} and "approval" not in cleaned


def test_a_hidden_field_with_an_invalid_value_does_not_block_the_form():
    spec = [field("kind", "single_choice", validators=CHOICES),
            field("n", "integer", show_if={"field": "kind", "op": "eq", "value": "engineering"})]
    cleaned, errors = run(spec, {"kind": "goods", "n": "not a number"})
    assert errors == {} and "n" not in cleaned


def test_required_if_makes_a_field_required_only_when_its_condition_holds():
    assert "reason" in run(SPEC, {"project_type": "goods", "amount": "8000"})[1]
    assert run(SPEC, {"project_type": "goods", "amount": "3000"})[1] == {}


def test_a_field_controlled_by_a_hidden_field_is_hidden_too():
    spec = [
        field("a", "yes_no"),
        field("b", "single_choice", validators=CHOICES, show_if={"field": "a", "op": "eq", "value": True}),
        field("c", "text", required=True, show_if={"field": "b", "op": "eq", "value": "engineering"}),
    ]
    cleaned, errors = run(spec, {"a": False, "b": "engineering"})
    assert errors == {} and set(cleaned) == {"a"}
    assert "c" in run(spec, {"a": True, "b": "engineering"})[1]


def test_computed_values_of_hidden_fields_are_not_stored():
    spec = [field("a", "integer"), field("flag", "yes_no"),
            field("c", "computed", expression="a * 2", show_if={"field": "flag", "op": "eq", "value": True})]
    assert "c" not in run(spec, {"a": 2, "flag": False})[0]
    assert run(spec, {"a": 2, "flag": True})[0]["c"] == "4.00"


def test_the_engine_takes_typed_conditions_as_well_as_plain_dicts():
    from forms.schema import Condition

    typed = Condition.model_validate({"any": [{"field": "t", "op": "in", "value": ["engineering", "goods"]}]})
    assert evaluate(typed, {"t": "goods"}) is True
    assert evaluate(typed, {"t": "other"}) is False
