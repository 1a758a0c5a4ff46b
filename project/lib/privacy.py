"""Personal data on public pages (个人信息保护法 Arts. 25, 28): names shown as 李某."""


def mask_person_name(name: str) -> str:
    """The family name followed by 某: 李莉 → 李某. Two-character compound surnames (欧阳, 司马, ...)
    keep both characters; a name written in Latin letters keeps its first letter."""
    name = (name or "").strip()
    if not name:
        return ""
    if name[:2] in _COMPOUND_SURNAMES and len(name) > 2:
        return name[:2] + "某"
    if name[0].isascii():
        return name[0].upper() + "."
    return name[0] + "某"


_COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐", "端木",
})
