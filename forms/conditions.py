"""The one condition engine: show_if / required_if on form fields and conditional rows of the
authority table both call `evaluate(condition, data)`.

A condition is either a leaf `{"field": k, "op": op, "value": v}` or a group `{"all": [...]}` /
`{"any": [...]}`. It is accepted as the pydantic `schema.Condition` or as the plain dict it
serialises to. `data` is cleaned or stored submission data: comparisons coerce both sides, so
"8000.00", Decimal("8000") and 8000 compare equal, and ISO dates compare in date order.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

OPS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "contains", "empty", "not_empty")
MAX_DEPTH = 5


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {} or value == ()


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float | str):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
        return number if number.is_finite() else None
    return None


def _scalar(value):
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _equal(a, b) -> bool:
    a, b = _scalar(a), _scalar(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na == nb
    return str(a) == str(b) if a is not None and b is not None else a is b


def _order(a, b):
    a, b = _scalar(a), _scalar(b)
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    if isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    return None  # incomparable: every ordering test is false


def _leaf(op: str, actual, expected) -> bool:
    if op == "empty":
        return is_empty(actual)
    if op == "not_empty":
        return not is_empty(actual)
    if op == "eq":
        return not is_empty(actual) and _equal(actual, expected)
    if op == "ne":
        return is_empty(actual) or not _equal(actual, expected)
    if op == "in":
        options = expected if isinstance(expected, list | tuple) else [expected]
        return not is_empty(actual) and any(_equal(actual, o) for o in options)
    if op == "contains":
        if isinstance(actual, list | tuple):
            return any(_equal(item, expected) for item in actual)
        if isinstance(actual, str) and expected is not None:
            return str(expected) in actual
        return False
    if is_empty(actual):
        return False
    order = _order(actual, expected)
    if order is None:
        return False
    return {"gt": order > 0, "ge": order >= 0, "lt": order < 0, "le": order <= 0}[op]


def _as_dict(condition):
    if hasattr(condition, "model_dump"):
        return condition.model_dump(exclude_none=True)
    return condition


def evaluate(condition, data: dict) -> bool:
    """True when `data` satisfies `condition`. An absent condition is always true."""
    if condition is None:
        return True
    return _evaluate(_as_dict(condition), data, 0)


def _evaluate(node: dict, data: dict, depth: int) -> bool:
    if depth > MAX_DEPTH:
        raise ValueError(f"conditions may be nested at most {MAX_DEPTH} levels deep")
    if node.get("all") is not None:
        return all(_evaluate(_as_dict(c), data, depth + 1) for c in node["all"])
    if node.get("any") is not None:
        return any(_evaluate(_as_dict(c), data, depth + 1) for c in node["any"])
    op = node.get("op")
    if op not in OPS:
        raise ValueError(f"unknown condition operator {op!r}")
    return _leaf(op, data.get(node.get("field")), node.get("value"))


def fields_of(condition) -> set[str]:
    if condition is None:
        return set()
    node = _as_dict(condition)
    if node.get("all") is not None or node.get("any") is not None:
        result = set()
        for child in node.get("all") or node.get("any") or ():
            result |= fields_of(child)
        return result
    return {node.get("field")}
