"""Proposals (提案): drafting, review, assignment to units, handling, replies and evaluation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices


class SubjectArea(models.Model):
    """A subject area for classifying proposals (Beijing: 经济科技, 城乡建设管理, 公共事业发展, 社会法治建设)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("subject area")
        verbose_name_plural = _("subject areas")

    def __str__(self) -> str:
        return self.name


class NotFiledReason(models.Model):
    """A ground for not filing (不予立案); the national ten by default, local additions allowed."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.CharField(_("reason"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("reason for not filing")
        verbose_name_plural = _("reasons for not filing")

    def __str__(self) -> str:
        return self.text


class ResultCategory(models.Model):
    """A reply's result category (A/B/C, optionally D) with editable wording; `adopted` feeds the adoption rate."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    label = models.CharField(_("wording"), max_length=80)
    adopted = models.BooleanField(_("counts as adopted"), default=False)
    needs_follow_up = models.BooleanField(_("needs a follow-up reply"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("result category")
        verbose_name_plural = _("result categories")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Proposal(models.Model):
    """One proposal: one matter (一事一案) with situation, analysis and suggestions, from a member, a group
    of members or an organisation, through review to assignment, replies, evaluation and closing."""

    term = models.ForeignKey("core.Term", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("term"))
    session = models.ForeignKey("core.Session", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="proposals", verbose_name=_("session"))
    serial = models.PositiveIntegerField(_("serial number"), null=True, blank=True)
    timing = models.CharField(_("timing"), max_length=10, choices=choices.Timing.choices, blank=True)
    kind = models.CharField(_("proposer kind"), max_length=14, choices=choices.ProposerKind.choices,
                            default=choices.ProposerKind.MEMBER)
    status = models.CharField(_("status"), max_length=16, choices=choices.ProposalStatus.choices,
                              default=choices.ProposalStatus.DRAFT, db_index=True)
    title = models.CharField(_("title (案由)"), max_length=120)
    situation = models.TextField(_("situation"), max_length=8000)
    analysis = models.TextField(_("analysis"), max_length=8000)
    suggestions = models.TextField(_("suggestions"), max_length=8000)
    subject_area = models.ForeignKey(SubjectArea, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="proposals", verbose_name=_("subject area"))
    tags = models.ManyToManyField("core.LivelihoodTag", blank=True, related_name="proposals", verbose_name=_("tags"))
    suggested_units = models.ManyToManyField("core.Unit", blank=True, related_name="suggested_proposals",
                                             verbose_name=_("suggested handling units"))
    # An organisation proposal: the organisation, its convener, and the confirmation of its seal.
    org_party = models.ForeignKey("core.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("party or organisation"))
    org_sector = models.ForeignKey("core.Sector", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("sector"))
    org_committee = models.ForeignKey("core.Committee", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("special committee"))
    org_name = models.CharField(_("organisation name"), max_length=80, blank=True)
    seal_confirmed_at = models.DateTimeField(_("seal confirmed"), null=True, blank=True)
    consent_publish = models.BooleanField(_("agrees to publication"), default=True)
    # Review outcome details.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from", verbose_name=_("merged into"))
    not_filed_reason = models.ForeignKey(NotFiledReason, null=True, blank=True, on_delete=models.PROTECT,
                                         verbose_name=_("reason for not filing"))
    review_note = models.TextField(_("review note"), blank=True)
    referred_to = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("referred to"))
    # Supervision flags.
    is_urgent = models.BooleanField(_("fast track (直通车)"), default=False)
    is_key = models.BooleanField(_("key proposal"), default=False)
    supervising_leader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="supervised_proposals", verbose_name=_("supervising leader"))
    reported_to_city_leaders = models.BooleanField(_("reported to city leaders"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["session", "serial"], name="proposal_session_serial")]
        # The list filters' combinations (bench/proposals_scale.py): each count and page is served by an index.
        indexes = [models.Index(fields=["term", "status"]), models.Index(fields=["session", "timing"]),
                   models.Index(fields=["session", "status"], name="proposal_session_status"),
                   models.Index(fields=["is_key", "session"], name="proposal_key_session"),
                   models.Index(fields=["kind", "timing"], name="proposal_kind_timing"),
                   models.Index(fields=["session", "kind"], name="proposal_session_kind")]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.serial else self.title

    @property
    def number(self) -> str:
        """The printed number: 14届4次-0123 (term, session, serial)."""
        if not self.serial or not self.session_id:
            return ""
        return f"{self.term.number}-{self.session.number}-{self.serial:04d}"

    @property
    def is_collective(self) -> bool:
        return self.kind in choices.COLLECTIVE_KINDS


class Proposer(models.Model):
    """A member who proposes: the first proposer, a co-signer who must confirm, or — after a merge — a
    proposer carried over from the merged proposal (`via`), who keeps credit and gets their own reply."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="proposers")
    member = models.ForeignKey("core.Member", on_delete=models.PROTECT, related_name="proposals_signed",
                               verbose_name=_("member"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    is_first = models.BooleanField(_("first proposer"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    via = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("carried over from"))

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="proposer_once")]
        verbose_name = _("proposer")
        verbose_name_plural = _("proposers")

    def __str__(self) -> str:
        return str(self.member)


class Handling(models.Model):
    """One unit's handling of one proposal (承办), with its own due date on the working-day calendar.

    A lead (主办) record has co-unit (会办) records pointing to it through `lead`; a re-assignment closes a
    record and creates a new one (`reassigned_from`).
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="handlings")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="handlings", verbose_name=_("unit"))
    mode = models.CharField(_("mode"), max_length=10, choices=choices.HandlingMode.choices)
    status = models.CharField(_("status"), max_length=20, choices=choices.HandlingStatus.choices,
                              default=choices.HandlingStatus.NEW, db_index=True)
    lead = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="co_handlings",
                             verbose_name=_("lead unit's record"))
    reassigned_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("reassigned from"))
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    due_date = models.DateField(_("due"), db_index=True)
    reassign_deadline = models.DateField(_("re-assignment request deadline"))
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    opinion = models.TextField(_("co-unit opinion"), blank=True)
    opinion_sent_at = models.DateTimeField(_("opinion sent"), null=True, blank=True)
    countersigned_at = models.DateTimeField(_("countersigned"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        ordering = ["proposal_id", "id"]
        # Covering indexes for the list's semi-joins (a unit's records; open overdue records).
        indexes = [models.Index(fields=["unit", "status", "proposal"], name="handling_unit_status_proposal"),
                   models.Index(fields=["status", "overdue_since", "proposal"], name="handling_status_overdue")]
        verbose_name = _("handling")
        verbose_name_plural = _("handlings")

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.unit} · {self.get_mode_display()}"

    @property
    def replies_to_proposer(self) -> bool:
        return self.mode in choices.REPLYING_MODES

    @property
    def is_overdue(self) -> bool:
        """Open and past its due date — the same rule as `selectors.overdue_q`, whether or not the daily run
        has marked the record yet (`overdue_since`)."""
        from django.utils import timezone

        from .choices import HANDLING_OPEN

        return self.status in HANDLING_OPEN and self.due_date is not None and self.due_date < timezone.localdate()


class Reply(models.Model):
    """A unit's written reply (答复) in one handling round, with its result category, countersignature and
    the office's review."""

    handling = models.ForeignKey(Handling, on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    category = models.ForeignKey(ResultCategory, on_delete=models.PROTECT, verbose_name=_("result category"))
    text = models.TextField(_("reply"), max_length=20000)
    signer = models.CharField(_("leader who signed"), max_length=40, blank=True)
    contact_person = models.CharField(_("handling officer"), max_length=40, blank=True)
    contact_phone = models.CharField(_("officer's phone"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=choices.ReplyStatus.choices)
    drafted_at = models.DateTimeField(_("drafted"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["handling_id", "round", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.handling} · {self.category.code}"


class ContactLog(models.Model):
    """A contact between the handling unit and the proposer (办前/办中沟通)."""

    handling = models.ForeignKey(Handling, on_delete=models.CASCADE, related_name="contacts")
    method = models.CharField(_("method"), max_length=12, choices=choices.ContactMethod.choices)
    contacted_on = models.DateField(_("date"))
    member = models.ForeignKey("core.Member", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("member"))
    note = models.TextField(_("note"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["contacted_on", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.contacted_on} {self.get_method_display()}"


class HandlingRequest(models.Model):
    """A unit's request to be re-assigned (within the window) or for an extension; staff decide."""

    handling = models.ForeignKey(Handling, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=10, choices=choices.RequestKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=choices.RequestStatus.choices,
                              default=choices.RequestStatus.PENDING)
    reason = models.TextField(_("reason"), max_length=4000)
    suggested_unit = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("suggested unit"))
    requested_due = models.DateField(_("requested due date"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("handling request")
        verbose_name_plural = _("handling requests")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_status_display()}"


class Evaluation(models.Model):
    """A proposer's evaluation of one reply (满意 / 基本满意 / 不满意) with the feedback form of §1.6."""

    handling = models.ForeignKey(Handling, on_delete=models.CASCADE, related_name="evaluations")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="evaluations")
    member = models.ForeignKey("core.Member", on_delete=models.PROTECT, related_name="evaluations")
    satisfaction = models.CharField(_("satisfaction"), max_length=14, choices=choices.Satisfaction.choices)
    visited = models.CharField(_("visit"), max_length=20, blank=True)  # 已走访 / 不需要走访 / 未走访
    contact_way = models.CharField(_("how views were heard"), max_length=20, blank=True)  # 走访 / 电话 / 其他 / 未联系
    attitude = models.CharField(_("handling attitude"), max_length=10, blank=True)  # 满意 / 理解 / 不满意
    pertinence = models.CharField(_("reply addresses the proposal"), max_length=10, blank=True)  # 针对 / 基本针对 / 未针对
    result_view = models.CharField(_("view of the result"), max_length=10, blank=True)  # 同意 / 理解 / 保留 / 不同意
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["reply", "member"], name="evaluation_once_per_reply")]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.member} · {self.get_satisfaction_display()}"


class Instruction(models.Model):
    """A leader's written instruction (批示) on a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="instructions")
    leader_name = models.CharField(_("leader"), max_length=40)
    level = models.CharField(_("level"), max_length=20)  # 市委 / 市政府 / 市政协 …
    text = models.TextField(_("instruction"), max_length=4000)
    given_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["given_on", "id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")

    def __str__(self) -> str:
        return f"{self.leader_name} {self.given_on}"


class FaceToFaceEpisode(models.Model):
    """An episode of 市民对话一把手·提案办理面对面: a unit head and members discuss the handling of
    proposals live on radio, television or online; what the head commits to is tracked to done."""

    title = models.CharField(_("topic"), max_length=120)
    held_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=120)  # 北京城市广播、BTV新闻频道、新华网…
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="face_to_face", verbose_name=_("unit"))
    unit_head = models.CharField(_("unit head"), max_length=40)
    members = models.ManyToManyField("core.Member", blank=True, related_name="face_to_face", verbose_name=_("members"))
    proposals = models.ManyToManyField(Proposal, blank=True, related_name="face_to_face", verbose_name=_("proposals"))
    summary = models.TextField(_("summary"), max_length=8000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("face-to-face episode")
        verbose_name_plural = _("face-to-face episodes")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Commitment(models.Model):
    """A commitment made in a face-to-face episode, owned by a unit, tracked until done with evidence."""

    episode = models.ForeignKey(FaceToFaceEpisode, on_delete=models.CASCADE, related_name="commitments")
    text = models.TextField(_("commitment"), max_length=2000)
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="commitments", verbose_name=_("owner unit"))
    due_date = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    evidence = models.TextField(_("evidence of completion"), max_length=4000, blank=True)

    class Meta:
        ordering = ["episode_id", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class SupervisionActivity(models.Model):
    """A 督办 activity on key proposals: a handling consultation meeting, a visit, research or an inspection,
    led by the supervising leader, with the units and members who took part."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Handling consultation meeting")  # 提案办理协商会
        VISIT = "visit", _("Visit")  # 走访
        RESEARCH = "research", _("Research")  # 专题调研
        INSPECTION = "inspection", _("Inspection")  # 视察

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("leader"))
    proposals = models.ManyToManyField(Proposal, related_name="supervision_activities", verbose_name=_("proposals"))
    units = models.ManyToManyField("core.Unit", blank=True, related_name="+", verbose_name=_("units"))
    member_count = models.PositiveIntegerField(_("members taking part"), default=0)
    summary = models.TextField(_("summary"), max_length=8000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("supervision activity")
        verbose_name_plural = _("supervision activities")

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"


class KeyNomination(models.Model):
    """A nomination of a proposal as a key proposal (重点提案), put to the members for their views before
    the chairs' meeting decides (domain.md §1.7: nominations → consultation of members → decision)."""

    class Status(models.TextChoices):
        CONSULTING = "consulting", _("Members consulted")  # open for members' views
        SELECTED = "selected", _("Selected")  # the chairs' meeting chose it; the proposal is key
        DECLINED = "declined", _("Not selected")

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="key_nomination")
    reason = models.TextField(_("reason"), max_length=4000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONSULTING)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("key proposal nomination")
        verbose_name_plural = _("key proposal nominations")

    def __str__(self) -> str:
        return f"{self.proposal} · {self.get_status_display()}"


class KeyVote(models.Model):
    """One member's view on a nomination (支持 or not), once per member."""

    nomination = models.ForeignKey(KeyNomination, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey("core.Member", on_delete=models.PROTECT, related_name="+")
    support = models.BooleanField(_("supports"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nomination", "member"], name="key_vote_once")]
        verbose_name = _("member's view on a nomination")
        verbose_name_plural = _("members' views on nominations")

    def __str__(self) -> str:
        return f"{self.member_id}: {'+' if self.support else '-'}"


class StatisticsSnapshot(models.Model):
    """The last computed statistics of one scope (all, a term or a session), served to the pages at once.

    `stamp` is the newest timeline event when the figures were computed: a newer event means they may be out
    of date, and the page asks the worker for a refresh (`refresh_requested_at`) while it shows these."""

    scope = models.CharField(_("scope"), max_length=120, unique=True)
    stamp = models.BigIntegerField(_("newest event"), default=0)
    computed_at = models.DateTimeField(_("computed"))
    seconds = models.FloatField(_("seconds to compute"), default=0)
    refresh_requested_at = models.DateTimeField(_("refresh requested"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("statistics snapshot")
        verbose_name_plural = _("statistics snapshots")

    def __str__(self) -> str:
        return f"{self.scope} @ {self.stamp}"
