"""Spreadsheet exports shared by the weekly report, the award annex and any other download: Vietnamese headers,
numbers as numbers, dates as dates (dd/mm/yyyy), and text that a spreadsheet never runs as a formula.

Names and titles are typed by users: a co-author called ``=HYPERLINK(...)`` or a title starting with ``+``,
``-`` or ``@`` must reach the organizer's spreadsheet as text (OWASP "CSV injection"). Every export goes
through ``csv_bytes`` / ``xlsx_bytes`` so the rule lives here once.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

# Spreadsheets read a cell starting with one of these as a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _csv_cell(value: object) -> object:
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value  # the quote makes Excel and LibreOffice show the rest as text
    return value


def csv_bytes(headers: tuple[str, ...], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(v) for v in headers])
    writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Vietnamese correctly


def _append(sheet, values: list) -> list:
    """Append a row; text stays text even when it starts like a formula (openpyxl turns "=..." into one)."""
    sheet.append(values)
    cells = list(sheet[sheet.max_row])
    for cell in cells:
        if looks_like_formula(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True  # stays text when someone edits the cell in Excel
        elif isinstance(cell.value, date):
            cell.number_format = "DD/MM/YYYY"
    return cells


@dataclass
class Sheet:
    """One sheet of a workbook: heading lines (the first in bold), a bold header row, then the rows."""

    title: str
    heading: list[str]
    headers: tuple[str, ...]
    rows: list[list]
    widths: dict[str, float] | None = None


def xlsx_book(sheets: list[Sheet]) -> bytes:
    """A workbook of several sheets (a report and its sections), each written like ``xlsx_bytes``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for part in sheets:
        sheet = workbook.create_sheet(part.title[:31])
        for line in part.heading:
            _append(sheet, [line])
        if part.heading:
            sheet["A1"].font = Font(bold=True)
        for cell in _append(sheet, list(part.headers)):
            cell.font = Font(bold=True)
        for row in part.rows:
            _append(sheet, row)
        for column, width in (part.widths or {}).items():
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(sheet_title: str, heading: list[str], headers: tuple[str, ...], rows: list[list],
               widths: dict[str, float] | None = None) -> bytes:
    """One sheet: heading lines (the first in bold), a bold header row, then the rows."""
    return xlsx_book([Sheet(sheet_title, heading, headers, rows, widths)])
