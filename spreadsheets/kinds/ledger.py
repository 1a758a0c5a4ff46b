"""The two-line ledger: export with separate 收入 and 支出 sheets, import of historical lines.

Each sheet carries its own header block and total row; no sheet, row or cell holds income minus
expense. Imports validate every row with the rules of the ledger's own services (income_record,
expense_post, opening_balance_record build their lines with income_line_build and
expense_line_build), so a row is validated exactly as the ledger page validates it; a valid file is
then posted by lines_import in bulk.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from project.lib.xlsx import Column, Kind
from spreadsheets.kinds.common import CommunityLookup, choice_lookup, header_block, parse_yes_no
from spreadsheets.kinds.submissions import import_columns, import_data, importable_fields
from spreadsheets.permissions import can_import_ledger_expenses
from spreadsheets.registry import Exporter, Importer, register_exporter, register_importer
from workflows.ledger import services as ledger_services
from workflows.ledger.categories import ExpenseCategory, IncomeSource, LineKind
from workflows.ledger.filters import parse_ledger_filters
from workflows.ledger.permissions import can_record_income, can_reverse_lines_in, may_see_some_ledger
from workflows.ledger.selectors import (
    ledger_communities_for_user,
    ledger_community_get_for_user,
    ledger_lines_for_user,
)
from workflows.org.models import User


def _line_columns(line: str) -> list[Column]:
    income = line == LineKind.INCOME
    return [
        Column("date", gettext_lazy("Date"), Kind.DATE),
        Column("community", gettext_lazy("Community")),
        Column("type", gettext_lazy("Income source") if income else gettext_lazy("Expense category")),
        Column("amount", gettext_lazy("Amount (¥)"), Kind.MONEY),
        Column("counterparty", gettext_lazy("Payer") if income else gettext_lazy("Payee")),
        Column("note", gettext_lazy("Note") if income else gettext_lazy("Purpose")),
        Column("voucher", gettext_lazy("Voucher number")),
        Column("flag", gettext_lazy("Opening balance / reversal")),
        Column("posted_by", gettext_lazy("Posted by")),
        Column("posted_at", gettext_lazy("Posted at"), Kind.DATETIME),
    ]


def _flag(is_opening: bool, reverses_id: int | None, opening: str) -> str:
    if is_opening:
        return opening
    if reverses_id:
        return _("Reverses line #%(id)s") % {"id": reverses_id}
    return ""


def _person(cache: dict, user_id: int) -> str:
    if user_id not in cache:
        cache[user_id] = str(User.objects.get(pk=user_id))
    return cache[user_id]


@register_exporter
class LedgerExporter(Exporter):
    kind = "ledger"
    title = gettext_lazy("Ledger")

    def allowed(self, user):
        return may_see_some_ledger(user)

    def parse_params(self, *, user, query):
        filters, errors = parse_ledger_filters(query)
        if not errors and filters.community_id is not None:
            try:
                ledger_community_get_for_user(user=user, pk=filters.community_id)
            except Exception:
                errors["community"] = _("Unknown community.")
        if errors:
            raise ValidationError({key: [message] for key, message in errors.items()})
        return {
            "community": filters.community_id,
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None,
        }

    def _lines(self, *, user, params, line=None):
        return ledger_lines_for_user(
            user=user, community_id=params["community"], line=line, date_from=params["from"], date_to=params["to"]
        )

    def count(self, *, user, params):
        return self._lines(user=user, params=params).count()

    def filename(self, *, params):
        return f"ledger-{timezone.localdate():%Y%m%d}.xlsx"

    def write(self, book, *, user, params, progress):
        if params["community"] is None:
            community = _("All communities you may see")
        else:
            community = ledger_community_get_for_user(user=user, pk=params["community"]).name
        period = f"{params['from'] or '…'} — {params['to'] or '…'}"
        done = 0
        # Labels are resolved once, not per row: the export streams plain tuples, not model objects.
        labels = {code: str(label) for code, label in (*IncomeSource.choices, *ExpenseCategory.choices)}
        opening, people = _("Opening balance"), {}
        for line, title in ((LineKind.INCOME, _("Income")), (LineKind.EXPENSE, _("Expense"))):
            qs = self._lines(user=user, params=params, line=line).order_by("date", "id")
            fields = (
                "date", "community__name", "source", "category", "amount", "counterparty", "note",
                "voucher_number", "is_opening_balance", "reverses_id", "posted_by_id", "posted_at",
            )
            rows = (
                [
                    day, community_name, labels.get(source or category, source or category), amount, counterparty,
                    note, voucher, _flag(is_opening, reverses_id, opening), _person(people, posted_by_id), posted_at,
                ]
                for (
                    day, community_name, source, category, amount, counterparty, note, voucher, is_opening,
                    reverses_id, posted_by_id, posted_at,
                ) in qs.values_list(*fields).iterator(chunk_size=2000)
            )
            offset = done

            def report(n, offset=offset):
                progress(offset + n)

            book.table(
                _("%(line)s (%(community)s)") % {"line": title, "community": community},
                _line_columns(line),
                rows,
                sheet_title=title,
                header_block=header_block(user=user, community=community, period=period),
                total_label=_("Total %(line)s") % {"line": title},
                total_columns=["amount"],
                progress=report,
            )
            done += qs.count()


# An income row carries the street's published income.extra fields in columns of their own, keyed
# so that the service's `extra.<field>` errors name them.
EXTRA_PREFIX = "extra."


def _income_extra_fields(user) -> list:
    """The one-cell fields of the income.extra form of the street the user records income in."""
    from forms.selectors import published_version_for

    community = next((c for c in ledger_communities_for_user(user) if can_record_income(user, c)), None)
    version = published_version_for(purpose="income.extra", street=community.parent_id) if community else None
    return importable_fields(version) if version is not None else []


def ledger_import_columns() -> list[Column]:
    types = [str(label) for _c, label in IncomeSource.choices] + [str(label) for _c, label in ExpenseCategory.choices]
    return [
        Column("community", gettext_lazy("Community"), required=True),
        Column("line", gettext_lazy("Income or expense"), required=True, choices=[_("Income"), _("Expense")]),
        Column("type", gettext_lazy("Income source / expense category"), choices=types),
        Column("amount", gettext_lazy("Amount (¥)"), Kind.MONEY, required=True),
        Column("date", gettext_lazy("Date"), Kind.DATE, required=True),
        Column("counterparty", gettext_lazy("Payer / payee")),
        Column("note", gettext_lazy("Note / purpose")),
        Column("voucher", gettext_lazy("Voucher number")),
        Column("opening", gettext_lazy("Opening balance"), choices=[_("Yes"), _("No")]),
    ]


# The ledger services name fields after the line; the sheet has one column for each pair.
_FIELD_TO_COLUMN = {
    "source": "type",
    "category": "type",
    "payee": "counterparty",
    "purpose": "note",
    "voucher_number": "voucher",
}


@register_importer
class LedgerImporter(Importer):
    kind = "ledger"
    title = gettext_lazy("Ledger lines")
    example = {
        "community": "和平社区",
        "line": gettext_lazy("Income"),
        "type": IncomeSource.OPERATING.label,
        "amount": "1200.00",
        "date": "2026-05-01",
        "counterparty": "示例：瑜伽工作室",
        "note": "5月场地使用费",
        "voucher": "",
        "opening": gettext_lazy("No"),
    }

    def allowed(self, user):
        return user.is_authenticated and any(can_record_income(user, c) for c in ledger_communities_for_user(user))

    def columns(self, *, user, params):
        return ledger_import_columns() + import_columns(_income_extra_fields(user), prefix=EXTRA_PREFIX)

    def import_row(self, *, actor, row, state, params):
        if "communities" not in state:
            state["extra_fields"] = _income_extra_fields(actor)
            state["communities"] = CommunityLookup(actor)
            # 收入/支出 are what every Chinese ledger says, whatever the UI language is.
            state["lines"] = {**choice_lookup(LineKind), "收入": LineKind.INCOME, "支出": LineKind.EXPENSE}
            state["sources"] = choice_lookup(IncomeSource)
            state["categories"] = choice_lookup(ExpenseCategory)
            state["pending"] = []
            state["allowed"] = {}
        v = row.values
        text = {k: ("" if value is None else str(value).strip()) for k, value in v.items()}
        errors: dict[str, list[str]] = {}
        community = line = None
        opening = False
        try:
            community = state["communities"].get(v["community"], "community")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        line = state["lines"].get(text["line"].lower())
        if line is None:
            errors["line"] = [_("Enter 收入 (income) or 支出 (expense).")]
        try:
            opening = parse_yes_no(v["opening"], "opening")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if opening and line == LineKind.EXPENSE:
            errors["opening"] = [_("An opening balance is entered on the income line.")]
        if errors:
            raise ValidationError(errors)
        try:
            state["pending"].append(
                self._build(actor=actor, state=state, community=community, line=line, opening=opening, v=v, text=text)
            )
        except ValidationError as exc:
            raise ValidationError(
                {_FIELD_TO_COLUMN.get(key, key): messages for key, messages in exc.message_dict.items()}
            ) from None
        except PermissionDenied:
            raise ValidationError({"community": [_("You may not post this line in this community.")]}) from None

    def _extra_version(self, state, community):
        # The street's published income.extra form (or None), looked up once per street, not per row.
        from forms.selectors import published_version_for

        versions = state.setdefault("extra_versions", {})
        if community.parent_id not in versions:
            versions[community.parent_id] = published_version_for(purpose="income.extra", street=community.parent_id)
        return versions[community.parent_id]

    def _may(self, state, predicate, actor, community) -> bool:
        # A few communities per file: each permission is asked once per community, not per row.
        key = (predicate.__name__, community.pk)
        if key not in state["allowed"]:
            state["allowed"][key] = predicate(actor, community)
        return state["allowed"][key]

    def _build(self, *, actor, state, community, line, opening, v, text):
        """The row's line, validated by the rules (and permission predicate) of the service that
        posts such a line one at a time: opening_balance_record, income_record, expense_post."""
        if opening:
            if not self._may(state, can_reverse_lines_in, actor, community):
                raise PermissionDenied
            return ledger_services.income_line_build(
                actor=actor, community=community, source=IncomeSource.OTHER, amount=v["amount"], date=v["date"],
                note=text["note"], is_opening_balance=True,
            )
        if line == LineKind.INCOME:
            if not self._may(state, can_record_income, actor, community):
                raise PermissionDenied
            return ledger_services.income_line_build(
                actor=actor,
                community=community,
                source=state["sources"].get(text["type"].lower(), text["type"]),
                amount=v["amount"],
                date=v["date"],
                counterparty=text["counterparty"],
                note=text["note"],
                with_extra=True,
                extra=import_data(state["extra_fields"], v, prefix=EXTRA_PREFIX),
                extra_version=self._extra_version(state, community),
            )
        # expense_post leaves the permission check to its caller (the payment service).
        if not self._may(state, can_import_ledger_expenses, actor, community):
            raise PermissionDenied
        return ledger_services.expense_line_build(
            actor=actor,
            community=community,
            category=state["categories"].get(text["type"].lower(), text["type"]),
            amount=v["amount"],
            date=v["date"],
            payee=text["counterparty"],
            purpose=text["note"],
            voucher_number=text["voucher"],
        )

    def finish(self, *, actor, state, params):
        # Every row is valid (the caller runs this only then): one lock per community's books and
        # batched inserts, in the caller's transaction, so the file still posts all or nothing.
        if not state.get("pending"):
            return
        try:
            ledger_services.lines_import(actor=actor, lines=state["pending"])
        except IntegrityError:
            # Every rule the constraints hold was checked per row; a conflict here is another
            # writer's, and the whole file is refused (its savepoint rolled back), never half-posted.
            raise ValidationError(_("These lines conflict with lines posted meanwhile; import the file again.")) from None
