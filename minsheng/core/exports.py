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
import math
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

from .documents import text_width
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


def _wrap(text: str, width: float) -> list[str]:
    out, line, used = [], "", 0.0
    for ch in text:
        w = text_width(ch)
        if used + w > width and line:
            out.append(line.rstrip())
            line, used = "", 0.0
        if line or ch != " ":
            line, used = line + ch, used + w
    return [*out, line] if line else out


def chart_label(text: str, *, width: float = 6, lines: int = 2) -> str:
    """A label for a chart axis: wrapped into at most `lines` lines of at most `width` characters (a Chinese
    character counts one, a Latin letter or digit half), as even as they can be (老旧小区/充电桩不足, not
    老旧小区充电/桩不足); a longer text is cut at the end of the last line with …."""
    text = " ".join(strip_control(str(text)).split())
    total = text_width(text)
    needed = math.ceil(total / width) if total else 1
    if needed <= lines:
        candidate = total / needed
        while candidate < width:
            wrapped = _wrap(text, candidate)
            if len(wrapped) <= needed:
                return "\n".join(wrapped)
            candidate += 0.5
        return "\n".join(_wrap(text, width))
    wrapped = _wrap(text, width)[:lines]
    wrapped[-1] = wrapped[-1][:-1] + "…"
    return "\n".join(wrapped)


def month_label(month: int) -> str:
    """A month on a chart axis or in a table: 1月, 2月 … 12月."""
    return f"{int(month)}月"


def bar_chart_png(labels: Sequence[str], values: Sequence[float], *, title: str, color: str = "#b3261e",
                  horizontal: bool | None = None, label_width: float | None = None) -> bytes:
    """A bar chart as PNG bytes for Word reports, drawn with an installed CJK font when there is one
    (make setup installs WenQuanYi Micro Hei), so Chinese labels do not come out as boxes.

    Labels are written level and wrapped (`chart_label`), never turned on their side: short labels (months,
    categories) under vertical bars; long ones — or more than eight bars of labels over four characters, such
    as problem names — beside horizontal bars, top to bottom in the given order. `label_width` overrides the
    wrapping width in characters. Whole numbers get whole-number ticks; each bar carries its value."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    labels, values = [str(x) for x in labels], list(values)
    longest = max((text_width(x) for x in labels), default=0)
    if horizontal is None:
        horizontal = longest > 8 or (len(labels) > 8 and longest > 4)
    cjk = [f.name for f in font_manager.fontManager.ttflist
           if any(k in f.name for k in ("WenQuanYi", "Noto Sans CJK", "Noto Serif CJK", "SimHei"))]
    rc = {"font.sans-serif": [cjk[0], "DejaVu Sans"]} if cjk else {}
    with plt.rc_context({**rc, "axes.unicode_minus": False}):
        if horizontal:
            width = label_width or 12
            shown = [chart_label(x, width=width, lines=2) for x in labels]
            figure, axis = plt.subplots(figsize=(6.2, max(2.4, 0.42 * len(labels) + 0.9)), dpi=150)
            bars = axis.barh(range(len(values)), values, color=color, height=0.6)
            axis.set_yticks(range(len(values)), shown, fontsize=8)
            axis.invert_yaxis()
            axis.xaxis.set_major_locator(MaxNLocator(integer=all(float(v).is_integer() for v in values)))
            axis.spines[["top", "right"]].set_visible(False)
        else:
            # about 60 characters of 8-point text across the figure: each bar gets its share, one lost to the gap
            width = label_width or max(2, min(8, int(60 / max(len(labels), 1)) - 1))
            shown = [chart_label(x, width=width, lines=3) for x in labels]
            figure, axis = plt.subplots(figsize=(6.2, 3.2), dpi=150)
            bars = axis.bar(range(len(values)), values, color=color, width=0.6)
            axis.set_xticks(range(len(values)), shown, fontsize=8)
            axis.yaxis.set_major_locator(MaxNLocator(integer=all(float(v).is_integer() for v in values)))
            axis.spines[["top", "right"]].set_visible(False)
        if values:
            axis.bar_label(bars, labels=[f"{v:g}" for v in values], fontsize=7, padding=2)
            axis.margins(**({"x": 0.08} if horizontal else {"y": 0.12}))
        else:
            axis.text(0.5, 0.5, "无数据", ha="center", va="center", transform=axis.transAxes, fontsize=10, color="#666666")
        axis.tick_params(axis="both", labelsize=8)
        axis.set_title(title, fontsize=10)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
    return buffer.getvalue()
