"""Vocabularies of the 每月一题 democratic supervision (domain.md §3.5, §3.6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.proposals.choices import ProposalStatus


class ListKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("Problems and responsibilities")  # 问题/责任清单
    POLICY = "policy", _("Policies")  # 政策清单
    TASK = "task", _("Tasks")  # 任务清单


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Not started")  # 未启动
    IN_PROGRESS = "in_progress", _("Under way")  # 推进中
    DONE = "done", _("Completed")  # 已完成; "overdue" is derived: past the due date and not completed


ITEM_OPEN = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS)


class ActivityKind(models.TextChoices):
    RESEARCH = "research", _("Research visit")  # 调研
    SYMPOSIUM = "symposium", _("Symposium")  # 座谈
    CONSULTATION = "consultation", _("Consultation")  # 协商, possibly at a council hall (京华议事厅)
    INSPECTION = "inspection", _("Inspection")  # 视察
    LOOK_BACK = "look_back", _("Looking back")  # 回头看


class OpinionKind(models.TextChoices):
    OPINION = "opinion", _("Opinion report")  # 意见建议
    SPEECH = "speech", _("Speech at the monthly reform meeting")  # 深改委接诉即办专项小组月度例会发言


class JoinedVia(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteered")  # 自愿报名
    INVITED = "invited", _("Invited")  # 重点邀请
    CONVENER = "convener", _("Convener")  # 召集人


# Proposals that cannot be linked to a problem: a draft is still the proposer's own, a withdrawn one is no
# output, and a merged one lives on in the proposal it was merged into (link that one).
PROPOSAL_UNLINKABLE = (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN, ProposalStatus.MERGED)

EVENT_VERBS = {
    "topic_year_created": _("created the topic year"),
    "topic_created": _("created the monthly topic"),
    "problem_added": _("added a problem"),
    "group_formed": _("formed the supervision group"),
    "group_joined": _("joined the supervision group"),
    "group_invited": _("invited a member to the group"),
    "item_added": _("added a list item"),
    "item_progress": _("reported progress"),
    "activity_logged": _("logged an activity"),
    "opinion_submitted": _("submitted an opinion"),
    "proposal_linked": _("linked a proposal"),
    "proposal_unlinked": _("unlinked a proposal"),
}
