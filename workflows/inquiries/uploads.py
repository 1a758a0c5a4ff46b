"""The inquiry's attachment: an image or a PDF, checked by its first bytes, not its name.

Kept to the one rule the issue sets (images/PDF only) until the project's shared upload policy
replaces it; the check reads the content, so a renamed executable is refused.
"""

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# (signature, extensions that may carry it)
_SIGNATURES = (
    (b"%PDF-", ("pdf",)),
    (b"\x89PNG\r\n\x1a\n", ("png",)),
    (b"\xff\xd8\xff", ("jpg", "jpeg")),
)


def attachment_error(upload) -> str | None:
    """None when the upload may be stored, else the message for the `attachment` field."""
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if upload.size > MAX_BYTES:
        return _("The attachment may be at most 10 MB.")
    head = upload.read(16)
    upload.seek(0)
    for signature, extensions in _SIGNATURES:
        if head.startswith(signature) and ext in extensions:
            return None
    return _("Attach a photo (JPEG or PNG) or a PDF.")
