"""The one validator for free text a person types: no invisible or direction-changing characters.

A right-to-left override (U+202E) makes "发票‮fdp.exe" read as something else, and zero-width
characters make two payees or names that look the same compare different (a duplicate check, a
search, an audit all miss). Such characters have no place in names, payees, purposes or comments,
so they are refused with a message rather than silently stripped: the person sees what they pasted.

Refused: Unicode format characters (category Cf: bidi embeddings, overrides and isolates, marks,
zero-width spaces and joiners, the BOM, soft hyphen), control characters other than tab and line
breaks, and the line/paragraph separators U+2028/U+2029.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _refused(char: str) -> bool:
    if char in _ALLOWED_CONTROLS:
        return False
    if char.isprintable() and char not in "\u00ad":
        # isprintable() is False for every Cf, Cc, Zl, Zp (and Zs other than the space) character.
        return False
    category = unicodedata.category(char)
    return category in ("Cf", "Cc", "Zl", "Zp")


def invisible_characters(value: str) -> list[str]:
    """The refused characters in `value`, as U+XXXX, in order of first appearance."""
    return [f"U+{ord(c):04X}" for c in dict.fromkeys(value) if _refused(c)]


def free_text_problem(value) -> str | None:
    if not isinstance(value, str):
        return None
    found = invisible_characters(value)
    if not found:
        return None
    return _("Remove the invisible or direction-changing characters (%(chars)s).") % {"chars": ", ".join(found[:5])}


def check_free_text(value, *, field: str | None = None) -> None:
    problem = free_text_problem(value)
    if problem:
        raise ValidationError({field: [problem]} if field else problem, code="invisible_characters")


@deconstructible
class FreeTextValidator:
    """The same check as a Django/DRF field validator."""

    def __call__(self, value):
        check_free_text(value)

    def __eq__(self, other):
        return isinstance(other, FreeTextValidator)
