"""Demo data of the expense area: Shaping Street's authority table, version 1 (idempotent)."""

import datetime as dt

DEMO_POLICY_V1 = [
    {"category": "", "amount_above": "0", "amount_upto": "1000", "steps": ["community_secretary"]},
    {"category": "", "amount_above": "1000", "amount_upto": "5000", "steps": ["community_secretary", "community_committee"]},
    {"category": "", "amount_above": "5000", "amount_upto": "20000",
     "steps": ["community_secretary", "community_committee", "street_reviewer"]},
    {"category": "", "amount_above": "20000", "amount_upto": None,
     "steps": ["community_secretary", "community_committee", "street_reviewer", "street_leader"]},
]
DEMO_POLICY_EFFECTIVE = dt.date(2026, 4, 15)


def load_expense_demo(context: dict) -> None:
    from workflows.expenses.models import AuthorityPolicy
    from workflows.expenses.services import policy_create_version

    street = context["street"]
    if AuthorityPolicy.objects.filter(street=street).exists():
        return
    policy_create_version(
        actor=context["users"]["admin"], street=street, effective_from=DEMO_POLICY_EFFECTIVE,
        rows=DEMO_POLICY_V1, note="沙坪街道社区企业分级审批权限表（第1版）",
    )
    _demo_requests(context)


def _demo_requests(context: dict) -> None:
    """A few 凤凰 requests in different states, made through the services like real ones."""
    from django.utils import timezone
    from viewflow.workflow.models import Task

    from workflows.approvals.services import task_act
    from workflows.expenses.services import InsufficientBalance, expense_create, expense_pay

    users, community = context["users"], context["communities"]["fenghuang"]

    def file(by, amount, category, payee, purpose, extra=None):
        return expense_create(actor=users[by], community=community, amount=amount, category=category,
                              payee=payee, purpose=purpose, cc=[users["fenghuang_committee3"].pk], extra=extra)

    def decide(request, who, action="approve", comment="同意"):
        task = Task.objects.get(process_id=request.process_id, owner=users[who], status="NEW")
        task_act(actor=users[who], task_id=task.pk, action=action, comment=comment)

    water = file("fenghuang_staff", "800.00", "utilities", "鹤山市供水有限公司", "党群服务中心十月水费")
    decide(water, "fenghuang_secretary")
    try:
        expense_pay(actor=users["fenghuang_staff"], request=water, paid_on=timezone.localdate(), voucher_number="记-2026-1101")
    except InsufficientBalance:
        pass  # the ledger's demo income is not loaded: the request stays approved
    cleaning = file("fenghuang_staff", "600.00", "daily_operations", "鹤山市洁美保洁服务部", "十一月公共区域保洁")
    decide(cleaning, "fenghuang_secretary")
    party = file("fenghuang_staff", "3000.00", "party_activity", "鹤山市沙坪印刷厂", "七一党群活动宣传物料", extra={
        "invoice_no": "44072026-0701", "project_type": "activity",
        "items": [{"name": "宣传展板", "quantity": 10, "unit_price": "180.00"},
                  {"name": "党建手册", "quantity": 200, "unit_price": "6.00"}],
    })
    decide(party, "fenghuang_secretary")
    elders = file("fenghuang_secretary", "8000.00", "special_groups", "凤凰社区长者饭堂", "困难长者助餐补贴（第四季度）")
    decide(elders, "fenghuang_committee1")
    decide(elders, "fenghuang_committee2")
    wishes = file("fenghuang_staff", "1500.00", "micro_wish", "鹤山市新华书店", "留守儿童微心愿：图书文具")
    decide(wishes, "fenghuang_secretary", "return", "请附上微心愿认领名单")
