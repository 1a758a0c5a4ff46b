"""Every write to form definitions, versions and submissions. One transaction, one history row."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from forms import builder, permissions, purposes
from forms.models import FormDefinition, FormHistory, FormSubmission, FormVersion, Purpose, VersionImmutable
from forms.schema import SchemaError, dump_schema, parse_schema
from forms.states import VersionState
from project.storage import keeps_files_only_on_success
from project.text import free_text_problem

EMPTY_SCHEMA = {"sections": [{"title_zh": "", "rows": []}]}


def _history(*, definition, version, actor, action, before="", after="", note=""):
    FormHistory.objects.create(
        definition=definition,
        version=version,
        actor=actor,
        action=action,
        state_before=before,
        state_after=after,
        note=note[:200],
    )


def _require_designer(actor) -> None:
    if not permissions.can_design_forms(actor):
        raise PermissionDenied


def _validated_schema(raw) -> dict:
    try:
        return dump_schema(parse_schema(raw))
    except SchemaError as exc:
        raise ValidationError(exc.errors) from None


def _clean_audience(raw, errors: dict) -> list[str]:
    """A form's audience as stored: sorted, distinct, known role codes (an empty list: the default)."""
    from workflows.org.roles import Role

    if raw is None:
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(r, str) for r in raw):
        errors["audience"] = [_("Send the audience as a list of role codes.")]
        return []
    unknown = sorted({r for r in raw if r not in Role.values})
    if unknown:
        errors["audience"] = [_("Unknown roles: %(roles)s.") % {"roles": ", ".join(r[:40] for r in unknown[:10])}]
        return []
    return sorted(set(raw))


def definition_create(
    *, actor, code: str, name: str, purpose: str, owner=None, schema: dict | None = None, audience=None
) -> FormDefinition:
    """A new definition with its first draft (version 1)."""
    _require_designer(actor)
    errors = {}
    audience = _clean_audience(audience, errors)
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Unknown purpose.")]
    if owner is not None and owner.kind != "street":
        errors["owner"] = [_("The owner must be a street (or empty for every street).")]
    if problem := free_text_problem(name):
        errors["name"] = [problem]
    if FormDefinition.objects.filter(code=code).exists():
        errors["code"] = [_("A form with this code exists already.")]
    elif purpose in Purpose.values and FormDefinition.objects.filter(purpose=purpose, owner=owner).exists():
        errors["purpose"] = [_("This street already has a form for this purpose.")]
    if errors:
        raise ValidationError(errors)
    stored = _validated_schema(schema) if schema is not None else EMPTY_SCHEMA
    with transaction.atomic():
        definition = FormDefinition.objects.create(code=code, name=name, purpose=purpose, owner=owner, audience=audience)
        version = FormVersion.objects.create(definition=definition, number=1, schema=stored, created_by=actor)
        _history(definition=definition, version=version, actor=actor, action=FormHistory.Action.CREATED, after=version.state)
    return definition


def definition_audience_set(*, actor, definition: FormDefinition, audience) -> FormDefinition:
    """Who may fill the form: role codes, or an empty list for the default of its purpose. It
    applies to every version at once (the page, the API and submissions check it when used)."""
    _require_designer(actor)
    errors: dict = {}
    roles = _clean_audience(audience, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FormDefinition.objects.select_for_update().get(pk=definition.pk)
        if locked.audience == roles:
            return locked
        before = ",".join(locked.audience)
        locked.audience = roles
        locked.save(update_fields=["audience"])
        _history(definition=locked, version=None, actor=actor, action=FormHistory.Action.AUDIENCE_SET,
                 note=f"{before or '-'} → {','.join(roles) or '-'}")
    return locked


def version_draft_create(*, actor, definition: FormDefinition) -> FormVersion:
    """The next draft, copied from the newest version. An existing draft is returned as is."""
    _require_designer(actor)
    with transaction.atomic():
        FormDefinition.objects.select_for_update().filter(pk=definition.pk).first()
        draft = definition.versions.filter(state=VersionState.DRAFT).first()
        if draft is not None:
            return draft
        latest = definition.versions.order_by("-number").first()
        version = FormVersion.objects.create(
            definition=definition,
            number=(latest.number + 1) if latest else 1,
            schema=latest.schema if latest else EMPTY_SCHEMA,
            created_by=actor,
        )
        _history(definition=definition, version=version, actor=actor, action=FormHistory.Action.DRAFT_CREATED, after=version.state)
    return version


def version_draft_update(*, actor, version: FormVersion, schema: dict, note: str = "") -> FormVersion:
    _require_designer(actor)
    stored = _validated_schema(schema)
    with transaction.atomic():
        locked = FormVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.DRAFT:
            raise VersionImmutable(_("Version %(n)s is %(state)s and can no longer change; edit a new draft.") % {
                "n": locked.number, "state": locked.get_state_display()})
        locked.schema = stored
        locked.note = note[:200] or locked.note
        locked.save(update_fields=["schema", "note"])
        _history(definition=locked.definition, version=locked, actor=actor, action=FormHistory.Action.EDITED,
                 before=locked.state, after=locked.state, note=note)
    return locked


def version_publish(*, actor, version: FormVersion) -> FormVersion:
    """Publish a draft; the previously published version of the definition retires."""
    _require_designer(actor)
    with transaction.atomic():
        locked = FormVersion.objects.select_for_update().select_related("definition").get(pk=version.pk)
        if locked.state != VersionState.DRAFT:
            raise VersionImmutable(_("Only a draft can be published."))
        schema = builder.schema_of(locked)  # re-validated: kinds or link registries may have changed
        if not schema.fields():
            raise ValidationError({"schema": [_("An empty form cannot be published.")]})
        missing = purposes.problems(locked.definition.purpose, schema)
        if missing:
            raise ValidationError({"schema": [
                _("A form for this purpose must have these fields: %(keys)s.") % {"keys": ", ".join(missing)}]})
        current = (
            FormVersion.objects.select_for_update()
            .filter(definition=locked.definition, state=VersionState.PUBLISHED)
            .first()
        )
        if current is not None:
            current.retire()
            current.save()
            _history(definition=locked.definition, version=current, actor=actor, action=FormHistory.Action.RETIRED,
                     before=VersionState.PUBLISHED, after=current.state, note=f"v{locked.number} published")
        locked.publish()
        locked.published_at = timezone.now()
        locked.save()
        _history(definition=locked.definition, version=locked, actor=actor, action=FormHistory.Action.PUBLISHED,
                 before=VersionState.DRAFT, after=locked.state)
    return locked


def version_retire(*, actor, version: FormVersion) -> FormVersion:
    _require_designer(actor)
    with transaction.atomic():
        locked = FormVersion.objects.select_for_update().select_related("definition").get(pk=version.pk)
        if locked.state != VersionState.PUBLISHED:
            raise VersionImmutable(_("Only the published version can be retired."))
        locked.retire()
        locked.save()
        _history(definition=locked.definition, version=locked, actor=actor, action=FormHistory.Action.RETIRED,
                 before=VersionState.PUBLISHED, after=locked.state)
    return locked


def submission_validate(
    *, version: FormVersion, data, user, files=None, prefix: str | None = None, store_files: bool = True
) -> dict:
    """Validate data (a JSON dict, or an HTML post's QueryDict) against a version.

    Returns the cleaned JSON-serialisable dict to store; raises ValidationError({field: [msgs]}).
    Attachments are written to storage only when the whole form is valid. `prefix` reads a post
    whose inputs carry a Django form prefix (a form embedded in another page); error keys stay
    the schema's field keys. store_files=False is a dry run: attachments are described, not written.
    """
    schema = builder.schema_of(version)
    if isinstance(data, MultiValueDict):
        flat = data
    elif isinstance(data, dict):
        prefix = None
        known = schema.field_map()
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise ValidationError({k[:50]: [_("This form has no such field.")] for k in unknown[:20]})
        flat = builder.flatten(schema, data)
    else:
        raise ValidationError({"__all__": [_("Send the form data as a JSON object.")]})
    form = builder.form_class_for(version)(data=flat, files=files, user=user, prefix=prefix)
    if not form.is_valid():
        raise ValidationError(form.error_dict())
    return form.stored_data(store_files=store_files)


FIND = object()  # embedded_validate(version=...): look the published version up


def embedded_validate(
    *, purpose: str, street, actor, data=None, files=None, prefix: str | None = None, store_files: bool = True,
    version=FIND,
) -> tuple[FormVersion | None, dict]:
    """A process's own form extended by the street's published form of `purpose` (expense.extra,
    income.extra): (the version, its cleaned data), or (None, {}) when the street publishes none.

    The data goes through the one validation path (`submission_validate`); errors are keyed
    `extra.<field>` so a caller can merge them with its own fields' errors. A caller validating
    many rows of one street (an import) looks the version up once and passes it as `version`.
    """
    from forms.selectors import published_version_for

    if version is FIND:
        version = published_version_for(purpose=purpose, street=street)
    if version is None:
        return None, {}
    try:
        cleaned = submission_validate(version=version, data=data if data is not None else {}, user=actor,
                                      files=files, prefix=prefix, store_files=store_files)
    except ValidationError as exc:
        raise ValidationError({f"extra.{key}": msgs for key, msgs in exc.message_dict.items()}) from None
    return version, cleaned


@keeps_files_only_on_success
def submission_create(*, actor, version: FormVersion, data, files=None, org_unit=None) -> FormSubmission:
    if version.state != VersionState.PUBLISHED:
        raise VersionImmutable(_("This form version is not open for submissions."))
    if not permissions.can_fill_form(actor, version.definition):
        raise PermissionDenied
    cleaned = submission_validate(version=version, data=data, user=actor, files=files)
    with transaction.atomic():
        submission = FormSubmission.objects.create(version=version, data=cleaned, submitted_by=actor, org_unit=org_unit)
        _history(definition=version.definition, version=version, actor=actor, action=FormHistory.Action.SUBMITTED,
                 note=f"submission #{submission.pk}")
    return submission
