"""The year-end report of 每月一题 democratic supervision, in Word with a chart; figures from the data."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches

from minsheng.core.exports import bar_chart_png
from minsheng.core.text import strip_control

from .models import TopicYear
from .selectors import overview


def year_report(topic_year: TopicYear) -> bytes:
    data = overview(topic_year)
    t = data.totals
    document = Document()
    heading = document.add_heading(f"{topic_year.year}年“每月一题”民主监督工作报告", level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(
        f"全年围绕{t['problems']}个问题组建议题监督小组，{t['members']}位委员参加（报名{t['sign_ups']}人次），"
        f"覆盖{len(data.coverage.covered)}个界别（共{data.coverage.sectors}个）；开展调研、座谈、视察、回头看等监督活动{t['activities']}次、{t['person_count']}人次；"
        f"提出意见建议{t['opinions']}条，其中在月度专题会上发言{t['speeches']}次；关联提案{t['proposals']}件。三张清单共{t['items']}项，"
        f"已完成{t['done']}项，逾期{t['overdue']}项。"
    )
    labels = [f"{r.problem.topic.month}月·{r.problem.order}" for r in data.rows]
    document.add_picture(io.BytesIO(bar_chart_png(labels, [r.activities for r in data.rows], title="各问题监督活动次数")),
                         width=Inches(6))
    table = document.add_table(rows=1, cols=9)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["月份", "问题", "小组成员", "清单", "已完成", "活动", "人次", "意见/发言", "提案"], strict=True):
        cell.text = text
    for r in data.rows:
        values = [f"{r.problem.topic.month}月", r.problem.text, r.members, r.items, r.done, r.activities, r.person_count,
                  f"{r.opinions}/{r.speeches}", r.proposals]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = strip_control(str(value), multiline=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
