import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client

from project import checks
from project.env import env_bool, env_int, env_list, env_proxies

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DATA_DIR": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_neither_the_unrelated_viewflow_nor_deprecated_django_fsm_is_installed():
    assert checks.installed_forbidden_distributions() == {}


def test_the_system_check_names_a_forbidden_distribution_when_one_is_installed(monkeypatch):
    class FakeDist:
        metadata = {"Name": "django_fsm"}

    monkeypatch.setattr(checks.metadata, "distributions", lambda: [FakeDist()])
    errors = checks.forbidden_distributions(None)
    assert [e.id for e in errors] == ["gongying.E001"]
    assert "django-fsm-2" in errors[0].msg


def test_check_deploy_is_clean_under_production_like_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DEBUG": "0",
            "SECRET_KEY": "a-long-production-secret-key-with-enough-entropy-4f9c2e7d1b8a6035",
            "ALLOWED_HOSTS": "gongying.example.org",
            "CSRF_TRUSTED_ORIGINS": "https://gongying.example.org",
            "SECURE_HTTPS": "1",
            "STATIC_MANIFEST": "1",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_missing_secret_key_with_debug_off_stops_start_up_loudly(tmp_path):
    result = _manage("check", env_overrides={"DEBUG": "0", "SECRET_KEY": ""}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_a_bad_database_url_stops_start_up_loudly(tmp_path):
    result = _manage("check", env_overrides={"DEBUG": "1", "DATABASE_URL": "mysql-ish://nope"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_the_default_database_is_a_sqlite_file_in_wal_mode(tmp_path):
    result = _manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "print(connection.vendor, c.fetchone()[0], connection.settings_dict['NAME'])",
        env_overrides={"DEBUG": "1"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    vendor, mode, name = result.stdout.strip().splitlines()[-1].split()
    assert (vendor, mode) == ("sqlite", "wal")
    assert Path(name) == tmp_path / "gongying.sqlite3"


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("off", False), ("0", False)])
def test_boolean_variables_parse_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("GY_FLAG", raw)
    assert env_bool("GY_FLAG") is expected


def test_typed_readers_fail_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("GY_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="GY_FLAG"):
        env_bool("GY_FLAG")
    monkeypatch.setenv("GY_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="GY_NUMBER"):
        env_int("GY_NUMBER", 1)
    monkeypatch.setenv("GY_NUMBER", "-3")
    with pytest.raises(ImproperlyConfigured, match="at least"):
        env_int("GY_NUMBER", 1, minimum=0)
    monkeypatch.setenv("GY_HOSTS", " a.example , b.example ,")
    assert env_list("GY_HOSTS", []) == ["a.example", "b.example"]


def test_settings_are_chinese_first_in_shanghai_time(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_healthz_checks_the_database_and_channel_layer_and_names_the_backends(db, settings):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"backend": connection.vendor, "ok": True}
    expected_layer = "redis" if settings.REDIS_URL else "in-memory"
    assert body["channel_layer"]["backend"] == expected_layer and body["channel_layer"]["ok"] is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", (0, frozenset())), ("0", (0, frozenset())), ("false", (0, frozenset())),
        ("1", (1, frozenset())), ("true", (1, frozenset())), ("2", (2, frozenset())),
        ("10.0.0.5, 10.0.0.6", (0, frozenset({"10.0.0.5", "10.0.0.6"}))), ("::1", (0, frozenset({"::1"}))),
    ],
)
def test_behind_proxy_takes_off_a_hop_count_or_the_proxies_addresses(monkeypatch, raw, expected):
    monkeypatch.setenv("GY_PROXY", raw)
    assert env_proxies("GY_PROXY") == expected


def test_behind_proxy_refuses_what_is_neither_a_count_nor_addresses(monkeypatch):
    monkeypatch.setenv("GY_PROXY", "my-proxy.local")
    with pytest.raises(ImproperlyConfigured):
        env_proxies("GY_PROXY")
