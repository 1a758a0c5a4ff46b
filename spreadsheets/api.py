"""Spreadsheet API: exports, import templates, imports, and the jobs that run the long ones."""

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from project.http import file_response, mark_user_file
from project.lib.xlsx import BadWorkbook
from spreadsheets import registry, selectors, services
from spreadsheets.models import Job
from spreadsheets.states import JobState

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AnyAccept(BaseContentNegotiation):
    """Downloads answer whatever the client accepts (a browser asks for the workbook type)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def workbook_response(request, export: services.ExportFile) -> FileResponse:
    # Workbooks carry users' text (and an error report is a user's own file marked up): the same
    # headers as any user file.
    return mark_user_file(
        file_response(request, export.handle, as_attachment=True, filename=export.filename, content_type=XLSX_TYPE)
    )


def job_url(job: Job) -> str:
    return reverse("spreadsheet-job", kwargs={"pk": job.pk})


def download_url(job: Job) -> str:
    return reverse("spreadsheet-job-download", kwargs={"pk": job.pk})


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    operation = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField(help_text="what the job is, in the reader's language")
    state = serializers.CharField()
    state_label = serializers.CharField()
    progress = serializers.IntegerField()
    download = serializers.CharField(allow_null=True)
    error_workbook = serializers.CharField(allow_null=True)
    error = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField())
    created = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def job_data(job: Job) -> dict:
    has_file = bool(job.result)
    return JobSerializer(
        {
            "id": job.pk,
            "operation": job.operation,
            "kind": job.kind,
            "label": f"{job.get_operation_display()} · {registry.kind_title(job.operation, job.kind)} · #{job.pk}",
            "state": job.state,
            "state_label": str(JobState(job.state).label) if job.state in JobState.values else job.state,
            "progress": job.progress,
            "download": download_url(job) if has_file and job.state == JobState.DONE else None,
            "error_workbook": download_url(job) if has_file and job.state == JobState.FAILED else None,
            "error": job.error,
            "errors": job.row_errors,
            "created": job.created_count,
            "created_at": job.created_at,
            "finished_at": job.finished_at,
        }
    ).data


_JOB_ACCEPTED = inline_serializer("JobAccepted", {"job": serializers.IntegerField(), "status_url": serializers.CharField()})


def job_accepted(job: Job) -> Response:
    return Response({"job": job.pk, "status_url": job_url(job)}, status=status.HTTP_202_ACCEPTED)


class ExportView(APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(responses={(200, XLSX_TYPE): OpenApiTypes.BINARY, 202: _JOB_ACCEPTED})
    def get(self, request, kind):
        outcome = services.export_start(actor=request.user, kind=kind, query=request.query_params)
        if isinstance(outcome, Job):
            return job_accepted(outcome)
        return workbook_response(request, outcome)


class TemplateView(APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(responses={(200, XLSX_TYPE): OpenApiTypes.BINARY})
    def get(self, request, kind):
        return workbook_response(request, services.template_build(actor=request.user, kind=kind, query=request.query_params))


class ImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer("ImportUpload", {"file": serializers.FileField()}),
        responses={
            200: inline_serializer("ImportCreated", {"created": serializers.IntegerField()}),
            202: _JOB_ACCEPTED,
            400: inline_serializer(
                "ImportErrors",
                {
                    "detail": serializers.CharField(required=False),
                    "errors": serializers.ListField(child=serializers.DictField(), required=False),
                    "error_workbook": serializers.CharField(required=False),
                },
            ),
        },
    )
    def post(self, request, kind):
        try:
            outcome = services.import_start(
                actor=request.user, kind=kind, upload=request.FILES.get("file"), query=request.query_params
            )
        except BadWorkbook as exc:
            return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        if outcome.queued:
            return job_accepted(outcome.job)
        if outcome.errors:
            return Response(
                {
                    "detail": outcome.job.error,
                    "errors": outcome.errors,
                    "error_workbook": download_url(outcome.job),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"created": outcome.created})


class JobView(APIView):
    @extend_schema(responses=JobSerializer)
    def get(self, request, pk):
        return Response(job_data(selectors.job_get_for_user(user=request.user, pk=pk)))


class JobDownloadView(APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(responses={(200, XLSX_TYPE): OpenApiTypes.BINARY})
    def get(self, request, pk):
        job = selectors.job_get_for_user(user=request.user, pk=pk)
        if not job.result:
            return Response({"detail": _("This job has no file (yet).")}, status=status.HTTP_409_CONFLICT)
        return mark_user_file(file_response(
            request,
            job.result.open("rb"), as_attachment=True, filename=services.job_file_name(job), content_type=XLSX_TYPE
        ))
