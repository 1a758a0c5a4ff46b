"""Notification kinds: a registry of translatable title/body templates and their parameters.

Rows store the kind code and its parameters; text is rendered in the reader's language when it is
shown (inbox, REST, websocket replay) and pre-rendered once per configured language for a push.
Parameters are data (request titles, names), never translated; a few derived parameters (the
step's role, the process kind) are turned into translated labels at render time.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from workflows.approvals import registry

# Parameters every approval-driven kind accepts; extra keys are rejected on write.
APPROVAL_PARAMS = frozenset({"title", "process_kind", "process_id", "actor", "step", "comment", "community"})


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    title: Promise
    body: Promise
    params: frozenset = field(default_factory=lambda: APPROVAL_PARAMS)
    required: frozenset = frozenset({"title"})
    # Kinds this one makes redundant when one action raises both about the same process for the
    # same person: the route's decision says all that its last step's notice would.
    supersedes: frozenset = frozenset()


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _registry[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return _registry[code]
    except KeyError:
        raise ValidationError({"kind": _("Unknown notification kind.")}, code="unknown_kind") from None


def all_kinds() -> list[Kind]:
    return list(_registry.values())


def validate_params(kind: Kind, params: Mapping) -> dict:
    """JSON columns sit behind a schema: unknown or missing keys, or non-scalar values, fail loudly."""
    unknown = set(params) - kind.params
    missing = kind.required - set(params)
    if unknown or missing:
        raise ValidationError(
            {"params": _("Parameters do not match the kind (unknown: %(unknown)s; missing: %(missing)s).")
             % {"unknown": ", ".join(sorted(unknown)) or "-", "missing": ", ".join(sorted(missing)) or "-"}},
            code="bad_params",
        )
    clean = {}
    for key, value in params.items():
        if value is None:
            continue
        if not isinstance(value, str | int):
            raise ValidationError({"params": _("Parameter values must be text or whole numbers.")}, code="bad_params")
        clean[key] = value
    return clean


# Catalogues do not change while the process runs: each template and label is translated once
# per language, not once per notification (switching the active language costs more than
# formatting the text).
_translations: dict[tuple, tuple[object, str]] = {}
_step_labels: dict[tuple[str, str, str], str] = {}
_FALLBACK_TITLE = _("Notification")
_COMMENT = _("Comment: %(comment)s")


def _in(language: str, text) -> str:
    key = (id(text), language)
    found = _translations.get(key)
    if found is None or found[0] is not text:  # the entry keeps `text` alive, so its id is its own
        with translation.override(language):
            found = _translations[key] = (text, str(text))
    return found[1]


def _step_label(declared, step: str, language: str) -> str:
    key = (declared.kind, step, language)
    label = _step_labels.get(key)
    if label is None:
        with translation.override(language):
            label = _step_labels[key] = str(declared.step_label(step))
    return label


def _display_params(kind: Kind, params: Mapping, language: str) -> dict:
    values = {key: "" for key in APPROVAL_PARAMS | kind.params}
    values.update({key: str(value) for key, value in params.items()})
    # Process and step labels come from the process's own declaration (one label table).
    process = params.get("process_kind")
    try:
        declared = registry.get(process) if process else None
    except KeyError:
        declared = None
    if declared is not None:
        values["process_kind"] = _in(language, declared.label)
        if params.get("step"):
            values["step"] = _step_label(declared, str(params["step"]), language)
    elif process:
        values["process_kind"] = str(process)
    return values


def render(code: str, params: Mapping, language: str | None = None) -> tuple[str, str]:
    """(title, body) for a row, in `language` or the active one."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    kind = _registry.get(code)
    if kind is None:
        # A kind removed after rows were written: show something rather than fail the inbox.
        return _in(language, _FALLBACK_TITLE), str(params.get("title", ""))
    values = _display_params(kind, params, language)
    title = _in(language, kind.title) % values
    body = _in(language, kind.body) % values
    if params.get("comment"):
        body = f"{body} {_in(language, _COMMENT) % values}"
    return title, body


def render_all_languages(code: str, params: Mapping) -> dict[str, dict[str, str]]:
    """{"zh-hans": {"title", "body"}, "en": {...}}: rendered once per push, picked per socket."""
    result = {}
    for language, _name in settings.LANGUAGES:
        title, body = render(code, params, language)
        result[language] = {"title": title, "body": body}
    return result


# --- the kinds ---------------------------------------------------------------------------------
TASK_QUEUED = register(Kind(
    "task.queued", _("New task in a queue"),
    _("New task: %(title)s"),
    _("This %(process_kind)s is waiting for %(step)s."),
))
TASK_ASSIGNED = register(Kind(
    "task.assigned", _("Task assigned to me"),
    _("Assigned to you: %(title)s"),
    _("This %(process_kind)s now waits for your decision."),
))
TASK_TRANSFERRED = register(Kind(
    "task.transferred", _("Task transferred to me"),
    _("Transferred to you: %(title)s"),
    _("%(actor)s transferred this %(process_kind)s to you."),
))
REQUEST_APPROVED = register(Kind(
    "request.approved", _("Request approved"),
    _("Approved: %(title)s"),
    _("Your %(process_kind)s was approved."),
    supersedes=frozenset({"request.step_approved"}),
))
REQUEST_REJECTED = register(Kind(
    "request.rejected", _("Request rejected"),
    _("Rejected: %(title)s"),
    _("%(actor)s rejected this %(process_kind)s."),
))
REQUEST_RETURNED = register(Kind(
    "request.returned", _("Request returned for revision"),
    _("Returned for revision: %(title)s"),
    _("%(actor)s returned this %(process_kind)s for revision."),
))
STEP_APPROVED = register(Kind(
    "request.step_approved", _("Approval step passed"),
    _("Step approved: %(title)s"),
    _("%(actor)s approved the %(step)s step."),
))
REQUEST_WITHDRAWN = register(Kind(
    "request.withdrawn", _("Request withdrawn"),
    _("Withdrawn: %(title)s"),
    _("%(actor)s withdrew this %(process_kind)s."),
))
REQUEST_RESUBMITTED = register(Kind(
    "request.resubmitted", _("Request resubmitted"),
    _("Resubmitted: %(title)s"),
    _("%(actor)s resubmitted this %(process_kind)s after revision."),
))
REQUEST_URGED = register(Kind(
    "request.urged", _("Reminder from the submitter"),
    _("Please handle: %(title)s"),
    _("%(actor)s is waiting for your decision on this %(process_kind)s."),
))
REACHED_STREET = register(Kind(
    "supervision.reached_street", _("Request reached the street"),
    _("At street level: %(title)s"),
    _("This %(process_kind)s from %(community)s reached street review."),
))
REQUEST_PAID = register(Kind(
    "request.paid", _("Request paid"),
    _("Paid: %(title)s"),
    _("The approved %(process_kind)s was paid."),
))
REQUEST_COMMENTED = register(Kind(
    "request.commented", _("New comment"),
    _("New comment: %(title)s"),
    _("%(actor)s commented on this %(process_kind)s."),
))
TASK_ESCALATED = register(Kind(
    "task.escalated", _("Task escalated after its deadline"),
    _("Escalated: %(title)s"),
    _("The deadline of the %(step)s step passed; this %(process_kind)s went on to the next level."),
))
TASK_DUE_SOON = register(Kind(
    "task.due_soon", _("Task due soon"),
    _("Due soon: %(title)s"),
    _("The %(step)s step of this %(process_kind)s is due soon."),
))
JOB_DONE = register(Kind(
    "job.done", _("Spreadsheet job finished"),
    _("Ready: %(title)s"),
    _("Your spreadsheet job has finished; download the result from the spreadsheets page."),
    params=frozenset({"title", "job"}),
))
JOB_FAILED = register(Kind(
    "job.failed", _("Spreadsheet job failed"),
    _("Failed: %(title)s"),
    _("%(error)s"),
    params=frozenset({"title", "job", "error"}),
))
# Supervision of the books: an income reversal (红冲) is never refused, since a wrong entry must be
# correctable, but the street sees every one, and is told when the income left no longer covers
# what the community has paid out (no netted figure: the two lines stay apart on every page).
LEDGER_PARAMS = frozenset({"title", "actor", "community", "amount", "reason"})
INCOME_REVERSED = register(Kind(
    "ledger.income_reversed", _("Income reversed"),
    _("Income reversed: %(title)s"),
    _("%(actor)s reversed ¥%(amount)s of income in %(community)s. Reason: %(reason)s"),
    params=LEDGER_PARAMS,
))
BOOKS_SHORT = register(Kind(
    "ledger.books_short", _("Income no longer covers payments"),
    _("Check the books: %(title)s"),
    _("%(actor)s reversed ¥%(amount)s of income in %(community)s; its income no longer covers the expenses "
      "it has paid. Reason: %(reason)s"),
    params=LEDGER_PARAMS,
))
SYSTEM_MESSAGE = register(Kind(
    "system.message", _("Message from the administrator"),
    _("Notice: %(title)s"),
    _("%(body)s"),
    params=frozenset({"title", "body"}),
))
