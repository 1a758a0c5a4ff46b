"""Pages: fill a published form, read a submission, and the designer for admins. Thin: parse,
call a selector or service, render."""

import json

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from forms import builder, links, permissions, selectors, services
from forms.kinds import REGISTRY
from forms.models import Purpose, VersionImmutable
from project.params import parse_id
from workflows.org.models import OrgUnit, Street
from workflows.org.selectors import memberships_of


def _designer_only(user) -> None:
    if not permissions.can_design_forms(user):
        raise Http404


@login_required
def index(request):
    return render(
        request,
        "lowcode/index.html",
        {
            "definitions": selectors.fillable_definitions_for(request.user),
            "submissions": selectors.submissions_for_user(request.user).filter(submitted_by=request.user)[:20],
        },
    )


def _home_unit(user, version):
    """The org unit a submission is filed for: the filler's first community, else the form's street."""
    for m in memberships_of(user):
        if m.org_unit.kind == OrgUnit.Kind.COMMUNITY:
            return m.org_unit
    return version.definition.owner


@login_required
def fill(request, code):
    version = selectors.published_form_get_for_user(user=request.user, code=code)
    form_class = builder.form_class_for(version)
    if request.method == "POST":
        try:
            submission = services.submission_create(
                actor=request.user, version=version, data=request.POST, files=request.FILES,
                org_unit=_home_unit(request.user, version),
            )
        except ValidationError:
            form = form_class(data=request.POST, files=request.FILES, user=request.user)
            form.is_valid()
            messages.error(request, _("Please correct the marked fields."))
        except (PermissionDenied, VersionImmutable):
            raise Http404 from None
        else:
            messages.success(request, _("Submitted."))
            return redirect("lowcode:submission", pk=submission.pk)
    else:
        form = form_class(user=request.user)
    return render(
        request,
        "lowcode/fill.html",
        {"version": version, "form": form, "logic": builder.client_logic(builder.schema_of(version))},
    )


@login_required
def submission_detail(request, pk):
    submission = selectors.submission_get_for_user(user=request.user, pk=pk)
    schema = builder.schema_of(submission.version)
    return render(
        request,
        "lowcode/submission.html",
        {"submission": submission, "sections": builder.display(schema, submission.data, get_language() or "zh-hans")},
    )


class DefinitionCreateForm(djforms.Form):
    code = djforms.SlugField(label=gettext_lazy("Code"), max_length=64)
    name = djforms.CharField(label=gettext_lazy("Name"), max_length=100)
    purpose = djforms.ChoiceField(label=gettext_lazy("Purpose"), choices=Purpose.choices)
    owner = djforms.ModelChoiceField(
        label=gettext_lazy("Street"), queryset=Street.objects.all(), required=False,
        empty_label=gettext_lazy("Every street"),
    )


@login_required
def designer_index(request):
    _designer_only(request.user)
    form = DefinitionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            definition = services.definition_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("lowcode:designer", pk=definition.versions.get().pk)
    definitions = list(selectors.definitions_for_designer(request.user))
    for definition in definitions:
        definition.audience_text = audience_text(definition)
    return render(request, "lowcode/designer_index.html", {"definitions": definitions, "form": form})


def audience_text(definition) -> str:
    """Who may fill a form, in words (the designer's list and the form's page)."""
    from workflows.org.roles import Role

    if definition.audience:
        labels = dict(Role.choices)
        return "、".join(str(labels.get(code, code)) for code in definition.audience)
    if permissions.audience_of(definition) is not None:
        return _("People who work on the books (default)")
    return _("Everyone who sees the form (default)")


def _audience_context(definition) -> dict:
    from workflows.org.roles import Role

    chosen = set(definition.audience)
    return {
        "audience_text": audience_text(definition),
        "audience_roles": [{"code": code, "label": label, "checked": code in chosen} for code, label in Role.choices],
    }


@login_required
def designer_audience(request, code):
    """Set who may fill a form: a plain form on the designer page (works without JavaScript)."""
    definition = selectors.definition_get_for_designer(user=request.user, code=code)
    back = parse_id(request.POST.get("version"))
    version = definition.versions.filter(pk=back).first() if back else None
    version = version or definition.versions.order_by("-number").first()
    if request.method != "POST":
        return redirect("lowcode:designer", pk=version.pk)
    try:
        services.definition_audience_set(actor=request.user, definition=definition,
                                         audience=request.POST.getlist("audience"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Audience saved."))
    return redirect("lowcode:designer", pk=version.pk)


@login_required
def designer(request, pk):
    version = selectors.version_get_for_designer(user=request.user, pk=pk)
    kinds = [
        {"name": k.name, "label": str(k.label), "allowed": sorted(k.validators | k.options), "input": k.is_input}
        for k in REGISTRY.values()
    ]
    config = {
        "version": {"id": version.pk, "number": version.number, "state": version.state, "schema": version.schema},
        "definition": {"code": version.definition.code, "name": version.definition.name},
        "versions": [{"id": v.pk, "number": v.number, "state": v.state} for v in version.definition.versions.order_by("-number")],
        "kinds": kinds,
        "links": links.codes(),
        "text": {
            "saved": _("Saved."),
            "saving": _("Saving…"),
            "not_saved": _("Not saved: see the messages."),
            "new_field": _("New field"),
            "delete": _("Delete"),
            "section_title": _("Section title (optional)"),
            "confirm_publish": _("Publish this version? A published version can never change."),
            "confirm_retire": _("Retire this version? The form can no longer be filled."),
        },
    }
    return render(request, "lowcode/designer.html",
                  {"version": version, "config": config, **_audience_context(version.definition)})


@login_required
def compare(request):
    result = selectors.versions_compare(user=request.user, old_pk=request.GET.get("old"), new_pk=request.GET.get("new"))
    definition = selectors.version_get_for_designer(user=request.user, pk=result["new"]["id"]).definition
    return render(request, "lowcode/compare.html", {"result": result, "definition": definition, "json": json.dumps(result)})
