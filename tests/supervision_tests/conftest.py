"""A known street, built through the real services on the statutory calendar (time-machine).

`situation` (org only: no demo income, partners or inquiries, so every figure is known):

- 和平 heping: inquiry E filed 2026-07-01, never answered: the timer sent it to the street on
  08-03 (逾期自动上报), and the street's review is itself past its deadline (08-31) by 09-15;
  A, B, C filed 08-03 (answer due 08-31 24:00): A answered 08-05 (on time), B answered 09-02
  (late), C still open past its deadline (late, overdue, held by the secretary 何书记); D filed
  09-14 (not yet due). An ¥800 expense filed 09-14 waits for the secretary. Books: income ¥1,000
  (08-05) and ¥500 (09-01), expense ¥300 (08-10); August's disclosure never published (missed).
- 凤凰 fenghuang: income ¥800 (08-06), August published 09-02 (on time).
- 谷埠 gubu: income ¥600 (08-07), August published 09-15 09:00 (late: due 09-14).
- the other three: nothing.

The clock ends at Tuesday 2026-09-15 10:00 Beijing time. `reports_at_first_working_day` is the
monthly report the timer wrote on Tuesday 2026-09-01 (August's).
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals.services import deadlines_sweep, task_act
from workflows.inquiries.models import Inquiry
from workflows.inquiries.services import inquiry_file

BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=BEIJING)


def open_task(inquiry):
    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    return Task.objects.filter(process_id=inquiry.process_id, status=STATUS.NEW).order_by("id").first()


def acknowledge(inquiry, users):
    task_act(actor=users["heping_staff"], task_id=open_task(inquiry).pk, action="acknowledge")


def answer(inquiry, users):
    task_act(actor=users["heping_secretary"], task_id=open_task(inquiry).pk, action="answer", outcome="explained",
             answer="用于居家养老上门服务。")


def file(users, communities, question="八月的收入用在哪里？"):
    return inquiry_file(actor=users["resident_li"], community=communities["heping"], question=question,
                        publish_consent=True)


@pytest.fixture
def situation(org_only):
    from workflows.expenses.demo import DEMO_POLICY_EFFECTIVE, DEMO_POLICY_V1
    from workflows.expenses.services import expense_create, policy_create_version
    from workflows.ledger.services import disclosure_publish, expense_post, income_record
    from workflows.supervision.services import supervision_sweep

    users, communities = org_only["users"], org_only["communities"]
    heping, fenghuang, gubu = communities["heping"], communities["fenghuang"], communities["gubu"]
    found = {"users": users, "communities": communities, "street": org_only["street"]}
    with time_machine.travel(at(2026, 7, 1), tick=False) as clock:
        policy_create_version(actor=users["admin"], street=org_only["street"], effective_from=DEMO_POLICY_EFFECTIVE,
                              rows=DEMO_POLICY_V1, note="test")
        found["E"] = e = file(users, communities, "七月的支出明细？")
        acknowledge(e, users)
        clock.move_to(at(2026, 8, 3, 9))
        deadlines_sweep()  # E's answer was due 07-29 24:00: it goes to the street by itself
        clock.move_to(at(2026, 8, 3, 10))
        a, b, c = [file(users, communities) for _ in range(3)]
        found.update(A=a, B=b, C=c)
        for inquiry in (a, b, c):
            acknowledge(inquiry, users)
        clock.move_to(at(2026, 8, 5, 10))
        answer(a, users)
        income_record(actor=users["heping_staff"], community=heping, source="government_purchase",
                      amount=Decimal("1000.00"), date=dt.date(2026, 8, 5), counterparty="沙坪街道办事处")
        clock.move_to(at(2026, 8, 10, 10))
        expense_post(actor=users["heping_secretary"], community=heping, amount=Decimal("300.00"),
                     date=dt.date(2026, 8, 10), category="utilities", payee="鹤山市供电局", purpose="电费",
                     voucher_number="V-0810")
        income_record(actor=users["fenghuang_staff"], community=fenghuang, source="donation", amount=Decimal("800.00"),
                      date=dt.date(2026, 8, 6), counterparty="爱心企业")
        income_record(actor=users["gubu_staff"], community=gubu, source="operating", amount=Decimal("600.00"),
                      date=dt.date(2026, 8, 7), counterparty="场地使用费")
        clock.move_to(at(2026, 9, 1, 10))
        found["reports"] = supervision_sweep()["reports"]
        clock.move_to(at(2026, 9, 2, 10))
        answer(b, users)
        income_record(actor=users["heping_staff"], community=heping, source="operating", amount=Decimal("500.00"),
                      date=dt.date(2026, 9, 1), counterparty="场地使用费")
        disclosure_publish(actor=users["fenghuang_secretary"], community=fenghuang, period=dt.date(2026, 8, 1))
        clock.move_to(at(2026, 9, 14, 10))
        found["D"] = file(users, communities, "九月的电费？")
        found["expense"] = expense_create(actor=users["heping_staff"], community=heping, amount="800.00",
                                          category="utilities", payee="鹤山市供电局", purpose="九月电费")
        clock.move_to(at(2026, 9, 15, 9))
        disclosure_publish(actor=users["gubu_secretary"], community=gubu, period=dt.date(2026, 8, 1))
        clock.move_to(at(2026, 9, 15, 10))
        found["now"] = at(2026, 9, 15, 10)
        found["clock"] = clock
        yield found
