from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.expenses_tests.helpers import act, actions, file, history, open_tasks
from workflows.approvals import errors as approvals
from workflows.approvals.events import EventKind, approval_event
from workflows.expenses import services
from workflows.expenses.models import AuthorityPolicy
from workflows.expenses.states import ExpenseState
from workflows.org.models import RoleMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    seen = []

    def receiver(sender, event, **kwargs):
        seen.append(event)

    approval_event.connect(receiver, weak=False)
    yield seen
    approval_event.disconnect(receiver)


def test_demo_policy_version_1_has_the_four_tiers_of_the_issue(demo):
    policy = AuthorityPolicy.objects.get(street=demo["street"], version=1)
    rows = [(r.category, r.amount_above, r.amount_upto, r.steps) for r in policy.rules.order_by("position")]
    assert rows == [
        ("", Decimal("0"), Decimal("1000"), ["community_secretary"]),
        ("", Decimal("1000"), Decimal("5000"), ["community_secretary", "community_committee"]),
        ("", Decimal("5000"), Decimal("20000"), ["community_secretary", "community_committee", "street_reviewer"]),
        ("", Decimal("20000"), None, ["community_secretary", "community_committee", "street_reviewer", "street_leader"]),
    ]


def test_800_yuan_needs_only_the_secretary(users, communities):
    request = file(users, communities, amount="800.00")
    assert request.state == ExpenseState.PENDING and request.steps == ["community_secretary"]
    assert [t.owner for t in open_tasks(request)] == [users["heping_secretary"]]
    request = act(request, users["heping_secretary"])
    assert request.state == ExpenseState.APPROVED
    assert actions(request) == ["submit", "approve"]
    assert history(request, "approve")[0].state_after == ExpenseState.APPROVED


def test_1000_yuan_is_still_the_lowest_tier_because_upper_bounds_are_inclusive(users, communities):
    assert file(users, communities, amount="1000.00").steps == ["community_secretary"]
    assert file(users, communities, amount="1000.01").steps == ["community_secretary", "community_committee"]


def test_3000_yuan_goes_to_the_secretary_then_a_committee_majority(users, communities):
    request = file(users, communities, amount="3000.00")
    request = act(request, users["heping_secretary"])
    assert request.state == ExpenseState.PENDING
    voters = sorted(t.owner.username for t in open_tasks(request))
    # The secretary sits on the committee but signed the step before: she is excluded.
    assert voters == ["heping_committee1", "heping_committee2", "heping_committee3"]
    assert history(request, "recuse")[0].actor == users["heping_secretary"]
    request = act(request, users["heping_committee1"])
    assert request.state == ExpenseState.PENDING
    request = act(request, users["heping_committee3"])
    assert request.state == ExpenseState.APPROVED
    assert open_tasks(request) == []  # the third vote is no longer needed
    tally = history(request, "step_passed")[0].detail
    assert tally["approve"] == 2 and tally["needed"] == 2 and tally["voters"] == 3


def test_8000_yuan_reaches_the_street_reviewer(users, communities, events):
    request = file(users, communities, amount="8000.00")
    act(request, users["heping_secretary"])
    act(request, users["heping_committee1"])
    act(request, users["heping_committee2"])
    assert [t.owner for t in open_tasks(request)] == [users["shaping_reviewer"]]
    assert any(e.kind == EventKind.REACHED_STREET for e in events)
    request = act(request, users["shaping_reviewer"])
    assert request.state == ExpenseState.APPROVED


def test_50000_yuan_needs_every_step_up_to_the_street_leader(users, communities, events):
    request = file(users, communities, amount="50000.00")
    for who in ["heping_secretary", "heping_committee1", "heping_committee2", "shaping_reviewer"]:
        request = act(request, users[who])
        assert request.state == ExpenseState.PENDING
    request = act(request, users["shaping_leader"])
    assert request.state == ExpenseState.APPROVED
    assert actions(request).count("approve") == 5
    assert events[-1].kind == EventKind.APPROVED
    assert {users["heping_staff"].pk} <= set(events[-1].user_ids)


def test_a_secretary_filing_passes_her_own_step_automatically_and_is_recused_from_the_vote(users, communities):
    request = file(users, communities, by="heping_secretary", amount="3000.00")
    auto = history(request, "auto_pass")
    assert len(auto) == 1 and auto[0].step == "community_secretary" and auto[0].detail["reason"] == "submitter"
    assert history(request, "recuse")[0].detail["reason"] == "submitter"
    assert sorted(t.owner.username for t in open_tasks(request)) == [
        "heping_committee1", "heping_committee2", "heping_committee3"]


def test_a_secretary_filing_800_yuan_is_approved_at_once(users, communities):
    request = file(users, communities, by="heping_secretary", amount="800.00")
    assert request.state == ExpenseState.APPROVED
    assert actions(request) == ["submit", "auto_pass"]


def test_a_community_without_a_secretary_sends_the_step_to_the_street_reviewer(users, communities):
    RoleMembership.objects.filter(org_unit=communities["gubu"], role="community_secretary").delete()
    request = file(users, communities, by="gubu_staff", community="gubu", amount="500.00")
    assert [t.owner for t in open_tasks(request)] == [users["shaping_reviewer"]]
    assert history(request, "reassign")[0].detail["reason"] == "no_holder"
    assert act(request, users["shaping_reviewer"]).state == ExpenseState.APPROVED


def test_the_same_person_never_signs_two_consecutive_steps(users, communities):
    # Without secretary and committee both steps fall to the one street reviewer: she signs once,
    # the committee step passes on her signature, and the street step that follows goes to her
    # again only because a vote (not one person) stood in between.
    RoleMembership.objects.filter(org_unit=communities["gubu"], role__in=["community_secretary", "community_committee"]).delete()
    request = file(users, communities, by="gubu_staff", community="gubu", amount="3000.00")
    request = act(request, users["shaping_reviewer"])
    assert request.state == ExpenseState.APPROVED
    auto = history(request, "auto_pass")
    assert len(auto) == 1 and auto[0].step == "community_committee" and auto[0].detail["reason"] == "same_signer"
    assert len(history(request, "approve")) == 1


def test_a_countersign_fails_as_soon_as_a_majority_is_impossible(users, communities):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"])
    request = act(request, users["heping_committee1"], "reject", comment="预算不足")
    assert request.state == ExpenseState.PENDING  # two can still approve
    request = act(request, users["heping_committee2"], "reject", comment="没有必要")
    assert request.state == ExpenseState.REJECTED
    assert open_tasks(request) == []
    assert len(history(request, "reject")) == 2 and len(history(request, "step_failed")) == 1


def test_a_single_rejection_ends_the_request(users, communities, events):
    request = file(users, communities, amount="8000.00")
    request = act(request, users["heping_secretary"], "reject", comment="预算不足")
    assert request.state == ExpenseState.REJECTED
    assert history(request, "reject")[0].comment == "预算不足"
    assert events[-1].kind == EventKind.REJECTED


def test_return_and_resubmit_restart_the_route_under_the_same_policy_version(users, communities, demo):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"])
    request = act(request, users["heping_committee1"], "return", comment="请补充发票")
    assert request.state == ExpenseState.RETURNED and open_tasks(request) == []
    # A new policy version meanwhile does not change the request's version.
    services.policy_create_version(actor=users["admin"], street=demo["street"], effective_from=request.created_at.date(),
                                   rows=[{"amount_above": "0", "steps": ["street_leader"]}])
    request = services.expense_resubmit(actor=users["heping_staff"], request=request, amount="4000.00", comment="已补充")
    assert request.state == ExpenseState.PENDING and request.round == 2 and request.policy.version == 1
    assert [t.owner for t in open_tasks(request)] == [users["heping_secretary"]]
    assert actions(request)[:4] == ["submit", "approve", "approve", "return"] or "return" in actions(request)
    resubmit = history(request, "resubmit")[0]
    assert resubmit.detail["changes"]["amount"] == ["3000.00", "4000.00"] and resubmit.policy_version == 1


def test_only_the_submitter_may_resubmit_and_only_a_returned_request(users, communities):
    request = file(users, communities, amount="800.00")
    with pytest.raises(approvals.StaleState):
        services.expense_resubmit(actor=users["heping_staff"], request=request)


def test_withdraw_is_possible_only_before_anyone_decides(users, communities, events):
    request = file(users, communities, amount="3000.00")
    request = services.expense_withdraw(actor=users["heping_staff"], request=request, comment="填错了")
    assert request.state == ExpenseState.WITHDRAWN and open_tasks(request) == []
    assert events[-1].kind == EventKind.WITHDRAWN and events[-1].user_ids == (users["heping_secretary"].pk,)
    second = file(users, communities, amount="3000.00")
    act(second, users["heping_secretary"])
    with pytest.raises(approvals.StaleState):
        services.expense_withdraw(actor=users["heping_staff"], request=second)


def test_transfer_goes_to_another_holder_of_the_same_role(users, communities, events):
    RoleMembership.objects.create(user=users["heping_committee1"], role="community_secretary", org_unit=communities["heping"])
    request = file(users, communities, amount="800.00")
    act(request, users["heping_secretary"], "transfer", to_user=users["heping_committee1"].pk, comment="出差")
    assert [t.owner for t in open_tasks(request)] == [users["heping_committee1"]]
    transfer = history(request, "transfer")[0]
    assert transfer.detail["to_user"] == users["heping_committee1"].pk and transfer.comment == "出差"
    assert events[-1].kind == EventKind.TASK_TRANSFERRED and events[-1].user_ids == (users["heping_committee1"].pk,)
    assert act(request, users["heping_committee1"]).state == ExpenseState.APPROVED


def test_a_vote_cannot_be_transferred_to_the_person_who_signed_the_step_before(users, communities):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"])
    with pytest.raises(ValidationError) as exc:
        act(request, users["heping_committee1"], "transfer", to_user=users["heping_secretary"].pk)
    assert "to_user" in exc.value.message_dict


def test_transfer_to_someone_without_the_role_is_refused(users, communities):
    request = file(users, communities, amount="800.00")
    with pytest.raises(ValidationError) as exc:
        act(request, users["heping_secretary"], "transfer", to_user=users["heping_committee1"].pk)
    assert "to_user" in exc.value.message_dict


def test_urge_is_limited_to_once_in_four_hours(users, communities, events):
    request = file(users, communities, amount="800.00")
    services.expense_urge(actor=users["heping_staff"], request=request)
    assert events[-1].kind == EventKind.URGED and events[-1].user_ids == (users["heping_secretary"].pk,)
    with pytest.raises(approvals.RateLimited) as exc:
        services.expense_urge(actor=users["heping_staff"], request=request)
    assert 0 < exc.value.retry_after <= 4 * 3600


def test_comment_is_kept_and_told_to_the_people_involved(users, communities, events):
    request = file(users, communities, amount="800.00", cc=[users["heping_committee2"].pk])
    services.expense_comment(actor=users["heping_secretary"], request=request, comment="请附上电费单")
    assert history(request, "comment")[0].comment == "请附上电费单"
    assert set(events[-1].user_ids) == {users["heping_staff"].pk, users["heping_committee2"].pk}
    assert history(request, "cc")[0].detail["users"] == [users["heping_committee2"].pk]


def test_every_history_row_names_the_policy_version_and_states(users, communities):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"])
    for row in history(request, "approve") + history(request, "submit"):
        assert row.policy_version == 1 and row.state_after
        assert row.round == 1


def test_an_amount_outside_the_limits_is_refused(users, communities):
    for bad in ["0", "-5", "1.234", "10000000.01", "abc"]:
        with pytest.raises(ValidationError) as exc:
            file(users, communities, amount=bad)
        assert "amount" in exc.value.message_dict


def test_history_cannot_be_edited(users, communities):
    request = file(users, communities, amount="800.00")
    row = history(request, "submit")[0]
    row.comment = "changed"
    with pytest.raises(ValidationError):
        row.save()


def test_events_are_sent_inside_the_transaction(users, communities, events):
    file(users, communities, amount="800.00")
    assigned = [e for e in events if e.kind == EventKind.TASK_ASSIGNED]
    assert assigned and assigned[0].user_ids == (users["heping_secretary"].pk,) and assigned[0].url.startswith("/expenses/")


def test_the_demo_has_fenghuang_requests_in_several_states(demo):
    from workflows.expenses.models import ExpenseRequest

    states = sorted(ExpenseRequest.objects.filter(community__code="fenghuang").values_list("state", flat=True))
    assert states == ["approved", "paid", "pending", "pending", "returned"]
    from fixtures.loader import load_demo
    from tests.conftest import DEMO_TEST_PASSWORD

    load_demo(DEMO_TEST_PASSWORD)  # idempotent
    assert ExpenseRequest.objects.filter(community__code="fenghuang").count() == 5
