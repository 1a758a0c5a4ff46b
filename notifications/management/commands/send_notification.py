"""Send an administrator's notice to users, from any process (a cron job, a shell, a second host).

With REDIS_URL set the push reaches sockets held by every ASGI worker.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from notifications import kinds, transports
from notifications.services import RoleQueue, notify
from workflows.org.models import OrgUnit, User


class Command(BaseCommand):
    help = "Notify users (by username) and/or every holder of a role in an org unit (by code)."

    def add_arguments(self, parser):
        parser.add_argument("--user", action="append", default=[], help="username; repeatable")
        parser.add_argument("--role", help="role code, with --org-unit")
        parser.add_argument("--org-unit", help="org unit code (street or community)")
        parser.add_argument("--title", required=True)
        parser.add_argument("--body", default="")
        parser.add_argument("--url", default="")

    def handle(self, *args, user, role, org_unit, title, body, url, **options):
        users = list(User.objects.filter(username__in=user))
        if len(users) != len(set(user)):
            raise CommandError(f"Unknown username among {user}")
        queues = []
        if role or org_unit:
            unit = OrgUnit.objects.filter(code=org_unit).first()
            if unit is None or not role:
                raise CommandError("--role and --org-unit go together and the unit must exist")
            queues.append(RoleQueue(role, unit.pk))
        with transaction.atomic():
            rows = notify(
                kind=kinds.SYSTEM_MESSAGE.code, params={"title": title, "body": body}, url=url, users=users, queues=queues
            )
        # The pushes go out from the sender's loop: wait for them before this process exits.
        transports.flush(timeout=10)
        self.stdout.write(" ".join(str(row.pk) for row in rows))
