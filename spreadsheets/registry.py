"""Export and import kinds register here; the API and the job runner look them up by name.

A kind is a small class: the API never branches on kind names, so a later area (leases,
partners, …) adds its spreadsheets by registering one exporter and one importer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.http import Http404

from project.lib.xlsx import Column, ExportBook, ImportRow


class Exporter:
    kind: ClassVar[str]
    title: ClassVar[Any]  # lazy translated; the sheet and page label

    def allowed(self, user) -> bool:
        return bool(user.is_authenticated)

    def parse_params(self, *, user, query: Mapping[str, str]) -> dict:
        """Validate the query string into JSON-safe params; raise ValidationError per field."""
        return {}

    def choices(self, *, user) -> list[tuple[str, Any, list[tuple[str, str]]]]:
        """The parameters the page must ask for before exporting, as (name, label, options):
        an exporter that needs one (which form?) gets a chooser instead of a bare link."""
        return []

    def count(self, *, user, params: dict) -> int:
        """Rows the export will write (decides between a direct download and a job)."""
        raise NotImplementedError

    def filename(self, *, params: dict) -> str:
        return f"{self.kind}.xlsx"

    def write(self, book: ExportBook, *, user, params: dict, progress: Callable[[int], None]) -> None:
        """Write the sheets; call progress(rows written so far) as rows stream."""
        raise NotImplementedError


class Importer:
    kind: ClassVar[str]
    title: ClassVar[Any]
    example: ClassVar[dict[str, Any]] = {}

    def allowed(self, user) -> bool:
        return bool(user.is_authenticated)

    def parse_params(self, *, user, query: Mapping[str, str]) -> dict:
        """Validate the query string (e.g. which form) into JSON-safe params; ValidationError per field."""
        return {}

    def example_for(self, *, params: dict) -> dict[str, Any]:
        return self.example

    def columns(self, *, user, params: dict) -> list[Column]:
        raise NotImplementedError

    def import_row(self, *, actor, row: ImportRow, state: dict, params: dict) -> None:
        """Create what one row describes through the area's services.

        Raise ValidationError keyed by column key (other keys become whole-row messages).
        `state` is shared by all rows of one file (lookups, duplicates within the file).
        The caller wraps all rows in one transaction and rolls back if any row failed.
        """
        raise NotImplementedError

    def finish(self, *, actor, state: dict, params: dict) -> None:
        """Checks that need every row (e.g. totals); raise ValidationError to reject the file."""


_exporters: dict[str, Exporter] = {}
_importers: dict[str, Importer] = {}


def register_exporter(exporter_class: type[Exporter]) -> type[Exporter]:
    _exporters[exporter_class.kind] = exporter_class()
    return exporter_class


def register_importer(importer_class: type[Importer]) -> type[Importer]:
    _importers[importer_class.kind] = importer_class()
    return importer_class


def exporter_for(kind: str, user) -> Exporter:
    """The exporter, or the same 404 for an unknown kind and one this user may not use."""
    exporter = _exporters.get(kind)
    if exporter is None or not exporter.allowed(user):
        raise Http404
    return exporter


def importer_for(kind: str, user) -> Importer:
    importer = _importers.get(kind)
    if importer is None or not importer.allowed(user):
        raise Http404
    return importer


def exporters_for(user) -> list[Exporter]:
    return [e for e in _exporters.values() if e.allowed(user)]


def importers_for(user) -> list[Importer]:
    return [i for i in _importers.values() if i.allowed(user)]


def field_error(key: str, message) -> ValidationError:
    return ValidationError({key: [message]})


def kind_title(operation: str, kind: str) -> str:
    """The page label of an export or import kind (its registered title), else the code."""
    found = (_exporters if operation == "export" else _importers).get(kind)
    return str(found.title) if found is not None else kind
