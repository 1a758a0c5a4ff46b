"""The start-up check of process declarations catches what would otherwise fail on first use."""

import dataclasses

from django.core import checks

from workflows.approvals.checks import _kind_errors
from workflows.approvals.deadlines import DeadlineRule
from workflows.approvals.registry import StepDef
from workflows.expenses.process import EXPENSE


def test_the_declared_processes_pass_the_start_up_check():
    assert [m for m in checks.run_checks() if m.id == "approvals.E001"] == []


def test_a_step_without_a_node_an_unknown_role_and_an_unregistered_action_are_reported():
    bad = dataclasses.replace(
        EXPENSE,
        steps=(*EXPENSE.steps, StepDef("ghost", "nobody", "community", "Ghost")),
        actions=(*EXPENSE.actions, "sign_in_blood"),
    )
    errors = _kind_errors(bad)
    assert "step 'ghost' is declared but no node of the flow holds it" in errors
    assert "step 'ghost': unknown role 'nobody'" in errors
    assert "action 'sign_in_blood' is not a registered task action" in errors


def test_an_escalating_deadline_needs_a_target_and_a_timer_action():
    first = dataclasses.replace(EXPENSE.steps[0], deadline=DeadlineRule(3, on_timeout="escalate"))
    nowhere = dataclasses.replace(EXPENSE.steps[0], deadline=DeadlineRule(3, on_timeout="pay"))
    errors = _kind_errors(dataclasses.replace(EXPENSE, steps=(first, *EXPENSE.steps[1:])))
    assert "step 'community_secretary' escalates on timeout but declares no escalate_to" in errors
    errors = _kind_errors(dataclasses.replace(EXPENSE, steps=(nowhere, *EXPENSE.steps[1:])))
    assert any("timeout action 'pay' is not a registered task action" in e for e in errors)


def test_a_countersign_step_declared_as_sequential_is_reported():
    plain = dataclasses.replace(EXPENSE.steps[1], countersign=False)
    errors = _kind_errors(dataclasses.replace(EXPENSE, steps=(EXPENSE.steps[0], plain, *EXPENSE.steps[2:])))
    assert "step 'community_committee' has a vote node but is not declared a countersign" in errors


def test_a_waiting_period_needs_a_timed_action_and_step_actions_must_be_the_kinds():
    wait = dataclasses.replace(EXPENSE.steps[0], wait=True)
    errors = _kind_errors(dataclasses.replace(EXPENSE, steps=(wait, *EXPENSE.steps[1:])))
    assert "step 'community_secretary' is a waiting period but has no deadline with a timeout action" in errors
    narrowed = dataclasses.replace(EXPENSE.steps[0], actions=("approve", "answer"))
    errors = _kind_errors(dataclasses.replace(EXPENSE, steps=(narrowed, *EXPENSE.steps[1:])))
    assert "step 'community_secretary' allows actions the kind does not list: ['answer']" in errors


def test_a_steps_own_actions_narrow_the_kinds_on_its_tasks():
    narrowed = dataclasses.replace(EXPENSE.steps[0], actions=("approve", "reject"))
    kind = dataclasses.replace(EXPENSE, steps=(narrowed, *EXPENSE.steps[1:]))
    assert kind.step_actions("community_secretary") == ("approve", "reject")
    assert kind.step_actions("street_reviewer") == EXPENSE.actions
