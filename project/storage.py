"""Files written during a write service are kept only if the service succeeds.

Storage is not transactional: an attachment or a voucher scan saved while a service runs stays on
disk when the service then fails (a validation error on another field, a refused balance, a
database error) and its rows roll back. A service that may store files runs inside
`files_kept_on_success()`; every file saved through `save_file` or reported with `track_saved`
inside it is deleted again when the block raises. Nested blocks hand their files to the
outer one, so the outermost service decides.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging

from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

_saved: contextvars.ContextVar[list[tuple[object, str]] | None] = contextvars.ContextVar("saved_files", default=None)


def track_saved(name: str, storage=None) -> None:
    """Report a file the caller has just written (e.g. by saving a model's FileField)."""
    bucket = _saved.get()
    if bucket is not None and name:
        bucket.append((storage or default_storage, name))


def save_file(name: str, content, storage=None) -> str:
    """`storage.save()` that the surrounding `files_kept_on_success()` will undo on failure."""
    storage = storage or default_storage
    path = storage.save(name, content)
    track_saved(path, storage)
    return path


@contextlib.contextmanager
def files_kept_on_success():
    bucket: list[tuple[object, str]] = []
    outer = _saved.get()
    token = _saved.set(bucket)
    try:
        yield
    except BaseException:
        for storage, name in bucket:
            try:
                storage.delete(name)
            except Exception:  # the failure being raised matters more than a leftover file
                logger.warning("could not remove %s after a failed write", name, exc_info=True)
        raise
    else:
        if outer is not None:
            outer.extend(bucket)
    finally:
        _saved.reset(token)


def keeps_files_only_on_success(func):
    """Decorator form of `files_kept_on_success()` for write services."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with files_kept_on_success():
            return func(*args, **kwargs)

    return wrapper
