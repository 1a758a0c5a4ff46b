"""The dashboard and the monthly reports as workbooks, through the spreadsheets app (a sheet per
section; income and expense in their own columns, never netted)."""

import datetime as dt
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from project.lib.xlsx import Column, Kind
from project.params import parse_id
from spreadsheets.registry import Exporter, register_exporter
from workflows.supervision import scope, selectors
from workflows.supervision.labels import disclosure_label, rate_text, timely_label


def _street_param(query) -> int | None:
    raw = query.get("street")
    if raw in (None, ""):
        return None
    pk = parse_id(raw)
    if pk is None:
        raise ValidationError({"street": [_("Enter a street id.")]})
    return pk


def _aware(text):
    return dt.datetime.fromisoformat(text) if text else None


def _money(text):
    return Decimal(text) if text is not None else None


def write_sections(book, data: dict, *, plain: bool) -> None:
    """The sections of `data` (live figures, or a report's snapshot when `plain`: money as text,
    times as ISO text) as one sheet each."""
    money = _money if plain else (lambda v: v)
    when = _aware if plain else (lambda v: v)
    rows = data["communities"]
    book.table(_("Tasks"), [
        Column("community", _("Community")), Column("kind", _("Process")), Column("step", _("Step")),
        Column("count", _("Open tasks"), Kind.INTEGER), Column("oldest", _("Oldest waiting since"), Kind.DATETIME),
    ], ([r["name"], k["label"], s["label"], s["count"], when(s["oldest"])]
        for r in rows for k in r["tasks"]["kinds"] for s in k["steps"]))
    book.table(_("Overdue"), [
        Column("community", _("Community")), Column("kind", _("Process")), Column("step", _("Step")),
        Column("title", _("Title")), Column("holder", _("Held by")), Column("due", _("Due"), Kind.DATETIME),
    ], ([r["name"], o["kind_label"], o["step_label"], o["title"], o["holder"]["name"], when(o["due_at"])]
        for r in rows for o in r["overdue"]))
    book.table(_("Public notices"), [
        Column("community", _("Community")), Column("running", _("Notices in progress"), Kind.INTEGER),
        Column("objections", _("Open objections"), Kind.INTEGER),
    ], ([r["name"], r["notices"]["in_progress"], r["notices"]["open_objections"]] for r in rows))
    book.table(_("Inquiries"), [
        Column("community", _("Community")), Column("open", _("Still open"), Kind.INTEGER),
        Column("overdue", _("Overdue"), Kind.INTEGER), Column("escalated", _("Escalated"), Kind.INTEGER),
        Column("on_time", _("Answered on time this year"), Kind.INTEGER), Column("late", _("Late this year"), Kind.INTEGER),
        Column("rate", _("On-time rate")),
    ], ([r["name"], r["inquiries"]["open"], r["inquiries"]["overdue"], r["inquiries"]["escalated"],
         r["inquiries"]["on_time"], r["inquiries"]["late"], rate_text(r["inquiries"]["on_time_rate"])] for r in rows))
    if any(r["leases_ending"] is not None or r["arrears"] is not None for r in rows):
        book.table(_("Leases"), [
            Column("community", _("Community")), Column("ending", _("Leases ending in 30 days"), Kind.INTEGER),
            Column("rent", _("Rent arrears (¥)"), Kind.MONEY), Column("charity", _("Charity arrears (¥)"), Kind.MONEY),
        ], ([r["name"], len(r["leases_ending"] or []), money((r["arrears"] or {}).get("rent")),
             money((r["arrears"] or {}).get("charity"))] for r in rows))
    book.table(_("Disclosures"), [
        Column("community", _("Community")), Column("period", _("Month")), Column("status", _("Published on time?")),
        Column("due", _("Due by"), Kind.DATE), Column("published", _("Published at"), Kind.DATETIME),
    ], ([r["name"], r["disclosure"]["last_period"], disclosure_label(r["disclosure"]["status"]),
         dt.date.fromisoformat(r["disclosure"]["due_day"]) if plain else r["disclosure"]["due_day"],
         when(r["disclosure"]["published_at"])] for r in rows if "disclosure" in r))
    book.table(_("Books"), [
        Column("community", _("Community")), Column("income", _("Income this year (¥)"), Kind.MONEY),
        Column("expense", _("Expense this year (¥)"), Kind.MONEY),
    ], ([r["name"], money(r["books"]["income"]), money(r["books"]["expense"])] for r in rows if "books" in r),
        total_label=_("Total"), total_columns=("income", "expense"))
    book.table(_("Partners"), [
        Column("community", _("Community")), Column("partners", _("Active partners"), Kind.INTEGER),
        Column("services", _("Services in the catalogue"), Kind.INTEGER),
        Column("expected", _("Expected yearly revenue (¥)"), Kind.MONEY),
        Column("reported", _("Revenue reported (¥)"), Kind.MONEY),
    ], ([r["name"], r["partners"], r["services"], money(r["revenue_expected"]),
         money(r["revenue_reported"]) if r["revenue_reported"] is not None else None] for r in rows),
        total_label=_("Total"), total_columns=("partners", "services", "expected", "reported"),
        header_block=[(_("Expected for the street"), f"{selectors.EXPECTED_PARTNERS} · ¥{selectors.EXPECTED_REVENUE:,.2f}")])


@register_exporter
class DashboardExporter(Exporter):
    kind = "street_dashboard"
    title = gettext_lazy("Street dashboard")

    def allowed(self, user):
        return scope.may_supervise(user)

    def parse_params(self, *, user, query):
        return {"street": _street_param(query)}

    def count(self, *, user, params):
        return len(scope.supervised_communities(user, street_id=params["street"]))

    def filename(self, *, params):
        return f"street-dashboard-{timezone.localdate():%Y%m%d}.xlsx"

    def write(self, book, *, user, params, progress):
        communities = scope.communities_or_404(user, street_id=params["street"])
        data = selectors.figures(communities, overdue_limit=None)
        write_sections(book, data, plain=False)
        progress(len(communities))


@register_exporter
class ReportExporter(Exporter):
    kind = "street_report"
    title = gettext_lazy("Monthly street report")

    def allowed(self, user):
        return scope.may_supervise(user)

    def choices(self, *, user):
        """Which report: the spreadsheets page asks before exporting (the latest 36 I may read)."""
        from workflows.supervision.report_selectors import reports_for_user

        options = [(str(r.pk), f"{r.period_text} · {r.community.name if r.community_id else r.street.name}")
                   for r in reports_for_user(user=user)[:36]]
        return [("id", _("Monthly report"), options)]

    def parse_params(self, *, user, query):
        pk = parse_id(query.get("id") or "")
        if pk is None:
            raise ValidationError({"id": [_("Enter a report id.")]})
        return {"id": pk}

    def count(self, *, user, params):
        return 1

    def filename(self, *, params):
        return f"street-report-{params['id']}.xlsx"

    def write(self, book, *, user, params, progress):
        from workflows.supervision.report_selectors import report_get_for_user

        report = report_get_for_user(user=user, pk=params["id"])
        data = json.loads(report.snapshot)
        block = [(_("Month"), data["period"]), (_("Community"), data.get("community_name") or data.get("street_name")),
                 (_("Generated at"), _aware(data["generated_at"])), (_("SHA-256"), report.hash)]
        rows = data["communities"]
        book.table(_("Summary"), [
            Column("community", _("Community")), Column("income", _("Income in the month (¥)"), Kind.MONEY),
            Column("expense", _("Expense in the month (¥)"), Kind.MONEY),
            Column("income_ytd", _("Income this year to the month (¥)"), Kind.MONEY),
            Column("expense_ytd", _("Expense this year to the month (¥)"), Kind.MONEY),
            Column("inq_on_time", _("Inquiries of the month answered on time"), Kind.INTEGER),
            Column("inq_late", _("Inquiries of the month late"), Kind.INTEGER),
            Column("disclosure", _("Disclosure due in the month")),
        ], ([r["name"], _money(r["books_month"]["income"]), _money(r["books_month"]["expense"]),
             _money(r["books_year_to_month"]["income"]), _money(r["books_year_to_month"]["expense"]),
             r["inquiries_month"]["on_time"], r["inquiries_month"]["late"],
             f'{r["disclosure_due_in_month"]["last_period"]} {disclosure_label(r["disclosure_due_in_month"]["status"])}']
            for r in rows), header_block=block, total_label=_("Total"),
            total_columns=("income", "expense", "income_ytd", "expense_ytd", "inq_on_time", "inq_late"))
        book.table(_("Approvals"), [
            Column("community", _("Community")), Column("kind", _("Process")), Column("step", _("Step")),
            Column("count", _("Decisions"), Kind.INTEGER), Column("median", _("Median hours per step"), Kind.NUMBER),
        ], ([r["name"], a["kind_label"], a["step_label"], a["count"], a["median_hours"]] for r in rows for a in r["approvals"]))
        book.table(_("Inquiries of the month"), [
            Column("community", _("Community")), Column("id", _("Number"), Kind.INTEGER), Column("state", _("State")),
            Column("outcome", _("Outcome")), Column("timely", _("On time?")), Column("filed", _("Filed at"), Kind.DATETIME),
            Column("due", _("Answer due"), Kind.DATETIME), Column("answered", _("Answered at"), Kind.DATETIME),
        ], ([r["name"], i["id"], i["state_label"], i["outcome_label"], timely_label(i["timely"]), _aware(i["filed_at"]),
             _aware(i["due_at"]), _aware(i["answered_at"])] for r in rows for i in r["month_inquiries"]))
        write_sections(book, data, plain=True)
        progress(1)
