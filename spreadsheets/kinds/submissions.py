"""Form submissions: export of one form version (columns from its schema, each detail table on a
sheet of its own keyed by submission id) and import through the forms builder's validation.

Import covers the fields that fit in one cell; detail tables, attachments and computed values are
not imported (a form whose tables are required reports that on every row).
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from forms import permissions as form_permissions
from forms import selectors as form_selectors
from forms import services as form_services
from forms.builder import schema_of
from forms.kinds import REGISTRY
from forms.models import FormDefinition, FormVersion
from forms.states import VersionState
from project.lib.xlsx import Column, Kind
from project.params import parse_id
from spreadsheets.kinds.common import header_block
from spreadsheets.registry import Exporter, Importer, register_exporter, register_importer
from workflows.org.models import OrgUnit
from workflows.org.selectors import memberships_of

# How a form field kind is written to a cell; anything else is written as its display text.
_CELL_KINDS = {
    "money": Kind.MONEY,
    "integer": Kind.NUMBER,
    "decimal": Kind.NUMBER,
    "computed": Kind.NUMBER,
    "date": Kind.DATE,
}
_NOT_EXPORTED = {"table", "static"}
_NOT_IMPORTED = {"table", "static", "attachment", "computed", "date_range"}
_LIST_SPLIT = re.compile(r"[、,，;；]\s*")


def _language() -> str:
    return get_language() or "zh-hans"


def _definitions_for(user):
    # A designer may see every definition already; OR-ing the distinct fillable queryset with the
    # designer's non-distinct one raises TypeError (a 500) instead of combining.
    if form_permissions.can_design_forms(user):
        return form_selectors.definitions_for_designer(user)
    return form_selectors.fillable_definitions_for(user)


def _form_param(*, user, query) -> FormDefinition:
    code = (query.get("form") or "").strip()
    if not code:
        raise ValidationError({"form": [_("Choose a form (its code).")]})
    definition = _definitions_for(user).filter(code=code).first()
    if definition is None:
        raise ValidationError({"form": [_("Unknown form.")]})
    return definition


def _cell(f, value):
    kind = _CELL_KINDS.get(f.kind)
    if value is None or value == "":
        return None
    if kind in (Kind.MONEY, Kind.NUMBER):
        try:
            return Decimal(str(value))
        except (InvalidOperation, ValueError):
            return str(value)
    if kind == Kind.DATE:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return REGISTRY[f.kind].display(f, value)


def _column(f, language: str) -> Column:
    return Column(f.key, f.label(language), _CELL_KINDS.get(f.kind, Kind.TEXT))


@register_exporter
class SubmissionExporter(Exporter):
    kind = "submissions"
    title = gettext_lazy("Form submissions")

    def parse_params(self, *, user, query):
        definition = _form_param(user=user, query=query)
        raw = (query.get("version") or "").strip()
        versions = definition.versions.all()
        if raw:
            number = parse_id(raw)
            if number is None:
                raise ValidationError({"version": [_("Enter a version number.")]})
            version = versions.filter(number=number).first()
            if version is None:
                raise ValidationError({"version": [_("This form has no such version.")]})
        else:
            version = versions.filter(state=VersionState.PUBLISHED).first() or versions.order_by("-number").first()
            if version is None:
                raise ValidationError({"version": [_("This form has no version yet.")]})
        return {"form": definition.code, "version": version.pk}

    def choices(self, *, user):
        forms = [(d.code, d.name) for d in _definitions_for(user).order_by("name")]
        return [("form", gettext_lazy("Form"), forms)]

    def _version(self, params) -> FormVersion:
        return FormVersion.objects.select_related("definition").get(pk=params["version"])

    def _submissions(self, *, user, params):
        return form_selectors.submissions_for_user(user).filter(version_id=params["version"]).select_related("org_unit")

    def count(self, *, user, params):
        return self._submissions(user=user, params=params).count()

    def filename(self, *, params):
        return f"submissions-{params['form']}-{timezone.localdate():%Y%m%d}.xlsx"

    def write(self, book, *, user, params, progress):
        version = self._version(params)
        language = _language()
        schema = schema_of(version)
        fields = [f for f in schema.fields() if f.kind not in _NOT_EXPORTED]
        tables = [f for f in schema.fields() if f.kind == "table"]
        base = [
            Column("id", _("Submission number"), Kind.INTEGER),
            Column("by", _("Submitted by")),
            Column("unit", _("Org unit")),
            Column("at", _("Submitted at"), Kind.DATETIME),
        ]
        title = f"{version.definition.name} v{version.number}"
        block = header_block(user=user, community=_("All communities you may see"))
        qs = self._submissions(user=user, params=params).order_by("id")
        rows = (
            [s.pk, str(s.submitted_by), s.org_unit.name if s.org_unit else "", s.created_at]
            + [_cell(f, s.data.get(f.key)) for f in fields]
            for s in qs.iterator(chunk_size=1000)
        )
        book.table(
            title,
            base + [_column(f, language) for f in fields],
            rows,
            sheet_title=_("Submissions"),
            header_block=block,
            progress=progress,
        )
        for table in tables:
            columns = [c for c in table.columns if c.kind != "static"]

            def detail_rows(table=table, columns=columns):
                for s in qs.iterator(chunk_size=1000):
                    for item in s.data.get(table.key) or []:
                        yield [s.pk] + [_cell(c, item.get(c.key)) for c in columns]

            book.table(
                table.label(language),
                [Column("id", _("Submission number"), Kind.INTEGER)] + [_column(c, language) for c in columns],
                detail_rows(),
            )


def _home_unit(user, version):
    # The same rule as the fill page: the filler's first community, else the form's street.
    for m in memberships_of(user):
        if m.org_unit.kind == OrgUnit.Kind.COMMUNITY:
            return m.org_unit
    return version.definition.owner


def _import_value(f, value, language: str):
    if value is None:
        return None
    if f.kind in ("single_choice", "multiple_choice"):
        lookup = {}
        for c in f.validators.choices or ():
            lookup[c.value.lower()] = c.value
            lookup[c.label_zh.lower()] = c.value
            if c.label_en:
                lookup[c.label_en.lower()] = c.value
        items = [str(value).strip()] if f.kind == "single_choice" else _LIST_SPLIT.split(str(value).strip())
        mapped = [lookup.get(item.lower(), item) for item in items if item]
        return mapped[0] if f.kind == "single_choice" else mapped
    if f.kind == "yes_no":
        text = str(value).strip().lower()
        return {"是": True, "yes": True, "否": False, "no": False}.get(text, text)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def importable_fields(version) -> list:
    """The fields of a form version that fit in one cell (the columns an import reads)."""
    return [f for f in schema_of(version).fields() if f.kind not in _NOT_IMPORTED]


def import_columns(fields, *, prefix: str = "") -> list[Column]:
    """One optional column per field, keyed `<prefix><key>` (an import that embeds a form in its own
    columns, as the ledger's income rows embed income.extra, prefixes them)."""
    language = _language()
    return [
        Column(
            f"{prefix}{f.key}",
            f.label(language),
            _CELL_KINDS.get(f.kind, Kind.TEXT),
            required=False,  # show_if/required_if decide per row; the builder reports them
            choices=[c.label_zh for c in f.validators.choices or ()] if f.kind == "single_choice" else (),
        )
        for f in fields
    ]


def import_data(fields, values: dict, *, prefix: str = "") -> dict:
    """A row's cells of `import_columns(fields, prefix=...)` as the form's JSON data."""
    language = _language()
    data = {}
    for f in fields:
        value = _import_value(f, values.get(f"{prefix}{f.key}"), language)
        if value is not None and value != []:
            data[f.key] = value
    return data


@register_importer
class SubmissionImporter(Importer):
    kind = "submissions"
    title = gettext_lazy("Form submissions")

    def allowed(self, user):
        return user.is_authenticated and form_selectors.fillable_definitions_for(user).exists()

    def parse_params(self, *, user, query):
        definition = _form_param(user=user, query=query)
        try:
            version = form_selectors.published_form_get_for_user(user=user, code=definition.code)
        except (Http404, FormVersion.DoesNotExist):
            raise ValidationError({"form": [_("This form is not open for submissions.")]}) from None
        return {"form": definition.code, "version": version.pk}

    def _fields(self, params):
        version = FormVersion.objects.select_related("definition").get(pk=params["version"])
        return version, importable_fields(version)

    def example_for(self, *, params):
        return {}

    def columns(self, *, user, params):
        _version, fields = self._fields(params)
        return import_columns(fields)

    def import_row(self, *, actor, row, state, params):
        if "version" not in state:
            state["version"], state["fields"] = self._fields(params)
            state["unit"] = _home_unit(actor, state["version"])
        data = import_data(state["fields"], row.values)
        form_services.submission_create(actor=actor, version=state["version"], data=data, org_unit=state["unit"])
