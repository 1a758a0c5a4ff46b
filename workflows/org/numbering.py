"""Document numbers of a community, in the official style: 和平合协〔2026〕第 001 号 (a partner
agreement), 和平租〔2026〕第 003 号 (a lease contract).

One sequence per community, year and document kind; the community row is the numbering lock, so
two documents recorded at once get two numbers. Callers run inside their transaction.
"""

from django.db.models import QuerySet

from workflows.org.models import Community


def next_number(*, community: Community, year: int, tag: str, issued: QuerySet) -> tuple[int, str]:
    """The next (sequence, number) for `tag` in `community` and `year`; `issued` is the queryset
    of documents of that kind already numbered in that community and year (with a `sequence`)."""
    Community.objects.select_for_update().filter(pk=community.pk).first()
    last = issued.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    sequence = last + 1
    short = community.name.removesuffix("社区")
    return sequence, f"{short}{tag}〔{year}〕第 {sequence:03d} 号"
