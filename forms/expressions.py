"""A tiny safe arithmetic language for computed fields. Never `eval`.

Grammar (checked on the parsed `ast`, node by node, against a whitelist):
numbers, names of number fields, + - * /, parentheses, unary minus/plus, and
`sum(table.column)` — the only call form and the only place a dot may appear.

A parsed expression compiles to a tree of closures (fast to run per submission) and to a small
JSON tree the browser evaluates for live values (forms/static/lowcode/logic.js), so the
browser never parses expressions either.
"""

import ast
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from functools import lru_cache

MAX_EXPRESSION_LENGTH = 500
MAX_NODES = 200
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Parsed:
    names: frozenset[str]  # plain field names
    sums: frozenset[tuple[str, str]]  # (table, column)
    tree: tuple  # JSON-able: ["num", "1.5"] | ["name", k] | ["sum", t, c] | ["neg", x] | [op, a, b]
    run: Callable[[dict, dict], Decimal]


def _describe(node) -> str:
    if isinstance(node, ast.Attribute):
        return "attribute access"
    if isinstance(node, ast.Call):
        return "function calls other than sum(table.column)"
    if isinstance(node, ast.Subscript):
        return "subscripts"
    if isinstance(node, ast.Lambda):
        return "lambdas"
    if isinstance(node, ast.Constant):
        return f"the constant {node.value!r}"
    return f"{type(node).__name__} nodes"


def _convert(node, count: list[int]) -> tuple:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ExpressionError(f"the expression has more than {MAX_NODES} parts")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"not allowed in expressions: {_describe(node)} (only numbers)")
        return ("num", str(node.value))
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return (_OPS[type(node.op)], _convert(node.left, count), _convert(node.right, count))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _convert(node.operand, count)
        return ("neg", inner) if isinstance(node.op, ast.USub) else inner
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "sum"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Attribute)
        and isinstance(node.args[0].value, ast.Name)
    ):
        return ("sum", node.args[0].value.id, node.args[0].attr)
    raise ExpressionError(f"not allowed in expressions: {_describe(node)}")


def _compile(tree) -> Callable[[dict, dict], Decimal]:
    tag = tree[0]
    if tag == "num":
        value = Decimal(tree[1])
        return lambda values, tables: value
    if tag == "name":
        key = tree[1]
        return lambda values, tables: values.get(key) or Decimal(0)
    if tag == "sum":
        table, column = tree[1], tree[2]
        return lambda values, tables: sum((row.get(column) or Decimal(0) for row in tables.get(table) or ()), Decimal(0))
    if tag == "neg":
        inner = _compile(tree[1])
        return lambda values, tables: -inner(values, tables)
    left, right = _compile(tree[1]), _compile(tree[2])
    if tag == "+":
        return lambda v, t: left(v, t) + right(v, t)
    if tag == "-":
        return lambda v, t: left(v, t) - right(v, t)
    if tag == "*":
        return lambda v, t: left(v, t) * right(v, t)
    return lambda v, t: left(v, t) / right(v, t)


def _collect(tree, names: set, sums: set) -> None:
    if tree[0] == "name":
        names.add(tree[1])
    elif tree[0] == "sum":
        sums.add((tree[1], tree[2]))
    elif tree[0] != "num":
        for child in tree[1:]:
            _collect(child, names, sums)


@lru_cache(maxsize=2048)
def parse(source: str) -> Parsed:
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        module = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError("the expression is not valid arithmetic") from None
    try:
        tree = _convert(module.body, [0])
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    names: set[str] = set()
    sums: set[tuple[str, str]] = set()
    _collect(tree, names, sums)
    return Parsed(frozenset(names), frozenset(sums), tree, _compile(tree))


def evaluate(source: str, values: dict, tables: dict | None = None, *, places: int = 2) -> Decimal | None:
    """The value rounded to `places`, or None when it cannot be computed (division by zero)."""
    parsed = parse(source)
    try:
        result = parsed.run(values, tables or {})
        return result.quantize(Decimal(1).scaleb(-places))
    except (ZeroDivisionError, DivisionByZero, InvalidOperation):
        return None
