"""The one upload policy: every file a user sends is checked here before it is stored.

A file's kind is decided by its content (magic bytes, then the structure inside a zip for
office files), never by its name or the content type the client sends: a `.pdf` that is really
HTML is refused, and so is any SVG or HTML (both can carry script that would run on the site's
own origin). Each kind has a size cap (a setting); a zip-based kind is also checked for a bomb
(declared uncompressed sizes and compression ratio) before anything decompresses it. An accepted
file is renamed to a generated name: the client's name is never a path on disk.

Downloads of stored files go through `project.http.user_file_response`, which derives the type
from the stored content again, so a file stored before this policy is still served harmlessly.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HEAD_BYTES = 8192
# Below this a member's ratio does not matter: tiny XML parts compress extremely well.
RATIO_FLOOR_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    name: str
    mime: str
    extension: str
    inline: bool  # images and PDF are shown in the browser; everything else is downloaded
    size_setting: str
    zip_marker: str = ""  # the part an office file of this kind must contain

    @property
    def max_bytes(self) -> int:
        return getattr(settings, self.size_setting)


KINDS: dict[str, FileKind] = {
    k.name: k
    for k in (
        FileKind("pdf", "application/pdf", "pdf", True, "UPLOAD_MAX_PDF_BYTES"),
        FileKind("jpeg", "image/jpeg", "jpg", True, "UPLOAD_MAX_IMAGE_BYTES"),
        FileKind("png", "image/png", "png", True, "UPLOAD_MAX_IMAGE_BYTES"),
        FileKind("webp", "image/webp", "webp", True, "UPLOAD_MAX_IMAGE_BYTES"),
        FileKind(
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", False,
            "UPLOAD_MAX_OFFICE_BYTES", "xl/workbook.xml",
        ),
        FileKind(
            "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", False,
            "UPLOAD_MAX_OFFICE_BYTES", "word/document.xml",
        ),
    )
}
# What each place in the project accepts.
SCAN_KINDS = ("pdf", "jpeg", "png", "webp")
ATTACHMENT_KINDS = tuple(KINDS)
IMPORT_KINDS = ("xlsx",)
# File-name extensions a designer may list on an attachment field, and the kind each means.
EXTENSION_KINDS = {"pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp", "xlsx": "xlsx", "docx": "docx"}

_FILETYPE_KINDS = {"pdf": "pdf", "jpg": "jpeg", "png": "png", "webp": "webp", "xlsx": "xlsx", "docx": "docx", "zip": "zip"}


class UploadRefused(ValidationError):
    pass


def _human(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} kB"


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from its directory alone, before any member is decompressed.

    Python's zipfile stops at a member's declared size (and fails its CRC past it), so the
    declared sizes bound what parsing can cost.
    """
    total = 0
    limit = settings.UPLOAD_MAX_UNCOMPRESSED_BYTES
    ratio = settings.UPLOAD_MAX_COMPRESSION_RATIO
    for info in archive.infolist():
        total += info.file_size
        if total > limit:
            raise UploadRefused(
                _("The file unpacks to more than %(limit)s; it is refused.") % {"limit": _human(limit)}, code="zip_size"
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise UploadRefused(
                _("A part of the file is compressed more than %(ratio)s to 1 (a zip bomb?); it is refused.")
                % {"ratio": ratio},
                code="zip_ratio",
            )


def _zip_kind(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            check_archive(archive)
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return None
    finally:
        upload.seek(0)
    for kind in KINDS.values():
        if kind.zip_marker and kind.zip_marker in names:
            return kind.name
    return None


def detect(upload) -> FileKind | None:
    """The kind of an open file (an upload or a stored file) by its content, or None."""
    head = _read_head(upload)
    guessed = filetype.guess(head) if head else None
    name = _FILETYPE_KINDS.get(guessed.extension) if guessed else None
    if name in ("xlsx", "docx", "zip"):
        name = _zip_kind(upload)
    return KINDS.get(name) if name else None


def _allowed_text(kinds: Iterable[str]) -> str:
    return ", ".join(sorted({KINDS[k].extension for k in kinds}))


def refuse_oversized(size: int | None, max_bytes: int) -> None:
    """The declared size alone decides, before the body is read further."""
    if size is not None and size > max_bytes:
        raise UploadRefused(_("The file is larger than %(limit)s.") % {"limit": _human(max_bytes)}, code="file_size")


def accept_upload(upload, *, kinds: Iterable[str], max_bytes: int | None = None) -> FileKind:
    """Check an uploaded file against the policy; rename it to a generated name; return its kind.

    Raises UploadRefused (a ValidationError) with a message the uploader can act on.
    """
    kinds = tuple(kinds)
    overall = max(KINDS[k].max_bytes for k in kinds)
    if max_bytes is not None:
        overall = min(overall, max_bytes)
    refuse_oversized(getattr(upload, "size", None), overall)
    kind = detect(upload)
    if kind is None or kind.name not in kinds:
        raise UploadRefused(
            _("This kind of file is not accepted; allowed: %(allowed)s.") % {"allowed": _allowed_text(kinds)},
            code="file_type",
        )
    cap = kind.max_bytes if max_bytes is None else min(kind.max_bytes, max_bytes)
    refuse_oversized(upload.size, cap)
    if not hasattr(upload, "client_name"):
        upload.client_name = getattr(upload, "name", "") or ""
    upload.name = stored_name(kind)
    upload.content_type = kind.mime
    upload.upload_kind = kind
    return kind


def stored_name(kind: FileKind) -> str:
    return f"{uuid.uuid4().hex}.{kind.extension}"


def kind_of_bytes(data: bytes) -> FileKind | None:
    return detect(io.BytesIO(data))


def field_error(upload, *, kinds: Iterable[str] = SCAN_KINDS) -> list[str] | None:
    """The policy's messages for a form field, or None when `upload` is accepted (and renamed).
    For services that collect every field's errors before refusing the whole request."""
    try:
        accept_upload(upload, kinds=kinds)
    except UploadRefused as exc:
        return [str(m) for m in exc.messages]
    return None
