"""Expense requests: one sheet of requests with their route, one of every decision taken on them."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from project.lib.xlsx import Column, Kind
from spreadsheets.kinds.common import community_label, community_param, header_block
from spreadsheets.registry import Exporter, register_exporter
from workflows.approvals.models import HistoryEntry
from workflows.expenses.policy import Step
from workflows.expenses.process import KIND as EXPENSE_KIND
from workflows.expenses.selectors import expense_list_for_user
from workflows.expenses.states import ExpenseState


def _route(steps) -> str:
    labels = []
    for code in steps or ():
        try:
            labels.append(str(Step(code).label))
        except ValueError:
            labels.append(str(code))
    return " → ".join(labels)


@register_exporter
class ExpenseExporter(Exporter):
    kind = "expenses"
    title = gettext_lazy("Expense requests")

    def parse_params(self, *, user, query):
        return {"community": community_param(user=user, query=query)}

    def _requests(self, *, user, params):
        return expense_list_for_user(user=user, community_id=params["community"])

    def count(self, *, user, params):
        return self._requests(user=user, params=params).count()

    def filename(self, *, params):
        return f"expenses-{timezone.localdate():%Y%m%d}.xlsx"

    def write(self, book, *, user, params, progress):
        requests = self._requests(user=user, params=params).order_by("id")
        block = header_block(user=user, community=community_label(user=user, community_id=params["community"]))
        book.table(
            _("Expense requests"),
            [
                Column("id", _("Request number"), Kind.INTEGER),
                Column("community", _("Community")),
                Column("category", _("Expense category")),
                Column("amount", _("Amount (¥)"), Kind.MONEY),
                Column("payee", _("Payee")),
                Column("purpose", _("Purpose")),
                Column("state", _("State")),
                Column("route", _("Approval route")),
                Column("policy", _("Authority table version"), Kind.INTEGER),
                Column("submitter", _("Submitted by")),
                Column("created", _("Submitted at"), Kind.DATETIME),
                Column("paid_on", _("Paid on"), Kind.DATE),
                Column("voucher", _("Voucher number")),
            ],
            (
                [
                    r.pk, r.community.name, r.get_category_display(), r.amount, r.payee, r.purpose,
                    r.get_state_display(), _route(r.steps), r.policy.version, str(r.submitter), r.created_at,
                    r.paid_on, r.voucher_number,
                ]
                for r in requests.iterator(chunk_size=1000)
            ),
            header_block=block,
            progress=progress,
        )
        # State codes as the reader's words, as the requests sheet shows them.
        states = dict(ExpenseState.choices)
        decisions = (
            HistoryEntry.objects.filter(
                process_kind=EXPENSE_KIND, process_id__in=requests.order_by().values("pk")
            )
            .select_related("actor")
            .order_by("process_id", "created_at", "id")
        )
        book.table(
            _("Decisions"),
            [
                Column("id", _("Request number"), Kind.INTEGER),
                Column("at", _("Time"), Kind.DATETIME),
                Column("actor", _("By")),
                Column("action", _("Action taken")),
                Column("step", _("Step")),
                Column("comment", _("Comment")),
                Column("before", _("State before")),
                Column("after", _("State after")),
                Column("round", _("Round"), Kind.INTEGER),
                Column("policy", _("Authority table version"), Kind.INTEGER),
            ],
            (
                [
                    h.process_id, h.created_at, str(h.actor) if h.actor else _("System"), h.action_label,
                    _route([h.step]) if h.step else "", h.comment, states.get(h.state_before, h.state_before),
                    states.get(h.state_after, h.state_after), h.round,
                    h.policy_version,
                ]
                for h in decisions.iterator(chunk_size=2000)
            ),
        )
