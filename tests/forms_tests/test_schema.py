"""Hostile and malformed schemas are refused with clear, located messages."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from forms import expressions
from forms.regex_safety import UnsafePattern, check_pattern
from forms.schema import SchemaError, parse_schema
from tests.forms_tests.helpers import field, schema_of


@pytest.fixture(autouse=True)
def _english():
    # Kind-specific messages are translated (designers read them in Chinese); match the msgids.
    with translation.override("en"):
        yield


def refused(raw) -> dict:
    with pytest.raises(SchemaError) as info:
        parse_schema(raw)
    return info.value.errors


def messages(errors: dict) -> str:
    return " | ".join(m for ms in errors.values() for m in ms)


def test_a_well_formed_schema_with_every_kind_of_option_is_accepted():
    schema = parse_schema(
        schema_of(
            field("kind", "single_choice", validators={"choices": [{"value": "a", "label_zh": "甲"}]}),
            field("n", "integer", validators={"min": "0", "max": "9"}, show_if={"any": [
                {"field": "kind", "op": "eq", "value": "a"}, {"all": [{"field": "kind", "op": "empty"}]}]}),
            field("t", "computed", expression="-(n + 1) * 2 / 4"),
        )
    )
    assert [f.key for f in schema.fields()] == ["kind", "n", "t"]


def test_unknown_keys_are_refused_wherever_they_appear():
    errors = refused({"sections": [{"rows": [{"fields": [field("a", "text", colour="red")]}]}], "extra": 1})
    assert errors["extra"] == ["unknown key 'extra'"]
    assert errors["sections.0.rows.0.fields.0.colour"] == ["unknown key 'colour'"]
    errors = refused(schema_of(field("a", "text", validators={"regex": "x"})))
    assert "unknown key 'regex'" in messages(errors)


def test_unknown_kinds_are_refused_with_the_list_of_known_kinds():
    text = messages(refused(schema_of(field("a", "script"))))
    assert "unknown field kind 'script'" in text and "money" in text


def test_bad_keys_and_duplicate_keys_are_refused():
    assert "sections.0.rows.0.fields.0.key" in refused(schema_of(field("Bad Key", "text")))
    assert "used twice" in messages(refused(schema_of(field("a", "text"), field("a", "integer"))))


def test_oversized_schemas_are_refused():
    fields = [field(f"f{i}", "text") for i in range(201)]
    many = {"sections": [{"rows": [{"fields": fields[i : i + 4]} for i in range(0, 201, 4)]}]}
    assert "at most 200 fields" in messages(refused(many))
    assert "sections.0.rows" in refused(schema_of(*fields))  # one field a row: the row limit speaks first
    columns = [field(f"c{i}", "text") for i in range(30)]
    tables = schema_of(*[field(f"t{i}", "table", columns=columns) for i in range(7)])
    assert "at most 200 fields" in messages(refused(tables))
    huge = schema_of(field("a", "text", label="标" * 101))
    assert "sections.0.rows.0.fields.0.label_zh" in refused(huge)
    assert "larger than" in messages(refused({"sections": [{"title_zh": "x" * 250_000, "rows": []}]}))


def test_deeply_nested_json_is_refused_before_parsing():
    deep = {"field": "a", "op": "eq", "value": 1}
    for _ in range(40):
        deep = {"all": [deep]}
    assert "nested more than" in messages(refused(schema_of(field("a", "text"), field("b", "text", show_if=deep))))


def test_conditions_nested_beyond_the_limit_are_refused():
    cond = {"field": "a", "op": "eq", "value": 1}
    for _ in range(6):
        cond = {"any": [cond]}
    assert "nested at most" in messages(refused(schema_of(field("a", "text"), field("b", "text", show_if=cond))))


def test_tables_are_one_level_deep():
    inner = field("inner", "table", columns=[field("x", "text")])
    assert "one level deep" in messages(refused(schema_of(field("outer", "table", columns=[inner]))))


@pytest.mark.parametrize(
    ("expression", "complaint"),
    [
        ("a.__class__", "attribute access"),
        ("__import__('os').system('id')", "function calls"),
        ("open('x')", "function calls"),
        ("a[0]", "subscripts"),
        ("(lambda: 1)()", "function calls"),
        ("lambda: 1", "lambdas"),
        ("'text'", "constant"),
        ("a ** 99999", "BinOp"),
        ("a if a else 1", "IfExp"),
        ("sum(items.amount, 1)", "function calls"),
        ("1 +", "not valid arithmetic"),
    ],
)
def test_expressions_with_anything_but_arithmetic_are_refused(expression, complaint):
    text = messages(refused(schema_of(field("a", "integer"), field("c", "computed", expression=expression))))
    assert complaint in text


def test_expressions_must_name_number_fields_and_real_table_columns():
    assert "not a number field" in messages(refused(schema_of(field("t", "text"), field("c", "computed", expression="t * 2"))))
    table = field("items", "table", columns=[field("name", "text")])
    assert "not a number column" in messages(refused(schema_of(table, field("c", "computed", expression="sum(items.name)"))))
    assert "not a detail table" in messages(refused(schema_of(field("c", "computed", expression="sum(nothing.x)"))))


def test_cycles_are_refused():
    cyc = schema_of(field("a", "computed", expression="b + 1"), field("b", "computed", expression="a + 1"))
    assert "cycle" in messages(refused(cyc))
    show = schema_of(field("a", "text", show_if={"field": "b", "op": "not_empty"}),
                     field("b", "text", show_if={"field": "a", "op": "not_empty"}))
    assert "cycle" in messages(refused(show))


def test_conditions_must_refer_to_existing_other_fields_and_have_a_sensible_shape():
    assert "unknown field 'ghost'" in messages(refused(schema_of(field("a", "text", show_if={"field": "ghost", "op": "empty"}))))
    assert "the field itself" in messages(refused(schema_of(field("a", "text", show_if={"field": "a", "op": "empty"}))))
    assert "needs a list" in messages(refused(schema_of(field("a", "text"), field("b", "text", show_if={"field": "a", "op": "in", "value": "x"}))))
    assert "takes no value" in messages(refused(schema_of(field("a", "text"), field("b", "text", show_if={"field": "a", "op": "empty", "value": 1}))))
    assert "sections.0.rows.1.fields.0.show_if.op" in refused(
        schema_of(field("a", "text"), field("b", "text", show_if={"field": "a", "op": "matches", "value": "x"}))
    )


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)b", r"(?<!x)y", r"(.{0,50}){0,50}x", r"a{1001}"])
def test_patterns_the_linear_time_engine_cannot_run_are_refused_with_a_designer_message(pattern):
    with pytest.raises(UnsafePattern):
        check_pattern(pattern)
    assert "pattern refused" in messages(refused(schema_of(field("a", "text", validators={"pattern": pattern}))))


@pytest.mark.parametrize(
    "pattern",
    ["(?:a?){50}a{50}", ".*.*.*.*.*.*.*=", "(a+)+$", "(a*)*", "(a|a)*", "(a|ab)+$", r"(\d+\w*)*x", r"(.*a){20}", r"(\w+\s?)+$"],
)
def test_patterns_that_backtrack_in_python_re_validate_a_200_character_input_in_linear_time(pattern):
    from forms.kinds import PatternValidator

    parse_schema(schema_of(field("a", "text", validators={"pattern": pattern})))
    validator = PatternValidator(pattern)
    for value in ("a" * 200, "a" * 199 + "!", "=" * 100 + "a" * 100):
        started = time.perf_counter()
        try:
            validator(value)
        except ValidationError:
            pass
        assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize("pattern", [r"\d{6}", r"[A-Z]{2}-\d+", r"(ab|cd)+", r"[\u4e00-\u9fa5]{2,10}", r"(\d{3}-){2}\d{4}", r"1[3-9]\d{9}"])
def test_ordinary_patterns_are_accepted(pattern):
    check_pattern(pattern)


def test_unicode_escapes_written_the_python_way_match_chinese_text():
    from forms.regex_safety import pattern_fullmatch

    assert pattern_fullmatch(r"[\u4e00-\u9fa5]{2,10}", "沙坪街道")
    assert not pattern_fullmatch(r"[\u4e00-\u9fa5]{2,10}", "Shaping")
    assert pattern_fullmatch(r"\\u0041", "\\u0041")  # an escaped backslash then "u" stays literal


def test_validators_must_fit_the_kind():
    assert "do not apply to kind integer" in messages(refused(schema_of(field("a", "integer", validators={"pattern": "x"}))))
    assert "needs choices" in messages(refused(schema_of(field("a", "single_choice"))))
    assert "min is greater than max" in messages(refused(schema_of(field("a", "integer", validators={"min": "5", "max": "1"}))))
    assert "expression does not apply" in messages(refused(schema_of(field("a", "text", expression="1"))))


def test_labels_keep_html_as_plain_text_but_refuse_control_characters():
    schema = parse_schema(schema_of(field("a", "text", label="<script>alert(1)</script>")))
    assert schema.fields()[0].label_zh == "<script>alert(1)</script>"
    assert "control characters" in messages(refused(schema_of(field("a", "text", label="a\x00b"))))


def test_the_expression_evaluator_never_uses_eval_and_computes_decimals_exactly():
    from decimal import Decimal

    assert expressions.evaluate("0.1 + 0.2", {}) == Decimal("0.30")
    assert expressions.evaluate("a * (b - 1) / 4", {"a": Decimal(3), "b": Decimal(5)}) == Decimal("3.00")
    assert expressions.parse("sum(t.c) + x").tree == ("+", ("sum", "t", "c"), ("name", "x"))


def test_a_link_field_must_name_a_registered_process_kind():
    assert "link_kind must be one of" in messages(refused(schema_of(field("ref", "link", link_kind="nowhere.request"))))
    assert "link_kind must be one of" in messages(refused(schema_of(field("ref", "link"))))
    parse_schema(schema_of(field("ref", "link", link_kind="lowcode.submission")))


def test_a_stored_link_whose_kind_disappeared_still_displays(monkeypatch):
    from forms import kinds, links

    spec = parse_schema(schema_of(field("ref", "link", link_kind="lowcode.submission"))).fields()[0]
    monkeypatch.setattr(links, "_registry", {})
    assert kinds.get("link").display(spec, 42) == "lowcode.submission #42"
