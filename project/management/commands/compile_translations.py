"""Compile every .po under LOCALE_PATHS and the apps into .mo with polib (no system gettext)."""

import sys
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def _is_ours(path: str) -> bool:
    # The virtualenv may sit inside the project folder; installed packages ship compiled catalogues.
    return path.startswith(str(settings.BASE_DIR)) and not path.startswith(sys.prefix)


class Command(BaseCommand):
    help = "Compile translation catalogues (.po → .mo) without GNU gettext."

    def handle(self, *args, **options):
        from django.apps import apps

        # Each area keeps its own catalogue in <app>/locale so areas never edit one shared file.
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        roots += [Path(app.path) / "locale" for app in apps.get_app_configs() if _is_ours(app.path)]
        roots = [r for r in roots if r.is_dir()]
        count = 0
        for root in roots:
            for po_path in root.rglob("*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
