"""Every write to the ledger. Each service is one transaction that inserts exactly one line,
except lines_import, which posts a file of lines built and validated by the same rules.

The line is its own history row: it records who posted it and when, and a reversal records who
reversed what and why. Nothing is ever updated, so no separate event table is needed.

Postings of one community are serialised by `books_lock`, so a balance check and the posting it
guards see the same books (the expense payment service calls it before `posted_balance`).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext as _

from project import uploads
from project.storage import keeps_files_only_on_success, track_saved
from project.text import free_text_problem
from workflows.ledger import permissions
from workflows.ledger.categories import ExpenseCategory, IncomeSource, LineKind
from workflows.ledger.models import MAX_AMOUNT, LedgerLine
from workflows.org.models import CommunityEnterprise, OrgUnit

CENT = Decimal("0.01")


class LedgerConflict(Exception):
    """The action no longer fits the books (the API answers 409 with the message)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyReversed(LedgerConflict):
    pass


class AlreadyPosted(LedgerConflict):
    pass


def books_lock(*, community) -> None:
    """Serialise balance checks and postings of one community until the transaction ends.

    Locks the community enterprise row (the holder of the books). SQLite ignores FOR UPDATE, but
    its IMMEDIATE transactions already take the database write lock at BEGIN.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("books_lock() must be called inside transaction.atomic().")
    locked = list(CommunityEnterprise.objects.select_for_update().filter(community_id=community.id).values_list("id"))
    if not locked:
        # A community without an enterprise row still gets serialised, on its own row.
        list(OrgUnit.objects.select_for_update().filter(id=community.id).values_list("id"))


# --- validation shared by the services (the API and pages show these messages per field) -------


def clean_amount(value, errors: dict, field: str = "amount") -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[field] = _("Enter an amount.")
        return None
    if isinstance(value, bool):
        errors[field] = _("Enter an amount such as 8000.00.")
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter an amount such as 8000.00.")
        return None
    if not amount.is_finite():
        errors[field] = _("Enter an amount such as 8000.00.")
    elif amount <= 0:
        errors[field] = _("The amount must be greater than zero.")
    elif amount > MAX_AMOUNT:
        errors[field] = _("The amount may not exceed 10,000,000.00.")
    elif amount != amount.quantize(CENT):
        errors[field] = _("Use at most two decimal places.")
    else:
        return amount.quantize(CENT)
    return None


def clean_date(value, errors: dict, field: str = "date") -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    elif isinstance(value, str) and value.strip():
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors[field] = _("Enter a date as YYYY-MM-DD.")
            return None
    if not isinstance(value, dt.date):
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None
    if value > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")
        return None
    return value


# TextChoices.values builds a new list on every access; an import checks one per row.
_CHOICE_VALUES = {choices: frozenset(choices.values) for choices in (IncomeSource, ExpenseCategory)}


def _clean_choice(value, choices, errors: dict, field: str, message: str) -> str:
    allowed = _CHOICE_VALUES.get(choices) or frozenset(choices.values)
    if not isinstance(value, str) or value not in allowed:
        errors[field] = message
        return ""
    return value


def _clean_text(value, errors: dict, field: str, *, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("Enter text.")
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > max_length:
        errors[field] = _("Keep this to at most %(max)d characters.") % {"max": max_length}
    elif problem := free_text_problem(value):
        errors[field] = problem
    return value


def _check_community(community, errors: dict) -> None:
    if getattr(community, "kind", None) != OrgUnit.Kind.COMMUNITY:
        errors["community"] = _("Choose a community.")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- services ---------------------------------------------------------------------------------


@keeps_files_only_on_success
@transaction.atomic
def income_record(
    *, actor, community, source: str, amount: Decimal, date, counterparty: str = "", note: str = "",
    extra=None, files=None, extra_prefix: str | None = None,
) -> LedgerLine:
    """Record income on the income line (staff or secretary of the community).

    The record is the core fields plus the street's published income.extra form, as an expense
    filing is the core fields plus expense.extra: `extra` is its JSON data, or the page's post read
    with `extra_prefix`; `files` carries its attachments. Every error, core or extra (keyed
    `extra.<field>`), is reported at once; attachments are kept only when the line is posted.
    """
    if not permissions.can_record_income(actor, community):
        raise PermissionDenied
    return _income_line(actor=actor, community=community, source=source, amount=amount, date=date,
                        counterparty=counterparty, note=note, extra=extra, files=files, extra_prefix=extra_prefix,
                        with_extra=True)


@transaction.atomic
def income_post(*, actor, community, source: str, amount: Decimal, date, counterparty: str, note: str,
                voucher_number: str = "", source_type: str, source_id: int) -> LedgerLine:
    """Post income a process received (a lease's rent) on the income line, linked to the process
    object that received it. The caller has checked its own permission; a second posting for the
    same (source_type, source_id) raises AlreadyPosted."""
    return _income_line(actor=actor, community=community, source=source, amount=amount, date=date,
                        counterparty=counterparty, note=note, voucher_number=voucher_number,
                        source_type=source_type, source_id=source_id)


def _income_line(*, actor, community, source: str, amount, date, counterparty: str = "", note: str = "",
                 is_opening_balance: bool = False, with_extra: bool = False, extra=None, files=None,
                 extra_prefix: str | None = None, voucher_number: str = "", source_type: str = "",
                 source_id: int | None = None) -> LedgerLine:
    """Validate and post one income line under the books lock (the callers check permission)."""
    line = income_line_build(actor=actor, community=community, source=source, amount=amount, date=date,
                             counterparty=counterparty, note=note, is_opening_balance=is_opening_balance,
                             with_extra=with_extra, extra=extra, files=files, extra_prefix=extra_prefix,
                             voucher_number=voucher_number, source_type=source_type, source_id=source_id)
    books_lock(community=community)
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        if source_type:
            raise AlreadyPosted(_("This payment has already been posted to the ledger.")) from None
        raise
    return line


def income_line_build(*, actor, community, source: str, amount, date, counterparty: str = "", note: str = "",
                      is_opening_balance: bool = False, with_extra: bool = False, extra=None, files=None,
                      extra_prefix: str | None = None, extra_version=..., voucher_number: str = "",
                      source_type: str = "", source_id: int | None = None) -> LedgerLine:
    """The income line these values make, validated and not saved (ValidationError per field).

    The one set of rules for an income line: income_record, income_post and
    opening_balance_record post what it builds one at a time, lines_import posts a whole file of
    them at once. `with_extra`: the line also carries the street's published income.extra form (an
    opening balance, or income a process received, has none of its own); `extra_version`, that
    form's version (None: the street publishes none) when the caller has already looked it up (an
    import, once per street). `source_type`/`source_id`: the process object that received it."""
    from forms.services import FIND, embedded_validate

    errors: dict = {}
    _check_community(community, errors)
    source = _clean_choice(source, IncomeSource, errors, "source", _("Choose a valid income source."))
    amount = clean_amount(amount, errors)
    date = clean_date(date, errors)
    counterparty = _clean_text(counterparty, errors, "counterparty", max_length=200)
    note = _clean_text(note, errors, "note", max_length=500)
    voucher_number = _clean_text(voucher_number, errors, "voucher_number", max_length=64)
    if bool(source_type) != (source_id is not None):
        errors["source_id"] = _("Give both the process kind and its id, or neither.")
    extra_form, extra_data = None, {}
    if with_extra and "community" not in errors:
        try:
            # A dry run while other fields are wrong: nothing is stored for a line that is refused.
            extra_form, extra_data = embedded_validate(
                purpose="income.extra", street=community.parent_id, actor=actor, data=extra, files=files,
                prefix=extra_prefix, store_files=not errors,
                version=FIND if extra_version is ... else extra_version,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)
    return LedgerLine(
        community=community,
        line=LineKind.INCOME,
        source=source,
        amount=amount,
        date=date,
        counterparty=counterparty,
        note=note,
        voucher_number=voucher_number,
        source_type=source_type,
        source_id=source_id,
        is_opening_balance=is_opening_balance,
        extra_form=extra_form,
        extra=extra_data,
        posted_by=actor,
    )


@transaction.atomic
def expense_post(
    *,
    actor,
    community,
    amount: Decimal,
    date,
    category: str,
    payee: str,
    purpose: str,
    voucher_number: str,
    source_type: str = "",
    source_id: int | None = None,
    scan=None,
) -> LedgerLine:
    """Post a paid expense to the expense line.

    The caller (the expense payment service) has checked permission and the balance under
    `books_lock` in the same transaction. A process object posts at most once: a second
    posting for the same (source_type, source_id) raises AlreadyPosted.
    """
    line = expense_line_build(
        actor=actor, community=community, amount=amount, date=date, category=category, payee=payee,
        purpose=purpose, voucher_number=voucher_number, source_type=source_type, source_id=source_id,
    )
    books_lock(community=community)
    if scan:
        # Checked here, where every scan is stored, whichever page or endpoint sent it.
        try:
            uploads.accept_upload(scan, kinds=uploads.SCAN_KINDS)
        except uploads.UploadRefused as exc:
            raise ValidationError({"scan": exc.messages}) from None
        line.scan = scan
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        if line.scan:  # written before the insert failed
            line.scan.storage.delete(line.scan.name)
        if line.source_type and LedgerLine.objects.filter(
            source_type=line.source_type, source_id=source_id, reverses__isnull=True
        ).exists():
            raise AlreadyPosted(_("This payment has already been posted to the ledger.")) from None
        raise
    if line.scan:
        # The caller's transaction can still fail (files_kept_on_success removes it then).
        track_saved(line.scan.name, line.scan.storage)
    return line


def expense_line_build(
    *,
    actor,
    community,
    amount,
    date,
    category: str,
    payee: str,
    purpose: str,
    voucher_number: str,
    source_type: str = "",
    source_id: int | None = None,
) -> LedgerLine:
    """The expense line these values make, validated and not saved (ValidationError per field);
    the one set of rules for expense_post and lines_import."""
    errors: dict = {}
    _check_community(community, errors)
    category = _clean_choice(category, ExpenseCategory, errors, "category", _("Choose a valid expense category."))
    amount = clean_amount(amount, errors)
    date = clean_date(date, errors)
    payee = _clean_text(payee, errors, "payee", max_length=200, required=True)
    purpose = _clean_text(purpose, errors, "purpose", max_length=500, required=True)
    voucher_number = _clean_text(voucher_number, errors, "voucher_number", max_length=64, required=True)
    source_type = _clean_text(source_type, errors, "source_type", max_length=32)
    if bool(source_type) != (source_id is not None):
        errors["source_id"] = _("Give both the process kind and its id, or neither.")
    _raise(errors)
    return LedgerLine(
        community=community,
        line=LineKind.EXPENSE,
        category=category,
        amount=amount,
        date=date,
        counterparty=payee,
        note=purpose,
        voucher_number=voucher_number,
        source_type=source_type,
        source_id=source_id,
        posted_by=actor,
    )


# Rows per INSERT: well under SQLite's 32,766 bound variables at 15 columns a line.
IMPORT_BATCH = 1000


@transaction.atomic
def lines_import(*, actor, lines: list[LedgerLine]) -> int:
    """Post many lines built by income_line_build / expense_line_build in one transaction: each
    community's books locked once (in id order, so two imports cannot deadlock), then batched
    inserts. The caller checked each line's permission with the predicate its one-line service
    uses; income and opening balances are checked again here, once per community.
    """
    communities = {line.community_id: line.community for line in lines}
    for line in lines:
        if line.posted_by_id != actor.pk or line.pk is not None or line.reverses_id is not None:
            raise ValueError("lines_import() posts new original lines of its actor only")
    for community_id in sorted(communities):
        community = communities[community_id]
        kinds = {(line.line, line.is_opening_balance) for line in lines if line.community_id == community_id}
        if (LineKind.INCOME, False) in kinds and not permissions.can_record_income(actor, community):
            raise PermissionDenied
        if (LineKind.INCOME, True) in kinds and not permissions.can_reverse_lines_in(actor, community):
            raise PermissionDenied
        books_lock(community=community)
    LedgerLine.objects.bulk_create(lines, batch_size=IMPORT_BATCH)
    return len(lines)


@transaction.atomic
def line_reverse(*, actor, line: LedgerLine, reason: str) -> LedgerLine:
    """Post the reversing line (红冲) of `line`: same line kind, negated amount, dated today."""
    if not permissions.can_reverse_line(actor, line):
        raise PermissionDenied
    errors: dict = {}
    reason = _clean_text(reason, errors, "reason", max_length=500, required=True)
    _raise(errors)
    books_lock(community=line.community)
    # Re-read under the lock: a concurrent reversal that committed first is seen here.
    original = LedgerLine.objects.select_for_update().get(pk=line.pk)
    if original.reverses_id is not None:
        raise AlreadyReversed(_("This line is itself a reversal and cannot be reversed."))
    if LedgerLine.objects.filter(reverses=original).exists():
        raise AlreadyReversed(_("This line has already been reversed."))
    reversal = LedgerLine(
        community_id=original.community_id,
        line=original.line,
        source=original.source,
        category=original.category,
        amount=-original.amount,
        date=timezone.localdate(),
        counterparty=original.counterparty,
        note=reason,
        voucher_number=original.voucher_number,
        reverses=original,
        posted_by=actor,
    )
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:
        # The unique index on `reverses` caught a reversal that raced past the check above.
        raise AlreadyReversed(_("This line has already been reversed.")) from None
    if original.line == LineKind.INCOME:
        _tell_the_street_of_reversed_income(actor=actor, original=original, reversal=reversal)
    return reversal


def _tell_the_street_of_reversed_income(*, actor, original: LedgerLine, reversal: LedgerLine) -> None:
    """Street reviewers hear of every income reversal, and the leader too when the income left no
    longer covers what was paid out. Written in the reversal's transaction, pushed after commit."""
    from django.urls import reverse

    from notifications.services import RoleQueue, notify
    from workflows.ledger.selectors import posted_balance
    from workflows.org.roles import Role

    community = original.community
    short = posted_balance(community=community) < 0  # under books_lock: the same books the check saw
    queues = [RoleQueue(Role.STREET_REVIEWER, community.parent_id)]
    if short:
        queues.append(RoleQueue(Role.STREET_LEADER, community.parent_id))
    amount = f"{original.amount:,.2f}"
    notify(
        kind="ledger.books_short" if short else "ledger.income_reversed",
        params={
            "title": f"{community.name} ¥{amount}",
            "actor": str(actor),
            "community": community.name,
            "amount": amount,
            "reason": reversal.note[:200],
        },
        url=reverse("ledger-line", args=[reversal.pk]),
        queues=queues,
    )


@transaction.atomic
def opening_balance_record(*, actor, community, amount: Decimal, date, note: str = "") -> LedgerLine:
    """Record the money a community's books held when they moved into Gongying (期初余额).

    It is an income line (source "other") flagged as the opening balance, so the two lines stay
    apart and the balance check counts it. Only the community secretary records it.
    """
    if not permissions.can_reverse_lines_in(actor, community):
        raise PermissionDenied
    return _income_line(actor=actor, community=community, source=IncomeSource.OTHER, amount=amount, date=date,
                        note=note, is_opening_balance=True)


# --- monthly disclosures (月度公开) ---------------------------------------------------------------


class AlreadyPublished(LedgerConflict):
    pass


def disclosure_publish(*, actor, community, period, reason: str = ""):
    """Publish (freeze) a month's books for the community: the community's secretary only.

    A period already published is published again only as a correction with a reason; the new
    disclosure names the one it supersedes. The disclosure row is its own history row (who
    published, when, why), like a ledger line.
    """
    from workflows.ledger.disclosures import build_snapshot, canonical_json, parse_period, sha256
    from workflows.ledger.models import Disclosure

    if not permissions.can_publish_disclosure(actor, community):
        raise PermissionDenied
    reason = (reason or "").strip()
    day = parse_period(period) if isinstance(period, str) else period
    errors = {}
    if day is None:
        errors["period"] = _("Enter a month as YYYY-MM, e.g. 2026-11.")
    elif day >= timezone.localdate().replace(day=1):
        errors["period"] = _("Only a month that has ended can be published.")
    if len(reason) > 500:
        errors["reason"] = _("At most 500 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Postings and publishing of one community queue on the same lock, so a line posted
        # while the month is frozen lands before or after the snapshot, never half in it.
        books_lock(community=community)
        current = (Disclosure.objects.filter(community=community, period=day, superseded_by__isnull=True)
                   .order_by("-seq").first())
        if current is not None and not reason:
            raise AlreadyPublished(_("This month is already published; a correction needs a reason."))
        previous = Disclosure.objects.filter(community=community).order_by("-seq").first()
        now = timezone.now()
        snapshot, lines = build_snapshot(community=community, period=day, published_at=now, previous=previous,
                                         supersedes=current, reason=reason)
        if not lines:
            raise ValidationError({"period": _("This month has no lines on the books.")})
        text = canonical_json(snapshot)
        return Disclosure.objects.create(
            community=community, period=day, seq=(previous.seq + 1) if previous else 1, snapshot=text,
            hash=sha256(text), previous_hash=previous.hash if previous else "", supersedes=current,
            reason=reason, income_total=Decimal(snapshot["totals"]["income"]),
            expense_total=Decimal(snapshot["totals"]["expense"]), line_count=len(lines),
            published_by=actor, published_at=now,
        )
