"""Words for the figures' codes, in the reader's language (pages, workbooks, API labels)."""

from django.utils.translation import gettext as _

from workflows.inquiries import selectors as inquiry_selectors


def disclosure_label(status: str) -> str:
    return {
        "on_time": _("published on time"),
        "late": _("published late"),
        "missing": _("missing past its due day"),
        "not_due": _("not due yet"),
        "nothing_to_publish": _("no lines that month"),
    }.get(status, status)


def timely_label(code: str) -> str:
    return {inquiry_selectors.ON_TIME: _("on time"), inquiry_selectors.LATE: _("late"),
            inquiry_selectors.PENDING: _("not yet due")}.get(code, code)


def rate_text(rate) -> str:
    """0.6667 → "66.7%"; None → "—" (nothing measured yet)."""
    return "—" if rate is None else f"{float(rate) * 100:.1f}%"
