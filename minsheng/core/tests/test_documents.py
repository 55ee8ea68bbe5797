"""The one 公文 writer (GB/T 9704-2012): the reply letter, the annual proposal report and the 每月一题 year
report are generated and read back — page, margins, fonts, the letter's head, number, recipients, date and
page numbers, and tables sized to their content."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from minsheng.core.documents import (
    OfficialDocument,
    chinese_number,
    column_widths,
    document_date,
    document_number,
    east_asian_font,
)
from minsheng.core.exports import chart_label, month_label

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
RED = RGBColor(0xFF, 0x00, 0x00)


# --- helpers ----------------------------------------------------------------------------------------------


def _open(content: bytes):
    return Document(io.BytesIO(content))


def _assert_page(document) -> None:
    """A4 and the margins of GB/T 9704 §5.2.1 (top 37, bottom 35, left 28, right 26 mm); 22 lines of 28."""
    section = document.sections[0]
    size = section._sectPr.find(qn("w:pgSz"))
    assert (size.get(qn("w:w")), size.get(qn("w:h"))) == ("11906", "16838")  # A4 in twips, as Word writes it
    assert [round(x.mm, 1) for x in (section.page_width, section.page_height)] == [210, 297]
    assert [round(x.mm, 1) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch")), grid.get(qn("w:charSpace"))) == (
        "linesAndChars", "579", "-842")


def _assert_page_numbers(document) -> None:
    """— 1 — in 宋体 四号: a PAGE field between two dashes; odd pages right, even pages left."""
    assert document.settings.odd_and_even_pages_header_footer is True
    section = document.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align
        assert [t.text for t in footer._element.iter(qn("w:instrText"))] == [" PAGE "]
        assert paragraph.text == "— 1 —"
        runs = [r for r in paragraph.runs if r.text]
        assert {(east_asian_font(r), r.font.name, r.font.size) for r in runs} == {("宋体", "宋体", Pt(14))}


def _paragraph(document, text: str):
    matches = [p for p in document.paragraphs if p.text == text]
    assert len(matches) == 1, [p.text for p in document.paragraphs]
    return matches[0]


def _fonts(paragraph) -> set[tuple]:
    return {(east_asian_font(r), r.font.name, r.font.size, bool(r.font.bold)) for r in paragraph.runs if r.text}


def _body_fonts() -> set[tuple]:
    return {("仿宋_GB2312", "Times New Roman", Pt(16), False)}


def _column_widths(table) -> list:
    return [column.width for column in table.columns]


def _filed(world, *, cosigners=()):
    """A filed proposal by world.first, with co-signers who confirmed."""
    from minsheng.proposals import services
    from minsheng.proposals.tests.factories import TEXT

    proposal = services.proposal_create(actor=world.first.user, term=world.session.term, cosigners=list(cosigners), **TEXT)
    for member in cosigners:
        services.proposer_confirm(actor=member.user, proposal=proposal)
    services.proposal_submit(actor=world.first.user, proposal=proposal)
    services.proposal_review(actor=world.staff, proposal=proposal, step="first")
    services.proposal_review(actor=world.staff, proposal=proposal, step="second")
    services.proposal_decide(actor=world.staff, proposal=proposal, outcome="file")
    proposal.refresh_from_db()
    return proposal


def _reply(world, *, unit=None, proposal=None, approve=True, signer="李局长", contact_person="张处",
           contact_phone="010-12345678", text="经研究，已将老旧小区加装电梯列入2027年计划。\n由街道牵头组织居民协商。"):
    """A reply of `unit` (the lead unit) to a new filed proposal, approved by the office unless `approve` is False."""
    from minsheng.proposals import services
    from minsheng.proposals.models import ResultCategory

    unit = unit or world.lead_unit
    handler = {world.lead_unit: world.lead_handler, world.co_unit: world.co_handler}[unit]
    proposal = proposal or _filed(world)
    services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[unit])
    handling = proposal.handlings.get()
    services.handling_sign(actor=handler, handling=handling)
    services.handling_contact(actor=handler, handling=handling, method="phone", contacted_on=dt.date(2026, 3, 5))
    reply = services.handling_draft_reply(actor=handler, handling=handling, category=ResultCategory.objects.get(code="A"),
                                          text=text, signer=signer, contact_person=contact_person,
                                          contact_phone=contact_phone)
    return services.reply_review(actor=world.staff, handling=handling, approve=True) if approve else reply


@pytest.fixture
def world():
    from minsheng.proposals.tests.factories import make_world

    return make_world()


# --- the reply letter ---------------------------------------------------------------------------------------


def test_reply_letter_is_a_letter_after_gbt_9704(world):
    from minsheng.proposals.exports import reply_letter

    world.lead_unit.document_code = "京民"
    world.lead_unit.save()
    reply = _reply(world)
    reply.reviewed_at = dt.datetime(2026, 12, 8, 10, 0, tzinfo=TZ)
    document = _open(reply_letter(reply))

    _assert_page(document)
    _assert_page_numbers(document)
    paragraphs = [p for p in document.paragraphs if p.text]
    # The head: the red 发文机关标志, centred, over a red rule; then the number with 〔year〕 and 签发人.
    mark = paragraphs[0]
    assert mark.text == "北京市民政局"
    assert mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {(east_asian_font(r), r.font.color.rgb) for r in mark.runs} == {("方正小标宋简体", RED)}
    rule = mark._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    assert (rule.get(qn("w:val")), rule.get(qn("w:color"))) == ("single", "FF0000")
    number = paragraphs[1]
    serial = reply.handling.proposal.serial
    year = timezone.localtime(reply.drafted_at).year  # the year the reply was drafted, not the letter's date
    assert number.text == f"京民提复〔{year}〕1号\t签发人：李局长"
    assert re.fullmatch(r"\S+〔\d{4}〕\d+号", number.text.split("\t")[0])
    assert [east_asian_font(r) for r in number.runs] == ["仿宋_GB2312", "楷体_GB2312"]  # the signer's name in 楷体
    # The title in 小标宋 二号, centred, broken before the proposal's number.
    title = paragraphs[2]
    assert title.text == f"关于政协北京市第十四届委员会第四次会议\n第{serial:04d}号提案的答复"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert _fonts(title) == {("方正小标宋简体", "Times New Roman", Pt(22), False)}
    # 主送: the proposer, ending in a full-width colon, flush left.
    recipients = paragraphs[3]
    assert recipients.text == "王建华委员："
    assert recipients.paragraph_format.first_line_indent in (None, 0)
    # The body: 仿宋_GB2312 三号, two characters in, exact lines of 28.95 pt.
    category = next(p.text for p in paragraphs if p.text.startswith("办理结果类别："))
    assert category.startswith("办理结果类别：A（")
    for text in ("您提出的《关于加快老旧小区加装电梯的提案》的提案收悉。现答复如下：", "经研究，已将老旧小区加装电梯列入2027年计划。",
                 "由街道牵头组织居民协商。", category, "感谢您对我们工作的关心和支持，欢迎继续提出意见和建议。"):
        paragraph = _paragraph(document, text)
        assert _fonts(paragraph) == _body_fonts()
        assert paragraph.paragraph_format.first_line_indent == Pt(32)
        assert paragraph.paragraph_format.line_spacing == Pt(28.95)
    # The signature and the date (no leading zeros), right-aligned; the contact as a 附注 below.
    signature, date, note = paragraphs[-3:]
    assert (signature.text, date.text, note.text) == ("北京市民政局", "2026年12月8日", "（联系人：张处；联系电话：010-12345678）")
    assert signature.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # The date (6.5 characters: digits are half) starts two characters right of the signature (6): the date
    # stays two characters in from the right, the signature 4.5.
    assert date.paragraph_format.right_indent == Pt(16 * 2)
    assert signature.paragraph_format.right_indent == Pt(16 * 4.5)
    assert note.paragraph_format.first_line_indent == Pt(32)
    assert {east_asian_font(r) for p in document.paragraphs for r in p.runs if r.text} == {
        "方正小标宋简体", "仿宋_GB2312", "楷体_GB2312"}


def test_reply_letter_names_every_proposer_first_one_first(world):
    from minsheng.proposals.exports import reply_letter

    reply = _reply(world, proposal=_filed(world, cosigners=[world.cosigner]))
    assert "王建华、李秀英委员：" in [p.text for p in _open(reply_letter(reply)).paragraphs]


def test_reply_letter_number_is_stable_and_counts_the_units_replies_of_the_year(world):
    from minsheng.proposals.exports import reply_letter_number

    sent_back = _reply(world, approve=False)
    first, other = _reply(world), _reply(world, unit=world.co_unit)
    year = timezone.localtime(first.drafted_at).year
    # No code: the unit's name; each unit counts its own replies, a draft sent back keeps its number.
    assert [reply_letter_number(r) for r in (sent_back, first, other)] == [
        f"北京市民政局提复〔{year}〕1号", f"北京市民政局提复〔{year}〕2号", f"北京市卫生健康委员会提复〔{year}〕1号"]
    world.co_unit.short_name = "市卫健委"
    world.co_unit.save()
    other.handling.unit.refresh_from_db()
    assert reply_letter_number(other) == f"市卫健委提复〔{year}〕1号"
    # Later replies do not move the earlier numbers; the same reply gives the same number every time.
    later = _reply(world)
    assert [reply_letter_number(r) for r in (first, later, first)] == [
        f"北京市民政局提复〔{year}〕2号", f"北京市民政局提复〔{year}〕3号", f"北京市民政局提复〔{year}〕2号"]


def test_reply_letter_on_the_units_letterhead_template(world, settings, tmp_path):
    from minsheng.proposals.exports import reply_letter

    settings.MEDIA_ROOT = tmp_path
    template = Document()
    template.add_paragraph("北京市民政局（模板版头）")
    buffer = io.BytesIO()
    template.save(buffer)
    world.lead_unit.letterhead.save("head.docx", ContentFile(buffer.getvalue()))
    reply = _reply(world)
    document = _open(reply_letter(reply))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == "北京市民政局（模板版头）"  # the template's head, not a red one of ours
    assert not [r for p in document.paragraphs for r in p.runs if r.font.color.rgb == RED]
    assert re.fullmatch(r"北京市民政局提复〔\d{4}〕1号\t签发人：李局长", texts[1])
    assert texts[3] == "王建华委员："
    # The template had no page numbers: ours are added, centred in its one footer.
    assert document.settings.odd_and_even_pages_header_footer is False
    footer = document.sections[0].footer
    assert (footer.paragraphs[0].text, footer.paragraphs[0].alignment) == ("— 1 —", WD_ALIGN_PARAGRAPH.CENTER)
    assert [t.text for t in footer._element.iter(qn("w:instrText"))] == [" PAGE "]


def test_reply_letter_without_signer_or_contact(world):
    from minsheng.proposals.exports import reply_letter

    reply = _reply(world, signer="", contact_person="", contact_phone="")
    document = _open(reply_letter(reply))
    paragraphs = [p for p in document.paragraphs if p.text]
    assert re.fullmatch(r"北京市民政局提复〔\d{4}〕1号", paragraphs[1].text)
    assert paragraphs[1].alignment == WD_ALIGN_PARAGRAPH.RIGHT  # 信函格式: flush with the right edge
    assert paragraphs[-2].text == "北京市民政局"
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", paragraphs[-1].text)


# --- the reports ----------------------------------------------------------------------------------------------


def _assert_report_head(document, title: str) -> None:
    first = next(p for p in document.paragraphs if p.text)
    assert first.text == title
    assert _fonts(first) == {("方正小标宋简体", "Times New Roman", Pt(22), False)}
    assert not [r for p in document.paragraphs for r in p.runs if r.font.color.rgb == RED]  # no red head
    assert not [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]


def _assert_heading(document, text: str, font: str, outline: int) -> None:
    heading = _paragraph(document, text)
    assert _fonts(heading) == {(font, "Times New Roman", Pt(16), False)}
    assert heading._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(outline)
    assert heading.paragraph_format.first_line_indent == Pt(32)


def test_annual_report_is_a_report_after_gbt_9704(world):
    from minsheng.proposals import selectors
    from minsheng.proposals.exports import annual_report

    _reply(world)
    document = _open(annual_report(selectors.proposal_statistics(), title="2026年度提案工作报告",
                                   date=dt.date(2026, 12, 8)))
    _assert_page(document)
    _assert_page_numbers(document)
    _assert_report_head(document, "2026年度提案工作报告")
    subtitle = _paragraph(document, "（数据截至2026年12月8日）")
    assert subtitle.alignment == WD_ALIGN_PARAGRAPH.CENTER and {east_asian_font(r) for r in subtitle.runs} == {"楷体_GB2312"}
    for text in ("一、总体情况", "二、提案类别分布", "三、主要指标", "四、承办单位办理情况"):
        _assert_heading(document, text, "黑体", 0)
    body = next(p for p in document.paragraphs if p.text.startswith("本期共收到提案1件"))
    assert _fonts(body) == _body_fonts()
    assert len(document.inline_shapes) == 1  # the chart
    assert document.inline_shapes[0].width == Mm(150)
    figures, units = document.tables
    assert [c.text for c in figures.rows[0].cells] == ["指标", "数值"]
    assert [c.text for c in units.rows[0].cells] == ["单位", "交办", "已答复", "按时率（%）"]
    assert [c.text for c in units.rows[1].cells][:3] == ["北京市民政局", "1", "1"]
    for table in (figures, units):
        widths = _column_widths(table)
        assert abs(sum(widths) - Mm(156)) < Mm(0.1)  # the text width
        assert widths[0] == max(widths) and len(set(widths)) > 1  # the name column is the widest
        header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None  # repeated on every page
        assert {east_asian_font(r) for c in table.rows[0].cells for r in c.paragraphs[0].runs} == {"黑体"}
        assert {(east_asian_font(r), r.font.size) for row in table.rows[1:] for c in row.cells
                for r in c.paragraphs[0].runs} == {("仿宋_GB2312", Pt(12))}
    # 北京市民政局 (six characters) fits on one line of its column: a name is never wrapped a character a line.
    assert _column_widths(units)[0] > Mm(6 * 12 * 25.4 / 72 + 3.8)


def test_year_report_is_a_report_after_gbt_9704(db):
    from minsheng.supervision.exports import year_report
    from minsheng.supervision.tests.factories import make_world

    w = make_world()
    document = _open(year_report(w.topic_year))
    _assert_page(document)
    _assert_page_numbers(document)
    _assert_report_head(document, "2025年“每月一题”民主监督工作报告")
    _assert_heading(document, "一、总体情况", "黑体", 0)
    _assert_heading(document, "二、各问题监督情况", "黑体", 0)
    assert len(document.inline_shapes) == 1
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["月份", "问题", "小组成员", "清单", "已完成", "活动", "人次", "意见/发言", "提案"]
    assert [[c.text for c in row.cells][:2] for row in table.rows[1:]] == [["4月", "老旧小区充电桩不足"], ["4月", "飞线充电屡禁不止"]]
    widths = _column_widths(table)
    assert widths[1] == max(widths)  # the problem column, not nine equal columns
    assert widths[1] > Mm(9 * 12 * 25.4 / 72 + 3.8)  # 老旧小区充电桩不足 on one line
    assert widths[0] < widths[1] / 2
    assert abs(sum(widths) - Mm(156)) < Mm(0.1)


def test_reports_render_to_pdf_when_libreoffice_is_installed(world, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        pytest.skip("LibreOffice is not installed")
    from minsheng.proposals.exports import reply_letter

    (tmp_path / "letter.docx").write_bytes(reply_letter(_reply(world)))
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "letter.docx")],
                   check=True, capture_output=True, timeout=120)
    assert (tmp_path / "letter.pdf").read_bytes()[:5] == b"%PDF-"


# --- the writer's parts -----------------------------------------------------------------------------------------


def test_headings_are_numbered_per_level_in_their_fonts():
    document = OfficialDocument(title="标题")
    document.heading("总体情况")
    document.heading("加强领导", 2)
    document.heading("健全机制", 3, body="建立月调度制度。")
    document.heading("细化分工", 4)
    document.heading("细化责任", 4)
    document.heading("主要问题")
    document.heading("资金不足", 2)
    document.heading("附件说明", 1, numbered=False)
    got = _open(document.to_bytes())
    headings = [(p.text, [(east_asian_font(r), bool(r.font.bold)) for r in p.runs]) for p in got.paragraphs
                if p._p.pPr is not None and p._p.pPr.find(qn("w:outlineLvl")) is not None]
    assert headings == [
        ("一、总体情况", [("黑体", False)]),
        ("（一）加强领导", [("楷体_GB2312", False)]),
        ("1.健全机制建立月调度制度。", [("仿宋_GB2312", True), ("仿宋_GB2312", False)]),
        ("（1）细化分工", [("仿宋_GB2312", False)]),
        ("（2）细化责任", [("仿宋_GB2312", False)]),
        ("二、主要问题", [("黑体", False)]),
        ("（一）资金不足", [("楷体_GB2312", False)]),
        ("附件说明", [("黑体", False)]),
    ]


def test_fonts_are_named_for_east_asian_and_latin_text_in_styles_and_defaults():
    got = _open(OfficialDocument(title="标题").to_bytes())
    defaults = got.styles.element.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    normal = got.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    for fonts in (defaults, normal):
        assert (fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii")), fonts.get(qn("w:eastAsiaTheme"))) == (
            "仿宋_GB2312", "Times New Roman", None)
    assert got.styles["Normal"].font.size == Pt(16)
    font_table = got.part.part_related_by("http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable")
    assert "仿宋_GB2312" in font_table.blob.decode() and 'w:altName w:val="仿宋"' in font_table.blob.decode()


def test_column_widths_fill_the_text_and_keep_names_whole():
    # Everything fits: natural widths, widened in proportion.
    widths = column_widths(["指标", "数值"], [["交办（答复单位）", "12.5"]])
    assert round(sum(widths), 6) == 156 and widths[0] > 2.5 * widths[1]
    # Too wide: number columns keep their width, the long text column takes what is left.
    problem = "老旧小区充电桩不足，飞线充电屡禁不止，居民反映强烈的问题"
    widths = column_widths(["月份", "问题", "小组成员", "清单", "已完成"], [["4月", problem, "3", "4", "2"]] * 3)
    assert round(sum(widths), 6) == 156
    assert widths[1] == max(widths) and widths[0] == widths[3]
    assert widths[4] > widths[3]  # 已完成 stays on one line


def test_number_date_and_numerals():
    assert document_number("京政协提复", 2026, 12) == "京政协提复〔2026〕12号"
    assert document_date(dt.date(2026, 3, 5)) == "2026年3月5日"
    assert document_date(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)) == "2027年1月1日"  # Beijing time
    assert [chinese_number(n) for n in (1, 10, 14, 20, 21, 100, 105, 110)] == [
        "一", "十", "十四", "二十", "二十一", "一百", "一百零五", "一百一十"]


def test_chart_labels_are_months_and_wrapped_names():
    assert [month_label(m) for m in (1, 2, 12)] == ["1月", "2月", "12月"]
    assert chart_label("老旧小区充电桩不足", width=6) == "老旧小区充\n电桩不足"
    assert chart_label("教育", width=6) == "教育"
    assert chart_label("老旧小区充电桩不足问题突出", width=4, lines=2) == "老旧小区\n充电桩…"
