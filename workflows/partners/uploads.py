"""The kinds of file the partner area accepts, told by their content, not by their name.

A stand-in for the product's one upload policy: `check_upload` is the only function the area
calls, so it can be swapped for the shared policy without touching the services.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# Leading bytes of the formats a signed scan or an objection's evidence may be in.
_SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def check_upload(upload, *, field: str) -> str:
    """The content type of `upload` (PDF, PNG or JPEG), else a ValidationError on `field`."""
    if upload.size > MAX_BYTES:
        raise ValidationError({field: _("The file is larger than 10 MB.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    raise ValidationError({field: _("Upload a PDF, PNG or JPEG file.")})
