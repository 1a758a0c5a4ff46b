"""The spreadsheets page: downloads, templates, uploads with inline errors, job progress."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from project.lib.xlsx import BadWorkbook
from spreadsheets import registry, selectors, services
from spreadsheets.api import download_url, job_data, workbook_response
from spreadsheets.models import Job


def _page(request, *, status=200, **context):
    jobs = list(selectors.jobs_for_user(user=request.user))
    return render(
        request,
        "spreadsheets/index.html",
        {
            "exporters": [{"exporter": e, "choices": e.choices(user=request.user)}
                          for e in registry.exporters_for(request.user)],
            "importers": registry.importers_for(request.user),
            "jobs": [job_data(job) for job in jobs],
            "socket_url": "/ws/notifications/",
            **context,
        },
        status=status,
    )


@login_required
def index(request):
    return _page(request)


@login_required
def export(request, kind):
    try:
        outcome = services.export_start(actor=request.user, kind=kind, query=request.GET)
    except ValidationError as exc:
        return _page(request, status=400, export_error=" ".join(exc.messages))
    if isinstance(outcome, Job):
        return redirect(f"{reverse('spreadsheets-index')}?job={outcome.pk}")
    return workbook_response(request, outcome)


@login_required
@require_POST
def upload(request, kind):
    try:
        importer = registry.importer_for(kind, request.user)
    except Http404:
        raise
    context = {"import_kind": kind, "import_title": importer.title}
    try:
        outcome = services.import_start(
            actor=request.user, kind=kind, upload=request.FILES.get("file"), query=request.GET
        )
    except BadWorkbook as exc:
        return _page(request, status=400, import_error=exc.message, **context)
    except ValidationError as exc:
        return _page(request, status=400, import_error=" ".join(exc.messages), **context)
    if outcome.queued:
        return redirect(f"{reverse('spreadsheets-index')}?job={outcome.job.pk}")
    if outcome.errors:
        return _page(
            request,
            status=400,
            import_error=outcome.job.error,
            row_errors=outcome.errors,
            error_workbook=download_url(outcome.job),
            **context,
        )
    return _page(request, import_created=outcome.created, **context)
