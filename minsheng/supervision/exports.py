"""The year-end report of 每月一题 democratic supervision, a 公文 report (`minsheng.core.documents`) with a
chart; figures from the data."""

from __future__ import annotations

from minsheng.core.documents import OfficialDocument
from minsheng.core.exports import bar_chart_png, month_label

from .models import TopicYear
from .selectors import overview


def year_report(topic_year: TopicYear) -> bytes:
    data = overview(topic_year)
    t = data.totals
    document = OfficialDocument(title=f"{topic_year.year}年“每月一题”民主监督工作报告")
    document.heading("总体情况")
    document.paragraph(
        f"全年围绕{t['problems']}个问题组建议题监督小组，{t['members']}位委员参加（报名{t['sign_ups']}人次），"
        f"覆盖{len(data.coverage.covered)}个界别（共{data.coverage.sectors}个）；开展调研、座谈、视察、回头看等监督活动{t['activities']}次、{t['person_count']}人次；"
        f"提出意见建议{t['opinions']}条，其中在月度专题会上发言{t['speeches']}次；关联提案{t['proposals']}件。三张清单共{t['items']}项，"
        f"已完成{t['done']}项，逾期{t['overdue']}项。"
    )
    document.heading("各问题监督情况")
    # Each bar is named by its month and problem (4月·老旧小区充电桩不足), wrapped beside horizontal bars.
    labels = [f"{month_label(r.problem.topic.month)}·{r.problem.text}" for r in data.rows]
    document.picture(bar_chart_png(labels, [r.activities for r in data.rows], title="各问题监督活动次数", horizontal=True))
    document.table(
        ["月份", "问题", "小组成员", "清单", "已完成", "活动", "人次", "意见/发言", "提案"],
        [[month_label(r.problem.topic.month), r.problem.text, r.members, r.items, r.done, r.activities, r.person_count,
          f"{r.opinions}/{r.speeches}", r.proposals] for r in data.rows],
    )
    return document.to_bytes()
