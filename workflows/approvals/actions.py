"""The action vocabulary as a registry: every code a history row may hold, and the task actions.

A history row stores the action's code; its label comes from here. A task action also has a
request serializer (the fields `POST /api/tasks/{id}/{code}/` accepts) and a handler the engine
runs inside its transaction with the task's object and task already locked. A process adds a
verb (answer, object, sign, remit) by registering it in its AppConfig.ready() and listing it in
its ProcessKind.actions: the engine, its API, its pages and the database need no change.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from project.api import IdField
from project.text import FreeTextValidator


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", validators=[FreeTextValidator()]
    )


class TransferSerializer(CommentSerializer):
    to_user = IdField()


class RequiredCommentSerializer(serializers.Serializer):
    """Reject and return: the submitter must be told why."""

    comment = serializers.CharField(max_length=2000, allow_blank=False, trim_whitespace=True,
                                    error_messages={"required": _("Give a reason."), "blank": _("Give a reason.")})


class AddSignerSerializer(CommentSerializer):
    users = serializers.ListField(child=IdField(), min_length=1, max_length=5)
    position = serializers.ChoiceField(choices=[("before", _("before me")), ("after", _("after me"))])


@dataclass(frozen=True)
class ActionDef:
    code: str                                   # stored in history rows: never rename
    label: Any                                  # lazy translation
    # Task actions only: handler(ctx: ActionContext, **validated fields) -> None.
    handler: Callable[..., None] | None = None
    serializer: type[serializers.Serializer] = CommentSerializer
    # A person's decision on a task: counts for 已办 and ends "the submitter may still withdraw".
    decision: bool = False
    # A timer may fire it with no person acting (the system actor).
    system: bool = False
    # The handler finishes the task with a conditional UPDATE (a lost race is a 409 there), so
    # the engine need not re-read the task under a lock first.
    finishes_task: bool = False
    # The process kind whose own verb this is; "" for the engine's and the shared ones. Two
    # processes may each have an `answer`: a task's action is looked up in its kind first.
    kind: str = ""


_actions: dict[tuple[str, str], ActionDef] = {}


def register(action: ActionDef) -> ActionDef:
    key = (action.kind, action.code)
    if key in _actions and _actions[key] != action:
        raise ValueError(f"action {action.code!r} is already registered" + (f" for {action.kind}" if action.kind else ""))
    if len(action.code) > 40:
        raise ValueError(f"action code {action.code!r} is longer than 40 characters")
    _actions[key] = action
    return action


def get(code: str, kind: str = "") -> ActionDef | None:
    """The action `code` of process kind `kind` (its own verb, else the shared one)."""
    return (_actions.get((kind, code)) if kind else None) or _actions.get(("", code))


def any_named(code: str) -> list[ActionDef]:
    """Every registered action with this code, whatever its kind."""
    return [a for (kind, c), a in _actions.items() if c == code]


def label(code: str, kind: str = "") -> str:
    action = get(code, kind)
    if action is None:
        found = any_named(code)
        action = found[0] if len(found) == 1 else None
    return str(action.label) if action else code


# Task actions every process has without listing them (加签 belongs to the engine, like claiming).
ENGINE_TASK_ACTIONS = ("add_signer",)


def task_codes(kind_actions, *, queued: bool, engine: bool = True) -> list[str]:
    """The task action codes allowed on a task whose kind (or step) lists `kind_actions`; the
    engine's own (加签) too unless `engine` is false."""
    codes = [*kind_actions, *(c for c in ENGINE_TASK_ACTIONS if engine and c not in kind_actions)]
    if queued and "claim" not in codes:
        codes.append("claim")
    return codes


def decision_codes() -> list[str]:
    return sorted({a.code for a in _actions.values() if a.decision})


def all_actions() -> list[ActionDef]:
    return list(_actions.values())


# Codes the engine writes itself, and the request-level verbs every process shares.
SUBMIT = register(ActionDef("submit", _("Submitted")))
RESUBMIT = register(ActionDef("resubmit", _("Resubmitted")))
WITHDRAW = register(ActionDef("withdraw", _("Withdrawn")))
URGE = register(ActionDef("urge", _("Urged")))
COMMENT = register(ActionDef("comment", _("Commented")))
CC = register(ActionDef("cc", _("Copied to")))
AUTO_PASS = register(ActionDef("auto_pass", _("Passed automatically")))
REASSIGN = register(ActionDef("reassign", _("Sent to another role")))
RECUSE = register(ActionDef("recuse", _("Excluded from the vote")))
STEP_PASSED = register(ActionDef("step_passed", _("Step passed")))
STEP_FAILED = register(ActionDef("step_failed", _("Step failed")))
REMIND = register(ActionDef("remind", _("Deadline reminder")))
