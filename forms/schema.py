"""The typed schema behind FormVersion.schema. Unknown keys and kinds are refused on write.

Layout: sections → rows → fields (at most 4 per row). A field of kind `table` carries `columns`
(sub-fields, one level deep). Every hostile-input limit lives here as a named constant.
"""

import json
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from forms import conditions, expressions
from forms.regex_safety import UnsafePattern, check_pattern
from project.text import invisible_characters

KEY_RE = r"^[a-z][a-z0-9_]{0,39}$"
MAX_FIELDS = 200  # all fields, table columns included
MAX_SECTIONS = 20
MAX_ROW_FIELDS = 4
MAX_COLUMNS = 30
MAX_ROWS = 200  # rows of a detail table a submission may carry
MAX_LABEL = 100
MAX_HELP = 300
MAX_CHOICES = 100
MAX_GROUP = 20  # conditions in one all/any
MAX_SCHEMA_BYTES = 200_000
MAX_JSON_DEPTH = 30
MAX_ATTACHMENT_KB = 20 * 1024
NUMBER_KINDS = frozenset({"integer", "decimal", "money", "computed"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Scalar = bool | int | float | str


class SchemaError(ValueError):
    """Carries per-path messages, e.g. {"sections.0.rows.0.fields.1.kind": ["..."]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    if found := invisible_characters(value):
        raise ValueError(f"invisible or direction-changing characters are not allowed ({', '.join(found[:5])})")
    return value


class Choice(Strict):
    value: str = Field(min_length=1, max_length=50)
    label_zh: str = Field(min_length=1, max_length=MAX_LABEL)
    label_en: str = Field(default="", max_length=MAX_LABEL)

    _clean = field_validator("value", "label_zh", "label_en")(_no_control)


class Validators(Strict):
    min: Decimal | None = Field(default=None, allow_inf_nan=False, max_digits=18)
    max: Decimal | None = Field(default=None, allow_inf_nan=False, max_digits=18)
    min_length: int | None = Field(default=None, ge=0, le=2000)
    max_length: int | None = Field(default=None, ge=1, le=2000)
    pattern: str | None = Field(default=None, max_length=200)
    choices: list[Choice] | None = Field(default=None, max_length=MAX_CHOICES)
    max_size_kb: int | None = Field(default=None, ge=1, le=MAX_ATTACHMENT_KB)
    extensions: list[str] | None = Field(default=None, max_length=20)

    @field_validator("pattern")
    @classmethod
    def _safe_pattern(cls, value):
        if value is not None:
            try:
                check_pattern(value)
            except UnsafePattern as exc:
                raise ValueError(f"pattern refused: {exc}") from None
        return value

    @field_validator("extensions")
    @classmethod
    def _extensions(cls, value):
        if value is not None:
            for ext in value:
                if not re.fullmatch(r"[a-z0-9]{1,10}", ext):
                    raise ValueError(f"extension {ext!r} must be 1-10 lower-case letters or digits, without a dot")
        return value

    @model_validator(mode="after")
    def _ranges(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        if self.min_length is not None and self.max_length is not None and self.min_length > self.max_length:
            raise ValueError("min_length is greater than max_length")
        if self.choices is not None:
            values = [c.value for c in self.choices]
            if len(set(values)) != len(values):
                raise ValueError("choice values must be unique")
        return self

    def used(self) -> set[str]:
        return {name for name, value in self if value is not None}


class Condition(Strict):
    field: str | None = Field(default=None, pattern=KEY_RE)
    op: Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "contains", "empty", "not_empty"] | None = None
    value: Scalar | list[Scalar] | None = None
    all: list["Condition"] | None = Field(default=None, min_length=1, max_length=MAX_GROUP)
    any: list["Condition"] | None = Field(default=None, min_length=1, max_length=MAX_GROUP)

    @field_validator("value")
    @classmethod
    def _short(cls, value):
        items = value if isinstance(value, list) else [value]
        if len(items) > MAX_CHOICES or any(isinstance(i, str) and len(i) > 200 for i in items):
            raise ValueError("condition value too long")
        return value

    @model_validator(mode="after")
    def _shape(self):
        groups = (self.all is not None) + (self.any is not None)
        leaf = self.field is not None or self.op is not None or self.value is not None
        if groups + leaf != 1:
            raise ValueError("a condition is either {field, op, value} or {all: [...]} or {any: [...]}")
        if leaf:
            if self.field is None or self.op is None:
                raise ValueError("a condition needs both field and op")
            if self.op in ("empty", "not_empty") and self.value is not None:
                raise ValueError(f"op {self.op} takes no value")
            if self.op == "in" and not isinstance(self.value, list):
                raise ValueError("op in needs a list value")
            if self.op in ("eq", "ne", "gt", "ge", "lt", "le", "contains") and (
                self.value is None or isinstance(self.value, list)
            ):
                raise ValueError(f"op {self.op} needs a single value")
        if self.depth() > conditions.MAX_DEPTH:
            raise ValueError(f"conditions may be nested at most {conditions.MAX_DEPTH} levels deep")
        return self

    def depth(self) -> int:
        children = self.all or self.any or []
        return 1 + max((c.depth() for c in children), default=0)


class FormField(Strict):
    key: str = Field(pattern=KEY_RE)
    label_zh: str = Field(min_length=1, max_length=MAX_LABEL)
    label_en: str = Field(default="", max_length=MAX_LABEL)
    kind: str = Field(max_length=30)
    required: bool = False
    help_zh: str = Field(default="", max_length=MAX_HELP)
    help_en: str = Field(default="", max_length=MAX_HELP)
    default: Scalar | list[str] | None = None
    validators: Validators = Validators()
    show_if: Condition | None = None
    required_if: Condition | None = None
    expression: str | None = Field(default=None, max_length=expressions.MAX_EXPRESSION_LENGTH)
    decimal_places: int | None = Field(default=None, ge=0, le=6)
    columns: list["FormField"] | None = Field(default=None, min_length=1, max_length=MAX_COLUMNS)
    min_rows: int | None = Field(default=None, ge=0, le=MAX_ROWS)
    max_rows: int | None = Field(default=None, ge=1, le=MAX_ROWS)
    link_kind: str | None = Field(default=None, max_length=50)

    _clean = field_validator("label_zh", "label_en", "help_zh", "help_en")(_no_control)

    @model_validator(mode="after")
    def _kind(self):
        from forms import kinds

        kind = kinds.REGISTRY.get(self.kind)
        if kind is None:
            known = ", ".join(sorted(kinds.REGISTRY))
            raise ValueError(f"field {self.key!r}: unknown field kind {self.kind!r}; known kinds: {known}")
        problem = kind.check_schema(self)
        if problem:
            raise ValueError(f"field {self.key!r}: {problem}")
        if self.expression is not None:
            try:
                expressions.parse(self.expression)
            except expressions.ExpressionError as exc:
                raise ValueError(f"field {self.key!r}: {exc}") from None
        return self

    def label(self, language: str = "zh-hans") -> str:
        return self.label_en if language.startswith("en") and self.label_en else self.label_zh

    def help(self, language: str = "zh-hans") -> str:
        return self.help_en if language.startswith("en") and self.help_en else self.help_zh


class Row(Strict):
    fields: list[FormField] = Field(min_length=1, max_length=MAX_ROW_FIELDS)


class Section(Strict):
    title_zh: str = Field(default="", max_length=MAX_LABEL)
    title_en: str = Field(default="", max_length=MAX_LABEL)
    rows: list[Row] = Field(default_factory=list, max_length=MAX_FIELDS)

    _clean = field_validator("title_zh", "title_en")(_no_control)


class FormSchema(Strict):
    sections: list[Section] = Field(min_length=1, max_length=MAX_SECTIONS)

    def fields(self) -> list[FormField]:
        return [f for s in self.sections for r in s.rows for f in r.fields]

    def field_map(self) -> dict[str, FormField]:
        return {f.key: f for f in self.fields()}

    @model_validator(mode="after")
    def _whole(self):
        fields = self.fields()
        total = sum(1 + len(f.columns or ()) for f in fields)
        if total > MAX_FIELDS:
            raise ValueError(f"a form may have at most {MAX_FIELDS} fields (table columns count); this one has {total}")
        seen: set[str] = set()
        for f in fields:
            if f.key in seen:
                raise ValueError(f"field key {f.key!r} is used twice")
            seen.add(f.key)
        by_key = {f.key: f for f in fields}
        for f in fields:
            for name, cond in (("show_if", f.show_if), ("required_if", f.required_if)):
                for ref in conditions.fields_of(cond):
                    target = by_key.get(ref)
                    if target is None:
                        raise ValueError(f"field {f.key!r}: {name} refers to unknown field {ref!r}")
                    if ref == f.key:
                        raise ValueError(f"field {f.key!r}: {name} refers to the field itself")
                    if target.kind == "static":
                        raise ValueError(f"field {f.key!r}: {name} refers to static text {ref!r}")
            if f.kind == "computed":
                _check_expression_refs(f, by_key)
            for col in f.columns or ():
                if col.kind == "computed":
                    _check_expression_refs(col, {c.key: c for c in f.columns}, in_table=True)
        _check_cycles(fields, "show_if", lambda f: conditions.fields_of(f.show_if))
        _check_cycles(fields, "expression", lambda f: expressions.parse(f.expression).names if f.expression else set())
        return self


def _check_expression_refs(field: FormField, scope: dict[str, FormField], in_table: bool = False) -> None:
    parsed = expressions.parse(field.expression)
    for name in parsed.names:
        target = scope.get(name)
        if target is None or target.kind not in NUMBER_KINDS:
            where = "a number column of this table" if in_table else "a number field"
            raise ValueError(f"field {field.key!r}: {name!r} in the expression is not {where}")
    for table, column in parsed.sums:
        if in_table:
            raise ValueError(f"field {field.key!r}: sum() is only allowed outside tables")
        target = scope.get(table)
        if target is None or target.kind != "table":
            raise ValueError(f"field {field.key!r}: {table!r} in sum() is not a detail table")
        col = {c.key: c for c in target.columns}.get(column)
        if col is None or col.kind not in NUMBER_KINDS:
            raise ValueError(f"field {field.key!r}: {table}.{column} is not a number column")


def _check_cycles(fields, what: str, deps) -> None:
    graph = {f.key: set(deps(f)) for f in fields}
    state: dict[str, int] = {}
    for start in graph:
        stack = [(start, iter(graph[start]))]
        state[start] = state.get(start, 0) or 1
        if state[start] == 2:
            continue
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                raise ValueError(f"{what} of field {child!r} depends on itself in a cycle")
            elif child in graph and not state.get(child):
                state[child] = 1
                stack.append((child, iter(graph[child])))


def _json_depth_ok(raw) -> bool:
    stack = [(raw, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


def parse_schema(raw) -> FormSchema:
    """Validate raw JSON into a FormSchema or raise SchemaError with per-path messages."""
    if not isinstance(raw, dict):
        raise SchemaError({"schema": ["The schema must be a JSON object."]})
    if not _json_depth_ok(raw):
        raise SchemaError({"schema": [f"The schema is nested more than {MAX_JSON_DEPTH} levels deep."]})
    try:
        size = len(json.dumps(raw, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        raise SchemaError({"schema": ["The schema is not plain JSON."]}) from None
    if size > MAX_SCHEMA_BYTES:
        raise SchemaError({"schema": [f"The schema is larger than {MAX_SCHEMA_BYTES // 1000} kB."]})
    try:
        return FormSchema.model_validate(raw)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in err["loc"]) or "schema"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"unknown key {err['loc'][-1]!r}"
            errors.setdefault(loc, []).append(message)
        raise SchemaError(errors) from None


def dump_schema(schema: FormSchema) -> dict:
    return schema.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
