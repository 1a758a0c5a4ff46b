"""Process kinds known to the shared task list and task actions.

A process (expenses now; partners, leases, inquiries later) registers one `ProcessKind` in its
AppConfig.ready(). The shared `/api/tasks/` and the 待办/我发起的/抄送我的/已办 pages only talk to
these callables, so a new process needs no change in the approvals app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProcessKind:
    kind: str                                   # stored in history rows: never rename
    label: Any                                  # lazy translation, e.g. 费用报销
    flow_class: type                            # the viewflow Flow whose tasks belong to this kind
    # viewflow Process ids -> {process id: domain object}, one query for a whole task list
    objects_for_processes: Callable[[list[int]], dict[int, Any]]
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    state_label: Callable[[Any], str]
    # Task actions: (actor, task, **fields) -> None; raise ValidationError/StaleState/Http404.
    actions: dict[str, Callable[..., None]] = field(default_factory=dict)
    # Scoped querysets for the shared pages.
    submitted_by: Callable[[Any], Any] | None = None
    copied_to: Callable[[Any], Any] | None = None
    objects_by_ids: Callable[[list[int]], dict[int, Any]] | None = None
    step_label: Callable[[str], str] = str


_kinds: dict[str, ProcessKind] = {}


def register(kind: ProcessKind) -> None:
    _kinds[kind.kind] = kind


def get(kind: str) -> ProcessKind:
    return _kinds[kind]


def all_kinds() -> list[ProcessKind]:
    return list(_kinds.values())


def kind_for_flow(flow_class) -> ProcessKind | None:
    for kind in _kinds.values():
        if kind.flow_class is flow_class:
            return kind
    return None
