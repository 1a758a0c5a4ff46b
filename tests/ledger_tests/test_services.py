import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from workflows.ledger import selectors, services
from workflows.ledger.categories import ExpenseCategory
from workflows.ledger.models import LedgerLine
from workflows.org.models import CommunityEnterprise


def test_demo_income_lets_heping_and_fenghuang_pay_their_demo_expenses(heping, fenghuang, communities):
    for community in (heping, fenghuang):
        assert selectors.ledger_totals(LedgerLine.objects.filter(community=community))["income"] >= Decimal("80000")
    for community in communities.values():
        sources = set(LedgerLine.objects.filter(community=community).values_list("source", flat=True))
        assert {"operating", "government_purchase", "donation"} <= sources


def test_loading_the_demo_twice_records_nothing_new(demo):
    from fixtures.ledger_demo import record_income

    before = LedgerLine.objects.count()
    record_income(demo)

    assert LedgerLine.objects.count() == before


@pytest.mark.parametrize("category", ExpenseCategory.values)
def test_expense_post_puts_a_paid_expense_on_the_expense_line(users, heping, yesterday, category):
    line = services.expense_post(
        actor=users["heping_staff"], community=heping, amount=Decimal("3000.00"), date=yesterday,
        category=category, payee="鹤山市供电局", purpose="六月电费", voucher_number="PZ-2026-061",
        source_type="expense", source_id=12,
    )

    line.refresh_from_db()
    assert (line.line, line.category, line.source) == ("expense", category, "")
    assert (line.amount, line.counterparty, line.note, line.voucher_number) == (
        Decimal("3000.00"), "鹤山市供电局", "六月电费", "PZ-2026-061"
    )
    assert (line.source_type, line.source_id) == ("expense", 12)


def test_expense_post_stores_the_voucher_scan(users, heping, yesterday, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("voucher.pdf", b"%PDF-1.4 voucher", content_type="application/pdf")

    line = services.expense_post(
        actor=users["heping_staff"], community=heping, amount=Decimal("10.00"), date=yesterday,
        category="other", payee="p", purpose="q", voucher_number="v", scan=scan,
    )

    assert LedgerLine.objects.get(pk=line.pk).scan.read() == b"%PDF-1.4 voucher"


def test_expense_post_validates_every_field(users, heping):
    with pytest.raises(ValidationError) as caught:
        services.expense_post(
            actor=users["heping_staff"], community=heping, amount=Decimal("-1"), date="someday",
            category="travel", payee="", purpose=" ", voucher_number="", source_type="expense",
        )

    assert set(caught.value.message_dict) == {"amount", "date", "category", "payee", "purpose", "voucher_number", "source_id"}


def test_one_expense_request_posts_only_once(users, heping, post_expense):
    post_expense(heping, "100.00", source_id=7)

    with pytest.raises(services.AlreadyPosted):
        post_expense(heping, "100.00", source_id=7)

    assert LedgerLine.objects.filter(source_type="expense", source_id=7).count() == 1


def test_posted_balance_counts_income_minus_paid_expenses_with_reversals(users, heping, record_income, post_expense):
    start = selectors.posted_balance(community=heping)
    income = record_income(heping, "1000.00")
    post_expense(heping, "250.25")
    expense = post_expense(heping, "100.00", source_id=99)
    assert selectors.posted_balance(community=heping) == start + Decimal("649.75")

    services.line_reverse(actor=users["heping_secretary"], line=expense, reason="重复付款")
    assert selectors.posted_balance(community=heping) == start + Decimal("749.75")

    services.line_reverse(actor=users["heping_secretary"], line=income, reason="录错")
    assert selectors.posted_balance(community=heping) == start - Decimal("250.25")


def test_posted_balance_of_one_community_ignores_the_others(heping, fenghuang, record_income):
    start = selectors.posted_balance(community=fenghuang)

    record_income(heping, "5000.00")

    assert selectors.posted_balance(community=fenghuang) == start


def test_ledger_totals_are_per_line_and_never_a_difference(users, heping, record_income, post_expense):
    record_income(heping, "10.00")
    post_expense(heping, "3.00")
    qs = LedgerLine.objects.filter(community=heping)

    totals = selectors.ledger_totals(qs)

    assert set(totals) == {"income", "expense"}
    assert totals["expense"] == Decimal("3.00")
    assert totals["income"] == sum(line.amount for line in qs.filter(line="income"))
    assert selectors.ledger_totals(LedgerLine.objects.none()) == {"income": Decimal("0.00"), "expense": Decimal("0.00")}


@pytest.mark.django_db(transaction=True)
def test_books_lock_refuses_to_run_outside_a_transaction(demo):
    with pytest.raises(TransactionManagementError):
        services.books_lock(community=demo["communities"]["heping"])


def test_books_lock_locks_the_community_enterprise_row(heping):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        services.books_lock(community=heping)

    enterprise_table = CommunityEnterprise._meta.db_table
    locking = [q["sql"] for q in queries.captured_queries if enterprise_table in q["sql"]]
    assert len(locking) == 1
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in locking[0]
    else:
        # SQLite has no row locks; the IMMEDIATE transaction already holds the write lock.
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db(transaction=True)
def test_books_lock_holds_other_writers_of_that_community_off_until_commit(demo):
    heping, fenghuang = demo["communities"]["heping"], demo["communities"]["fenghuang"]
    if connection.vendor != "postgresql":
        # One SQLite writer at a time: a second BEGIN IMMEDIATE waits on the database lock.
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    outcome = {}

    def other_writer():
        try:
            for name, community in (("heping", heping), ("fenghuang", fenghuang)):
                try:
                    with transaction.atomic():
                        list(CommunityEnterprise.objects.select_for_update(nowait=True).filter(community=community))
                    outcome[name] = "locked"
                except DatabaseError:
                    outcome[name] = "blocked"
        finally:
            connections.close_all()

    with transaction.atomic():
        services.books_lock(community=heping)
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join(timeout=30)

    assert outcome == {"heping": "blocked", "fenghuang": "locked"}


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_reversing_at_once_post_one_reversal(demo):
    heping = demo["communities"]["heping"]
    secretary = demo["users"]["heping_secretary"]
    original = LedgerLine.objects.filter(community=heping, line="income").first()
    if connection.vendor != "postgresql":
        services.line_reverse(actor=secretary, line=original, reason="first")
        with pytest.raises(services.AlreadyReversed):
            services.line_reverse(actor=secretary, line=original, reason="second")
        assert LedgerLine.objects.filter(reverses=original).count() == 1
        return
    barrier = threading.Barrier(2)
    results = []

    def reverse(reason):
        try:
            barrier.wait(timeout=10)
            services.line_reverse(actor=secretary, line=original, reason=reason)
            results.append("posted")
        except services.AlreadyReversed:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reverse, args=(f"r{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(results) == ["conflict", "posted"]
    assert LedgerLine.objects.filter(reverses=original).count() == 1
