"""Validation cost of the run-time form builder against a hand-written Django form (the limit).

1,000 submissions of a 100-field form (99 fields of mixed kinds + a detail table of 50 rows with a
computed amount per row and a computed total) are validated:
  1. through forms.builder (the cached class of a published version), from the flat data an
     HTML post carries;
  2. through forms.services.submission_validate from JSON (adds flattening: the API path);
  3. through an equivalent hand-written django.forms.Form + formset with the same rules, and
  4. through the same hand-written Form with a plain loop over the rows (no formset): the limit.
Prints seconds, submissions per second and the ratios to the hand-written form.

Run from the project root:  python benchmarks/forms_validation.py [submissions]
"""

import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django import forms as djforms  # noqa: E402
from django.core.validators import RegexValidator  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.datastructures import MultiValueDict  # noqa: E402

from forms import builder, services  # noqa: E402
from forms.schema import parse_schema  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
ROWS = 50
CHOICES = [{"value": v, "label_zh": v} for v in ("a", "b", "c", "d")]
# (kind, extra schema options, a valid raw value) — cycled to make 99 fields.
PLAN = [
    ("text", {"validators": {"max_length": 50}}, "沙坪街道凤凰社区"),
    ("integer", {"validators": {"min": "0", "max": "1000"}}, "42"),
    ("money", {}, "1234.50"),
    ("date", {}, "2026-11-28"),
    ("single_choice", {"validators": {"choices": CHOICES}}, "b"),
    ("mobile", {}, "13800138000"),
    ("email", {}, "li@example.cn"),
    ("decimal", {}, "3.14"),
    ("textarea", {}, "说明文字" * 10),
]


def make_schema() -> dict:
    fields = []
    for i in range(99):
        kind, extra, _ = PLAN[i % len(PLAN)]
        fields.append({"key": f"f{i}", "label_zh": f"字段{i}", "kind": kind, "required": True, **extra})
    fields.append({
        "key": "items", "label_zh": "明细", "kind": "table", "max_rows": ROWS, "columns": [
            {"key": "name", "label_zh": "名称", "kind": "text", "required": True},
            {"key": "qty", "label_zh": "数量", "kind": "integer", "required": True, "validators": {"min": "1"}},
            {"key": "price", "label_zh": "单价", "kind": "money", "required": True},
            {"key": "amount", "label_zh": "金额", "kind": "computed", "expression": "qty * price"},
        ],
    })
    fields.append({"key": "total", "label_zh": "合计", "kind": "computed", "expression": "sum(items.amount)"})
    return {"sections": [{"rows": [{"fields": fields[i : i + 4]} for i in range(0, len(fields), 4)]}]}


def make_json(n: int) -> dict:
    data = {f"f{i}": PLAN[i % len(PLAN)][2] for i in range(99)}
    data["f1"] = str(n % 1000)
    data["items"] = [{"name": f"物品{r}", "qty": str(r % 9 + 1), "price": f"{r}.25"} for r in range(ROWS)]
    return data


def make_flat(data: dict) -> MultiValueDict:
    flat = MultiValueDict({k: [v] for k, v in data.items() if k != "items"})
    flat["items-rows"] = str(len(data["items"]))
    flat["items-TOTAL_FORMS"] = str(len(data["items"]))
    flat["items-INITIAL_FORMS"] = "0"
    for r, row in enumerate(data["items"]):
        for k, v in row.items():
            flat[f"items-{r}-{k}"] = v
    return flat


# --- the hand-written equivalent ---------------------------------------------------------------
def _hand_field(kind):
    if kind == "text":
        return djforms.CharField(max_length=50)
    if kind == "integer":
        return djforms.IntegerField(min_value=0, max_value=1000)
    if kind == "money":
        return djforms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    if kind == "date":
        return djforms.DateField(input_formats=["%Y-%m-%d"])
    if kind == "single_choice":
        return djforms.ChoiceField(choices=[(c["value"], c["label_zh"]) for c in CHOICES])
    if kind == "mobile":
        return djforms.CharField(max_length=11, validators=[RegexValidator(r"^1[3-9]\d{9}$")])
    if kind == "email":
        return djforms.EmailField()
    if kind == "decimal":
        return djforms.DecimalField(max_digits=14, decimal_places=2)
    return djforms.CharField(max_length=2000, widget=djforms.Textarea)


HandForm = type("HandForm", (djforms.Form,), {f"f{i}": _hand_field(PLAN[i % len(PLAN)][0]) for i in range(99)})


class HandRow(djforms.Form):
    name = djforms.CharField(max_length=200)
    qty = djforms.IntegerField(min_value=1)
    price = djforms.DecimalField(max_digits=14, decimal_places=2, min_value=0)


HandRows = djforms.formset_factory(HandRow, extra=0, max_num=ROWS, validate_max=True)


def hand_validate(flat) -> dict:
    form, rows = HandForm(data=flat), HandRows(data=flat, prefix="items")
    if not (form.is_valid() and rows.is_valid()):
        raise AssertionError("hand-written form refused valid data")
    items = []
    for row in rows.cleaned_data:
        amount = (row["qty"] * row["price"]).quantize(Decimal("0.01"))
        items.append({**row, "amount": amount})
    return {**form.cleaned_data, "items": items, "total": sum((i["amount"] for i in items), Decimal(0))}


ROW_FIELDS = HandRow.base_fields


def hand_validate_loop(flat) -> dict:
    """The tightest hand-written version: the same Django fields per cell, no formset machinery."""
    form = HandForm(data=flat)
    if not form.is_valid():
        raise AssertionError("hand-written form refused valid data")
    items = []
    for r in range(int(flat["items-rows"])):
        row = {k: f.clean(flat.get(f"items-{r}-{k}")) for k, f in ROW_FIELDS.items()}
        row["amount"] = (row["qty"] * row["price"]).quantize(Decimal("0.01"))
        items.append(row)
    return {**form.cleaned_data, "items": items, "total": sum((i["amount"] for i in items), Decimal(0))}


def timed(label, fn, payloads):
    start = time.perf_counter()
    for p in payloads:
        fn(p)
    seconds = time.perf_counter() - start
    print(f"{label:<46} {seconds:8.2f} s  {len(payloads) / seconds:8.1f} submissions/s")
    return seconds


def main():
    schema = make_schema()
    parse_schema(schema)
    version = SimpleNamespace(pk=10**9, state="published", published_at=timezone.now(), schema=schema)
    jsons = [make_json(n) for n in range(N)]
    flats = [make_flat(d) for d in jsons]

    def through_builder(flat):
        form = builder.form_class_for(version)(data=flat)
        if not form.is_valid():
            raise AssertionError(form.errors)
        return form.stored_data()

    def through_service(data):
        return services.submission_validate(version=version, data=data, user=None)

    # Same answers first: the comparison is only fair if both accept and compute the same.
    a, b, c = through_builder(flats[0]), hand_validate(flats[0]), hand_validate_loop(flats[0])
    assert a["total"] == str(b["total"]) == str(c["total"]), (a["total"], b["total"], c["total"])
    through_builder(flats[1]), hand_validate(flats[1])  # warm caches

    print(f"{N} submissions · 100 fields · {ROWS}-row detail table (Python {sys.version.split()[0]})")
    hand = timed("hand-written Form + formset (idiomatic)", hand_validate, flats)
    loop = timed("hand-written Form + plain row loop (limit)", hand_validate_loop, flats)
    built = timed("forms.builder, flat post data", through_builder, flats)
    api = timed("services.submission_validate, JSON (API path)", through_service, jsons)
    print(f"ratio builder / hand-written limit: {built / loop:.2f}x   (vs formset: {built / hand:.2f}x)")
    print(f"ratio JSON path / hand-written limit: {api / loop:.2f}x   (vs formset: {api / hand:.2f}x)")


if __name__ == "__main__":
    main()
