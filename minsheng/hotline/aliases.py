"""The vocabulary of 12345 exports, in one place: which column headers name which field, and which cell
values mean which code. Read by the importer (`importing`), listed on the import page, and tabled in
docs/hotline.md (a test holds the docs to this module).

Headers are compared after NFKC (full-width → half-width), case folding and dropping everything that is
not a letter or a digit (spaces, brackets, `_`, `-`, `*`, `.`…): `工单 编号` reads as `工单编号`, and `Ticket No.` and
`ticket_no` both as `ticketno`. A header that still matches nothing is tried once more without its
bracketed part (`受理时间（北京时间）` → `受理时间`). A saved mapping (`ImportSource`) naming a file's header for a
field comes first.

Values are compared after NFKC, case folding and dropping whitespace (`北京通 APP` = `北京通app`). The codes
themselves (`phone`, `satisfied` …) are accepted too. A value that is in no table is not a reason to reject
the row: it is mapped as `FALLBACK`, `CONTAINS` and `DEADLINE_HOURS` say, counted in the import's result and kept on the ticket
(`Ticket.raw_values`).
"""

from __future__ import annotations

# field → headers recognised without a saved mapping; the generator writes the first of each.
HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("工单编号", "工单号", "工单编码", "受理编号", "诉求编号", "编号", "number", "ticket number", "ticket no",
               "ticket id"),
    "channel": ("渠道", "来电渠道", "诉求渠道", "受理渠道", "来源渠道", "诉求来源", "来源", "channel", "source"),
    "kind": ("诉求类型", "诉求性质", "诉求类别", "工单类型", "类型", "kind", "type", "request type"),
    "category1": ("一级分类", "一级类别", "分类一级", "category_1", "category 1", "level 1 category"),
    "category2": ("二级分类", "二级类别", "分类二级", "category_2", "category 2", "level 2 category"),
    "category3": ("三级分类", "三级类别", "分类三级", "category_3", "category 3", "level 3 category"),
    "district": ("区", "所属区", "区县", "所属区县", "行政区", "district"),
    "street": ("街乡镇", "街道乡镇", "所属街乡", "所属街乡镇", "所属街道", "街乡", "街道", "street", "street or township",
               "township"),
    "community": ("社区", "社区村", "所属社区", "村居", "community"),
    "address": ("地址", "详细地址", "诉求地址", "事发地址", "address"),
    "received_at": ("受理时间", "来电时间", "登记时间", "诉求时间", "接收时间", "创建时间", "received_at", "received",
                    "call time", "created at"),
    "unit": ("承办单位", "主办单位", "办理单位", "处理单位", "unit", "handling unit"),
    "deadline_class": ("办理时限", "处理时限", "时限", "deadline_class", "deadline", "time limit"),
    "responded_in_time": ("按时响应", "是否按时响应", "是否及时响应", "及时响应", "响应是否及时", "responded_in_time",
                          "responded in time", "responded"),
    "resolved": ("是否解决", "解决情况", "是否已解决", "resolved"),
    "satisfaction": ("满意度", "满意度评价", "回访满意度", "满意情况", "满意程度", "satisfaction", "rating"),
    "excluded": ("不纳入考评", "不纳入考核", "excluded", "excluded from assessment"),
    "exclusion_reason": ("不纳入考评原因", "不纳入考核原因", "exclusion_reason", "reason for exclusion"),
    "duplicate_group": ("重复工单组", "重复组", "duplicate_group", "duplicate group"),
    "tags": ("七有五性", "七有/五性", "tags"),
    "status": ("状态", "工单状态", "办理状态", "status"),
    "summary": ("摘要", "诉求摘要", "工单标题", "标题", "summary", "title"),
    "text": ("诉求内容", "来电内容", "问题描述", "诉求描述", "内容", "text", "content", "description"),
}

# field → {code: values that mean it}. The codes are those of `choices` (and True/False for yes/no).
CHANNEL: dict[str, tuple[str, ...]] = {
    "phone": ("电话", "12345电话", "12345热线", "热线", "热线电话", "phone", "telephone", "hotline"),
    "web": ("网站", "网络", "互联网", "网上", "门户网站", "首都之窗", "微博", "新浪微博", "web", "website", "internet",
            "weibo"),
    "wechat": ("微信", "微信公众号", "微信小程序", "wechat"),
    "app": ("app", "北京通", "北京通app", "京通", "手机app", "客户端"),
    "leader_board": ("领导留言板", "人民网领导留言板", "人民网", "留言板", "leaders' message board", "message board"),
    "other": ("其他", "其它", "other"),
}
KIND: dict[str, tuple[str, ...]] = {
    "consult": ("咨询", "consult", "consultation", "enquiry", "inquiry"),
    "help": ("求助", "help", "request for help"),
    "complaint": ("投诉", "complaint"),
    "report": ("举报", "report"),
    "suggestion": ("建议", "意见建议", "suggestion"),
    "other": ("其他", "其它", "表扬", "感谢", "other", "praise"),
}
DEADLINE: dict[str, tuple[str, ...]] = {
    "2h": ("2小时", "两小时", "2个小时", "2h"),
    "24h": ("24小时", "24个小时", "1天", "一天", "24h"),
    "7d": ("7天", "7日", "七天", "7个工作日", "7d"),
    "15d": ("15天", "15日", "十五天", "15个工作日", "15d"),
}
SATISFACTION: dict[str, tuple[str, ...]] = {
    "satisfied": ("满意", "非常满意", "很满意", "satisfied", "very satisfied"),
    "basic": ("基本满意", "比较满意", "较满意", "一般", "basically satisfied", "fairly satisfied"),
    "unsatisfied": ("不满意", "非常不满意", "很不满意", "不太满意", "unsatisfied", "dissatisfied", "not satisfied"),
    "not_rated": ("未评价", "未回访", "无法评价", "拒绝评价", "无", "-", "—", "/", "not rated", "none", "n/a"),
}
YES_NO: dict[bool, tuple[str, ...]] = {
    True: ("是", "1", "y", "yes", "true", "t", "√", "已解决", "解决", "按时", "及时", "已响应", "已按时响应", "已及时响应"),
    False: ("否", "0", "n", "no", "false", "f", "×", "未解决", "超时", "不及时", "未及时", "未响应", "未按时响应",
            "未及时响应"),
}
STATUS: dict[str, tuple[str, ...]] = {
    "received": ("受理", "已受理", "received"),
    "closed_direct": ("直接答复", "直接办结", "answered directly"),
    "dispatched": ("已派单", "派单", "待签收", "dispatched"),
    "accepted": ("已签收", "签收", "accepted"),
    "handling": ("办理中", "处理中", "handling", "in progress"),
    "replied": ("已反馈", "已回复", "待回访", "replied"),
    "revisited": ("已回访", "revisited"),
    "closed": ("结案", "已结案", "办结", "已办结", "归档", "已归档", "closed"),
}

VALUES = {"channel": CHANNEL, "kind": KIND, "deadline_class": DEADLINE, "satisfaction": SATISFACTION,
          "responded_in_time": YES_NO, "resolved": YES_NO, "excluded": YES_NO, "status": STATUS}

# What a value in no table becomes: the row is kept, the value counted in the import's result and kept on the
# ticket. None: unknown for yes/no (the ticket counts in no rate that needs the answer); for the status, derived
# from the other columns as for an empty cell.
FALLBACK: dict[str, str | None] = {
    "channel": "other", "kind": "other", "deadline_class": "7d", "satisfaction": "not_rated",
    "responded_in_time": None, "resolved": None, "excluded": None, "status": None,
}
# Before falling back, these look for their aliases inside the value (the longest found wins, and only when all
# the longest point at one code): `北京通App小程序` → app, `人民日报领导留言板` → leader_board.
CONTAINS = ("channel", "kind")
# A deadline the table lacks but that states a duration (`3天`, `48小时`, `5个工作日`) becomes the shortest
# class at least that long (longer than 15 days: 15d); one that states none falls back to 7d.
DEADLINE_HOURS: dict[str, int] = {"2h": 2, "24h": 24, "7d": 7 * 24, "15d": 15 * 24}
