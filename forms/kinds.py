"""Field kinds as a registry: one class per kind, registered by name.

Each kind knows (1) which schema options apply to it, (2) the Django form field and widget that
validate it, (3) how to flatten a JSON value into the flat form data an HTML post would carry
(so the API and spreadsheet imports validate through exactly the same Django fields as pages),
(4) its JSON-serialisable cleaned value, and (5) how to display a stored value.
"""

import copy
import datetime as dt
import os
import re
import uuid
from decimal import Decimal, InvalidOperation

import cn2an
from django import forms as djforms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from forms import checksums, expressions, links
from forms.regex_safety import compile_pattern
from project import uploads
from project.storage import save_file
from project.text import FreeTextValidator

TEXT_MAX = 200  # single-line text; bounds the work any accepted pattern can do
TEXTAREA_MAX = 2000
NUMBER_LIMIT = Decimal("1e12")
DEFAULT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "xlsx", "docx")
DEFAULT_MAX_KB = 10 * 1024

REGISTRY: dict[str, "Kind"] = {}
USER_BOUND_KINDS = frozenset({"org_unit", "user", "link"})  # kinds whose bind() changes the field


def register(cls):
    REGISTRY[cls.name] = cls()
    return cls


def get(name: str) -> "Kind":
    return REGISTRY[name]


class Kind:
    name = ""
    label = ""
    is_input = True  # static text and computed values are not typed in
    is_number = False
    validators: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()  # expression, columns, link_kind, decimal_places, min_rows, max_rows

    # --- schema ---------------------------------------------------------------------------
    def check_schema(self, f) -> str | None:
        extra = f.validators.used() - self.validators
        if extra:
            return _("validators %(names)s do not apply to kind %(kind)s") % {
                "names": ", ".join(sorted(extra)),
                "kind": self.name,
            }
        for option in ("expression", "columns", "link_kind", "decimal_places", "min_rows", "max_rows"):
            if getattr(f, option) is not None and option not in self.options:
                return _("%(option)s does not apply to kind %(kind)s") % {"option": option, "kind": self.name}
        return self.check_options(f)

    def check_options(self, f) -> str | None:
        return None

    # --- validation -----------------------------------------------------------------------
    def form_field(self, f, language: str) -> djforms.Field | None:
        raise NotImplementedError

    def common(self, f, language: str) -> dict:
        # Requiredness is decided by the builder (show_if / required_if), never by the field.
        return {"required": False, "label": f.label(language), "help_text": ""}

    def bind(self, field: djforms.Field, user) -> None:
        """Scope user-dependent choices (org units, users, links) to the filling user."""

    def flatten(self, f, name: str, value) -> list[tuple[str, list[str]]]:
        if value is None:
            return []
        return [(name, [_text(value)])]

    def to_json(self, f, value):
        return value

    def number(self, value) -> Decimal | None:
        return None

    # --- display --------------------------------------------------------------------------
    def display(self, f, value, language: str | None = None) -> str:
        """The stored value as text on a page; `language` picks a choice's label (others ignore it)."""
        if value is None or value == "":
            return ""
        return str(value)


def _text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


class PatternValidator:
    """fullmatch against the designer's pattern, in RE2 (linear time; see regex_safety)."""

    def __init__(self, pattern: str):
        self.regex = compile_pattern(pattern)

    def __call__(self, value):
        if value and not self.regex.fullmatch(value):
            raise ValidationError(_("Enter a value in the required format."), code="pattern")


@register
class TextKind(Kind):
    name = "text"
    label = gettext_lazy("Text")
    validators = frozenset({"min_length", "max_length", "pattern"})
    max_chars = TEXT_MAX
    widget = djforms.TextInput

    def form_field(self, f, language):
        v = f.validators
        extra = [FreeTextValidator(), *([PatternValidator(v.pattern)] if v.pattern else [])]
        return djforms.CharField(
            max_length=min(v.max_length or self.max_chars, self.max_chars),
            min_length=v.min_length,
            validators=extra,
            widget=self.widget(),
            **self.common(f, language),
        )


@register
class TextareaKind(TextKind):
    name = "textarea"
    label = gettext_lazy("Long text")
    validators = frozenset({"min_length", "max_length"})
    max_chars = TEXTAREA_MAX
    widget = djforms.Textarea

    def form_field(self, f, language):
        field = super().form_field(f, language)
        field.widget.attrs["rows"] = 3
        return field


class NumberKind(Kind):
    is_number = True
    validators = frozenset({"min", "max"})

    def number(self, value):
        return None if value is None else Decimal(value)

    def bounds(self, f, default_min=None):
        v = f.validators
        low = v.min if v.min is not None else (default_min if default_min is not None else -NUMBER_LIMIT)
        high = v.max if v.max is not None else NUMBER_LIMIT
        return {"min_value": low, "max_value": high}


@register
class IntegerKind(NumberKind):
    name = "integer"
    label = gettext_lazy("Whole number")

    def form_field(self, f, language):
        return djforms.IntegerField(**self.bounds(f), **self.common(f, language))


@register
class DecimalKind(NumberKind):
    name = "decimal"
    label = gettext_lazy("Decimal number")
    options = frozenset({"decimal_places"})

    def form_field(self, f, language):
        places = 2 if f.decimal_places is None else f.decimal_places
        return djforms.DecimalField(max_digits=12 + places, decimal_places=places, **self.bounds(f), **self.common(f, language))

    def to_json(self, f, value):
        return None if value is None else str(value)


def money_text(value) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    # The capitals (大写) are for Chinese readers; an English page shows the figure alone.
    if (translation.get_language() or "zh-hans").startswith("en"):
        return f"{sign}¥{abs(amount):,.2f}"
    capitals = cn2an.an2cn(str(abs(amount)), "rmb")
    return f"{sign}¥{abs(amount):,.2f}（{'负' if sign else ''}{capitals}）"


@register
class MoneyKind(NumberKind):
    name = "money"
    label = gettext_lazy("Money (¥)")

    def form_field(self, f, language):
        field = djforms.DecimalField(
            max_digits=14, decimal_places=2, **self.bounds(f, Decimal(0)), **self.common(f, language)
        )
        field.widget.attrs.update({"inputmode": "decimal", "data-money": "1", "step": "0.01"})
        return field

    def to_json(self, f, value):
        return None if value is None else str(value.quantize(Decimal("0.01")))

    def display(self, f, value, language=None):
        return "" if _decimal(value) is None else money_text(value)


class DateInput(djforms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


@register
class DateKind(Kind):
    name = "date"
    label = gettext_lazy("Date")

    def form_field(self, f, language):
        return djforms.DateField(widget=DateInput(), input_formats=["%Y-%m-%d"], **self.common(f, language))

    def to_json(self, f, value):
        return None if value is None else value.isoformat()


class DateRangeWidget(djforms.MultiWidget):
    def __init__(self):
        super().__init__(widgets=[DateInput(), DateInput()])

    def decompress(self, value):
        if isinstance(value, dict):
            return [value.get("start"), value.get("end")]
        return [None, None]


class DateRangeField(djforms.MultiValueField):
    def __init__(self, **kwargs):
        fields = (djforms.DateField(input_formats=["%Y-%m-%d"]), djforms.DateField(input_formats=["%Y-%m-%d"]))
        widget = DateRangeWidget()
        super().__init__(fields=fields, widget=widget, require_all_fields=True, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        start, end = data_list
        if start > end:
            raise ValidationError(_("The start date is after the end date."), code="range")
        return {"start": start.isoformat(), "end": end.isoformat()}


@register
class DateRangeKind(Kind):
    name = "date_range"
    label = gettext_lazy("Date range")

    def form_field(self, f, language):
        return DateRangeField(**self.common(f, language))

    def flatten(self, f, name, value):
        if isinstance(value, dict):
            return [(f"{name}_0", [_text(value.get("start", ""))]), (f"{name}_1", [_text(value.get("end", ""))])]
        if isinstance(value, list | tuple) and len(value) == 2:
            return [(f"{name}_0", [_text(value[0])]), (f"{name}_1", [_text(value[1])])]
        return [(f"{name}_0", ["?"]), (f"{name}_1", ["?"])] if value not in (None, "") else []

    def display(self, f, value, language=None):
        return f"{value['start']} ~ {value['end']}" if isinstance(value, dict) else ""


@register
class TimeKind(Kind):
    name = "time"
    label = gettext_lazy("Time")

    def form_field(self, f, language):
        widget = djforms.TimeInput(format="%H:%M", attrs={"type": "time"})
        return djforms.TimeField(widget=widget, input_formats=["%H:%M", "%H:%M:%S"], **self.common(f, language))

    def to_json(self, f, value):
        return None if value is None else value.strftime("%H:%M")


class ChoiceKindBase(Kind):
    validators = frozenset({"choices"})

    def check_options(self, f):
        if not f.validators.choices:
            return _("kind %(kind)s needs choices") % {"kind": self.name}
        return None

    def choices(self, f, language):
        return [(c.value, c.label_en if language.startswith("en") and c.label_en else c.label_zh) for c in f.validators.choices]

    def display(self, f, value, language=None):
        # An English page shows the designer's English label where there is one (as the
        # choices of the form field do); exports and history keep the Chinese one.
        english = bool(language and language.startswith("en"))
        labels = {c.value: (c.label_en if english and c.label_en else c.label_zh) for c in f.validators.choices or ()}
        if isinstance(value, list):
            return "、".join(labels.get(v, v) for v in value)
        return labels.get(value, "" if value is None else str(value))


@register
class SingleChoiceKind(ChoiceKindBase):
    name = "single_choice"
    label = gettext_lazy("Single choice")

    def form_field(self, f, language):
        return djforms.ChoiceField(choices=[("", "---------"), *self.choices(f, language)], **self.common(f, language))

    def to_json(self, f, value):
        return value or None


@register
class MultipleChoiceKind(ChoiceKindBase):
    name = "multiple_choice"
    label = gettext_lazy("Multiple choice")

    def form_field(self, f, language):
        return djforms.MultipleChoiceField(
            choices=self.choices(f, language), widget=djforms.CheckboxSelectMultiple, **self.common(f, language)
        )

    def flatten(self, f, name, value):
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        return [(name, [_text(v) for v in items])]

    def to_json(self, f, value):
        return list(value) if value else []


@register
class YesNoKind(Kind):
    name = "yes_no"
    label = gettext_lazy("Yes / no")

    def form_field(self, f, language):
        return djforms.TypedChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda v: v == "yes",
            empty_value=None,
            widget=djforms.RadioSelect,
            **self.common(f, language),
        )

    def display(self, f, value, language=None):
        return "" if value is None else (_("Yes") if value else _("No"))


class CodeKind(Kind):
    """A short identifier typed by hand: stripped, upper-cased, then checked."""

    length = 18

    def form_field(self, f, language):
        kind = self

        class CodeField(djforms.CharField):
            def to_python(self, value):
                return re.sub(r"[\s-]", "", super().to_python(value)).upper()

            def validate(self, value):
                super().validate(value)
                if value:
                    kind.check_value(value)

        return CodeField(max_length=40, **self.common(f, language))

    def check_value(self, value: str) -> None:
        raise NotImplementedError


@register
class MobileKind(CodeKind):
    name = "mobile"
    label = gettext_lazy("Mobile phone")

    def check_value(self, value):
        if not re.fullmatch(r"1[3-9]\d{9}", value):
            raise ValidationError(_("Enter an 11-digit mainland mobile number starting with 13–19."), code="mobile")


@register
class EmailKind(Kind):
    name = "email"
    label = gettext_lazy("E-mail")

    def form_field(self, f, language):
        return djforms.EmailField(max_length=254, **self.common(f, language))


@register
class IdCardKind(CodeKind):
    name = "id_card"
    label = gettext_lazy("Resident ID number (身份证)")

    def check_value(self, value):
        problem = checksums.id_card_problem(value)
        if problem == "format":
            raise ValidationError(_("An ID number has 17 digits followed by a digit or X."), code="id_format")
        if problem == "birth_date":
            raise ValidationError(_("The birth date in this ID number is not a real date."), code="id_birth")
        if problem == "check":
            raise ValidationError(_("The check character of this ID number is wrong."), code="id_check")


@register
class UsccKind(CodeKind):
    name = "uscc"
    label = gettext_lazy("Unified social credit code (统一社会信用代码)")

    def check_value(self, value):
        problem = checksums.uscc_problem(value)
        if problem == "format":
            raise ValidationError(
                _("A unified social credit code has 18 characters (digits and capital letters except I, O, S, V, Z)."),
                code="uscc_format",
            )
        if problem == "check":
            raise ValidationError(_("The check character of this unified social credit code is wrong."), code="uscc_check")


class AttachmentField(djforms.FileField):
    """The designer's extensions narrow the project's upload policy; they never widen it."""

    def __init__(self, *, max_kb: int, extensions: tuple[str, ...], **kwargs):
        self.max_kb, self.extensions = max_kb, extensions
        self.kinds = tuple(dict.fromkeys(uploads.EXTENSION_KINDS[e] for e in extensions if e in uploads.EXTENSION_KINDS))
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ",".join(f".{e}" for e in extensions if e in uploads.EXTENSION_KINDS)

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        if not self.kinds:
            raise ValidationError(_("This field accepts no kind of file the site allows."), code="file_type")
        # The kind comes from the content; the client's name and type are not believed.
        try:
            uploads.accept_upload(value, kinds=self.kinds, max_bytes=self.max_kb * 1024)
        except uploads.UploadRefused as exc:
            raise ValidationError(exc.messages, code=exc.code) from None


@register
class AttachmentKind(Kind):
    name = "attachment"
    label = gettext_lazy("Attachment")
    validators = frozenset({"max_size_kb", "extensions"})

    def form_field(self, f, language):
        v = f.validators
        return AttachmentField(
            max_kb=v.max_size_kb or DEFAULT_MAX_KB,
            extensions=tuple(v.extensions or DEFAULT_EXTENSIONS),
            **self.common(f, language),
        )

    def flatten(self, f, name, value):
        return []  # files only arrive as uploads, never as JSON paths (no pointing at others' files)

    def describe(self, value) -> dict:
        """What to_json stores, less the path: a validate-only call must write no file."""
        kind = getattr(value, "upload_kind", None) or uploads.detect(value)
        return {
            # The client's name is kept only as text to show; the kind comes from the content.
            "name": os.path.basename(getattr(value, "client_name", "") or value.name)[:100],
            "size": value.size,
            "content_type": kind.mime if kind else "application/octet-stream",
        }

    def to_json(self, f, value):
        if value is None or isinstance(value, dict):
            return value
        described = self.describe(value)
        kind = getattr(value, "upload_kind", None) or uploads.detect(value)
        extension = kind.extension if kind else "bin"
        # A generated name: the client's is never a path. save_file: the write service around this
        # removes the file again if it then fails.
        path = save_file(f"lowcode/{dt.date.today():%Y/%m}/{uuid.uuid4().hex}.{extension}", value)
        return {"name": described["name"], "path": path, "size": described["size"], "content_type": described["content_type"]}

    def display(self, f, value, language=None):
        return value.get("name", "") if isinstance(value, dict) else ""


class ScopedChoiceField(djforms.ModelChoiceField):
    def __init__(self, *, label_of=str, **kwargs):
        self.label_of = label_of
        super().__init__(queryset=None, **kwargs)

    def label_from_instance(self, obj):
        return self.label_of(obj)


@register
class OrgUnitKind(Kind):
    name = "org_unit"
    label = gettext_lazy("Org unit")

    def form_field(self, f, language):
        from workflows.org.models import OrgUnit

        field = ScopedChoiceField(**self.common(f, language))
        field.queryset = OrgUnit.objects.none()
        return field

    def bind(self, field, user):
        from workflows.org.selectors import org_units_visible_to

        field.queryset = org_units_visible_to(user)

    def flatten(self, f, name, value):
        return [] if value is None else [(name, [_text(value)])]

    def to_json(self, f, value):
        return None if value is None else value.pk

    def display(self, f, value, language=None):
        from workflows.org.models import OrgUnit

        unit = OrgUnit.objects.filter(pk=value).first() if isinstance(value, int) else None
        return unit.name if unit else ("" if value is None else f"#{value}")


@register
class UserKind(OrgUnitKind):
    name = "user"
    label = gettext_lazy("Person")

    def form_field(self, f, language):
        from workflows.org.models import User

        field = ScopedChoiceField(**self.common(f, language))
        field.queryset = User.objects.none()
        return field

    def bind(self, field, user):
        from workflows.org.models import User
        from workflows.org.selectors import org_units_visible_to

        field.queryset = (
            User.objects.filter(is_active=True, memberships__org_unit__in=org_units_visible_to(user))
            .distinct()
            .order_by("id")
        )

    def display(self, f, value, language=None):
        from workflows.org.models import User

        user = User.objects.filter(pk=value).first() if isinstance(value, int) else None
        return str(user) if user else ("" if value is None else f"#{value}")


class LinkField(djforms.IntegerField):
    def __init__(self, *, link_kind: str, **kwargs):
        self.link_kind = link_kind
        self.user = None
        super().__init__(min_value=1, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        kind = links.get(self.link_kind)
        if kind is None or self.user is None or kind.resolve(self.user, value) is None:
            raise ValidationError(_("No request with this number that you can see."), code="link")


@register
class LinkKindField(Kind):
    name = "link"
    label = gettext_lazy("Link to another request")
    options = frozenset({"link_kind"})

    def check_options(self, f):
        if not f.link_kind or links.get(f.link_kind) is None:
            return _("link_kind must be one of: %(kinds)s") % {"kinds": ", ".join(links.codes()) or "-"}
        return None

    def form_field(self, f, language):
        return LinkField(link_kind=f.link_kind, **self.common(f, language))

    def bind(self, field, user):
        field.user = user

    def display(self, f, value, language=None):
        kind = links.get(f.link_kind)
        return f"{kind.label if kind else f.link_kind} #{value}" if value else ""


@register
class StaticKind(Kind):
    name = "static"
    label = gettext_lazy("Heading and text")
    is_input = False

    def form_field(self, f, language):
        return None


@register
class ComputedKind(Kind):
    name = "computed"
    label = gettext_lazy("Computed value")
    is_input = False
    is_number = True
    options = frozenset({"expression", "decimal_places"})

    def check_options(self, f):
        if not f.expression:
            return _("a computed field needs an expression")
        if f.required or f.required_if is not None:
            return _("a computed field cannot be required")
        return None

    def form_field(self, f, language):
        field = djforms.CharField(required=False, disabled=True, label=f.label(language))
        field.widget.attrs.update({"readonly": True, "data-computed": f.key, "tabindex": "-1"})
        return field

    def compute(self, f, values: dict, tables: dict) -> Decimal | None:
        places = 2 if f.decimal_places is None else f.decimal_places
        return expressions.evaluate(f.expression, values, tables, places=places)

    def number(self, value):
        return _decimal(value)

    def to_json(self, f, value):
        return None if value is None else str(value)


# --- detail table ---------------------------------------------------------------------------


MALFORMED = object()  # a table value that was not a list of objects


class TableWidget(djforms.Widget):
    """Rows of sub-widgets named <key>-<i>-<column>, plus <key>-rows (the row count)."""

    def __init__(self, columns, max_rows: int):
        super().__init__()
        self.columns = columns  # [(schema field, django field or None)]
        self.max_rows = max_rows

    def value_from_datadict(self, data, files, name):
        if data.get(f"{name}-malformed"):
            return MALFORMED
        try:
            count = int(data.get(f"{name}-rows") or 0)
        except (TypeError, ValueError):
            count = 0
        # One row more than allowed is read so "too many rows" is reported rather than ignored.
        count = max(0, min(count, self.max_rows + 1))
        rows = []
        for i in range(count):
            rows.append(
                {
                    col.key: field.widget.value_from_datadict(data, files, f"{name}-{i}-{col.key}")
                    for col, field in self.columns
                    if field is not None
                }
            )
        return rows

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data

    def _cells(self, name, index, row):
        cells = []
        for col, field in self.columns:
            raw = (row or {}).get(col.key)
            attrs = {"data-column": col.key, "aria-label": col.label(get_language() or "zh-hans")}
            html = field.widget.render(f"{name}-{index}-{col.key}", raw, attrs=attrs)
            cells.append(format_html("<td>{}</td>", html))
        remove = format_html('<td><button type="button" class="outline secondary small-button" data-remove-row>{}</button></td>', _("Remove"))
        return format_html('<tr data-row="{}">{}{}</tr>', index, format_html_join("", "{}", ((c,) for c in cells)), remove)

    def render(self, name, value, attrs=None, renderer=None):
        rows = value if isinstance(value, list) else []
        # Headers follow the page language like every other field label (English pages showed Chinese).
        language = get_language() or "zh-hans"
        head = format_html_join("", "<th>{}</th>", ((col.label(language),) for col, _f in self.columns))
        body = format_html_join("", "{}", ((self._cells(name, i, r),) for i, r in enumerate(rows)))
        template = self._cells(name, "__i__", None)
        return format_html(
            '<div class="table-scroll lowcode-table" data-table="{name}" data-max-rows="{max}">'
            '<table><thead><tr>{head}<th></th></tr></thead><tbody>{body}</tbody></table>'
            '<template>{template}</template>'
            '<input type="hidden" name="{name}-rows" value="{count}" data-row-count>'
            '<button type="button" class="outline small-button" data-add-row>{add}</button></div>',
            name=name, max=self.max_rows, head=head, body=body, template=template, count=len(rows), add=_("Add a row"),
        )


class TableField(djforms.Field):
    def __init__(self, *, schema_field, columns, **kwargs):
        self.schema_field = schema_field
        self.columns = columns
        self.max_rows = schema_field.max_rows or 50
        self.min_rows = schema_field.min_rows or 0
        super().__init__(widget=TableWidget(columns, self.max_rows), **kwargs)

    def __deepcopy__(self, memo):
        # Every form instance deep-copies its fields; the column fields (and their schema models)
        # never change per instance, except those bound to the filling user, which are copied.
        result = copy.copy(self)
        memo[id(self)] = result
        result.columns = [
            (col, copy.deepcopy(field, memo) if col.kind in USER_BOUND_KINDS else field) for col, field in self.columns
        ]
        result.widget = TableWidget(result.columns, self.max_rows)
        result.validators = self.validators[:]
        return result

    def clean(self, value):
        if value is MALFORMED:
            raise ValidationError(_("Send the rows of a detail table as a list of objects."), code="malformed")
        rows = value if isinstance(value, list) else []
        cleaned, errors = [], []
        for index, raw in enumerate(rows, start=1):
            if all(v in (None, "", []) for v in raw.values()):
                continue  # a blank row left by the browser is not a row
            row = {}
            for col, field in self.columns:
                if field is None or not REGISTRY[col.kind].is_input:
                    continue
                try:
                    value_ = field.clean(raw.get(col.key))
                    if col.required and value_ in (None, "", []):
                        raise ValidationError(_("This field is required."), code="required")
                    row[col.key] = value_
                except ValidationError as exc:
                    for message in exc.messages:
                        errors.append(
                            _("Row %(row)s, %(column)s: %(message)s") % {"row": index, "column": col.label_zh, "message": message}
                        )
            for col, _field in self.columns:
                if col.kind == "computed":
                    numbers = {
                        c.key: REGISTRY[c.kind].number(row.get(c.key)) for c, _f in self.columns if REGISTRY[c.kind].is_number
                    }
                    row[col.key] = REGISTRY["computed"].compute(col, numbers, {})
            cleaned.append(row)
        if len(cleaned) > self.max_rows:
            errors.append(_("At most %(n)s rows.") % {"n": self.max_rows})
        if errors:
            raise ValidationError(errors)
        return cleaned


@register
class TableKind(Kind):
    name = "table"
    label = gettext_lazy("Detail table")
    options = frozenset({"columns", "min_rows", "max_rows"})

    def check_options(self, f):
        if not f.columns:
            return _("a detail table needs columns")
        keys = [c.key for c in f.columns]
        if len(set(keys)) != len(keys):
            return _("column keys must be unique")
        for col in f.columns:
            if col.kind in ("table", "static", "attachment"):
                return _("kind %(kind)s cannot be a table column (tables are one level deep)") % {"kind": col.kind}
            if col.show_if is not None or col.required_if is not None:
                return _("table columns cannot have conditions")
        if f.min_rows is not None and f.max_rows is not None and f.min_rows > f.max_rows:
            return _("min_rows is greater than max_rows")
        return None

    def form_field(self, f, language):
        columns = [(col, REGISTRY[col.kind].form_field(col, language)) for col in f.columns]
        return TableField(schema_field=f, columns=columns, **self.common(f, language))

    def bind(self, field, user):
        for col, sub in field.columns:
            if sub is not None:
                REGISTRY[col.kind].bind(sub, user)

    def flatten(self, f, name, value):
        if value is None:
            return [(f"{name}-rows", ["0"])]
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            return [(f"{name}-malformed", ["1"])]
        pairs = [(f"{name}-rows", [str(min(len(value), MAX_TABLE_ROWS_READ))])]
        for i, row in enumerate(value[:MAX_TABLE_ROWS_READ]):
            for col in f.columns:
                pairs.extend(REGISTRY[col.kind].flatten(col, f"{name}-{i}-{col.key}", row.get(col.key)))
        return pairs

    def to_json(self, f, value):
        cols = {c.key: c for c in f.columns}
        return [{k: REGISTRY[cols[k].kind].to_json(cols[k], v) for k, v in row.items()} for row in value or []]

    def column_sums(self, f, value) -> dict[str, Decimal]:
        sums = {}
        for col in f.columns:
            kind = REGISTRY[col.kind]
            if kind.is_number:
                sums[col.key] = sum(
                    (kind.number(row.get(col.key)) or Decimal(0) for row in value or []), Decimal(0)
                )
        return sums


MAX_TABLE_ROWS_READ = 201  # schema MAX_ROWS + 1
