"""Statuses and vocabularies of proposals (domain.md §1 and §B)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿: the proposer is writing; co-signers confirm
    SUBMITTED = "submitted", _("Submitted")  # 已提交: waiting for the first review
    FIRST_REVIEW = "first_review", _("First review")  # 初审中
    SECOND_REVIEW = "second_review", _("Second review")  # 复审中: waiting for the collective decision
    RETURNED = "returned", _("Returned for revision")  # 退回修改: the proposer may revise and resubmit
    FILED = "filed", _("Filed")  # 立案: waiting for assignment
    MERGED = "merged", _("Merged")  # 并案: merged into another proposal, which carries its proposers
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤案
    NOT_FILED = "not_filed", _("Not filed")  # 不予立案, with a reason the proposer is told
    REFERRED = "referred", _("Referred for reference")  # 转参考: passed to a department for reference
    ASSIGNED = "assigned", _("Being handled")  # 已交办: units are handling it
    REPLIED = "replied", _("Replied")  # 已办复: every replying unit has replied; evaluation open
    CLOSED = "closed", _("Closed")  # 办结


PROPOSAL_REVIEWABLE = (ProposalStatus.SUBMITTED, ProposalStatus.FIRST_REVIEW, ProposalStatus.SECOND_REVIEW)
PROPOSAL_TERMINAL = (ProposalStatus.MERGED, ProposalStatus.WITHDRAWN, ProposalStatus.NOT_FILED,
                     ProposalStatus.REFERRED, ProposalStatus.CLOSED)
PROPOSAL_IN_HANDLING = (ProposalStatus.ASSIGNED, ProposalStatus.REPLIED)


class ReviewOutcome(models.TextChoices):
    FILE = "file", _("File")  # 立案
    MERGE = "merge", _("Merge into another")  # 并案
    RETURN = "return", _("Return for revision")  # 退回修改
    NOT_FILE = "not_file", _("Do not file")  # 不予立案
    REFER = "refer", _("Refer for reference")  # 转参考


class ProposerKind(models.TextChoices):
    MEMBER = "member", _("Member")  # 委员个人
    JOINT = "joint", _("Joint")  # 委员联名
    PARTY = "party", _("Party")  # 党派
    ORGANISATION = "organisation", _("People's organisation")  # 团体
    SECTOR = "sector", _("Sector")  # 界别
    GROUP = "group", _("Members' group")  # 委员小组
    COMMITTEE = "committee", _("Special committee")  # 专委会


COLLECTIVE_KINDS = (ProposerKind.PARTY, ProposerKind.ORGANISATION, ProposerKind.SECTOR, ProposerKind.GROUP,
                    ProposerKind.COMMITTEE)


class Timing(models.TextChoices):
    PLENARY = "plenary", _("Plenary")  # 大会提案: submitted before the session's cut-off
    INTERIM = "interim", _("Between sessions")  # 平时提案


class HandlingMode(models.TextChoices):
    SINGLE = "single", _("Sole unit")  # 单办
    SEPARATE = "separate", _("Separate units")  # 分办: each replies
    LEAD = "lead", _("Lead unit")  # 主办: replies for all
    CO = "co", _("Co-unit")  # 会办: sends its opinion to the lead unit


REPLYING_MODES = (HandlingMode.SINGLE, HandlingMode.SEPARATE, HandlingMode.LEAD)


class HandlingStatus(models.TextChoices):
    NEW = "new", _("Assigned, not signed")  # 新交办, waiting for the unit to sign
    REASSIGN_REQUESTED = "reassign_requested", _("Re-assignment requested")  # 申请调整, staff decide
    REASSIGNED = "reassigned", _("Re-assigned")  # closed; a new record went to another unit
    SIGNED = "signed", _("Signed")  # 已签收
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中: contact with the proposer logged
    OPINION_SENT = "opinion_sent", _("Opinion sent")  # 会办: opinion sent to the lead unit (done)
    COUNTERSIGNING = "countersigning", _("Reply awaiting countersignature")  # 答复待会签
    REVIEWING = "reviewing", _("Reply awaiting review")  # 答复待审核
    REPLIED = "replied", _("Replied")  # 已办复
    FOLLOW_UP = "follow_up", _("Follow-up (B)")  # 跟踪办理: B reply, result still to report
    CLOSED = "closed", _("Closed")  # 办结


HANDLING_OPEN = (HandlingStatus.NEW, HandlingStatus.REASSIGN_REQUESTED, HandlingStatus.SIGNED,
                 HandlingStatus.IN_PROGRESS, HandlingStatus.COUNTERSIGNING, HandlingStatus.REVIEWING)
HANDLING_BEFORE_REPLY = HANDLING_OPEN


class ReplyStatus(models.TextChoices):
    COUNTERSIGNING = "countersigning", _("Awaiting countersignature")
    REVIEWING = "reviewing", _("Awaiting review")
    SENT_BACK = "sent_back", _("Sent back")
    APPROVED = "approved", _("Approved and sent")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASIC = "basic", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


class ContactMethod(models.TextChoices):
    MEETING = "meeting", _("Face to face")  # 面谈
    SYMPOSIUM = "symposium", _("Symposium")  # 座谈会
    PHONE = "phone", _("Phone")  # 电话
    EMAIL = "email", _("E-mail")  # 邮件
    LETTER = "letter", _("Letter")  # 书信
    VISIT = "visit", _("Visit")  # 走访


class RequestKind(models.TextChoices):
    REASSIGN = "reassign", _("Re-assignment")  # 申请调整承办单位
    EXTENSION = "extension", _("Extension")  # 申请延期


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# How the proposal timeline reads (registered in apps.py).
EVENT_VERBS = {
    "drafted": _("drafted the proposal"), "edited": _("edited"), "cosigner_confirmed": _("confirmed co-signing"),
    "seal_confirmed": _("confirmed the seal"), "submitted": _("submitted"), "resubmitted": _("resubmitted"),
    "first_review": _("started the first review"), "second_review": _("started the second review"),
    "filed": _("filed"), "merged": _("merged into another proposal"), "merged_in": _("took in a merged proposal"),
    "returned": _("returned for revision"), "not_filed": _("did not file"), "referred": _("referred for reference"),
    "withdrawn": _("withdrew"), "assigned": _("assigned"), "signed": _("signed for it"),
    "reassign_requested": _("asked for re-assignment"), "reassigned": _("re-assigned"),
    "reassign_rejected": _("re-assignment refused"), "extension_requested": _("asked for an extension"),
    "extended": _("extended the due date"), "extension_rejected": _("extension refused"),
    "contacted": _("contacted the proposer"), "opinion_sent": _("sent the co-unit opinion"),
    "reply_drafted": _("drafted the reply"), "countersigned": _("countersigned the reply"),
    "countersign_complete": _("countersignature complete"), "reply_sent_back": _("sent the reply back"),
    "category_changed": _("changed the result category"), "replied": _("reply approved and sent"),
    "all_replied": _("every unit has replied"), "evaluated": _("evaluated the reply"),
    "rehandling": _("asked for handling again"), "closed": _("closed"), "key_selected": _("selected as key proposal"),
    "key_removed": _("no longer a key proposal"), "instruction_recorded": _("recorded a leader's instruction"),
    "episode_recorded": _("recorded the face-to-face session"), "face_to_face": _("discussed face to face"),
    "commitment_added": _("recorded a commitment"), "commitment_done": _("commitment done"),
    "supervision_activity": _("supervision activity (督办)"),
    "key_nominated": _("nominated as key proposal"), "key_decided": _("key proposal decision"),
    "reminder_sent": _("reminder sent"), "overdue": _("overdue"), "escalated": _("escalated (督办)"),
}
