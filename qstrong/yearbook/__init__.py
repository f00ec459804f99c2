"""Statistical-yearbook tables in: files read (:mod:`.reader`), tables found (:mod:`.table`), cells parsed
(:mod:`.cells`), units converted (:mod:`.units`), county rows resolved to codes (:mod:`.codes`); tables
imported as peer values (:mod:`.importer`, columns named by a mapping file, :mod:`.mapping`)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .codes import Coded, CodedRow, Value, column_values, rows_to_codes
from .importer import Imported, import_tables
from .mapping import Mapping, MappingError, read_mapping
from .reader import RawSheet, read_sheets
from .table import Cell, Column, Row, YearbookTable, read_table
from .units import UnitError, convert, parse_unit, split_unit

__all__ = ["Cell", "Coded", "CodedRow", "Column", "Imported", "Mapping", "MappingError", "RawSheet", "Row", "UnitError",
           "Value", "YearbookTable", "column_values", "convert", "import_tables", "parse_unit", "read_mapping",
           "read_sheets", "read_table", "read_tables", "rows_to_codes", "split_unit"]


def read_tables(path: str | Path, engine: str = "openpyxl", label: str | None = None,
                sheets: list[str] | None = None) -> list[YearbookTable]:
    """The table of every sheet of `path` that holds anything (empty sheets are left out), or of the
    named `sheets` (InputError naming the sheets there are when one is missing)."""
    raw = read_sheets(path, engine, label)
    if sheets is not None:
        names = [s.name for s in raw]
        absent = [n for n in sheets if n not in names]
        if absent:
            raise InputError([f"文件“{raw[0].file}”没有工作表“{n}”；有：{'、'.join(names)}" for n in absent])
        raw = [s for s in raw if s.name in sheets]
    return [read_table(s) for s in raw if any(v not in (None, "") for row in s.cells for v in row)]
