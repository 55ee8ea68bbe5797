"""Vocabularies of the 12345 hotline app: channels, kinds, deadline classes, satisfaction, statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")  # 12345 电话
    WEB = "web", _("Web")  # 网站
    WECHAT = "wechat", _("WeChat")  # 微信
    APP = "app", _("App")  # 北京通 App 等
    LEADER_BOARD = "leader_board", _("Leaders' message board")  # 人民网领导留言板
    OTHER = "other", _("Other channel")


class Kind(models.TextChoices):
    """The five statutory kinds of 诉求 (《北京市接诉即办工作条例》), and OTHER for what an export files under none
    of them (表扬, 感谢, or a value the importer does not know: kept in `Ticket.raw_values`)."""

    CONSULT = "consult", _("Enquiry")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    OTHER = "other", _("Other kind")  # 其他 (not statutory)


class DeadlineClass(models.TextChoices):
    """Feedback time limit; each maps to a core.DeadlineRule `hotline-<value>` (editable in admin)."""

    H2 = "2h", _("2 hours (emergency)")  # 突发事件、危及生命财产
    H24 = "24h", _("24 hours (water, power, gas, heating)")  # 水电气热
    D7 = "7d", _("7 days (general)")  # 一般诉求
    D15 = "15d", _("15 days (complex)")  # 复杂疑难


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASIC = "basic", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意
    NOT_RATED = "not_rated", _("Not rated")  # 未评价 (no revisit answer)


RATED = (Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED)


class Status(models.TextChoices):
    """States of a work order (domain.md §D)."""

    RECEIVED = "received", _("Received")  # 受理
    CLOSED_DIRECT = "closed_direct", _("Answered directly")  # 直接答复办结 (咨询)
    DISPATCHED = "dispatched", _("Dispatched")  # 已派单
    ACCEPTED = "accepted", _("Accepted")  # 已签收
    HANDLING = "handling", _("Handling")  # 办理中 (the unit contacted the requester)
    REPLIED = "replied", _("Replied")  # 已反馈
    REVISITED = "revisited", _("Revisited")  # 已回访
    CLOSED = "closed", _("Closed")  # 结案


OPEN = (Status.RECEIVED, Status.DISPATCHED, Status.ACCEPTED, Status.HANDLING, Status.REPLIED)
TERMINAL = (Status.CLOSED_DIRECT, Status.REVISITED, Status.CLOSED)


class Dimension(models.TextChoices):
    """What the three rates are grouped by."""

    UNIT = "unit", _("Handling unit")
    STREET = "street", _("Street or township")
    DISTRICT = "district", _("District")
    CATEGORY = "category", _("Category")


class RankGroup(models.TextChoices):
    """Groups within which streets and townships are ranked each month."""

    STREET = "street", _("Streets (街道)")  # name ends in 街道
    TOWNSHIP = "township", _("Townships (乡镇)")  # 乡, 镇, and 地区 offices
