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
