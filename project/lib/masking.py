"""The one place personal data is masked before it reaches a public page (个人信息保护法).

Public pages (the public ledger, disclosures, published inquiry answers) never show a private
person's phone number, ID number or a USCC typed into free text, and show a private person's
name as 李某. Everything public goes through these functions; nothing masks on its own.

Over-masking is the safe failure: a four-character shop name that looks like a personal name
loses its tail, a personal name is never shown in full.
"""

import re

# Mainland mobile numbers (optionally +86 / 86 and spaces or dashes between the groups), and
# landlines with an area code (0750-1234567).
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ](\d{7,8})(?!\d)")
# 18-digit resident ID numbers (last character may be X) and the old 15-digit ones.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8}|\d{6})(\d{3}[\dXx]|\d)(?![0-9A-Za-z])")
# 统一社会信用代码: 18 characters of digits and capitals without I, O, S, V, Z.
_USCC = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6})([0-9A-HJ-NPQRTUWXY]{9})([0-9A-HJ-NPQRTUWXY])(?![0-9A-Z])")

_HAN = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
# Words that mark an organisation, not a person: such a counterparty is shown as it is.
_ORGANISATION_WORDS = (
    "公司", "中心", "办事处", "街道", "社区", "委员会", "商会", "协会", "学会", "医院", "学校", "幼儿园",
    "工作室", "培训", "托管", "服务", "慈善", "基金", "银行", "厂", "店", "部", "站", "馆", "所", "队", "社",
    "局", "院", "会", "组", "团", "室", "行", "集团", "合作", "供水", "供电", "书店", "瑜伽", "舞蹈", "美术", "说媒",
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "司徒", "夏侯", "宇文", "令狐", "端木")


def mask_text(text: str) -> str:
    """Free text with phone numbers, ID numbers and USCCs masked (the digits that identify
    the person are replaced by *)."""
    if not text:
        return text or ""
    # ID numbers first: an 18-digit ID is also made of USCC characters.
    text = _ID_NUMBER.sub(lambda m: m.group(1)[:2] + "*" * (len(m.group(0)) - 4) + m.group(3)[-2:], text)
    text = _USCC.sub(lambda m: m.group(1)[:2] + "*" * 16, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", text)
    return text


def mask_person_name(name: str) -> str:
    """李阿姨 → 李某, 欧阳娜娜 → 欧阳某: the surname stays, the person does not."""
    name = (name or "").strip()
    if not name:
        return ""
    if name[0].isascii():  # a name in Latin letters keeps its first letter: Li Li → L.
        return name[0].upper() + "."
    surname = name[:2] if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return f"{surname}某"


def looks_like_person(name: str) -> bool:
    """A counterparty that may be a private person: 2–4 Han characters with no organisation word."""
    name = (name or "").strip()
    if not _HAN.match(name):
        return False
    if any(word in name for word in _ORGANISATION_WORDS):
        return False
    return len(name) <= 3 or name[:2] in _COMPOUND_SURNAMES


def mask_counterparty(name: str) -> str:
    """A ledger counterparty as the public sees it: 张三 → 张某; organisations unchanged."""
    if looks_like_person(name):
        return mask_person_name(name)
    return mask_text(name)


def remove_names(text: str, names) -> str:
    """`text` with each of `names` (a person's display name, username, ...) replaced by its
    masked form, then phone and ID numbers masked."""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_person_name(name))
    return mask_text(text)
