"""Small builders for schemas in tests."""

from django.core.exceptions import ValidationError

from forms import builder
from forms.schema import parse_schema


def field(key, kind, label=None, **extra):
    return {"key": key, "label_zh": label or key, "kind": kind, **extra}


def schema_of(*fields, title="") -> dict:
    return {"sections": [{"title_zh": title, "rows": [{"fields": [f]} for f in fields]}]}


def run(fields, data, user=None, files=None):
    """Validate JSON data against an unsaved schema through the real builder.

    Returns (cleaned_json, errors)."""
    schema = parse_schema(schema_of(*fields))
    form = builder.build_form_class(schema)(data=builder.flatten(schema, data), files=files, user=user)
    if form.is_valid():
        return form.stored_data(), {}
    return None, form.error_dict()


def errors_of(exc: ValidationError) -> dict:
    return exc.message_dict
