"""Static refusal of patterns that could backtrack catastrophically.

Decision: we analyse the parsed pattern instead of adding the `regex` package with a timeout.
A timeout only turns a bad pattern into a failure on some user's submission, long after the
designer saved it, and under load it makes validation depend on machine speed. Refusing at
design time tells the designer exactly which part is dangerous. Inputs are also length-capped
(see kinds.TEXT_MAX), which bounds the polynomial cases that static analysis lets through.

Refused: a quantifier whose body holds another unbounded quantifier (`(a+)+`, `(a*)*`,
`(\\d+\\w*)*`, `(.*a){20}`), a repeated alternation whose branches can start with the same character
(`(a|a)*`, `(a|ab)+`), backreferences and nested quantifiers of unlimited repeat.
"""

import re

try:  # Python 3.11+
    from re import _constants as sre_c
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as sre_c
    import sre_parse

MAX_PATTERN_LENGTH = 200
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT}
if hasattr(sre_c, "POSSESSIVE_REPEAT"):
    _REPEATS.add(sre_c.POSSESSIVE_REPEAT)
_ANY = "any"


class UnsafePattern(ValueError):
    pass


def _is_unbounded(op_args) -> bool:
    _min, maximum, _body = op_args
    return maximum == sre_c.MAXREPEAT or maximum > 50


def _contains_repeat(items) -> bool:
    for op, args in items:
        if op in _REPEATS and _is_unbounded(args):
            return True
        for sub in _children(op, args):
            if _contains_repeat(sub):
                return True
    return False


def _children(op, args):
    if op in _REPEATS:
        return [args[2]]
    if op is sre_c.SUBPATTERN:
        return [args[-1]]
    if op is sre_c.BRANCH:
        return list(args[1])
    if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        return [args[1]]
    if op is getattr(sre_c, "ATOMIC_GROUP", None):
        return [args]
    if op is sre_c.GROUPREF_EXISTS:
        return [b for b in args[1:] if b is not None]
    return []


def _first_chars(items):
    """Characters a sequence can start with: a set of code points, or _ANY when unsure."""
    for op, args in items:
        if op is sre_c.LITERAL:
            return {args}
        if op is sre_c.NOT_LITERAL or op is sre_c.ANY or op is sre_c.CATEGORY:
            return _ANY
        if op is sre_c.IN:
            chars = set()
            for kind, value in args:
                if kind is sre_c.LITERAL:
                    chars.add(value)
                elif kind is sre_c.RANGE and value[1] - value[0] < 256:
                    chars.update(range(value[0], value[1] + 1))
                else:
                    return _ANY
            return chars
        if op in (sre_c.AT,):
            continue
        if op in _REPEATS:
            first = _first_chars(args[2])
            if args[0] == 0:
                return _ANY  # optional: what follows may start too; be conservative
            return first
        if op is sre_c.SUBPATTERN:
            return _first_chars(args[-1])
        if op is sre_c.BRANCH:
            result = set()
            for branch in args[1]:
                first = _first_chars(branch)
                if first is _ANY:
                    return _ANY
                result |= first
            return result
        return _ANY
    return set()


def _overlapping_branches(items) -> bool:
    for op, args in items:
        if op is sre_c.BRANCH:
            seen = set()
            for branch in args[1]:
                first = _first_chars(branch)
                if first is _ANY or first & seen or not first:
                    return True
                seen |= first
        elif op is sre_c.SUBPATTERN:
            if _overlapping_branches(args[-1]):
                return True
    return False


def _walk(items) -> None:
    for op, args in items:
        if op in (sre_c.GROUPREF, sre_c.GROUPREF_EXISTS):
            raise UnsafePattern("backreferences are not allowed")
        if op in _REPEATS and args[1] > 1:
            body = args[2]
            if _contains_repeat(body):
                raise UnsafePattern("a repeated group contains another repetition (like (a+)+), which can take exponential time")
            if _is_unbounded(args) and _overlapping_branches(body):
                raise UnsafePattern("a repeated alternation has branches that can match the same text (like (a|a)*), which can take exponential time")
        for sub in _children(op, args):
            _walk(sub)


def check_pattern(pattern: str) -> None:
    """Raise UnsafePattern (with a reason) for invalid, oversized or dangerous patterns."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise UnsafePattern(f"not a valid regular expression ({exc})") from None
    _walk(list(parsed))
