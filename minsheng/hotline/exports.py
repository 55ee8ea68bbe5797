"""Excel rendering of exporter rows (openpyxl, write-only)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Font


def write_xlsx(target: str | Path | IO[bytes], rows: Iterable[list], *, title: str = "Sheet") -> None:
    """Write rows (the first is the header, in bold) to one worksheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet")
    from openpyxl.cell import WriteOnlyCell

    for index, row in enumerate(rows):
        if index == 0:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.font = Font(bold=True)
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append(row)
    workbook.save(target)
