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
