"""A statutory deadline as people read it: the period ends at 24:00 of its last day
(民法典 Art. 203), stored as 00:00 of the next day; shown as "2026-10-22 24:00", never as the
next day's date. `{% load deadlines %}` wherever a due time is shown."""

import datetime as dt

from django import template

from workflows.approvals.deadlines import LOCAL_TZ

register = template.Library()


@register.filter
def deadline(value) -> str:
    if not value:
        return ""
    local = value.astimezone(LOCAL_TZ)
    if local.time() == dt.time(0, 0):
        return f"{local.date() - dt.timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"
