"""Forms API. Fill endpoints for everyone who may fill; designer endpoints for admins (404 else)."""

from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from forms import builder, permissions, selectors, services
from forms.models import Purpose, VersionImmutable
from project.api import Conflict, IdField
from workflows.org.models import Street


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    state = serializers.CharField()
    schema = serializers.JSONField()
    published_at = serializers.DateTimeField(allow_null=True)


class DefinitionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    purpose = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    audience = serializers.ListField(child=serializers.CharField(), help_text="Role codes that may fill; [] = the purpose's default")


class DefinitionWithVersionsSerializer(DefinitionSerializer):
    versions = serializers.SerializerMethodField()

    def get_versions(self, obj) -> list[dict]:
        return [
            {"id": v.pk, "number": v.number, "state": v.state, "published_at": v.published_at}
            # Sorted here: order_by() would bypass the list's prefetch and query once per definition.
            for v in sorted(obj.versions.all(), key=lambda v: v.number, reverse=True)
        ]


class DefinitionCreateSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=100)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    owner = IdField(required=False, allow_null=True)
    schema = serializers.JSONField(required=False)
    audience = serializers.JSONField(required=False, help_text="Role codes that may fill; omitted or [] = the default")


class AudienceSerializer(serializers.Serializer):
    audience = serializers.JSONField(help_text="Role codes that may fill the form; [] = the default for its purpose")


class SchemaWriteSerializer(serializers.Serializer):
    schema = serializers.JSONField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _version_payload(version) -> dict:
    data = VersionSerializer(version).data
    data["definition"] = DefinitionSerializer(version.definition).data
    data["logic"] = builder.client_logic(builder.schema_of(version))
    return data


class FormListView(APIView):
    @extend_schema(responses=DefinitionSerializer(many=True), summary="Published forms the user may fill")
    def get(self, request):
        return Response(DefinitionSerializer(selectors.fillable_definitions_for(request.user), many=True).data)


class FormDetailView(APIView):
    @extend_schema(responses=VersionSerializer, summary="The current published schema of a form")
    def get(self, request, code):
        return Response(_version_payload(selectors.published_form_get_for_user(user=request.user, code=code)))


class FormValidateView(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT},
                   summary="Validate data against the published version: cleaned data, or 400 with per-field errors")
    def post(self, request, code):
        version = selectors.published_form_get_for_user(user=request.user, code=code)
        data = request.data
        if isinstance(data, QueryDict):
            # A multipart post (attachments) is read exactly as the fill page reads it.
            cleaned = services.submission_validate(
                version=version, data=data, user=request.user, files=request.FILES, store_files=False
            )
            return Response({"version": version.pk, "data": cleaned})
        if not isinstance(data, dict):
            raise ValidationError({"__all__": [_("Send the form data as a JSON object.")]})
        cleaned = services.submission_validate(version=version, data=dict(data), user=request.user)
        return Response({"version": version.pk, "data": cleaned})


class DesignerDefinitionsView(APIView):
    @extend_schema(responses=DefinitionWithVersionsSerializer(many=True), summary="All definitions (designers)")
    def get(self, request):
        if not permissions.can_design_forms(request.user):
            raise Http404  # like every other designer endpoint: invisible, not an empty list
        return Response(DefinitionWithVersionsSerializer(selectors.definitions_for_designer(request.user), many=True).data)

    @extend_schema(request=DefinitionCreateSerializer, responses={201: DefinitionWithVersionsSerializer})
    def post(self, request):
        if not permissions.can_design_forms(request.user):
            # Before validating: a non-designer must not learn the endpoint's fields from a 400.
            raise Http404
        payload = DefinitionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        owner = None
        if payload.validated_data.get("owner") is not None:
            owner = get_object_or_404(Street, pk=payload.validated_data["owner"])
        definition = services.definition_create(
            actor=request.user,
            code=payload.validated_data["code"],
            name=payload.validated_data["name"],
            purpose=payload.validated_data["purpose"],
            owner=owner,
            schema=payload.validated_data.get("schema"),
            audience=payload.validated_data.get("audience"),
        )
        return Response(DefinitionWithVersionsSerializer(definition).data, status=201)


class DesignerDefinitionView(APIView):
    @extend_schema(responses=DefinitionWithVersionsSerializer)
    def get(self, request, code):
        return Response(DefinitionWithVersionsSerializer(selectors.definition_get_for_designer(user=request.user, code=code)).data)

    @extend_schema(request=AudienceSerializer, responses=DefinitionWithVersionsSerializer,
                   summary="Set who may fill the form (400 unknown roles)")
    def patch(self, request, code):
        definition = selectors.definition_get_for_designer(user=request.user, code=code)
        payload = AudienceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        definition = services.definition_audience_set(
            actor=request.user, definition=definition, audience=payload.validated_data["audience"]
        )
        return Response(DefinitionWithVersionsSerializer(definition).data)


class DesignerDraftCreateView(APIView):
    @extend_schema(request=None, responses={201: VersionSerializer}, summary="Make (or return) the next draft")
    def post(self, request, code):
        definition = selectors.definition_get_for_designer(user=request.user, code=code)
        version = services.version_draft_create(actor=request.user, definition=definition)
        return Response(_version_payload(version), status=201)


class DesignerVersionView(APIView):
    @extend_schema(responses=VersionSerializer)
    def get(self, request, pk):
        return Response(_version_payload(selectors.version_get_for_designer(user=request.user, pk=pk)))

    @extend_schema(request=SchemaWriteSerializer, responses=VersionSerializer,
                   summary="Replace a draft's schema (400 bad schema, 409 not a draft)")
    def put(self, request, pk):
        version = selectors.version_get_for_designer(user=request.user, pk=pk)
        payload = SchemaWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            version = services.version_draft_update(
                actor=request.user, version=version, schema=payload.validated_data["schema"],
                note=payload.validated_data.get("note", ""),
            )
        except VersionImmutable as exc:
            raise Conflict(str(exc)) from None
        return Response(_version_payload(version))

    patch = put


class DesignerTransitionView(APIView):
    action = ""

    @extend_schema(request=None, responses=VersionSerializer)
    def post(self, request, pk):
        version = selectors.version_get_for_designer(user=request.user, pk=pk)
        service = services.version_publish if self.action == "publish" else services.version_retire
        try:
            version = service(actor=request.user, version=version)
        except VersionImmutable as exc:
            raise Conflict(str(exc)) from None
        return Response(_version_payload(version))


class DesignerCompareView(APIView):
    @extend_schema(parameters=[OpenApiParameter("old", int), OpenApiParameter("new", int)],
                   responses={200: OpenApiTypes.OBJECT}, summary="Fields added, removed and changed")
    def get(self, request):
        return Response(selectors.versions_compare(
            user=request.user, old_pk=request.query_params.get("old"), new_pk=request.query_params.get("new")
        ))


class DesignerPreviewView(APIView):
    """Validate an unsaved schema and render it as the fill page would (designer live preview)."""

    @extend_schema(request=SchemaWriteSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        from django.template.loader import render_to_string

        from forms import permissions
        from forms.schema import SchemaError, parse_schema

        if not permissions.can_design_forms(request.user):
            return Response({"detail": _("Not found.")}, status=404)
        try:
            schema = parse_schema(request.data.get("schema") if isinstance(request.data, dict) else None)
        except SchemaError as exc:
            return Response(exc.errors, status=400)
        form = builder.build_form_class(schema)(user=request.user)
        html = render_to_string("lowcode/_fields.html", {"form": form}, request=request)
        return Response({"html": html, "logic": builder.client_logic(schema)})
