"""The README is the user's door: every environment variable the code reads is listed there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = re.compile(r"""env_(?:str|bool|int|list|proxies)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def _variables_read_by_the_code() -> set[str]:
    names = set()
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "tests", "node_modules"} for part in path.relative_to(ROOT).parts):
            continue
        names |= set(READERS.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_environment_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    variables = _variables_read_by_the_code()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"} <= variables
    missing = sorted(name for name in variables if f"`{name}`" not in readme)
    assert missing == []


def test_the_readme_names_both_commands_and_the_demo_logins():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for needle in ("make run", "make test", "shaping_leader", "shaping_reviewer", "<code>_secretary", "resident_li"):
        assert needle in readme
