"""Word and Excel documents of the proposals app: the reply letter (答复函) and the annual proposal-work report
as 公文 (`minsheng.core.documents`), the list export and statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from minsheng.core.documents import (
    OfficialDocument,
    chinese_number,
    clean,
    document_date,
    document_number,
    text_width,
)
from minsheng.core.exports import DOCX, XLSX, bar_chart_png, xlsx

from .models import Proposal, Reply
from .selectors import ProposalStatistics

__all__ = ["DOCX", "XLSX", "reply_letter", "reply_letter_number", "proposals_workbook", "statistics_workbook",
           "annual_report"]

# 提复: the document type in a proposal reply's number (京民提复〔2026〕12号), after the unit's 机关代字.
REPLY_NUMBER_TYPE = "提复"


def reply_letter_number(reply: Reply) -> str:
    """The letter's 发文字号: the unit's code (`Unit.document_code`, else its short name or name) with 提复,
    the year the reply was drafted and its serial among the unit's replies drafted that year, in the order
    they were made. Replies are never deleted nor re-dated, so a reply keeps its number; a draft the office
    sent back keeps its number too, and the new draft gets the next one."""
    unit = reply.handling.unit
    drafted = timezone.localtime(reply.drafted_at)
    start = drafted.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1)
    serial = Reply.objects.filter(handling__unit_id=unit.pk, drafted_at__gte=start, drafted_at__lt=end,
                                  pk__lte=reply.pk).count()
    code = unit.document_code or unit.short_name or unit.name
    return document_number(code + REPLY_NUMBER_TYPE, drafted.year, serial)


def _letter_title(proposal: Proposal) -> str:
    if not (proposal.session_id and proposal.serial):
        return f"关于《{clean(proposal.title)}》的答复"
    meeting = f"关于{clean(proposal.term.name)}第{chinese_number(proposal.session.number)}次会议"
    number = f"第{proposal.serial:04d}号提案的答复"
    # Twenty 二号 characters fill a line; a longer title breaks before the number (词意完整).
    return meeting + ("\n" if text_width(meeting + number) > 20 else "") + number


def _letter_recipients(proposal: Proposal) -> str:
    names = [p.member.name for p in proposal.proposers.select_related("member").order_by("-is_first", "order", "id")]
    if names:
        return "、".join(names) + "委员"
    return proposal.org_name


def reply_letter(reply: Reply) -> bytes:
    """The reply letter (答复函) from the handling unit to every proposer of the proposal, as a 公文: the unit's
    red head (or its letterhead template), 发文字号 and 签发人, title, 主送 the proposers (the first one first),
    the reply with its result category, the unit's name and the date, and the officer to contact."""
    handling = reply.handling
    proposal = handling.proposal
    unit = handling.unit
    template = None
    if unit.letterhead:
        with unit.letterhead.open("rb") as handle:
            template = handle.read()
    document = OfficialDocument(
        issuer=unit.name, number=reply_letter_number(reply), signer=reply.signer, title=_letter_title(proposal),
        recipients=_letter_recipients(proposal), signature=unit.name, date=reply.reviewed_at or reply.drafted_at,
        template=template,
    )
    document.paragraph(f"您提出的《{proposal.title}》的提案收悉。现答复如下：")
    document.paragraphs(reply.text)
    document.paragraph(f"办理结果类别：{reply.category.code}（{reply.category.label}）")
    document.paragraph("感谢您对我们工作的关心和支持，欢迎继续提出意见和建议。")
    contact = "；".join(part for part in (f"联系人：{reply.contact_person}" if reply.contact_person else "",
                                          f"联系电话：{reply.contact_phone}" if reply.contact_phone else "") if part)
    document.note(contact)
    return document.to_bytes()


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


def annual_report(stats: ProposalStatistics, *, title: str, date: dt.date | None = None) -> bytes:
    """The annual proposal-work report, as a 公文 report: figures computed from the data, a chart by subject
    area, the table of figures and the table of handling units."""
    document = OfficialDocument(title=title, subtitle=f"（数据截至{document_date(date)}）")
    document.heading("总体情况")
    document.paragraph(
        f"本期共收到提案{stats.received}件，立案率{stats.filing_rate or 0}%；其中集体提案{stats.collective}件、委员提案"
        f"{stats.individual}件，大会提案{stats.plenary}件、平时提案{stats.interim}件。{stats.members_taking_part}位委员参与提出提案"
        f"（占{stats.participation_rate or 0}%）。交办{stats.assigned_handlings}件次，已答复{stats.replied_handlings}件次，"
        f"办复率{stats.reply_rate or 0}%，采纳率{stats.adoption_rate or 0}%，满意率{stats.satisfaction_rate or 0}%。"
    )
    document.heading("提案类别分布")
    document.picture(_chart(stats))
    document.heading("主要指标")
    document.table(["指标", "数值"], _stat_rows(stats))
    document.heading("承办单位办理情况")
    document.table(["单位", "交办", "已答复", "按时率（%）"],
                   [[u["unit__name"], u["assigned"], u["replied"], u["on_time_rate"]] for u in stats.units])
    return document.to_bytes()
