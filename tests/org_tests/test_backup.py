"""`manage.py backup` and `manage.py restore` round-trip the demo street: its database and its
uploaded files, into an empty data folder, while nothing is stopped for the copy."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
from fixtures.loader import load_demo
load_demo("backup-test")
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
default_storage.save("ledger/scans/2026/03/" + "a" * 32 + ".pdf", ContentFile(b"%PDF-1.4 voucher"))
"""

SUMMARY = """
import json, django
django.setup()
from django.core.files.storage import default_storage
from workflows.org.models import User, Room
from workflows.ledger.models import LedgerLine
from workflows.expenses.models import ExpenseRequest
from forms.models import FormVersion
print(json.dumps({
    "users": sorted(User.objects.values_list("username", flat=True)),
    "rooms": Room.objects.count(),
    "ledger": sorted(str(a) for a in LedgerLine.objects.values_list("amount", flat=True)),
    "expenses": ExpenseRequest.objects.count(),
    "forms": FormVersion.objects.count(),
    "scan": default_storage.open("ledger/scans/2026/03/" + "a" * 32 + ".pdf").read().decode(),
}))
"""


def _env(data_dir: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "backup-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
        "DEBUG": "0", "SECURE_HTTPS": "0", "PYTHONPATH": str(ROOT),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"):
        env.pop(name, None)
    return env


def _run(args, data_dir: Path, **kwargs):
    result = subprocess.run(args, cwd=ROOT, env=_env(data_dir), capture_output=True, text=True, timeout=240, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_backup_and_restore_round_trip_the_demo_street_into_an_empty_data_folder(tmp_path):
    live, fresh, out = tmp_path / "live", tmp_path / "fresh", tmp_path / "backups"
    _run([sys.executable, "-c", SETUP], live)
    before = json.loads(_run([sys.executable, "-c", SUMMARY], live).strip().splitlines()[-1])

    _run([sys.executable, "manage.py", "backup", "--output", str(out)], live)
    archives = list(out.glob("gongying-backup-*.tar.gz"))
    assert len(archives) == 1

    _run([sys.executable, "manage.py", "restore", str(archives[0])], fresh)
    after = json.loads(_run([sys.executable, "-c", SUMMARY], fresh).strip().splitlines()[-1])

    assert after == before
    assert before["users"] and before["ledger"] and before["scan"] == "%PDF-1.4 voucher"
    # A second restore over the restored folder is refused: it never overwrites.
    again = subprocess.run([sys.executable, "manage.py", "restore", str(archives[0])], cwd=ROOT, env=_env(fresh),
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "empty data folder" in again.stderr
