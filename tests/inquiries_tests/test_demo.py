"""The demo street shows the live process: a valid chain of disclosures per community and
inquiries in every state, made through the services."""

from workflows.inquiries.models import Inquiry
from workflows.ledger.disclosures import chain_check
from workflows.ledger.models import Disclosure


def test_every_community_has_a_valid_chain_of_its_ended_months(demo):
    for community in demo["communities"].values():
        assert Disclosure.objects.filter(community=community).exists(), community.code
        check = chain_check(community)
        assert check.ok and check.checked == Disclosure.objects.filter(community=community).count()


def test_the_demo_inquiries_cover_every_state_with_real_history(demo):
    from workflows.approvals.models import HistoryEntry

    li, chen = demo["users"]["resident_li"], demo["users"]["resident_chen"]
    states = {(i.submitter_id, i.state, i.published) for i in Inquiry.objects.filter(submitter__in=[li, chen])}
    assert (li.pk, "closed", True) in states and (li.pk, "answered", False) in states
    assert (chen.pk, "escalated", False) in states and (chen.pk, "open", False) in states
    overdue = Inquiry.objects.get(submitter=chen, state="escalated")
    actions = list(HistoryEntry.objects.filter(process_kind="inquiry", process_id=overdue.pk)
                   .values_list("action", "actor_id"))
    assert ("overdue_escalate", None) in actions and ("acknowledge", None) in actions
    published = Inquiry.objects.get(submitter=li, published=True)
    assert "李阿姨" not in published.published_question and "13800138000" not in published.published_question
