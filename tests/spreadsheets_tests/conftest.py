"""Helpers for spreadsheet tests: workbooks built in the test, read back with python-calamine."""

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from project.lib.xlsx import Column, ExportBook


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def build_sheet(headers: list[str], rows: list[list]) -> bytes:
    """A plain one-sheet workbook: header row then rows, as a user would upload it."""
    buffer = io.BytesIO()
    with ExportBook(buffer) as book:
        book.table("Sheet1", [Column(f"c{i}", h) for i, h in enumerate(headers)], rows)
    return buffer.getvalue()


def read_sheets(data: bytes) -> dict[str, list[list]]:
    """Every sheet as lists of values, through calamine (an independent reader)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def sheet_xml(data: bytes, index: int = 1) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


def zip_names(data: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return set(archive.namelist())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def run_worker() -> None:
    """Run every queued job in this process, as `manage.py db_worker --batch` would."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    ).run()
