"""The ticket's writes: filing (which starts the route) and its own task action, `answer`."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tests.approvals_tests.engine_process.models import Ticket
from tests.approvals_tests.engine_process.process import ALL_STEPS, TICKET
from workflows.approvals import actions, history, route
from workflows.approvals import services as engine
from workflows.org.models import Community, User


def ticket_create(*, actor: User, community: Community, text: str, steps: list[str] | None = None) -> Ticket:
    """File a ticket; `steps` narrows the route (as an authority table would), default all."""
    if not text.strip():
        raise ValidationError({"text": _("Write the ticket.")})
    with transaction.atomic():
        ticket = Ticket(community=community, submitter=actor, text=text.strip(), steps=list(steps or ALL_STEPS))
        ticket.save()

        def submit():
            ticket.submit()
            history.save_checked(ticket)

        engine.route_start(TICKET, ticket, actor=actor, action=actions.SUBMIT.code, before=submit)
    return ticket


class AnswerSerializer(actions.CommentSerializer):
    text = serializers.CharField(max_length=2000)


def ticket_answer(ctx: engine.ActionContext, *, text: str, comment: str = "") -> None:
    """Store the answer and pass the step: a decision recorded as "answer", not "approve"."""
    ctx.obj.answer = text
    Ticket.objects.filter(pk=ctx.obj.pk).update(answer=text)
    engine.task_decide(ctx, route.APPROVE, action=ANSWER.code, comment=comment)


# The ticket's own `answer` (the inquiry process has an `answer` of its own: verbs are per kind).
ANSWER = actions.ActionDef("answer", _("Answered"), handler=ticket_answer, serializer=AnswerSerializer, decision=True,
                           kind="engine_ticket")
