from django import template

from notifications import selectors

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context):
    """The bell with its unread badge; the page script keeps it live over the websocket."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread, seq = selectors.counter_of(user_id=user.pk)
    return {
        "show": True,
        "unread": unread,
        # The newest row the page already reflects: the socket resumes after its seq, so nothing
        # committed between this render and the socket opening is missed.
        "last_seq": seq,
        "user_id": user.pk,
    }
