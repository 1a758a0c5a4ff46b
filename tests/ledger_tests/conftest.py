"""Ledger test helpers: the demo street with its demo income, plus shortcuts to post lines."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.demo_inputs import INCOME_EXTRA
from workflows.ledger import services


@pytest.fixture
def heping(communities):
    return communities["heping"]


@pytest.fixture
def fenghuang(communities):
    return communities["fenghuang"]


@pytest.fixture
def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def record_income(users, yesterday):
    """record_income(community, amount) → an income line posted by that community's staff."""

    def record(community, amount="1000.00", *, source="operating", date=None, actor=None):
        return services.income_record(
            actor=actor or users[f"{community.code}_staff"],
            community=community,
            source=source,
            amount=Decimal(amount),
            date=date or yesterday,
            counterparty="测试付款方",
            note="test income",
            extra=INCOME_EXTRA,
        )

    return record


@pytest.fixture
def post_expense(users, yesterday):
    """post_expense(community, amount) → an expense line as the payment service would post it."""

    def post(community, amount="500.00", *, source_id=None, date=None):
        return services.expense_post(
            actor=users[f"{community.code}_staff"],
            community=community,
            amount=Decimal(amount),
            date=date or yesterday,
            category="utilities",
            payee="鹤山市供电局",
            purpose="电费",
            voucher_number=f"PZ-{source_id or 'x'}",
            source_type="expense" if source_id else "",
            source_id=source_id,
        )

    return post
