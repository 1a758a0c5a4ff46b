"""Every read a user can reach, already scoped."""

from django.db.models import Q, QuerySet
from django.http import Http404

from forms import builder, permissions
from forms.models import PUBLIC_PURPOSES, FormDefinition, FormSubmission, FormVersion
from forms.states import VersionState
from workflows.org.selectors import is_system_admin, street_ids_visible_to


def published_version_for(*, purpose: str, street) -> FormVersion | None:
    """The street's published form for a purpose, else the global one, else None.

    Other areas call this to extend their own forms (e.g. the expense filing form).
    """
    street_id = getattr(street, "pk", street)
    qs = FormVersion.objects.filter(state=VersionState.PUBLISHED, definition__purpose=purpose).select_related("definition")
    if street_id is not None:
        found = qs.filter(definition__owner_id=street_id).first()
        if found:
            return found
    return qs.filter(definition__owner__isnull=True).first()


def fillable_definitions_for(user) -> QuerySet[FormDefinition]:
    """Published forms of the user's streets (or of every street) whose audience includes them."""
    if not user.is_authenticated:
        return FormDefinition.objects.none()
    scope = Q(owner__isnull=True)
    if is_system_admin(user):
        scope = Q()
    else:
        scope |= Q(owner_id__in=street_ids_visible_to(user))
    found = FormDefinition.objects.filter(scope, versions__state=VersionState.PUBLISHED).only("pk", "purpose", "audience")
    # The audience is a short list of role codes per form: read here, not matched in SQL (JSON
    # containment differs between SQLite and PostgreSQL), over the few published forms in scope.
    allowed = {d.pk for d in found if permissions.in_audience(user, d)}
    return FormDefinition.objects.filter(pk__in=allowed).select_related("owner").order_by("purpose", "code")


def published_form_get_for_user(*, user, code: str) -> FormVersion:
    """The current published version of a form the user may fill (404 otherwise)."""
    definition = fillable_definitions_for(user).filter(code=code).first()
    if definition is None:
        raise Http404
    return definition.versions.get(state=VersionState.PUBLISHED)


def definitions_for_designer(user) -> QuerySet[FormDefinition]:
    if not permissions.can_design_forms(user):
        return FormDefinition.objects.none()
    return FormDefinition.objects.select_related("owner").prefetch_related("versions").order_by("purpose", "code")


def definition_get_for_designer(*, user, code: str) -> FormDefinition:
    try:
        return definitions_for_designer(user).get(code=code)
    except FormDefinition.DoesNotExist:
        raise Http404 from None


def version_get_for_designer(*, user, pk) -> FormVersion:
    if not permissions.can_design_forms(user):
        raise Http404
    try:
        return FormVersion.objects.select_related("definition").get(pk=pk)
    except (FormVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def versions_compare(*, user, old_pk, new_pk) -> dict:
    old = version_get_for_designer(user=user, pk=old_pk)
    new = version_get_for_designer(user=user, pk=new_pk)
    if old.definition_id != new.definition_id:
        raise Http404
    result = builder.compare(builder.schema_of(old), builder.schema_of(new))
    result.update(old={"id": old.pk, "number": old.number}, new={"id": new.pk, "number": new.number})
    return result


def submissions_for_user(user) -> QuerySet[FormSubmission]:
    """Submissions this user may read: the audience in permissions.submission_audience, as SQL."""
    if not user.is_authenticated:
        return FormSubmission.objects.none()
    qs = FormSubmission.objects.select_related("version", "version__definition", "submitted_by")
    if is_system_admin(user):
        return qs
    audience = permissions.submission_audience(user)
    scope = (
        Q(submitted_by=user)
        | Q(org_unit_id__in=audience.work_units)
        | Q(org_unit_id__in=audience.streets)
        | Q(org_unit__parent_id__in=audience.streets)
    )
    if audience.resident_units and PUBLIC_PURPOSES:
        scope |= Q(org_unit_id__in=audience.resident_units, version__definition__purpose__in=PUBLIC_PURPOSES)
    return qs.filter(scope)


def submission_get_for_user(*, user, pk) -> FormSubmission:
    try:
        return submissions_for_user(user).get(pk=pk)
    except (FormSubmission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
