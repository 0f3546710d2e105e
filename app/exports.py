"""Spreadsheet exports shared by the weekly report and the award annex: Vietnamese headers, numbers as
numbers, dates as dates (dd/mm/yyyy)."""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font


def csv_bytes(headers: tuple[str, ...], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([[f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Vietnamese correctly


def xlsx_bytes(sheet_title: str, heading: list[str], headers: tuple[str, ...], rows: list[list],
               widths: dict[str, float] | None = None) -> bytes:
    """Heading lines (the first in bold), a bold header row, then the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for line in heading:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for column, width in (widths or {}).items():
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
