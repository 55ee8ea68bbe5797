"""Shared renderers: exporters yield rows; these turn them into Excel or CSV. Every spreadsheet the
project writes goes through `write_xlsx` / `xlsx` or `write_csv` / `csv_bytes`, which make each cell safe:

* control characters are removed (openpyxl refuses most of them: one bad draft title would fail the whole
  export), tab, line feed and carriage return kept;
* a text that a spreadsheet would run as a formula — first character ``= + - @``, tab or carriage return,
  as in ``=cmd|' /C calc'!A0`` or ``=HYPERLINK(…)`` — is written as text with a leading ``'`` (OWASP's
  advice on CSV injection), and in Excel stored with the string type, never as a formula.

Numbers, dates and None are written as they are (-3 stays the number -3)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .text import FORMULA_TRIGGERS, strip_control

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# (sheet title, headers, rows)
Sheet = tuple[str, Sequence[Any], Iterable[Sequence[Any]]]

_SHEET_TITLE_REFUSED = re.compile(r"[\\/?*\[\]:]")


def safe_value(value: Any) -> Any:
    """A cell value as the exports write it: text without control characters, prefixed with ``'`` when it
    would start a formula; an aware datetime as Beijing wall-clock time (Excel has no time zones)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = strip_control(value, multiline=True)
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _sheet_title(title: str) -> str:
    return _SHEET_TITLE_REFUSED.sub("_", strip_control(str(title)))[:31] or "Sheet"


def _cells(sheet: Any, values: Iterable[Any], *, header: bool = False) -> list[Any]:
    """One row for `sheet.append`: safe values; neutralised texts (and header cells, in bold) as cells
    whose type is forced to string."""
    row: list[Any] = []
    for raw in values:
        value = safe_value(raw)
        neutralised = isinstance(value, str) and value.startswith("'")
        if not (header or neutralised):
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=value)
        if neutralised:
            cell.data_type = "s"
        if header:
            cell.font = Font(bold=True)
        row.append(cell)
    return row


def write_xlsx(target: str | Path | IO[bytes], sheets: Sequence[Sheet], *, streaming: bool = False) -> None:
    """One workbook, one sheet per (title, headers, rows), headers in bold, the header row frozen.

    By default the workbook is built in memory: headers on a grey band and columns sized to fit. With
    `streaming` it is written row by row (openpyxl's write-only mode; memory stays flat for big files),
    without the band and the widths."""
    workbook = Workbook(write_only=streaming)
    if not streaming:
        workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=_sheet_title(title))
        sheet.freeze_panes = "A2"
        if streaming:
            sheet.append(_cells(sheet, headers, header=True))
            for row in rows:
                sheet.append(_cells(sheet, row))
            continue
        sheet.append(_cells(sheet, headers, header=True))
        for cell in sheet[1]:
            cell.fill = PatternFill("solid", fgColor="DDDDDD")
            cell.alignment = Alignment(vertical="center")
        widths = [len(str(h)) * 2 + 2 for h in headers]
        for row in rows:
            values = _cells(sheet, row)
            sheet.append(values)
            for i, value in enumerate(values[: len(widths)]):
                shown = value.value if hasattr(value, "value") else value
                widths[i] = min(60, max(widths[i], len(str(shown or "")) * 2 + 2))
        for i, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(i)].width = width
    workbook.save(target)


def xlsx(sheets: Sequence[Sheet], *, streaming: bool = False) -> bytes:
    """`write_xlsx` into bytes."""
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets, streaming=streaming)
    return buffer.getvalue()


def write_csv(target: str | Path | TextIO, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """The headers, then the rows, each value made safe. A path is written in UTF-8 with a BOM, so that
    Excel on Chinese Windows opens it correctly; an open text handle is written as it is."""
    if isinstance(target, str | Path):
        with Path(target).open("w", encoding="utf-8-sig", newline="") as handle:
            write_csv(handle, headers, rows)
        return
    writer = csv.writer(target)
    writer.writerow([safe_value(h) for h in headers])
    writer.writerows([safe_value(v) for v in row] for row in rows)


def csv_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """`write_csv` into bytes: UTF-8 with a BOM."""
    buffer = io.StringIO()
    write_csv(buffer, headers, rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def bar_chart_png(labels: Sequence[str], values: Sequence[float], *, title: str, color: str = "#b3261e") -> bytes:
    """A bar chart as PNG bytes for Word reports, drawn with an installed CJK font when there is one
    (make setup installs WenQuanYi Micro Hei), so Chinese labels do not come out as boxes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    cjk = [f.name for f in font_manager.fontManager.ttflist
           if any(k in f.name for k in ("WenQuanYi", "Noto Sans CJK", "Noto Serif CJK", "SimHei"))]
    with plt.rc_context({"font.sans-serif": [cjk[0], "DejaVu Sans"]} if cjk else {}):
        figure, axis = plt.subplots(figsize=(6.5, 3), dpi=150)
        axis.bar(list(labels), list(values), color=color)
        axis.set_title(title)
        axis.tick_params(axis="x", labelrotation=30, labelsize=7)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
    return buffer.getvalue()
