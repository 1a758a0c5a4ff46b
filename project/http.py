"""File downloads that stream under ASGI instead of being read whole into memory.

Django's ASGI handler cannot iterate a FileResponse's synchronous file: it warns and reads every
chunk into one list before sending the first byte, so each download of an export or a scan costs
its whole size in memory. Under ASGI the same response is given an asynchronous iterator that reads
the file in chunks off the event loop. WSGI and the test client keep Django's own path.
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse

CHUNK_SIZE = 64 * 1024


async def _chunks(handle):
    # thread_sensitive=False: file reads must not queue behind database work in the shared thread.
    read = sync_to_async(handle.read, thread_sensitive=False)
    while chunk := await read(CHUNK_SIZE):
        yield chunk


def file_response(request, handle, **kwargs) -> FileResponse:
    """FileResponse(handle, **kwargs), streamed in chunks when `request` came through ASGI.

    Headers (length, type, disposition) come from the file as usual; the file is closed by the
    response when it has been sent, on both paths.
    """
    response = FileResponse(handle, **kwargs)
    if isinstance(getattr(request, "_request", request), ASGIRequest):  # a DRF Request wraps Django's
        response.streaming_content = _chunks(handle)
    return response


def user_file_response(request, handle, *, filename: str = "") -> FileResponse:
    """A stored user file, served so that it can never run as part of the site.

    The type comes from the content (project.uploads), not the stored name, so even a file stored
    before the upload policy existed is harmless: what is not a known kind goes out as
    application/octet-stream. Only images and PDF are shown inline; the sandbox CSP keeps any
    script in a shown file from reaching the site's origin, and nosniff stops the browser from
    guessing a more dangerous type.
    """
    from project import uploads

    kind = uploads.detect(handle)
    if kind is None:
        content_type, inline, extension = "application/octet-stream", False, "bin"
    else:
        content_type, inline, extension = kind.mime, kind.inline, kind.extension
    stem = (filename.rsplit(".", 1)[0] if filename else "") or "file"
    response = file_response(
        request, handle, as_attachment=not inline, filename=f"{stem}.{extension}", content_type=content_type
    )
    mark_user_file(response)
    return response


def mark_user_file(response):
    response["X-Content-Type-Options"] = "nosniff"
    # Set before the CSP middleware runs, which leaves a response's own policy alone.
    response["Content-Security-Policy"] = "sandbox"
    return response
