"""Ledger pages: both lines side by side with their own totals, income form, reversal (红冲)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from project.http import user_file_response
from workflows.ledger import permissions, selectors, services
from workflows.ledger.categories import IncomeSource, LineKind
from workflows.ledger.filters import parse_ledger_filters
from workflows.ledger.models import LedgerLine

PAGE_LINES = 200


class IncomeForm(forms.Form):
    """Renders the income form. Every rule lives in services.income_record; its errors land here."""

    community = forms.CharField(label=gettext_lazy("Community"), required=False, widget=forms.Select)
    source = forms.CharField(
        label=gettext_lazy("Income source"), required=False, widget=forms.Select(choices=IncomeSource.choices)
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount (¥)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "8000.00", "autocomplete": "off"}),
    )
    date = forms.CharField(label=gettext_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    counterparty = forms.CharField(label=gettext_lazy("Payer"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False)

    # What the service refuses when empty: marked (*) and `required` in the browser, while the
    # fields stay optional here so the service's own message is the one shown.
    REQUIRED = ("community", "source", "amount", "date")

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].widget.choices = [(c.id, c.name) for c in communities]
        for name in self.REQUIRED:
            self.fields[name].marked_required = True
            if not isinstance(self.fields[name].widget, forms.Select):
                # A list without an empty first choice always has a value: no `required` (as Django
                # renders its own selects), only the mark.
                self.fields[name].widget.attrs.update({"required": True, "aria-required": "true"})


def _income_extra_form(request, writable, *, bound: bool):
    """The street's published income.extra form, embedded in the income form with prefix "extra"
    (as the expense filing page embeds expense.extra): (version, form, logic) or Nones."""
    from forms import builder
    from forms.selectors import published_version_for

    if not writable:
        return None, None, None
    version = published_version_for(purpose="income.extra", street=writable[0].parent_id)
    if version is None:
        return None, None, None
    form = builder.form_class_for(version)(
        data=request.POST if bound else None, files=request.FILES if bound else None, user=request.user,
        prefix="extra",
    )
    return version, form, builder.client_logic(builder.schema_of(version), prefix="extra")


def _writable_communities(user, readable):
    return [c for c in readable if permissions.can_record_income(user, c)]


def _ledger_page(request, *, income_form=None, extra_form=None, status=200):
    user = request.user
    readable = list(selectors.ledger_communities_for_user(user).order_by("id"))
    if not readable:
        raise Http404
    filters, filter_errors = parse_ledger_filters(request.GET)
    if filters.community_id is not None and filters.community_id not in {c.id for c in readable}:
        filter_errors["community"] = _("Choose a community.")
    qs = selectors.ledger_lines_for_user(
        user=user,
        community_id=None if "community" in filter_errors else filters.community_id,
        date_from=None if "from" in filter_errors else filters.date_from,
        date_to=None if "to" in filter_errors else filters.date_to,
    ).select_related("reversed_by")
    totals = selectors.ledger_totals(qs)
    columns = []
    for kind, label in LineKind.choices:
        lines = qs.filter(line=kind)
        columns.append(
            {
                "kind": kind,
                "label": label,
                "total": totals[kind],
                "count": lines.count(),
                "lines": list(lines[:PAGE_LINES]),
            }
        )
    writable = _writable_communities(user, readable)
    if income_form is None and writable:
        initial_community = filters.community_id if filters.community_id in {c.id for c in writable} else writable[0].id
        income_form = IncomeForm(
            communities=writable, initial={"community": initial_community, "date": timezone.localdate().isoformat()}
        )
    extra_version, unbound_extra, extra_logic = _income_extra_form(request, writable, bound=False)
    secretary_of = {c.id for c in readable if permissions.can_reverse_lines_in(user, c)}
    return render(
        request,
        "ledger/ledger.html",
        {
            "communities": readable,
            "filters": filters,
            "filter_values": request.GET,
            "filter_errors": filter_errors,
            "columns": columns,
            "income_form": income_form,
            "extra_version": extra_version,
            "extra_form": extra_form if extra_form is not None else unbound_extra,
            "extra_logic": extra_logic,
            "secretary_of": secretary_of,
            "page_lines": PAGE_LINES,
        },
        status=status,
    )


@login_required
def ledger(request):
    return _ledger_page(request)


@login_required
@require_POST
def income_create(request):
    readable = list(selectors.ledger_communities_for_user(request.user))
    writable = _writable_communities(request.user, readable)
    if not writable:
        raise Http404
    form = IncomeForm(request.POST, communities=writable)
    form.is_valid()  # all fields are optional strings; the service does the checking
    _version, extra_form, _logic = _income_extra_form(request, writable, bound=True)
    data = form.cleaned_data
    raw_community = data.get("community", "")
    community = next((c for c in writable if str(c.id) == raw_community), None)
    if community is None:
        form.add_error("community", _("Choose a community."))
        return _ledger_page(request, income_form=form, extra_form=extra_form, status=400)
    try:
        line = services.income_record(
            actor=request.user,
            community=community,
            source=data["source"],
            amount=data["amount"],
            date=data["date"],
            counterparty=data["counterparty"],
            note=data["note"],
            extra=request.POST,
            files=request.FILES,
            extra_prefix="extra",
        )
    except ValidationError as exc:
        for field, field_messages in exc.message_dict.items():
            if field.startswith("extra.") and extra_form is not None:
                name = field.removeprefix("extra.")
                # The embedded form shows its own errors beside its inputs, as on the expense page.
                extra_form.is_valid()
                if name not in extra_form.errors:
                    extra_form.add_error(name if name in extra_form.fields else None, field_messages)
            else:
                form.add_error(field if field in form.fields else None, field_messages)
        return _ledger_page(request, income_form=form, extra_form=extra_form, status=400)
    # The site's one money format (¥8,000.00).
    messages.success(request, _("Income of ¥%(amount)s recorded.") % {"amount": f"{line.amount:,.2f}"})
    return redirect(f"{reverse('ledger')}?community={community.id}")


@login_required
def line_detail(request, pk: int):
    line = selectors.ledger_line_get_for_user(user=request.user, pk=pk)
    extra_sections = None
    if line.extra_form_id and permissions.can_view_extra(request.user, line):
        from forms import builder

        # Rendered with the exact form version it was recorded against, whatever is published now.
        extra_sections = builder.display(builder.schema_of(line.extra_form), line.extra)
    return render(
        request,
        "ledger/line_detail.html",
        {
            "line": line,
            "extra_sections": extra_sections,
            "can_reverse": permissions.can_reverse_line(request.user, line),
            "can_view_scan": permissions.can_view_scan(request.user, line),
        },
    )


@login_required
def line_scan(request, pk: int):
    """The voucher scan, streamed only to those who may see it (media is never served publicly)."""
    line = selectors.ledger_line_get_for_user(user=request.user, pk=pk)
    if not line.scan or not permissions.can_view_scan(request.user, line):
        raise Http404
    try:
        handle = line.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return user_file_response(request, handle, filename=f"voucher-{line.pk}")


@login_required
@require_POST
def line_reverse(request, pk: int):
    line = selectors.ledger_line_get_for_user(user=request.user, pk=pk)
    try:
        services.line_reverse(actor=request.user, line=line, reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("ledger-line", pk=line.pk)
    except services.LedgerConflict as exc:
        messages.error(request, exc.message)
        return redirect("ledger-line", pk=line.pk)
    messages.success(request, _("The line was reversed."))
    return redirect(f"{reverse('ledger')}?community={line.community_id}")


# --- monthly disclosures: the secretary publishes, staff prepare ------------------------------


@login_required
def disclosures(request):
    """Months of the books with their disclosure status and due day; the secretary's publish form.

    Staff see the same list (what is due, what the month holds) to prepare it; only the
    secretary gets the form. Anyone else has no books to disclose: 404.
    """
    from workflows.ledger.disclosures import due_day, period_end

    communities = [c for c in selectors.ledger_communities_for_user(request.user).order_by("id")
                   if permissions.can_prepare_disclosure(request.user, c)]
    if not communities:
        raise Http404
    status = {(row["community"].id, row["period"]): row
              for row in selectors.disclosure_due_status(user=request.user)}
    sections = []
    this_month = timezone.localdate().replace(day=1)
    for community in communities:
        months = [m for m in selectors.public_line_months(community=community) if m < this_month]
        rows = []
        for month in months:
            lines = LedgerLine.objects.filter(community=community, date__gte=month, date__lt=period_end(month))
            row = status.get((community.id, f"{month:%Y-%m}"), {})
            rows.append({"period": f"{month:%Y-%m}", "totals": selectors.ledger_totals(lines), "count": lines.count(),
                         "due_day": row.get("due_day") or due_day(month), "published_at": row.get("published_at"),
                         "overdue": row.get("overdue", False), "late": row.get("late", False)})
        sections.append({"community": community, "rows": rows,
                         "can_publish": permissions.can_publish_disclosure(request.user, community)})
    return render(request, "ledger/disclosures.html", {"sections": sections})


@login_required
@require_POST
def disclosure_publish(request):
    community = selectors.ledger_community_get_for_user(user=request.user, pk=request.POST.get("community"))
    try:
        disclosure = services.disclosure_publish(actor=request.user, community=community,
                                                 period=request.POST.get("period", ""),
                                                 reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for messages_ in exc.message_dict.values():
            for message in messages_:
                messages.error(request, message)
        return redirect("ledger-disclosures")
    except services.LedgerConflict as exc:
        messages.error(request, exc.message)
        return redirect("ledger-disclosures")
    messages.success(request, _("Published: %(period)s.") % {"period": disclosure.period_text})
    return redirect("public-disclosure", community.code, disclosure.pk)
