from django.core.management.base import BaseCommand

from fixtures.loader import load_demo

# The demo password lives here and nowhere else; it is set only on users this command creates.
DEMO_PASSWORD = "shaping2026"


class Command(BaseCommand):
    help = "Load the Shaping Street demo (idempotent)."

    def handle(self, *args, **options):
        context = load_demo(DEMO_PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo street loaded: {context['street'].name}, {len(context['communities'])} communities, "
                f"{len(context['users'])} demo users (password {DEMO_PASSWORD})."
            )
        )
