import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.demo_inputs import INCOME_EXTRA
from tests.expenses_tests.helpers import act, file, history, leave_spendable
from workflows.approvals.events import EventKind, approval_event
from workflows.expenses import services
from workflows.expenses.states import ExpenseState
from workflows.ledger import services as ledger
from workflows.ledger.models import LedgerLine

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def approved(users, communities, amount="800.00"):
    request = file(users, communities, amount=amount)
    return act(request, users["heping_secretary"])


def income(users, communities, amount):
    ledger.income_record(actor=users["heping_staff"], community=communities["heping"], source="operating",
                         amount=Decimal(amount), date=TODAY, counterparty="场地租金", extra=INCOME_EXTRA)


def test_staff_pay_an_approved_request_and_it_is_posted_to_the_expense_line(users, communities):
    income(users, communities, "5000.00")
    request = approved(users, communities)
    seen = []
    approval_event.connect(lambda sender, event, **kw: seen.append(event), weak=False, dispatch_uid="pay-test")
    try:
        request = services.expense_pay(actor=users["heping_staff"], request=request, paid_on=TODAY, voucher_number="记-2026-118")
    finally:
        approval_event.disconnect(dispatch_uid="pay-test")
    assert request.state == ExpenseState.PAID and request.voucher_number == "记-2026-118"
    line = LedgerLine.objects.get(source_type="expense", source_id=request.pk)
    assert line.line == "expense" and line.amount == Decimal("800.00") and line.category == "utilities"
    assert history(request, "pay")[0].state_after == ExpenseState.PAID
    assert seen[-1].kind == EventKind.PAID


def test_a_payment_above_the_available_balance_is_refused_with_the_amounts(users, communities):
    leave_spendable(users, communities["heping"], "1000.00")
    waiting = approved(users, communities, "600.00")  # approved but unpaid: committed money
    request = approved(users, communities, "500.00")
    with pytest.raises(services.InsufficientBalance) as exc:
        services.expense_pay(actor=users["heping_staff"], request=request, paid_on=TODAY, voucher_number="V1")
    assert exc.value.available == Decimal("400.00") and exc.value.amount == Decimal("500.00")
    assert "500.00" in str(exc.value) and "400.00" in str(exc.value)
    assert not LedgerLine.objects.filter(source_type="expense", source_id=request.pk).exists()
    assert waiting.state == ExpenseState.APPROVED


def test_the_request_being_paid_does_not_count_against_itself(users, communities):
    leave_spendable(users, communities["heping"], "500.00")
    request = approved(users, communities, "500.00")
    assert services.expense_pay(actor=users["heping_staff"], request=request, paid_on=TODAY, voucher_number="V2").state == "paid"


def test_a_reversal_through_the_ledger_gives_the_money_back(users, communities):
    leave_spendable(users, communities["heping"], "1000.00")
    first = approved(users, communities, "900.00")
    services.expense_pay(actor=users["heping_staff"], request=first, paid_on=TODAY, voucher_number="V1")
    second = approved(users, communities, "900.00")
    with pytest.raises(services.InsufficientBalance):
        services.expense_pay(actor=users["heping_staff"], request=second, paid_on=TODAY, voucher_number="V2")
    line = LedgerLine.objects.get(source_type="expense", source_id=first.pk)
    ledger.line_reverse(actor=users["heping_secretary"], line=line, reason="重复付款红冲")
    assert services.expense_pay(actor=users["heping_staff"], request=second, paid_on=TODAY, voucher_number="V2").state == "paid"


def test_only_community_staff_pay(users, communities):
    income(users, communities, "5000.00")
    request = approved(users, communities)
    with pytest.raises(PermissionDenied):
        services.expense_pay(actor=users["heping_committee1"], request=request, paid_on=TODAY, voucher_number="V")
    with pytest.raises(PermissionDenied):
        services.expense_pay(actor=users["gubu_staff"], request=request, paid_on=TODAY, voucher_number="V")


def test_a_pending_request_cannot_be_paid(users, communities):
    income(users, communities, "5000.00")
    request = file(users, communities, amount="800.00")
    from workflows.approvals.errors import StaleState

    with pytest.raises(StaleState):
        services.expense_pay(actor=users["heping_staff"], request=request, paid_on=TODAY, voucher_number="V")
    assert request.state == ExpenseState.PENDING


def test_a_payment_that_fails_after_its_scan_is_stored_leaves_no_file_and_no_line(users, communities, settings,
                                                                                   tmp_path, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    income(users, communities, "5000.00")
    request = approved(users, communities)

    def fail(*args, **kwargs):  # saving the request, after the ledger posting, in the same transaction
        raise RuntimeError("the request could not be saved")

    monkeypatch.setattr(services.history, "save_checked", fail)
    scan = SimpleUploadedFile("凭证.pdf", b"%PDF-1.4 voucher", content_type="application/pdf")
    with pytest.raises(RuntimeError):
        services.expense_pay(actor=users["heping_staff"], request=request, paid_on=TODAY, voucher_number="V-9", scan=scan)
    assert not LedgerLine.objects.filter(source_type="expense", source_id=request.pk).exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_paid_request_keeps_its_scan(users, communities, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    income(users, communities, "5000.00")
    request = approved(users, communities)
    scan = SimpleUploadedFile("凭证.pdf", b"%PDF-1.4 voucher", content_type="application/pdf")
    services.expense_pay(actor=users["heping_staff"], request=request, paid_on=TODAY, voucher_number="V-10", scan=scan)
    line = LedgerLine.objects.get(source_type="expense", source_id=request.pk)
    assert (tmp_path / line.scan.name).read_bytes() == b"%PDF-1.4 voucher"
