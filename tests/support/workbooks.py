"""Filling the real template as a staff member would (openpyxl standing in for Excel)."""

from __future__ import annotations

import io

import openpyxl


def fill_province(content: bytes, values: dict[str, object]) -> bytes:
    """The template ``content`` with province figures typed in by indicator code: the province
    sheet is the one whose code row holds "84" and whose rows hold indicator codes."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = next(
        ws
        for ws in wb.worksheets
        if any(c.value == "84" for row in ws.iter_rows(max_row=10) for c in row)
        and any(c.value == "dossiers_received" for row in ws.iter_rows() for c in row)
    )
    code_col = next(c.column for row in ws.iter_rows(max_row=10) for c in row if c.value == "84")
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in values:
                ws.cell(row=cell.row, column=code_col, value=values[cell.value])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
