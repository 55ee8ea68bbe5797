"""Word and Excel documents of the proposals app: the reply letter, the list export, statistics, and the
annual proposal-work report (with a chart drawn with a CJK font)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from minsheng.core.exports import DOCX, XLSX, bar_chart_png, xlsx
from minsheng.core.text import strip_control

from .models import Proposal, Reply
from .selectors import ProposalStatistics

__all__ = ["DOCX", "XLSX", "reply_letter", "proposals_workbook", "statistics_workbook", "annual_report"]


def _document_for(unit) -> Document:
    """The unit's letterhead template when it has one, else a plain document with a red letterhead."""
    if unit.letterhead:
        with unit.letterhead.open("rb") as handle:
            return Document(io.BytesIO(handle.read()))
    document = Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(_clean(unit.name))
    run.bold, run.font.size, run.font.color.rgb = True, Pt(22), RGBColor(0xC0, 0x00, 0x00)
    document.add_paragraph("—" * 30).alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def _clean(value: object) -> str:
    """Text for a Word document: python-docx refuses control characters (one in a title or a unit name
    would fail the document); tab and line breaks are kept."""
    return strip_control(str(value), multiline=True)


def reply_letter(reply: Reply) -> bytes:
    """The reply letter (答复函) to every proposer of the proposal, with category, signer and officer."""
    handling = reply.handling
    proposal = handling.proposal
    document = _document_for(handling.unit)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_run = title.add_run(f"关于政协北京市委员会第{proposal.term.number}届第{proposal.session.number if proposal.session_id else ''}次会议"
                              f"第{proposal.serial or ''}号提案的答复")
    title_run.bold, title_run.font.size = True, Pt(16)
    names = "、".join(p.member.name for p in proposal.proposers.select_related("member"))
    document.add_paragraph(_clean(f"{names}委员："))
    document.add_paragraph(_clean(f"您提出的《{proposal.title}》的提案收悉。现答复如下："))
    for paragraph in _clean(reply.text).split("\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    document.add_paragraph(_clean(f"办理结果类别：{reply.category.code}（{reply.category.label}）"))
    document.add_paragraph("感谢您对我们工作的关心和支持，欢迎继续提出意见和建议。")
    closing = document.add_paragraph(_clean(f"{handling.unit.name}\n{timezone.localtime(reply.reviewed_at or reply.drafted_at):%Y年%m月%d日}"))
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph(_clean(f"签发人：{reply.signer or '—'}    联系人：{reply.contact_person or '—'}    "
                                  f"联系电话：{reply.contact_phone or '—'}"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HEADERS = ["编号", "案由", "提案者", "类型", "大会/平时", "状态", "承办单位", "截止日期", "提交时间", "重点", "直通车"]


def proposal_rows(qs: QuerySet[Proposal]) -> Iterable[list]:
    for p in qs:
        handlings = [h for h in p.handlings.all() if h.status != "reassigned"]
        yield [
            p.number, p.title, "、".join(x.member.name for x in p.proposers.all()) or p.org_name,
            p.get_kind_display(), p.get_timing_display(), p.get_status_display(),
            "、".join(f"{h.unit.name}（{h.get_mode_display()}）" for h in handlings),
            min((h.due_date for h in handlings), default=""),
            timezone.localtime(p.submitted_at).strftime("%Y-%m-%d %H:%M") if p.submitted_at else "",
            "是" if p.is_key else "", "是" if p.is_urgent else "",
        ]


def proposals_workbook(qs: QuerySet[Proposal]) -> bytes:
    return xlsx([("提案", HEADERS, proposal_rows(qs))])


def _stat_rows(stats: ProposalStatistics) -> list[list]:
    return [
        ["收到提案", stats.received], ["立案率（%）", stats.filing_rate], ["集体提案", stats.collective],
        ["委员提案", stats.individual], ["大会提案", stats.plenary], ["平时提案", stats.interim],
        ["参与委员", stats.members_taking_part], ["参与率（%）", stats.participation_rate],
        ["交办（答复单位）", stats.assigned_handlings], ["已答复", stats.replied_handlings], ["办复率（%）", stats.reply_rate],
        ["采纳率（%）", stats.adoption_rate], ["已评价", stats.evaluated], ["满意率（%）", stats.satisfaction_rate],
        ["重点提案", stats.key_proposals], ["领导批示", stats.instructions],
    ]


def statistics_workbook(stats: ProposalStatistics) -> bytes:
    sheets = [("总体", ["指标", "数值"], _stat_rows(stats)),
              ("状态", ["状态", "件数"], list(stats.by_status.items())),
              ("办理结果", ["类别", "件数"], list(stats.categories.items())),
              ("承办单位", ["单位", "交办", "已答复", "按时答复", "按时率（%）", "逾期"],
               [[u["unit__name"], u["assigned"], u["replied"], u["on_time"], u["on_time_rate"], u["overdue"]] for u in stats.units])]
    for key, title in (("sector", "按界别"), ("party", "按党派"), ("area", "按地区"), ("subject_area", "按类别")):
        sheets.append((title, ["分组", "件数"], [[name or "—", n] for name, n in stats.by_dimension.get(key, [])]))
    return xlsx(sheets)


def _chart(stats: ProposalStatistics) -> bytes:
    rows = stats.by_dimension.get("subject_area", [])
    return bar_chart_png([name or "未分类" for name, _ in rows], [n for _, n in rows], title="提案按类别分布")


def annual_report(stats: ProposalStatistics, *, title: str) -> bytes:
    """The annual proposal-work report: figures computed from the data, a chart, per-unit table."""
    from docx.shared import Inches

    document = Document()
    heading = document.add_heading(_clean(title), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(
        f"本期共收到提案{stats.received}件，立案率{stats.filing_rate or 0}%；其中集体提案{stats.collective}件、委员提案"
        f"{stats.individual}件，大会提案{stats.plenary}件、平时提案{stats.interim}件。{stats.members_taking_part}位委员参与提出提案"
        f"（占{stats.participation_rate or 0}%）。交办{stats.assigned_handlings}件次，已答复{stats.replied_handlings}件次，"
        f"办复率{stats.reply_rate or 0}%，采纳率{stats.adoption_rate or 0}%，满意率{stats.satisfaction_rate or 0}%。"
    )
    document.add_picture(io.BytesIO(_chart(stats)), width=Inches(6))
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "指标", "数值"
    for label, value in _stat_rows(stats):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, "—" if value is None else str(value)
    document.add_heading("承办单位办理情况", level=2)
    units = document.add_table(rows=1, cols=4)
    units.style = "Table Grid"
    for cell, text in zip(units.rows[0].cells, ["单位", "交办", "已答复", "按时率（%）"], strict=True):
        cell.text = text
    for u in stats.units:
        cells = units.add_row().cells
        for cell, value in zip(cells, [u["unit__name"], u["assigned"], u["replied"], u["on_time_rate"]], strict=True):
            cell.text = "—" if value is None else _clean(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
