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
    return {
        "show": True,
        "unread": selectors.unread_count(user_id=user.pk),
        # The newest row the page already reflects: the socket resumes after it, so nothing
        # created between this render and the socket opening is missed.
        "last_id": selectors.latest_id(user_id=user.pk),
    }
