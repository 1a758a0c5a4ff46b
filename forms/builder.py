"""A form version becomes a Django form class at run time.

Pages, the API and spreadsheet imports all validate through the class built here. The class is
cached per (version id, language) for published and retired versions, which never change;
drafts are rebuilt on every use so the designer's preview is always current.

Rules the browser only imitates (static/lowcode/logic.js) and the server always enforces:
- a field hidden by its show_if is neither required nor stored, and its errors are dropped;
- required_if makes a visible field required;
- computed values are recomputed here, whatever the browser sent.
"""

from collections import OrderedDict
from decimal import Decimal

from django import forms as djforms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from forms import conditions, expressions
from forms.kinds import REGISTRY
from forms.schema import FormSchema, parse_schema
from forms.states import VersionState

_CACHE_SIZE = 256
# Kinds whose inputs cannot carry the browser's `required`: a group of checkboxes (it would demand
# every box), a detail table (its rows are the answer), values the person does not type.
NO_REQUIRED_ATTRIBUTE = frozenset({"multiple_choice", "table", "computed", "static"})
_schemas: OrderedDict = OrderedDict()
_classes: OrderedDict = OrderedDict()


def _remember(cache: OrderedDict, key, value):
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return value


def _cache_key(version):
    """None for drafts (never cached). The publication time joins the id so a reused id (a
    restored database, a rolled-back test) can never serve another version's schema."""
    if version.pk is None or version.state == VersionState.DRAFT:
        return None
    return (version.pk, version.published_at)


def schema_of(version) -> FormSchema:
    key = _cache_key(version)
    if key is not None and key in _schemas:
        return _schemas[key]
    parsed = parse_schema(version.schema)
    return _remember(_schemas, key, parsed) if key is not None else parsed


def form_class_for(version, language: str | None = None) -> type["BuiltForm"]:
    language = language or get_language() or "zh-hans"
    base = _cache_key(version)
    immutable = base is not None
    key = (base, language)
    if immutable and key in _classes:
        return _classes[key]
    cls = build_form_class(schema_of(version), language)
    return _remember(_classes, key, cls) if immutable else cls


def _computed_order(schema: FormSchema) -> list:
    computed = [f for f in schema.fields() if f.kind == "computed"]
    by_key = {f.key: f for f in computed}
    ordered, done = [], set()

    def visit(f):
        if f.key in done:
            return
        done.add(f.key)  # the schema refuses cycles, so marking first is safe
        for name in expressions.parse(f.expression).names:
            if name in by_key:
                visit(by_key[name])
        ordered.append(f)

    for f in computed:
        visit(f)
    return ordered


def build_form_class(schema: FormSchema, language: str = "zh-hans") -> type["BuiltForm"]:
    attrs = {}
    for f in schema.fields():
        field = REGISTRY[f.kind].form_field(f, language)
        if field is None:
            continue
        if f.default is not None and REGISTRY[f.kind].is_input:
            flat = REGISTRY[f.kind].flatten(f, f.key, f.default)
            if flat and flat[0][0] == f.key:
                values = flat[0][1]
                field.initial = values if f.kind == "multiple_choice" else values[0]
        attrs[f.key] = field
    attrs.update(
        schema=schema,
        language=language,
        field_map=schema.field_map(),
        computed_order=_computed_order(schema),
        # Only fields that conditions read are converted for evaluation; only fields with a
        # show_if can be hidden. Both keep a form without conditions at hand-written speed.
        condition_keys=frozenset().union(
            *(conditions.fields_of(f.show_if) | conditions.fields_of(f.required_if) for f in schema.fields())
        ),
        conditional_keys=frozenset(f.key for f in schema.fields() if f.show_if is not None),
    )
    return type("LowcodeForm", (BuiltForm,), attrs)


class BuiltForm(djforms.Form):
    schema: FormSchema
    field_map: dict
    computed_order: list
    condition_keys: frozenset
    conditional_keys: frozenset
    language: str

    def __init__(self, data=None, files=None, *, user=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.user = user
        self.visible_keys: set[str] = set(self.field_map)
        self.cleaned_json: dict | None = None
        for key, field in self.fields.items():
            REGISTRY[self.field_map[key].kind].bind(field, user)

    def _condition_view(self, values: dict, visible: set[str]) -> dict:
        view = {}
        for key in self.condition_keys & visible:
            f = self.field_map[key]
            if key in values and f.kind not in ("attachment", "static"):
                view[key] = REGISTRY[f.kind].to_json(f, values[key])
            elif key in values and f.kind == "attachment":
                view[key] = getattr(values[key], "name", values[key])
        return view

    def _visibility(self, values: dict) -> set[str]:
        # Fixed point: a field whose controlling field is hidden sees that field as empty. The
        # schema refuses show_if cycles, so this settles within len(fields) rounds.
        visible = set(self.field_map)
        if not self.conditional_keys:
            return visible
        for _round in range(len(self.field_map) + 1):
            view = self._condition_view(values, visible)
            now = set(self.field_map) - {
                k for k in self.conditional_keys if not conditions.evaluate(self.field_map[k].show_if, view)
            }
            if now == visible:
                break
            visible = now
        return visible

    def _initial_visibility(self) -> set[str]:
        """Visibility of an unbound form from its defaults, so the page is right before any script."""
        if not self.conditional_keys:
            return set(self.field_map)
        values = {}
        for key in self.condition_keys & set(self.fields):
            value = self.get_initial_for_field(self.fields[key], key)
            if self.field_map[key].kind == "yes_no" and value in ("yes", "no"):
                value = value == "yes"
            values[key] = value
        visible = set(self.field_map)
        for _round in range(len(self.field_map) + 1):
            view = {k: v for k, v in values.items() if k in visible}
            now = set(self.field_map) - {
                k for k in self.conditional_keys if not conditions.evaluate(self.field_map[k].show_if, view)
            }
            if now == visible:
                break
            visible = now
        return visible

    def clean(self):
        data = self.cleaned_data
        visible = self._visibility(data)
        self.visible_keys = visible
        view = self._condition_view(data, visible)
        for key, f in self.field_map.items():
            kind = REGISTRY[f.kind]
            if key not in visible:
                self._errors.pop(key, None)
                data.pop(key, None)
                continue
            if not kind.is_input:
                continue
            required = f.required or (f.required_if is not None and conditions.evaluate(f.required_if, view))
            if required and key not in self._errors and conditions.is_empty(data.get(key)):
                self.add_error(key, djforms.ValidationError(_("This field is required."), code="required"))
        numbers: dict[str, Decimal | None] = {}
        tables: dict[str, list] = {}
        for key, f in self.field_map.items():
            kind = REGISTRY[f.kind]
            if key in data and kind.is_number and f.kind != "computed":
                numbers[key] = kind.number(data[key])
            elif key in data and f.kind == "table":
                tables[key] = [{k: _as_number(v) for k, v in row.items()} for row in data[key] or []]
        for f in self.computed_order:
            if f.key in visible:
                value = REGISTRY["computed"].compute(f, numbers, tables)
                numbers[f.key] = value
                data[f.key] = value
                self.initial[f.key] = "" if value is None else str(value)  # shown on re-render
            else:
                data.pop(f.key, None)
        self.cleaned_json = {
            key: REGISTRY[f.kind].to_json(f, data.get(key))
            for key, f in self.field_map.items()
            if key in visible and f.kind not in ("static", "attachment") and key in data
        }
        return data

    def stored_data(self, *, store_files: bool = True) -> dict:
        """The JSON to store: cleaned_json plus attachments, which are saved to storage only now
        that the whole form is valid (an invalid form never leaves files behind). Without
        store_files an attachment is only described (a dry run leaves no file behind either)."""
        result = dict(self.cleaned_json or {})
        for key, f in self.field_map.items():
            if f.kind == "attachment" and key in self.visible_keys and self.cleaned_data.get(key):
                upload = self.cleaned_data[key]
                kind = REGISTRY["attachment"]
                result[key] = kind.to_json(f, upload) if store_files else kind.describe(upload)
        return result

    def error_dict(self) -> dict[str, list[str]]:
        return {key: [str(m) for m in messages] for key, messages in self.errors.items()}

    def _mark_required(self, f, visible: set[str]) -> None:
        """The browser's `required` (and aria-required) on a required input that is shown, so a
        person is told before sending; the server's check in clean() stays the rule. A field
        hidden by its show_if gets none (the browser would refuse a form with a hidden required
        input); logic.js sets and clears it as fields show, hide and become required_if."""
        field = self.fields.get(f.key)
        if field is None or f.kind in NO_REQUIRED_ATTRIBUTE:
            return
        attrs = field.widget.attrs
        if f.required and f.key in visible:
            attrs.update({"required": True, "aria-required": "true"})
        else:
            attrs.pop("required", None)
            attrs.pop("aria-required", None)

    def layout(self) -> list[dict]:
        """Sections → rows → items for templates: each item has the schema field and its bound field."""
        visible = self.visible_keys if self.is_bound else self._initial_visibility()
        sections = []
        for section in self.schema.sections:
            rows = []
            for row in section.rows:
                items = []
                for f in row.fields:
                    self._mark_required(f, visible)
                    bound = self[f.key] if f.key in self.fields else None
                    items.append(
                        {
                            "field": f,
                            "label": f.label(self.language),
                            "help": f.help(self.language),
                            "bound": bound,
                            "kind": f.kind,
                            "capitals": _capitals(bound) if f.kind == "money" else "",
                            "hidden": f.key not in visible,
                        }
                    )
                rows.append(items)
            title = section.title_en if self.language.startswith("en") and section.title_en else section.title_zh
            sections.append({"title": title, "rows": rows})
        return sections


def _capitals(bound) -> str:
    from forms.kinds import money_text

    value = bound.value() if bound is not None else None
    try:
        return money_text(value).split("（", 1)[1].rstrip("）") if value not in (None, "") else ""
    except (ArithmeticError, ValueError, TypeError):
        return ""


def _as_number(value):
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value)
    return None


def flatten(schema: FormSchema, data: dict) -> MultiValueDict:
    """JSON data → the flat key/value lists an HTML form post would carry."""
    flat = MultiValueDict()
    for f in schema.fields():
        if f.key in data and REGISTRY[f.kind].is_input:
            for name, values in REGISTRY[f.kind].flatten(f, f.key, data[f.key]):
                flat.setlist(name, values)
    return flat


def client_logic(schema: FormSchema, prefix: str = "") -> dict:
    """What logic.js needs: conditions as JSON and expressions as pre-parsed trees. `prefix` is
    the Django form prefix when the form is embedded in another page (input names `prefix-key`)."""
    fields, computed = {}, []
    for f in schema.fields():
        fields[f.key] = {
            "kind": f.kind,
            "required": bool(f.required) and f.kind not in NO_REQUIRED_ATTRIBUTE,
            "show_if": f.show_if.model_dump(exclude_none=True) if f.show_if else None,
            "required_if": f.required_if.model_dump(exclude_none=True) if f.required_if else None,
        }
        if f.kind == "computed":
            computed.append({"key": f.key, "tree": expressions.parse(f.expression).tree, "places": _places(f)})
        for col in f.columns or ():
            if col.kind == "computed":
                computed.append(
                    {"key": col.key, "table": f.key, "tree": expressions.parse(col.expression).tree, "places": _places(col)}
                )
    return {"fields": fields, "computed": computed, "prefix": prefix}


def _places(f) -> int:
    return 2 if f.decimal_places is None else f.decimal_places


def display(schema: FormSchema, data: dict, language: str | None = None) -> list[dict]:
    """A stored submission as sections of (label, text) or tables, rendered with its own version,
    in `language` (default: the reader's) — an English page shows the designer's English labels."""
    language = language or get_language() or "zh-hans"
    sections = []
    for section in schema.sections:
        items = []
        for f in (f for row in section.rows for f in row.fields):
            kind = REGISTRY[f.kind]
            if f.kind == "static":
                items.append({"static": True, "label": f.label(language), "help": f.help(language)})
                continue
            if f.key not in data:
                continue
            if f.kind == "table":
                rows = data[f.key] or []
                if not rows:
                    # An empty detail table shows as "—", not as a footer of zeros that reads like a row.
                    items.append({"label": f.label(language), "text": "", "key": f.key})
                    continue
                cols = f.columns
                body = [[REGISTRY[c.kind].display(c, row.get(c.key), language) for c in cols] for row in rows]
                sums = kind.column_sums(f, rows)
                foot = [REGISTRY[c.kind].display(c, str(sums[c.key]), language) if c.key in sums else "" for c in cols]
                items.append(
                    {"table": True, "label": f.label(language), "head": [c.label(language) for c in cols], "rows": body, "sums": foot}
                )
            else:
                items.append({"label": f.label(language), "text": kind.display(f, data[f.key], language), "key": f.key})
        title = section.title_en if language.startswith("en") and section.title_en else section.title_zh
        sections.append({"title": title, "items": items})
    return sections


def compare(old: FormSchema, new: FormSchema) -> dict:
    """Fields added, removed and changed (with the names of the changed attributes)."""
    a = {f.key: f.model_dump(mode="json", exclude_none=True) for f in old.fields()}
    b = {f.key: f.model_dump(mode="json", exclude_none=True) for f in new.fields()}
    changed = []
    for key in a.keys() & b.keys():
        attrs = sorted(k for k in a[key].keys() | b[key].keys() if a[key].get(k) != b[key].get(k))
        if attrs:
            changed.append({"key": key, "label": b[key]["label_zh"], "changes": attrs})
    order_a = [k for k in a if k in b]
    order_b = [k for k in b if k in a]
    return {
        "added": [{"key": k, "label": b[k]["label_zh"]} for k in b if k not in a],
        "removed": [{"key": k, "label": a[k]["label_zh"]} for k in a if k not in b],
        "changed": sorted(changed, key=lambda c: c["key"]),
        "reordered": order_a != order_b,
    }
