"""The one place that touches openpyxl: streaming exports, read-only imports, error reports.

Every other module speaks in `Column`s, plain Python values and the small classes here, so the
formula-injection guard, the number formats and the bad-file checks cannot be bypassed by an area
that forgets them. Workbooks are always opened and closed inside context managers; write-only
and read-only modes keep memory flat however many rows pass through.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation

from project import uploads

MONEY_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# A spreadsheet program treats text starting with one of these as a formula (CSV/DDE injection).
FORMULA_PREFIXES = ("=", "+", "-", "@")
# Characters XML 1.0 cannot carry (openpyxl refuses the same set).
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")
# Rows looked at to size columns: enough to be representative, few enough to keep memory flat.
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60

# Signatures checked before any parser sees the bytes.
ZIP_SIGNATURE = b"PK\x03\x04"
# Compound File Binary: legacy .xls and, more often, an encrypted (password-protected) .xlsx.
CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

_HEADER_FONT = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_LABEL_FONT = Font(bold=True, color="555555")
_EXAMPLE_FONT = Font(italic=True, color="777777")
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_WRAP = Alignment(wrap_text=True, vertical="top")


class Kind:
    """Column kinds: how a value is written and how an imported cell is normalised."""

    TEXT = "text"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    INTEGER = "integer"
    NUMBER = "number"


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # a (lazy) translated string; str() at write time
    kind: str = Kind.TEXT
    required: bool = False
    # Allowed values as the user types them; templates get a drop-down list from these.
    choices: Sequence[str] = ()
    width: int | None = None

    def header_text(self) -> str:
        return str(self.header)

    def header_variants(self) -> set[str]:
        """The header in every configured language, so a sheet exported in English imports too."""
        from django.conf import settings

        names = {self.header_text()}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(self.header))
        return {n.strip() for n in names}


class BadWorkbook(Exception):
    """The file as a whole cannot be read; `message` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_bytes: int


# --- writing --------------------------------------------------------------------------------


def _local_naive(value: dt.datetime) -> dt.datetime:
    # Excel has no time zones: show the wall-clock time people in the street office see.
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _cell(ws, value, *, kind: str = Kind.TEXT, font=None, fill=None, comment=None):
    """A cell for `value`, or the bare value when no style is needed (cheaper to stream)."""
    number_format = None
    as_text = False
    if value is None or value == "":
        value = None
    elif isinstance(value, dt.datetime):
        value, number_format = _local_naive(value), DATETIME_FORMAT
    elif isinstance(value, dt.date):
        number_format = DATE_FORMAT
    elif kind == Kind.MONEY and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number_format = MONEY_FORMAT
    elif isinstance(value, str):
        as_text = value.startswith(FORMULA_PREFIXES)
    elif not isinstance(value, int | float | Decimal | bool):
        value = str(value)
        as_text = value.startswith(FORMULA_PREFIXES)
    if not (as_text or number_format or font or fill or comment):
        return value
    cell = WriteOnlyCell(ws, value=value)
    if as_text:
        cell.data_type = "s"  # text, so it can never run as a formula; the value is unchanged
    if comment:
        cell.comment = comment
    cell._style = copy(_style_for(ws, number_format, font, fill))
    return cell


def _values_to_row(ws):
    """openpyxl 3.1's write-only `_values_to_row`, less its dearest step for a ready cell.

    openpyxl finds out that a value is a cell by trying to store it as a value and catching the
    ValueError (whose message formats the cell's repr), then allocates a fresh cell for the next
    value. Here a ready cell is recognised by its type; everything else takes openpyxl's own
    path unchanged. (Data rows of a table do not come here: see _RowWriter.)
    """

    def values_to_row(values, row_idx):
        cell = WriteOnlyCell(ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if value.__class__ is Cell:
                value.column = col_idx
                value.row = row_idx
                yield value
                continue
            cell.value = value
            cell.column = col_idx
            cell.row = row_idx
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
            yield cell
            if cell.has_style or cell.hyperlink:
                cell = WriteOnlyCell(ws)

    return values_to_row


def _text_xml(ref: str, value: str) -> str:
    # Always an inline string, never a formula or an error code ("=…", "#N/A" stay text). Excel
    # keeps 32,767 characters of a cell, as openpyxl cuts them; the control characters XML 1.0
    # cannot carry, which openpyxl refuses with an error that would fail the whole export, are
    # replaced. "\r" is written as a reference: a parser would fold "\r\n" into "\n".
    value = _ILLEGAL_XML.sub("\ufffd", value[:32767])
    space = ' xml:space="preserve"' if value != value.strip() else ""
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{value}</t></is></c>'


class _RowWriter:
    """Writes a table's data rows as XML text, parsed by lxml into the sheet's stream in one call
    a row — not as openpyxl cells, whose per-cell objects, attribute dicts, type inference and
    style lookups were most of an export's time.

    A cell is written as openpyxl writes the same value (numbers with "%.16g", dates and times
    as serial numbers with the sheet's shared number formats, inline strings), with what `_cell`
    decides for it: dates and times in the street's wall-clock time, money formatted in a
    MONEY column, text never a formula. Header, header block and total rows still go through
    openpyxl.
    """

    def __init__(self, ws, columns: Sequence[Column]):
        styles = ws.parent._cell_styles

        def style_id(number_format: str) -> str:
            return str(styles.add(_style_for(ws, number_format, None, None)))

        self.ws = ws
        self.epoch = ws.parent.epoch
        self.zone = timezone.get_current_timezone()
        self.date_style, self.datetime_style = style_id(DATE_FORMAT), style_id(DATETIME_FORMAT)
        self.money_style = style_id(MONEY_FORMAT)
        self.columns = [(get_column_letter(i), c.kind == Kind.MONEY) for i, c in enumerate(columns, 1)]

    def cell(self, ref: str, value, money: bool) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return _text_xml(ref, value) if value else ""
        if isinstance(value, bool):  # before numbers: a bool is an int
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, Decimal | int | float):
            if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
                return f'<c r="{ref}" t="n"></c>'  # NaN and infinities: an empty number, as openpyxl writes them
            style = f' s="{self.money_style}"' if money else ""
            return f'<c r="{ref}"{style} t="n"><v>{value:.16g}</v></c>'
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self.zone).replace(tzinfo=None)
            return f'<c r="{ref}" s="{self.datetime_style}" t="n"><v>{to_excel(value, self.epoch):.16g}</v></c>'
        if isinstance(value, dt.date):
            return f'<c r="{ref}" s="{self.date_style}" t="n"><v>{to_excel(value, self.epoch):.16g}</v></c>'
        return _text_xml(ref, str(value))

    def write_row(self, xf, values, row_idx: int) -> None:
        number = str(row_idx)
        cell = self.cell
        cells = [cell(letter + number, value, money) for (letter, money), value in zip(self.columns, values, strict=False)]
        xf.write(etree.fromstring(f'<row r="{number}">{"".join(cells)}</row>'))

    def __enter__(self):
        # openpyxl's write-only sheet hands each appended row to _values_to_row and then to its
        # writer's write_row; for the data rows both are ours (the raw values, our XML).
        self.ws._values_to_row = lambda values, row_idx: values
        self.ws._writer.write_row = self.write_row
        return self

    def __exit__(self, *exc) -> None:
        del self.ws._writer.write_row
        self.ws._values_to_row = _values_to_row(self.ws)


def _style_for(ws, number_format, font, fill):
    """The style of one (format, font, fill) combination, registered once per sheet.

    Setting number_format/font/fill on every cell looks each one up in the workbook's style
    tables; copying a ready style array is several times cheaper on a 100,000-row export.
    """
    cache = ws.__dict__.setdefault("_gongying_styles", {})
    key = (number_format, id(font) if font else None, id(fill) if fill else None)
    style = cache.get(key)
    if style is None:
        prototype = WriteOnlyCell(ws)
        if number_format:
            prototype.number_format = number_format
        if font:
            prototype.font = font
        if fill:
            prototype.fill = fill
        style = cache[key] = prototype._style
    return style


def _display_len(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, Decimal | float | int):
        return len(f"{value:,.2f}") + 1
    text = str(value)
    # CJK characters are about twice as wide as Latin ones in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _widths(columns: Sequence[Column], sample: Sequence[Sequence]) -> list[int]:
    widths = []
    for i, column in enumerate(columns):
        if column.width:
            widths.append(column.width)
            continue
        longest = max([_display_len(column.header_text())] + [_display_len(row[i]) for row in sample if i < len(row)])
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, longest + 2)))
    return widths


def _to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


class ExportBook:
    """A write-only workbook. Use as `with ExportBook(target) as book:`; saved on exit."""

    def __init__(self, target: str | IO[bytes]):
        self.target = target
        self._wb = Workbook(write_only=True)
        self._saved = False

    def __enter__(self) -> ExportBook:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.save()
        else:
            self._wb.close()

    def save(self) -> None:
        if not self._saved:
            self._saved = True
            if not self._wb.worksheets:
                self._wb.create_sheet(_("Sheet1"))
            self._wb.save(self.target)
            self._wb.close()

    def table(
        self,
        title: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence],
        *,
        header_block: Sequence[tuple[str, Any]] = (),
        sheet_title: str | None = None,
        total_label: str | None = None,
        total_columns: Sequence[str] = (),
        progress: Callable[[int], None] | None = None,
    ) -> dict[str, Decimal]:
        """Write one sheet: optional title and header block, the table, optional total row.

        Returns the totals of `total_columns` (summed as Decimal while streaming).
        """
        ws = self._wb.create_sheet(_sheet_name(sheet_title or title))
        ws._values_to_row = _values_to_row(ws)
        rows = iter(rows)
        sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
        for i, width in enumerate(_widths(columns, sample), 1):
            ws.column_dimensions[get_column_letter(i)].width = width

        top: list[list] = []
        if header_block:
            top.append([_cell(ws, title, font=_TITLE_FONT)])
            for label, value in header_block:
                top.append([_cell(ws, label, font=_LABEL_FONT), _cell(ws, value)])
            top.append([])
        header_row = len(top) + 1
        ws.freeze_panes = f"A{header_row + 1}"
        for row in top:
            ws.append(row)
        ws.append([_cell(ws, c.header_text(), font=_HEADER_FONT) for c in columns])

        sum_index = [i for i, c in enumerate(columns) if c.key in total_columns]
        sums = [Decimal("0.00")] * len(sum_index)
        written = 0
        append = ws.append
        with _RowWriter(ws, columns):
            for values in chain(sample, rows):
                append(values)
                for n, i in enumerate(sum_index):
                    value = values[i]
                    if value is not None:
                        sums[n] += value if value.__class__ is Decimal else _to_decimal(value)
                written += 1
                if progress is not None:
                    progress(written)
        totals = {columns[i].key: total for i, total in zip(sum_index, sums, strict=True)}
        last_row = header_row + written
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(max(1, len(columns)))}{max(last_row, header_row)}"
        if total_label is not None:
            total_row: list = [None] * len(columns)
            total_row[0] = _cell(ws, total_label, font=_HEADER_FONT)
            for i in sum_index:
                total_row[i] = _cell(ws, totals[columns[i].key], kind=Kind.MONEY, font=_HEADER_FONT)
            ws.append(total_row)
        return totals

    def template(self, title: str, columns: Sequence[Column], example: dict[str, Any]) -> None:
        """Header, one example row, and drop-down lists for choice columns (from a hidden sheet)."""
        ws = self._wb.create_sheet(_sheet_name(title))
        example_row = [example.get(c.key) for c in columns]
        for i, width in enumerate(_widths(columns, [example_row]), 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ws.append([_cell(ws, c.header_text(), font=_HEADER_FONT) for c in columns])
        ws.append([_cell(ws, v, kind=c.kind, font=_EXAMPLE_FONT) for v, c in zip(example_row, columns, strict=True)])
        choice_columns = [(i, c) for i, c in enumerate(columns, 1) if c.choices]
        if not choice_columns:
            return
        lists = self._wb.create_sheet(_sheet_name(_("Choices")))
        lists.sheet_state = "hidden"
        longest = max(len(c.choices) for _i, c in choice_columns)
        for r in range(longest):
            lists.append([_cell(lists, c.choices[r]) if r < len(c.choices) else None for _i, c in choice_columns])
        for n, (i, column) in enumerate(choice_columns, 1):
            letter = get_column_letter(n)
            dv = DataValidation(
                type="list",
                formula1=f"'{lists.title}'!${letter}$1:${letter}${len(column.choices)}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.header_text(),
                error=_("Choose a value from the list."),
            )
            col = get_column_letter(i)
            dv.add(f"{col}2:{col}1048576")
            ws.data_validations.append(dv)

    def error_report(self, source: bytes, errors: Sequence[CellError], *, limits: Limits) -> None:
        """The user's first sheet with bad cells filled red and commented, plus an error list."""
        by_row: dict[int, dict[int, list[str]]] = {}
        for error in errors:
            by_row.setdefault(error.row, {}).setdefault(error.column_index or 1, []).append(error.message)
        with open_import(source, limits=limits) as rows:
            ws = self._wb.create_sheet(_sheet_name(rows.title or _("Data")))
            for row_number, values in enumerate(rows, 1):
                marks = by_row.get(row_number, {})
                width = max([len(values), *marks.keys()])
                cells = []
                for col_number in range(1, width + 1):
                    value = values[col_number - 1] if col_number <= len(values) else None
                    messages = marks.get(col_number)
                    if messages:
                        comment = Comment("\n".join(messages), "Gongying", width=300, height=120)
                        cells.append(_cell(ws, "" if value is None else value, fill=_ERROR_FILL, comment=comment))
                    else:
                        cells.append(_cell(ws, value))
                ws.append(cells)
        columns = [
            Column("row", _("Row"), Kind.INTEGER, width=8),
            Column("column", _("Column"), width=20),
            Column("message", _("Message"), width=60),
        ]
        self.table(
            _("Errors"), columns, ([e.row, e.column or "", e.message] for e in errors), sheet_title=_("Errors")
        )


def _sheet_name(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title))
    return cleaned[:31] or "Sheet"


@contextmanager
def export_book(target: str | IO[bytes]) -> Iterator[ExportBook]:
    with ExportBook(target) as book:
        yield book


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    row: int  # 1-based sheet row, as the user sees it
    column: str | None  # the header text, None for a whole-row message
    message: str
    column_index: int | None = None  # 1-based, None for a whole-row message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportRow:
    number: int  # 1-based sheet row
    values: dict[str, Any]


@dataclass
class ImportTable:
    columns: list[Column]
    # key → 1-based column index in the user's sheet (their order may differ from ours).
    positions: dict[str, int]
    rows: list[ImportRow] = field(default_factory=list)

    def error(self, row: int, key: str | None, message: str) -> CellError:
        column = next((c for c in self.columns if c.key == key), None)
        if column is None:
            return CellError(row=row, column=None, message=message, column_index=None)
        return CellError(
            row=row, column=column.header_text(), message=message, column_index=self.positions.get(column.key)
        )


def check_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_bytes:
        raise BadWorkbook(
            _("The file is larger than %(limit)s bytes; split it into smaller files.") % {"limit": f"{limits.max_bytes:,}"}
        )
    if not data:
        raise BadWorkbook(_("The file is empty."))


def _read_bytes(source: bytes | IO[bytes], limits: Limits) -> bytes:
    data = bytes(source) if isinstance(source, bytes | bytearray) else source.read(limits.max_bytes + 1)
    check_size(data, limits)
    return data


def check_file(data: bytes) -> None:
    """Refuse what is not an .xlsx before openpyxl sees it, with a message the user can act on."""
    if data.startswith(CFB_SIGNATURE):
        raise BadWorkbook(
            _(
                "The file is password-protected or in the old .xls format. "
                "Remove the password and save it as an Excel workbook (.xlsx)."
            )
        )
    if not data.startswith(ZIP_SIGNATURE):
        raise BadWorkbook(_("The file is not an Excel workbook (.xlsx)."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            # From the directory alone, before testzip or openpyxl decompresses a single part.
            try:
                uploads.check_archive(archive)
            except uploads.UploadRefused as exc:
                raise BadWorkbook(exc.messages[0]) from None
            if archive.testzip() is not None:
                raise BadWorkbook(_("The workbook is damaged (corrupt zip archive). Save it again and retry."))
    except zipfile.BadZipFile:
        raise BadWorkbook(_("The workbook is damaged (corrupt zip archive). Save it again and retry.")) from None
    if "xl/workbook.xml" not in names:
        raise BadWorkbook(_("The file is not an Excel workbook (.xlsx)."))


class SheetRows:
    """The first sheet's rows (tuples of values), with the sheet's title."""

    def __init__(self, title: str, rows: Iterator[tuple]):
        self.title = title
        self._rows = rows

    def __iter__(self) -> SheetRows:
        return self

    def __next__(self) -> tuple:
        return next(self._rows)


@contextmanager
def open_import(source: bytes | IO[bytes], *, limits: Limits) -> Iterator[SheetRows]:
    """Yield the first sheet's rows (tuples of values) from a read-only workbook, closed on exit."""
    data = _read_bytes(source, limits)
    check_file(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, XML errors…) for a broken part
        raise BadWorkbook(_("The workbook could not be read. Save it again as .xlsx and retry.")) from None
    try:
        if not wb.worksheets:
            raise BadWorkbook(_("The workbook has no sheets."))
        ws = wb.worksheets[0]

        def rows() -> Iterator[tuple]:
            for count, row in enumerate(ws.iter_rows(values_only=True), 1):
                if count > limits.max_rows + 1:  # + the header row
                    raise BadWorkbook(
                        _("The sheet has more than %(limit)s rows; split it into smaller files.")
                        % {"limit": f"{limits.max_rows:,}"}
                    )
                yield row

        try:
            yield SheetRows(ws.title, rows())
        except BadWorkbook:
            raise
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile, OSError):
            raise BadWorkbook(_("The workbook could not be read. Save it again as .xlsx and retry.")) from None
    finally:
        wb.close()


def _normalise(value, kind: str):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if value is None:
        return None
    if kind == Kind.DATE and isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float):
        # Cells hold binary floats; go through repr so 1234.5 stays "1234.5", not 1234.4999….
        if value.is_integer() and kind != Kind.MONEY:
            return int(value)
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            return value
    return value


def read_table(source: bytes | IO[bytes], columns: Sequence[Column], *, limits: Limits) -> ImportTable:
    """Read the first sheet into rows keyed by column key; headers are matched by name.

    Raises BadWorkbook for anything that makes the whole file unusable, including unknown or
    missing headers. Empty rows are skipped; row numbers are those the user sees.
    """
    with open_import(source, limits=limits) as rows:
        header = next(rows, None)
        if header is None:
            raise BadWorkbook(_("The sheet is empty: the first row must hold the column headers."))
        lookup: dict[str, Column] = {}
        for column in columns:
            for name in column.header_variants():
                lookup[name] = column
        positions: dict[str, int] = {}
        unknown = []
        for index, name in enumerate(header, 1):
            if name is None or str(name).strip() == "":
                continue
            column = lookup.get(str(name).strip())
            if column is None:
                unknown.append(str(name).strip())
            elif column.key in positions:
                raise BadWorkbook(_("The column “%(name)s” appears twice.") % {"name": column.header_text()})
            else:
                positions[column.key] = index
        missing = [c.header_text() for c in columns if c.required and c.key not in positions]
        if unknown or missing:
            parts = []
            if missing:
                parts.append(_("missing columns: %(names)s") % {"names": "、".join(missing)})
            if unknown:
                parts.append(_("unknown columns: %(names)s") % {"names": "、".join(unknown)})
            expected = "、".join(c.header_text() for c in columns)
            raise BadWorkbook(
                _("The headers do not match the template (%(problems)s). Expected: %(expected)s.")
                % {"problems": "; ".join(parts), "expected": expected}
            )
        table = ImportTable(columns=list(columns), positions=positions)
        for number, raw in enumerate(rows, 2):
            values = {}
            for column in columns:
                index = positions.get(column.key)
                value = raw[index - 1] if index is not None and index <= len(raw) else None
                values[column.key] = _normalise(value, column.kind)
            if all(v is None for v in values.values()):
                continue
            table.rows.append(ImportRow(number=number, values=values))
        return table


def cell_text(value) -> str:
    """An imported value as the text a form field expects."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
