"""Official documents (公文) in Word, laid out after GB/T 9704-2012 《党政机关公文格式》. Every Word document
the project writes goes through `OfficialDocument`:

* the page (§5.2): A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a 156 × 225 mm text area),
  22 lines of 28 characters (an exact 28.95 pt line pitch and Word's document grid);
* the fonts (§5.2.2, §7), named in the file for East-Asian text (``w:eastAsia``) and Times New Roman for
  Latin text and digits, so that Word on the reader's machine renders them: the title in 方正小标宋简体
  二号 (22 pt), the body in 仿宋_GB2312 三号 (16 pt) with a two-character first-line indent, headings
  一、 in 黑体, （一） in 楷体_GB2312, 1. (bold) and （1） in 仿宋_GB2312;
* the letter's head (信函格式, §10.1): the 发文机关标志 in red 小标宋, centred, over a red rule; the
  发文字号 ``京民提复〔2026〕12号`` (with 签发人 on the same line when there is one); then the title, the
  主送机关 line ending in a full-width colon, the body, the 发文机关署名 and the 成文日期
  (``2026年12月8日``, §7.3.5) right-aligned, and the 附注 (contact person and phone) below;
* a report (no ``issuer``): the same page, fonts, headings and page numbers, without the red head;
* page numbers (§7.5): ``— 1 —`` in 宋体 四号 (14 pt) half-width digits, on the outer side: odd pages
  right, even pages left, one character in from the text edge;
* tables sized to their content (a name column is never squeezed to one character a line), headers
  repeated on each page; pictures centred on their own line.

A unit's letterhead template (a .docx whose first page carries the head) may replace the red head: its page
set-up, header and footer are kept, and the document is written below its content."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from .text import strip_control

__all__ = [
    "FONT_BODY", "FONT_HEADING_1", "FONT_HEADING_2", "FONT_LATIN", "FONT_PAGE_NUMBER", "FONT_TITLE", "LINE_PITCH",
    "MARGINS_MM", "PAGE_MM", "RED", "TEXT_WIDTH_MM", "OfficialDocument", "chinese_number", "document_date",
    "document_number",
]

PAGE_MM = (210, 297)  # A4
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # GB/T 9704 §5.2.1: text area 156 × 225 mm
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
LINE_PITCH = Twips(579)  # 28.95 pt: 22 lines in the 225 mm text height
CHAR_SPACE = -842  # Word's grid: 16 pt − 842/4096 pt = 15.79 pt a character, 28 characters in 156 mm

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING_1 = "黑体"
FONT_HEADING_2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
FONT_LATIN = "Times New Roman"
# What Word substitutes when a font is missing on the reader's machine (its font table's altName).
_ALT_NAMES = {FONT_TITLE: "宋体", FONT_BODY: "仿宋", FONT_HEADING_2: "楷体", FONT_HEADING_1: "SimHei", FONT_PAGE_NUMBER: "SimSun"}

SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_PAGE_NUMBER = Pt(14)  # 四号
SIZE_TABLE = Pt(12)  # 小四
RED = RGBColor(0xFF, 0x00, 0x00)

_HEADING_FONTS = {1: (FONT_HEADING_1, False), 2: (FONT_HEADING_2, False), 3: (FONT_BODY, True), 4: (FONT_BODY, False)}
_DIGITS = "零一二三四五六七八九"
_NUMBER = re.compile(r"[-+]?\d[\d,./]*%?")
_CELL_PADDING_MM = 3.8  # Word's default cell margins, 0.19 cm each side


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十, 105 → 一百零五: for 第十四届, headings 一、 and （一）."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + _DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out


def document_date(value: dt.date | dt.datetime | None = None) -> str:
    """The 成文日期 as GB/T 9704 §7.3.5 writes it: Arabic numerals, the year in full, no leading zeros
    (``2026年3月5日``). An aware datetime is taken in the local time zone; None is today."""
    if value is None:
        value = timezone.localdate()
    elif isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def document_number(code: str, year: int, serial: int) -> str:
    """A 发文字号 (§7.2.4): 机关代字, the year in 〔〕 and the serial without leading zeros: 京民提复〔2026〕12号."""
    return f"{clean(code)}〔{year}〕{serial}号"


def clean(value: object) -> str:
    """Text for Word: python-docx refuses control characters (one in a title would fail the document);
    tab and line breaks are kept."""
    return strip_control("" if value is None else str(value), multiline=True)


def text_width(text: str) -> float:
    """Width in characters of the body font: a Chinese character (or a full-width sign) is one, a Latin letter
    or a digit half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


# --- low-level XML ------------------------------------------------------------------------------------------

_PPR_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                   "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                   "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                   "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                   "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def set_fonts(rpr: Any, east_asia: str, latin: str = FONT_LATIN) -> None:
    """Name the fonts on a run's, a style's or the defaults' ``w:rPr``: East-Asian text in `east_asia`, the
    rest in `latin`; theme fonts (which would win over named ones) removed."""
    fonts = rpr.get_or_add_rFonts()  # every w:rPr is python-docx's CT_RPr, which keeps the schema's order
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def east_asian_font(run: Any) -> str | None:
    """The East-Asian font named on a run (None when it inherits)."""
    rpr = run._r.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _paragraph_border(paragraph: Paragraph, *, color: str = "FF0000", size_eighths: int = 12, space_pt: int = 6) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size_eighths)), ("w:space", str(space_pt)), ("w:color", color)):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.insert_element_before(border, *_PPR_AFTER_PBDR)


def _no_grid_snap(paragraph: Paragraph) -> None:
    """Lines of a picture or a footer are not snapped to the document grid (which would stretch them)."""
    ppr = paragraph._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(snap, *_PPR_AFTER_PBDR[_PPR_AFTER_PBDR.index("w:spacing"):])


def _field(paragraph: Paragraph, instruction: str, shown: str, *, font: str, size: Any) -> None:
    """A field (PAGE, NUMPAGES…) as Word writes it: begin, instruction, separate, the shown value, end."""
    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        _format_run(run, font=font, latin=font, size=size)
        run._r.append(child)

    begin, separate, end = (OxmlElement("w:fldChar") for _ in range(3))
    begin.set(qn("w:fldCharType"), "begin")
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run_with(begin)
    run_with(text)
    run_with(separate)
    value = paragraph.add_run(shown)
    _format_run(value, font=font, latin=font, size=size)
    run_with(end)


def _format_run(run: Any, *, font: str = FONT_BODY, latin: str = FONT_LATIN, size: Any = SIZE_BODY,
                bold: bool = False, color: RGBColor | None = None) -> Any:
    set_fonts(run._r.get_or_add_rPr(), font, latin)
    run.font.size = size
    if bold:
        run.font.bold = True
    if color is not None:
        run.font.color.rgb = color
    return run


def _lines(paragraph: Paragraph, *, pitch: Any = LINE_PITCH, first_line: Any = None, align: Any = None,
           left: Any = None, right: Any = None) -> Paragraph:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if pitch is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = pitch
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if first_line is not None:
        fmt.first_line_indent = first_line
    if left is not None:
        fmt.left_indent = left
    if right is not None:
        fmt.right_indent = right
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _chars(n: float) -> Any:
    return Pt(16 * n)


# --- column widths --------------------------------------------------------------------------------------------


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], *, width_mm: float = TEXT_WIDTH_MM,
                  size_pt: float = 12) -> list[float]:
    """Column widths in millimetres that fill `width_mm`, from the content: every column gets the width of its
    longest cell when they all fit (then all are widened in proportion); otherwise the narrow columns (numbers,
    short codes) keep their width, headers may take two lines, and the remaining width goes to the long text
    columns in proportion to their content, none below its longest number or Latin word."""
    char_mm = size_pt * 25.4 / 72
    n = len(headers)

    def widest(cells: Sequence[str]) -> float:
        return max((text_width(line) for cell in cells for line in cell.split("\n")), default=0.0)

    def unbreakable(cells: Sequence[str]) -> float:
        words = [w for cell in cells for w in re.findall(r"[\x21-\x7e]+", cell)]
        return max((text_width(w) for w in words), default=0.0)

    body = [[row[i] if i < len(row) else "" for row in rows] for i in range(n)]
    header_whole = [text_width(h) for h in headers]
    # A header of four characters or more may wrap onto two lines when space is short.
    header_wrapped = [w if w < 4 else math.ceil(w / 2) for w in header_whole]
    minimum = [max(1.5, unbreakable(body[i]), header_wrapped[i]) * char_mm + _CELL_PADDING_MM for i in range(n)]
    natural = [max(1.5, widest(body[i]), header_whole[i]) * char_mm + _CELL_PADDING_MM for i in range(n)]
    if sum(natural) > width_mm:
        natural = [max(1.5, widest(body[i]), header_wrapped[i]) * char_mm + _CELL_PADDING_MM for i in range(n)]
    if sum(natural) <= width_mm:
        return [w * width_mm / sum(natural) for w in natural]
    if sum(minimum) >= width_mm:
        return [w * width_mm / sum(minimum) for w in minimum]
    # Water-filling: a column narrower than the fair share of what is left keeps its natural width.
    widths: list[float | None] = [None] * n
    remaining = width_mm
    while True:
        open_ = [i for i in range(n) if widths[i] is None]
        share = remaining / len(open_)
        fitting = [i for i in open_ if natural[i] <= share]
        if not fitting:
            break
        for i in fitting:
            widths[i] = natural[i]
            remaining -= natural[i]
    open_ = [i for i in range(n) if widths[i] is None]
    # The long columns share what is left in proportion to their content, none below its minimum.
    while open_:
        total = sum(natural[i] for i in open_)
        below = [i for i in open_ if natural[i] * remaining / total < minimum[i]]
        if not below:
            for i in open_:
                widths[i] = natural[i] * remaining / total
            break
        for i in below:
            widths[i] = minimum[i]
            remaining -= minimum[i]
        open_ = [i for i in open_ if i not in below]
    return [float(w or 0.0) for w in widths]


# --- the document ---------------------------------------------------------------------------------------------


class OfficialDocument:
    """A 公文 being written. With an `issuer` it is a letter (信函格式): red 发文机关标志 and rule, 发文字号
    (`number`) with the optional `signer` (签发人), title, 主送机关 (`recipients`), body, then at the end the
    `signature` (发文机关署名), the `date` (成文日期) and the notes (附注). Without an `issuer` it is a report:
    the title, an optional `subtitle` (楷体, centred, e.g. the period or the date), the body, and signature
    and date when given. `template` (the bytes of a unit's letterhead .docx) replaces the red head.

    Write with `heading`, `paragraph`, `paragraphs`, `table`, `picture` and `note`; `to_bytes` closes the
    document and returns the .docx."""

    def __init__(self, *, title: str, issuer: str = "", number: str = "", signer: str = "",
                 recipients: str | Sequence[str] = "", subtitle: str = "", signature: str = "",
                 date: dt.date | dt.datetime | None = None, template: bytes | None = None) -> None:
        self.signature = clean(signature)
        self.date = document_date(date) if date is not None else ""
        self._notes: list[str] = []
        self._counters = [0, 0, 0, 0]
        self._closed = False
        if template:
            self.document = Document(io.BytesIO(template))
            self._styles()
            if not _has_page_field(self.document):
                # Centred in the one footer: odd and even footers would drop a head the template keeps in
                # its header from the even pages.
                self._page_numbers(outer=False)
        else:
            self.document = Document()
            self._styles()
            self._page()
            self._page_numbers()
            if issuer:
                self._issuer_mark(clean(issuer))
        if number or signer:
            self._number_line(clean(number), clean(signer))
        if issuer or number or template:
            self._blank()
        self._title(clean(title))
        if subtitle:
            _format_run(_lines(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER).add_run(clean(subtitle)),
                        font=FONT_HEADING_2)
        self._blank()
        if isinstance(recipients, str):
            recipients = [recipients] if recipients else []
        line = "、".join(clean(r) for r in recipients if r)
        if line:
            line = line.rstrip(":：") + "："
            _format_run(_lines(self.document.add_paragraph()).add_run(line))

    # --- writing --------------------------------------------------------------------------------------------

    def heading(self, text: str, level: int = 1, *, body: str = "", numbered: bool = True) -> Paragraph:
        """A heading of level 1–4, numbered 一、 （一） 1. （1） (GB/T 9704 §7.3.3) unless `numbered` is False;
        `body` continues the same paragraph in the body font, as a level-3 or level-4 heading often does."""
        if level not in _HEADING_FONTS:
            raise ValueError(f"heading level {level} (1–4)")
        label = ""
        if numbered:
            self._counters[level - 1] += 1
            self._counters[level:] = [0] * (4 - level)
            n = self._counters[level - 1]
            label = {1: f"{chinese_number(n)}、", 2: f"（{chinese_number(n)}）", 3: f"{n}.", 4: f"（{n}）"}[level]
        font, bold = _HEADING_FONTS[level]
        paragraph = _lines(self.document.add_paragraph(), first_line=_chars(2))
        if not body:
            paragraph.paragraph_format.keep_with_next = True
        paragraph._p.get_or_add_pPr().get_or_add_outlineLvl().val = level - 1
        _format_run(paragraph.add_run(label + clean(text)), font=font, bold=bold)
        if body:
            _format_run(paragraph.add_run(clean(body)))
        return paragraph

    def paragraph(self, text: str, *, indent: bool = True, align: Any = None, bold: bool = False,
                  font: str = FONT_BODY) -> Paragraph:
        """A body paragraph: 仿宋_GB2312 三号, the first line indented two characters."""
        paragraph = _lines(self.document.add_paragraph(), first_line=_chars(2) if indent else Pt(0), align=align)
        _format_run(paragraph.add_run(clean(text).replace("\n", " ")), font=font, bold=bold)
        return paragraph

    def paragraphs(self, text: str) -> list[Paragraph]:
        """One body paragraph per non-empty line of `text`."""
        return [self.paragraph(line.strip()) for line in clean(text).split("\n") if line.strip()]

    def table(self, headers: Sequence[Any], rows: Sequence[Sequence[Any]], *, widths_mm: Sequence[float] | None = None,
              align: Sequence[str] | None = None, caption: str = "", size: Any = SIZE_TABLE) -> Table:
        """A table the width of the text, its columns `widths_mm` or sized to their content
        (`column_widths`), the header row in 黑体 and repeated on every page, cells in 仿宋_GB2312 小四.
        `align` per column: "left", "center" or "right"; by default numbers are centred and text left."""
        heads = [clean(h) for h in headers]
        cells = [[_cell_text(v) for v in row] for row in rows]
        n = len(heads)
        widths = list(widths_mm) if widths_mm else column_widths(heads, cells, size_pt=size.pt)
        if len(widths) != n:
            raise ValueError(f"{len(widths)} widths for {n} columns")
        if align is None:
            align = ["center" if cells and all(_NUMBER.fullmatch(row[i]) or row[i] in ("", "—") for row in cells)
                     else "left" for i in range(n)]
        if caption:
            _format_run(_lines(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER).add_run(clean(caption)),
                        font=FONT_HEADING_1)
        table = self.document.add_table(rows=1 + len(cells), cols=n)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _table_frame(table, sum(widths))
        for i, width in enumerate(widths):
            table.columns[i].width = Mm(width)
        justify = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
        for r, (row, values) in enumerate(zip(table.rows, [heads, *cells], strict=True)):
            if r == 0:
                header = OxmlElement("w:tblHeader")
                row._tr.get_or_add_trPr().append(header)
            for i, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
                cell.width = Mm(widths[i])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = _lines(cell.paragraphs[0], pitch=None, first_line=Pt(0),
                                   align=WD_ALIGN_PARAGRAPH.CENTER if r == 0 else justify[align[i]])
                _no_grid_snap(paragraph)
                _format_run(paragraph.add_run(value), font=FONT_HEADING_1 if r == 0 else FONT_BODY, size=size)
        return table

    def picture(self, image: bytes, *, width_mm: float = 150, caption: str = "") -> Paragraph:
        """A picture (a chart) centred on its own line, at most the text width; an optional caption below."""
        paragraph = _lines(self.document.add_paragraph(), pitch=None, first_line=Pt(0), align=WD_ALIGN_PARAGRAPH.CENTER)
        _no_grid_snap(paragraph)
        paragraph.add_run().add_picture(io.BytesIO(image), width=Mm(min(width_mm, TEXT_WIDTH_MM)))
        if caption:
            _format_run(_lines(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER).add_run(clean(caption)),
                        font=FONT_HEADING_2, size=Pt(14))
        return paragraph

    def note(self, text: str) -> None:
        """A 附注 (§7.3.6), written below the 成文日期 in round brackets, two characters in."""
        text = clean(text).strip()
        if text:
            self._notes.append(text if text.startswith("（") else f"（{text}）")

    def to_bytes(self) -> bytes:
        """The .docx; the first call writes the signature, the date and the notes."""
        if not self._closed:
            self._close()
            self._closed = True
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()

    # --- parts ----------------------------------------------------------------------------------------------

    def _blank(self) -> None:
        _lines(self.document.add_paragraph())

    def _issuer_mark(self, issuer: str) -> None:
        # 发文机关标志: red 小标宋, centred, at most 36 pt and never wider than the text area; a red rule below.
        size = min(36.0, math.floor(2 * (TEXT_WIDTH_MM * 72 / 25.4 - 8) / max(text_width(issuer), 1)) / 2)
        paragraph = _lines(self.document.add_paragraph(), pitch=Pt(math.ceil(size * 1.5)), align=WD_ALIGN_PARAGRAPH.CENTER)
        _format_run(paragraph.add_run(issuer), font=FONT_TITLE, size=Pt(size), color=RED)
        _paragraph_border(paragraph)

    def _number_line(self, number: str, signer: str) -> None:
        paragraph = _lines(self.document.add_paragraph())
        if signer:
            # 上行文 (§7.2.4, §7.2.5): number one character in from the left, 签发人 one in from the right.
            paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = _chars(1)
            paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - _chars(2), WD_TAB_ALIGNMENT.RIGHT)
            _format_run(paragraph.add_run(number + "\t签发人："))
            _format_run(paragraph.add_run(signer), font=FONT_HEADING_2)
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT  # 信函格式: flush with the right edge
            _format_run(paragraph.add_run(number))

    def _title(self, title: str) -> None:
        # Long titles break where the caller put "\n" (回行时词意完整，排列对称): a line break in the one run.
        paragraph = _lines(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER)
        _format_run(paragraph.add_run(title), font=FONT_TITLE, size=SIZE_TITLE)

    def _close(self) -> None:
        if not (self.signature or self.date or self._notes):
            return
        self._blank()
        signature_width, date_width = text_width(self.signature), text_width(self.date)
        # §7.3.5.2: the signature two characters in from the right, the date below it, starting two characters
        # to the right of the signature; a date longer than that stays two in, and the signature moves left.
        date_right = signature_width - date_width if self.signature else 4
        signature_right = 2.0
        if date_right < 2:
            signature_right += 2 - date_right
            date_right = 2
        if self.signature:
            _format_run(_lines(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT,
                               right=_chars(signature_right)).add_run(self.signature))
        if self.date:
            _format_run(_lines(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT,
                               right=_chars(date_right)).add_run(self.date))
        for text in self._notes:
            _format_run(_lines(self.document.add_paragraph(), first_line=_chars(2)).add_run(text))

    # --- page, styles, footer --------------------------------------------------------------------------------

    def _page(self) -> None:
        for section in self.document.sections:
            section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
            section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
            section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
            section.header_distance = Mm(15)
            section.footer_distance = Mm(25)  # the page number's dashes about 7 mm below the text area (§7.5)
            grid = section._sectPr.find(qn("w:docGrid"))
            if grid is None:
                grid = OxmlElement("w:docGrid")
                section._sectPr.append(grid)
            grid.set(qn("w:type"), "linesAndChars")
            grid.set(qn("w:linePitch"), str(LINE_PITCH.twips))
            grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    def _styles(self) -> None:
        styles = self.document.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                set_fonts(rpr, FONT_BODY)
                lang = rpr.find(qn("w:lang"))
                if lang is not None:
                    lang.set(qn("w:eastAsia"), "zh-CN")
            spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
            if spacing is not None:
                spacing.getparent().remove(spacing)
        try:
            normal = styles["Normal"]
        except KeyError:  # a template without a Normal style: the runs name their fonts anyway
            _declare_fonts(self.document)
            return
        set_fonts(normal.element.get_or_add_rPr(), FONT_BODY)
        normal.font.size = SIZE_BODY
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = LINE_PITCH
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        _declare_fonts(self.document)

    def _page_numbers(self, *, outer: bool = True) -> None:
        """— 1 — in 宋体 四号 (§7.5): on the outer side, odd pages right and even pages left one character in;
        or centred on every page."""
        if outer:
            self.document.settings.odd_and_even_pages_header_footer = True
        for section in self.document.sections:
            footers = ([(section.footer, WD_ALIGN_PARAGRAPH.RIGHT, {"right": _chars(1)}),
                        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, {"left": _chars(1)})] if outer
                       else [(section.footer, WD_ALIGN_PARAGRAPH.CENTER, {})])
            for footer, align, indent in footers:
                footer.is_linked_to_previous = False
                paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
                _lines(paragraph, pitch=None, first_line=Pt(0), align=align, **indent)
                _no_grid_snap(paragraph)
                _format_run(paragraph.add_run("— "), font=FONT_PAGE_NUMBER, latin=FONT_PAGE_NUMBER, size=SIZE_PAGE_NUMBER)
                _field(paragraph, "PAGE", "1", font=FONT_PAGE_NUMBER, size=SIZE_PAGE_NUMBER)
                _format_run(paragraph.add_run(" —"), font=FONT_PAGE_NUMBER, latin=FONT_PAGE_NUMBER, size=SIZE_PAGE_NUMBER)


def _cell_text(value: Any) -> str:
    return "—" if value is None or value == "" else clean(value)


def _table_frame(table: Table, width_mm: float) -> None:
    """Single 0.5 pt borders on every cell (no dependence on a template's "Table Grid" style) and the table's
    width, laid out fixed so Word keeps the given column widths."""
    tblpr = table._tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tblpr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(Mm(width_mm).twips))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            line.set(qn(key), value)
        borders.append(line)
    tblpr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                                "w:tblDescription")


def _has_page_field(document: Any) -> bool:
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer, section.first_page_footer):
            if not footer.is_linked_to_previous and "PAGE" in "".join(
                    t.text or "" for t in footer._element.iter(qn("w:instrText"))):
                return True
            if not footer.is_linked_to_previous and any(
                    "PAGE" in (f.get(qn("w:instr")) or "") for f in footer._element.iter(qn("w:fldSimple"))):
                return True
    return False


def _declare_fonts(document: Any) -> None:
    """List the Chinese fonts in the font table with the font Word should use when one is missing (仿宋_GB2312
    is not on every Windows; 仿宋 is) and the GB2312 character set."""
    try:
        part = document.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    element = getattr(part, "_element", None)
    root = element if element is not None else etree.fromstring(part.blob)
    named = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt in _ALT_NAMES.items():
        if name in named:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:charset", "86"), ("w:family", "modern"), ("w:pitch", "fixed")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    if element is None:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
