"""Parsing ids that arrive as text (query strings, JSON) without ever raising a 500."""

# A positive id that fits PostgreSQL's bigint and SQLite's integer.
MAX_ID = 2**63 - 1


def parse_id(raw) -> int | None:
    """A positive whole number that fits the database, or None.

    `str.isdigit()` alone accepts "²" and other Unicode digits that `int()` rejects, and a
    20-digit number overflows SQLite: both would surface as a 500.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not (text.isascii() and text.isdigit()):
            return None
        raw = int(text)
    if isinstance(raw, int) and 0 < raw <= MAX_ID:
        return raw
    return None
