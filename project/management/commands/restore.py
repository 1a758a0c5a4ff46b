"""Put a `manage.py backup` archive back into an empty data folder.

Refuses to overwrite: the database file must not exist yet (or be empty) and the media folder
must be empty, so a restore can never mix two states or destroy the live one. Stop the server,
point DATA_DIR (or DATABASE_URL / MEDIA_ROOT) at the new folder, restore, then start it again.

    manage.py restore ARCHIVE
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.backends.sqlite3._functions import register as register_django_functions

from project.management.commands.backup import ARCHIVE_DB, ARCHIVE_MEDIA, MANIFEST, sqlite_path


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise CommandError(f"The archive holds an unexpected entry: {member.name!r}")
        members.append(member)
    return members


class Command(BaseCommand):
    help = "Restore a backup archive into an empty data folder (database and uploaded files)."

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        target_db = sqlite_path()
        media = Path(settings.MEDIA_ROOT)
        if target_db.exists() and target_db.stat().st_size > 0:
            raise CommandError(f"{target_db} exists: restore only into an empty data folder.")
        if media.is_dir() and any(media.iterdir()):
            raise CommandError(f"{media} is not empty: restore only into an empty data folder.")
        try:
            opened = tarfile.open(archive, "r:gz")
        except (OSError, tarfile.TarError) as exc:
            raise CommandError(f"Not a backup archive: {exc}") from None
        with opened, tempfile.TemporaryDirectory() as work:
            members = _safe_members(opened)
            names = {m.name for m in members}
            if MANIFEST not in names or ARCHIVE_DB not in names:
                raise CommandError("Not a backup archive: the manifest or the database is missing.")
            opened.extractall(work, members=members, filter="data")
            manifest = json.loads((Path(work) / MANIFEST).read_text())
            with sqlite3.connect(Path(work) / ARCHIVE_DB) as check:
                # Indexes on expressions (a date part, say) call Django's SQL functions: the
                # check needs them as the app's own connections have them.
                register_django_functions(check)
                if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise CommandError("The database in the archive is damaged.")
            target_db.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(work) / ARCHIVE_DB, target_db)
            restored = 0
            source_media = Path(work) / ARCHIVE_MEDIA
            if source_media.is_dir():
                for path in source_media.rglob("*"):
                    if path.is_file():
                        destination = media / path.relative_to(source_media)
                        destination.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(path, destination)
                        restored += 1
        if restored != manifest.get("media_files", restored):
            raise CommandError(f"The archive lists {manifest['media_files']} files but holds {restored}.")
        self.stdout.write(f"Restored the database to {target_db} and {restored} uploaded files to {media}.")
