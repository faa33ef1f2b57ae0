"""A spreadsheet of requests: each row is one request, each column one field (CSV, TSV or XLSX).

The first row names the columns with the API's field names (`prompt`, `aspect_ratio`, `seed`,
`style_preset`, …) plus `repeat` (send the row N times). Every problem is collected — an unknown
column, a bad value in row 37, an empty row — and named by row and column before anything is sent:
the designer sees them all at once and chooses to send the valid rows or fix the sheet.

Reading .xlsx is openpyxl's job (read-only mode streams rows, so a large sheet stays small in memory).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..api.errors import RequestValidationError
from ..api.requests import ApiRequest, GenerateRequest

#: Columns that are not request fields.
EXTRA_COLUMNS = ("repeat",)
MAX_ROWS = 10_000
MAX_REPEAT = 100
#: List-valued fields: one cell, items separated by commas or spaces.
_LIST_SEPARATORS = (",", " ")


class SheetError(ValueError):
    """The sheet as a whole cannot be read (wrong type, damaged file, no header)."""


@dataclass(frozen=True)
class CellProblem:
    row: int  # 1-based, as the spreadsheet shows it (the header is row 1)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SheetRow:
    row: int
    request: ApiRequest
    repeat: int = 1


@dataclass
class SheetPlan:
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_sheet(path: Path, request_type: type[ApiRequest] = GenerateRequest) -> SheetPlan:
    """Read and validate every row of `path`; never raises for a bad row, only for a bad file."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        records = _xlsx_rows(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        try:
            text = path.read_text("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SheetError(f"{path.name} is not UTF-8 text ({exc.reason}); save it as UTF-8 CSV") from None
        records = _text_rows(text, "\t" if suffix == ".tsv" else _guess_delimiter(text))
    else:
        raise SheetError(f"{path.name}: a sheet must be .csv, .tsv or .xlsx")
    return plan_rows(records, request_type)


def plan_rows(records: Iterator[list[Any]], request_type: type[ApiRequest] = GenerateRequest) -> SheetPlan:
    plan = SheetPlan()
    try:
        header = next(records)
    except StopIteration:
        raise SheetError("the sheet is empty: its first row must name the fields (e.g. prompt, seed)") from None
    types = request_type.field_types()
    # "Prompt", "Aspect ratio" and "aspect-ratio" name the fields a designer means: read as such.
    columns = [_field_name(_cell_text(h).strip(), [*types, *EXTRA_COLUMNS]) for h in header]
    plan.columns = columns
    files = set(request_type.file_field_names())
    for index, name in enumerate(columns):
        if not name:
            plan.problems.append(CellProblem(1, f"#{index + 1}", "this column has no name"))
        elif name in files:
            plan.problems.append(CellProblem(1, name, "image fields cannot come from a sheet"))
        elif name not in types and name not in EXTRA_COLUMNS:
            plan.problems.append(CellProblem(1, name, _unknown_column(name, [*types, *EXTRA_COLUMNS], files)))
    if "prompt" in types and "prompt" not in columns:
        plan.problems.append(CellProblem(1, None, "the sheet needs a 'prompt' column"))
    if plan.problems:
        return plan
    for number, values in enumerate(records, start=2):
        if number - 1 > MAX_ROWS:
            plan.problems.append(CellProblem(number, None, f"a sheet takes at most {MAX_ROWS:,} rows"))
            break
        _plan_row(plan, number, columns, values, request_type)
    return plan


def _plan_row(plan: SheetPlan, number: int, columns: list[str], values: list[Any], rtype: type[ApiRequest]) -> None:
    cells = {c: _cell_text(v).strip() for c, v in zip(columns, values, strict=False)}
    if not any(cells.values()):
        plan.problems.append(CellProblem(number, None, "the row is empty"))
        return
    repeat = 1
    raw_repeat = cells.pop("repeat", "")
    if raw_repeat:
        if not raw_repeat.isdigit() or not 1 <= int(raw_repeat) <= MAX_REPEAT:
            plan.problems.append(CellProblem(number, "repeat", f"must be a whole number from 1 to {MAX_REPEAT}"))
            return
        repeat = int(raw_repeat)
    types = rtype.field_types()
    fields: dict[str, Any] = {}
    for name, text in cells.items():
        if not text:
            continue
        if _is_list(types[name]):
            fields[name] = [item for item in _split_list(text) if item]
        else:
            fields[name] = text
    try:
        request = rtype.from_parts(fields)
        request.validate()
    except RequestValidationError as exc:
        plan.problems.append(CellProblem(number, exc.field, exc.rule))
        return
    plan.rows.append(SheetRow(number, request, repeat))


def _field_name(header: str, known: list[str]) -> str:
    plain = "_".join(header.lower().replace("-", " ").split())
    return plain if plain in known else header


def _unknown_column(name: str, known: list[str], files: set[str]) -> str:
    """Why a column is refused, with the field it most likely meant ("seeds" → seed)."""
    fields = [f for f in known if f not in files]
    guess = "_".join(name.lower().replace("-", " ").split())
    close = difflib.get_close_matches(guess, fields, n=1, cutoff=0.6)
    if close:
        return f"is not a request field: did you mean '{close[0]}'? (nothing is sent until the sheet is fixed)"
    return f"is not a request field; the columns can be {', '.join(sorted(fields))} (nothing is sent until it is fixed)"


def _is_list(tp: Any) -> bool:
    return getattr(tp, "__origin__", None) is tuple


def _split_list(text: str) -> list[str]:
    for sep in _LIST_SEPARATORS:
        if sep in text:
            return [item.strip() for item in text.split(sep)]
    return [text]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets store 42 as 42.0
    return str(value)


def _guess_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") and first.count("\t") > first.count(";") else (
        ";" if first.count(";") > first.count(",") else ","
    )


def _text_rows(text: str, delimiter: str) -> Iterator[list[Any]]:
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # imported here: only sheets need it (~150 ms)

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise SheetError(f"{path.name} could not be read as an Excel workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()
