"""Shared renderers: exporters yield rows; these turn them into Excel or CSV bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """One workbook, one sheet per (title, headers, rows); headers bold on a grey band, columns sized to fit."""
    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDDDDD")
            cell.alignment = Alignment(vertical="center")
        widths = [len(str(h)) * 2 + 2 for h in headers]
        for row in rows:
            values = list(row)
            sheet.append(values)
            for i, value in enumerate(values[: len(widths)]):
                widths[i] = min(60, max(widths[i], len(str(value or "")) * 2 + 2))
        for i, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM, so that Excel on Chinese Windows opens it correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
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
