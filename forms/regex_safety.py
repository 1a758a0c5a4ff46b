"""The one engine for every user-defined pattern: RE2, which matches in linear time.

Python's `re` backtracks, and it holds the GIL while it does: a designer's
`.*.*.*.*.*.*.*=` against a 100-character submission stalls the whole server for most of a
minute. Static analysis of the parsed pattern caught some shapes and missed others, so user
patterns never reach `re` at all. RE2 (google-re2) guarantees time linear in the input and a
bounded memory per compiled pattern; what it cannot compile (backreferences, lookaround,
repetition counts above its limit) is refused when the designer saves the form, with RE2's own
reason, instead of failing on some user's submission later.

Designers write Python/JavaScript escapes such as `\\u4e00`; RE2 spells them `\\x{4e00}`, so they
are translated before compiling. Inputs stay length-capped (kinds.TEXT_MAX) as before.
"""

from __future__ import annotations

import functools

import re2

MAX_PATTERN_LENGTH = 200
# RE2 refuses to compile a pattern whose automaton would exceed this; 1 MiB is ample for a
# field format and bounds what one saved form can cost per worker.
MAX_PROGRAM_MEMORY = 1 << 20


class UnsafePattern(ValueError):
    pass


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = MAX_PROGRAM_MEMORY
    options.log_errors = False  # a refused pattern is a designer message, not a log line
    return options


def _translate_escapes(pattern: str) -> str:
    r"""`\uXXXX` and `\UXXXXXXXX` become RE2's `\x{...}`; every other escape is kept as written."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            width = 4 if nxt == "u" else 8 if nxt == "U" else 0
            digits = pattern[i + 2 : i + 2 + width]
            if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                out.append("\\x{" + digits + "}")
                i += 2 + width
                continue
            out.append(pattern[i : i + 2])  # keeps `\\u` (an escaped backslash, then u) intact
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str):
    """The compiled RE2 pattern, or UnsafePattern with a reason a designer can act on."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return re2.compile(_translate_escapes(pattern), _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise UnsafePattern(
            f"not a pattern the linear-time engine accepts ({reason}); backreferences, lookahead/lookbehind "
            "and repetition counts above 1000 are not supported"
        ) from None


def check_pattern(pattern: str) -> None:
    """Raise UnsafePattern (with a reason) for a pattern that cannot be used."""
    compile_pattern(pattern)


def pattern_fullmatch(pattern: str, value: str) -> bool:
    return compile_pattern(pattern).fullmatch(value) is not None
