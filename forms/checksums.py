"""Check characters of Chinese identity numbers.

身份证 (GB 11643-1999): 17 digits then a check character by ISO 7064 MOD 11-2.
统一社会信用代码 (GB 32100-2015): 17 characters over a 31-symbol alphabet, then a MOD 31 check.
"""

import datetime as dt
import re

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^[1-9]\d{16}[\dX]$")

# The alphabet leaves out I, O, S, V and Z, which read like digits.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def id_card_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_card_birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_card_problem(number: str, *, today: dt.date | None = None) -> str | None:
    """None when valid, otherwise a short reason code: 'format', 'birth_date' or 'check'."""
    if not ID_RE.match(number):
        return "format"
    born = id_card_birth_date(number)
    today = today or dt.date.today()
    if born is None or born.year < 1900 or born > today:
        return "birth_date"
    if id_card_check_char(number[:17]) != number[17]:
        return "check"
    return None


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None when valid, otherwise 'format' or 'check'."""
    if not USCC_RE.match(code):
        return "format"
    if uscc_check_char(code[:17]) != code[17]:
        return "check"
    return None
