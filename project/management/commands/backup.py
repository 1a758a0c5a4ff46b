"""Write one dated archive with a consistent copy of the embedded database and the uploaded files.

The database is copied with SQLite's online backup API, so the copy is consistent even while the
server keeps writing (WAL mode included), and nothing has to stop. The uploaded files follow the
database: a file is written before the row that names it commits, so every file the copied rows
name is already on disk when the files are read. PostgreSQL deployments use pg_dump instead.

    manage.py backup [--output DIR]      -> DIR/gongying-backup-YYYYMMDD-HHMMSS.tar.gz
"""

from __future__ import annotations

import json
import os
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

ARCHIVE_DB = "gongying.sqlite3"
ARCHIVE_MEDIA = "media"
MANIFEST = "manifest.json"


def sqlite_path() -> Path:
    if connection.vendor != "sqlite":
        raise CommandError("backup copies the embedded SQLite database; for PostgreSQL use pg_dump.")
    name = settings.DATABASES["default"]["NAME"]
    if not name or str(name) == ":memory:":
        raise CommandError("The database is not a file.")
    return Path(name)


class Command(BaseCommand):
    help = "Archive the embedded database (online backup) and the uploaded files into one dated .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.DATA_DIR) / "backups"),
                            help="Folder for the archive (default: <DATA_DIR>/backups).")

    def handle(self, *args, output, **options):
        source = sqlite_path()
        out_dir = Path(output)
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        target = out_dir / f"gongying-backup-{stamp}.tar.gz"
        media = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory(dir=out_dir) as work:
            copy = Path(work) / ARCHIVE_DB
            with sqlite3.connect(source) as live, sqlite3.connect(copy) as snapshot:
                live.backup(snapshot)
            # A self-contained file: no -wal beside it to lose.
            with sqlite3.connect(copy) as snapshot:
                snapshot.execute("PRAGMA journal_mode=DELETE")
            files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
            manifest = {
                "format": 1,
                "created": timezone.now().isoformat(),
                "database": ARCHIVE_DB,
                "media_files": len(files),
            }
            (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=2))
            partial = Path(work) / "archive.tar.gz"
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(Path(work) / MANIFEST, arcname=MANIFEST)
                archive.add(copy, arcname=ARCHIVE_DB)
                for path in files:
                    archive.add(path, arcname=f"{ARCHIVE_MEDIA}/{path.relative_to(media).as_posix()}")
            os.replace(partial, target)  # appears whole or not at all
        self.stdout.write(f"{target} ({len(files)} uploaded files)")
        return None
