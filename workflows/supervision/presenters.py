"""Figures turned into what the templates draw: charts (SVG + the same numbers as a table)."""

from django.utils.translation import gettext as _

from workflows.supervision import charts
from workflows.supervision.selectors import MONTHS


def _table(headers, labels, series, fmt):
    return {"headers": headers, "rows": [[label, *[fmt(s.values[i]) for s in series]] for i, label in enumerate(labels)]}


def chart(*, chart_id: str, title: str, description: str, series: list[charts.Series], fmt) -> dict:
    labels = charts.month_labels()
    return {
        "id": chart_id, "title": title,
        "svg": charts.bar_chart(title=title, description=description, categories=labels, series=series, fmt=fmt,
                                chart_id=chart_id),
        "table": _table([_("Month"), *[s.name for s in series]], labels, series, fmt),
        "legend": [{"name": s.name, "css": s.css} for s in series],
    }


def books_chart(by_month: dict, *, chart_id: str, title: str) -> dict:
    income = charts.Series(_("Income"), [by_month[m]["income"] for m in MONTHS], "bar-income")
    expense = charts.Series(_("Expense"), [by_month[m]["expense"] for m in MONTHS], "bar-expense")
    return chart(chart_id=chart_id, title=title, series=[income, expense], fmt=charts.money_text,
                 description=_("Income and expense by month, two bars each month (never netted)."))


def inquiries_chart(by_month: dict, *, chart_id: str, title: str) -> dict:
    on_time = charts.Series(_("On time"), [by_month[m]["on_time"] for m in MONTHS], "bar-on-time")
    late = charts.Series(_("Late"), [by_month[m]["late"] for m in MONTHS], "bar-late")
    return chart(chart_id=chart_id, title=title, series=[on_time, late], fmt=str,
                 description=_("Inquiries by month of filing: answered on time, and late (still open past the deadline counts as late)."))


def charity_chart(by_month: dict, *, chart_id: str, title: str) -> dict:
    due = charts.Series(_("Charity due"), [by_month[m]["due"] for m in MONTHS], "bar-due")
    remitted = charts.Series(_("Remitted"), [by_month[m]["remitted"] for m in MONTHS], "bar-remitted")
    return chart(chart_id=chart_id, title=title, series=[due, remitted], fmt=charts.money_text,
                 description=_("The 10% charity share due by month, and what was remitted to the Heshan Charity Federation."))
