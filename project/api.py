"""Shared API plumbing: one error shape, never a 500 for bad input."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from project.params import MAX_ID


class IdField(serializers.IntegerField):
    """An id in a request body: a positive whole number the database can hold, else a 400.

    A bare IntegerField lets 10**20 through to the query, where SQLite cannot bind it (a 500).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object changed or the action is no longer possible."
    default_code = "conflict"


def exception_handler(exc, context):
    # Services raise Django's ValidationError (they know nothing of DRF); map it to a 400 with
    # field messages the same way a serializer error looks.
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            detail = {"detail": [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        # Not yours is indistinguishable from missing: 404, no data.
        exc = exceptions.NotFound()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc) or "Too many fields.")
    elif isinstance(exc, RequestDataTooBig):
        # Django found the body too big while DRF read it: the API's 413 in JSON, not an HTML page.
        from project.limits import body_cap, too_large_response

        request = context.get("request")
        return too_large_response("/api/", body_cap(request.META.get("CONTENT_TYPE", "") if request else ""))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ParseError):
        response.data = {"detail": str(exc.detail)}
    return response


def error_response(message: str, code: int = 400) -> Response:
    return Response({"detail": message}, status=code)
