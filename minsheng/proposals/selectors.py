"""Reads of proposals: visible lists with their joins, the detail, the overdue board, statistics."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from minsheng.core.models import Member, Session, User
from minsheng.core.search import search_matches
from minsheng.core.selectors import Action, Card, HomeItem, Section, Task, Trend

from .choices import (
    COLLECTIVE_KINDS,
    HANDLING_OPEN,
    PROPOSAL_REVIEWABLE,
    REPLYING_MODES,
    HandlingMode,
    HandlingStatus,
    ProposalStatus,
    ReplyStatus,
    RequestStatus,
    Satisfaction,
    Timing,
)
from .models import Evaluation, Handling, HandlingRequest, Instruction, Proposal, Proposer, Reply

FILED_LIKE = (ProposalStatus.FILED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED)


def sees_everything(user: User) -> bool:
    """The office (staff, superusers) and leaders see every proposal, handling record and draft reply."""
    return user.is_authenticated and (user.has_perm("proposals.manage_proposals") or user.role == "leader")


def _own_drafts(user: User) -> QuerySet[Proposal]:
    """The drafts that are this user's: those they propose (first proposer or invited co-signer), and those they
    entered for proposers of whom none has an account (the office holds the pen for them). A member's draft the
    office typed in for a member with an account is that member's."""
    accountless = ~Exists(Proposer.objects.filter(proposal=OuterRef("pk"), member__user__isnull=False))
    return Proposal.objects.filter(status=ProposalStatus.DRAFT).filter(
        Q(pk__in=Proposer.objects.filter(member__user=user).values("proposal_id")) | (Q(created_by=user) & accountless))


def visible_proposals(user: User) -> QuerySet[Proposal]:
    """THE visibility selector: the proposals this user may open. The office and leaders every submitted
    proposal — not members' drafts, which belong to their proposers until submitted (`_own_drafts`) — and the
    office the organisation drafts it enters; a member their own (drafted or signed, drafts included); a unit
    handler what its unit handles (not re-assigned away); anyone else what they drafted. The `view_proposal`
    rule, every list, the nominations, the statistics, the exports and search (`proposals_viewable`, which adds
    the published proposals) are answered by it."""
    qs = Proposal.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        drafts = _own_drafts(user)
        if user.has_perm("proposals.manage_proposals"):  # organisation proposals are entered by the office
            drafts = drafts | Proposal.objects.filter(status=ProposalStatus.DRAFT, kind__in=COLLECTIVE_KINDS)
        return qs.filter(~Q(status=ProposalStatus.DRAFT) | Q(pk__in=drafts.values("pk")))
    # Semi-joins (`pk IN (subquery)`) rather than joins: no duplicate rows, so no DISTINCT over every column
    # and a plain COUNT(*) for the pager (at 100,000 proposals the DISTINCT cost more than the page itself).
    if user.role == "unit_handler" and user.unit_id:
        return qs.filter(pk__in=Handling.objects.filter(unit_id=user.unit_id).exclude(status=HandlingStatus.REASSIGNED)
                         .values("proposal_id"))
    return qs.filter(Q(created_by=user) | Q(pk__in=Proposer.objects.filter(member__user=user).values("proposal_id")))


def visible_handlings(user: User) -> QuerySet[Handling]:
    """The handling records this user may see (with their contacts, requests and replies).

    The office everything. A unit handler its own unit's records and, in joint handling (主办 + 会办), the
    records of the same group: the lead unit its co-units' records (their opinions come to it), a co-unit
    the lead's record (it countersigns that reply) but not the other co-units'; separate units (分办) and
    records re-assigned away stay out. Anyone else (a proposer) every record of the proposals they may see."""
    qs = Handling.objects.all()
    if sees_everything(user):
        return qs
    if user.is_authenticated and user.role == "unit_handler" and user.unit_id:
        own = Handling.objects.filter(unit_id=user.unit_id).exclude(status=HandlingStatus.REASSIGNED)
        return qs.exclude(status=HandlingStatus.REASSIGNED).filter(
            Q(pk__in=own.values("pk")) | Q(lead_id__in=own.filter(mode=HandlingMode.LEAD).values("pk"))
            | Q(pk__in=own.filter(mode=HandlingMode.CO).values("lead_id")))
    return qs.filter(proposal__in=visible_proposals(user))


def sees_reply_drafts(user: User) -> bool:
    """Replies before the office approved them are for the office and the units (of the records they may see);
    proposers and other members see approved replies only."""
    return sees_everything(user) or (user.is_authenticated and user.role == "unit_handler" and bool(user.unit_id))


def visible_replies(user: User, handling: Handling | None = None) -> QuerySet[Reply]:
    """The replies this user may read (of one record when given): drafts only for `sees_reply_drafts`."""
    qs = Reply.objects.filter(handling__in=visible_handlings(user))
    if handling is not None:
        qs = qs.filter(handling=handling)
    return qs if sees_reply_drafts(user) else qs.filter(status=ReplyStatus.APPROVED)


def reply_for_letter(user: User, handling: Handling) -> Reply | None:
    """The reply whose letter this user downloads: the newest one they may read, or None."""
    return visible_replies(user, handling).select_related("category", "handling__unit", "handling__proposal__term",
                                                          "handling__proposal__session").order_by("-id").first()


def visible_nominations(user: User) -> QuerySet:
    """Key-proposal nominations this user may see: the office all; every member all (all members are consulted
    on the choice, domain.md); anyone else those of proposals they may see (`proposals_viewable`)."""
    from .models import KeyNomination

    qs = KeyNomination.objects.all()
    if sees_everything(user) or (user.is_authenticated and Member.objects.filter(user=user).exists()):
        return qs
    return qs.filter(proposal__in=proposals_viewable(user, Proposal.objects.filter(pk__in=qs.values("proposal_id"))))


def overdue_q(today: dt.date | None = None) -> Q:
    """THE definition of an overdue handling record: still open (not replied, not re-assigned) and past its due
    date. The tiles, the overdue board, the unit desk, the list filter and the statistics all count with it,
    whether or not the daily run (`proposals_check_deadlines`) has marked and escalated the record yet."""
    return Q(status__in=HANDLING_OPEN, due_date__lt=today or timezone.localdate())


def _replies_to_evaluate_q(user: User) -> Q:
    """Handling records whose latest approved reply waits for this member's evaluation."""
    latest = Reply.objects.filter(handling=OuterRef("pk"), status=ReplyStatus.APPROVED).order_by("-id").values("id")[:1]
    rated = Evaluation.objects.filter(reply_id=OuterRef("latest_reply"), member__user=user)
    pending = (Handling.objects.filter(status__in=(HandlingStatus.REPLIED, HandlingStatus.FOLLOW_UP),
                                       proposal__proposers__member__user=user)
               .annotate(latest_reply=Subquery(latest)).filter(latest_reply__isnull=False).exclude(Exists(rated)))
    return Q(pk__in=pending.values("pk"))


def replies_to_evaluate(user: User) -> QuerySet[Handling]:
    """The records whose reply this member has yet to evaluate (满意 / 基本满意 / 不满意), the oldest reply first."""
    return (Handling.objects.filter(_replies_to_evaluate_q(user)).select_related("unit", "proposal__session", "proposal__term")
            .order_by("replied_at", "id"))


def _stage_filters(user: User) -> dict[str, Q]:
    """Named groups of proposals, shared by the home figures and the list (`?stage=`)."""
    return {
        "received": ~Q(status=ProposalStatus.DRAFT),  # submitted, whatever became of it
        "review": Q(status__in=PROPOSAL_REVIEWABLE),
        "filed_all": Q(status__in=FILED_LIKE),  # the filing rate's numerator
        "handled": Q(status__in=(ProposalStatus.REPLIED, ProposalStatus.CLOSED)),
        "reply_review": Q(pk__in=Handling.objects.filter(status=HandlingStatus.REVIEWING).values("proposal_id")),
        "requests": Q(pk__in=HandlingRequest.objects.filter(status=RequestStatus.PENDING).values("handling__proposal_id")),
        "overdue": Q(pk__in=Handling.objects.filter(overdue_q()).values("proposal_id")),
        "cosign": Q(status=ProposalStatus.DRAFT, pk__in=Proposer.objects.filter(
            member__user=user, confirmed_at__isnull=True).values("proposal_id")),
        "awaiting_cosigners": Q(status=ProposalStatus.DRAFT, created_by=user, pk__in=Proposer.objects.filter(
            confirmed_at__isnull=True).values("proposal_id")),
        "to_evaluate": Q(pk__in=Handling.objects.filter(_replies_to_evaluate_q(user)).values("proposal_id")),
    }


def stage_labels() -> dict[str, str]:
    return {"received": _("Received (submitted)"), "review": _("Under review"), "filed_all": _("Filed (and later stages)"),
            "handled": _("Replied or closed"), "reply_review": _("With a reply to approve"),
            "requests": _("With a request to decide"), "overdue": _("With an overdue handling"),
            "cosign": _("Waiting for my co-signature"), "awaiting_cosigners": _("My drafts awaiting co-signers"),
            "to_evaluate": _("With a reply for me to evaluate")}


def proposal_list(user: User, *, q: str = "", status: str | None = None, session: int | None = None,
                  kind: str | None = None, timing: str | None = None, unit: int | None = None, is_key: bool | None = None,
                  overdue: bool | None = None, subject_area: int | None = None, stage: str | None = None,
                  supervisor: int | None = None) -> QuerySet[Proposal]:
    """The proposals a user may see, filtered, with every join a list row needs (a fixed number of queries).
    Every home figure about proposals is this list's count with the filters of the link it opens."""
    qs = visible_proposals(user)
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(_stage_filters(user).get(stage, Q()))
    if session:
        qs = qs.filter(session_id=session)
    if kind:
        qs = qs.filter(kind=kind)
    if timing:
        qs = qs.filter(timing=timing)
    if unit:
        qs = qs.filter(pk__in=Handling.objects.filter(unit_id=unit).values("proposal_id"))
    if subject_area:
        qs = qs.filter(subject_area_id=subject_area)
    if is_key is not None:
        qs = qs.filter(is_key=is_key)
    if supervisor:
        qs = qs.filter(supervising_leader_id=supervisor)
    if overdue:
        qs = qs.filter(_stage_filters(user)["overdue"])
    if q:
        # Matched inside the database (a semi-join on the search index): every match, counted and paged in SQL.
        # Drafts are not in the index (nobody else should find them); their authors and the office find
        # their own by title, through the status index.
        # One IN over a UNION: an OR of two conditions would make PostgreSQL scan every proposal.
        drafts = Proposal.objects.filter(status=ProposalStatus.DRAFT, title__contains=q).values_list("pk")
        qs = qs.filter(pk__in=search_matches(q, Proposal, or_title_contains=True).union(drafts, all=True))
    return (
        qs.select_related("term", "session", "subject_area", "supervising_leader")
        .defer("situation", "analysis", "suggestions", "review_note")  # long texts no list row shows
        .prefetch_related(
            Prefetch("proposers", queryset=Proposer.objects.select_related("member").order_by("order", "id")),
            Prefetch("handlings", queryset=visible_handlings(user).select_related("unit").exclude(status="reassigned")
                     .annotate(late=Case(When(overdue_q(), then=Value(True)), default=Value(False)))),
        )
        .order_by("-id")
    )


PUBLIC_STATUSES = (ProposalStatus.FILED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED)

# Words of proposal titles that say nothing about the matter (一事一案: the title names the matter).
TITLE_FORMULAS = frozenset({"关于", "建议", "提案", "推进", "加强", "进一步", "完善", "问题", "北京", "北京市", "我市",
                            "全市", "本市", "工作", "加快", "推动", "提升", "促进", "有关", "相关", "机制"})
SIMILAR_CANDIDATES = 40
DUPLICATE_AT = 0.6  # estimated Jaccard of the texts' character 3-shingles at which a draft looks like a duplicate


@dataclass
class SimilarProposal:
    proposal: Proposal
    similarity: float  # 0–1: the text engine's near-duplicate estimate (MinHash of character shingles)
    likely_duplicate: bool


def _proposal_text(title: str, situation: str = "", analysis: str = "", suggestions: str = "") -> str:
    return "\n".join(part for part in (title, situation, analysis, suggestions) if part)


NUMBER_RE = re.compile(r"^\s*(\d{1,3})\s*-\s*(\d{1,3})\s*-\s*(\d{1,6})\s*$")


def proposal_by_number(number: str) -> Proposal | None:
    """The proposal with this printed number (term-session-serial, as `Proposal.number` prints it, e.g.
    14-4-0123; spaces and missing leading zeros allowed), or None."""
    match = NUMBER_RE.match(number or "")
    if not match:
        return None
    term, session, serial = (int(g) for g in match.groups())
    return (Proposal.objects.select_related("term", "session")
            .filter(term__number=term, session__number=session, serial=serial).first())


def proposals_viewable(user: User, qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """`qs` narrowed to what `user` may see of it: what `visible_proposals` allows, or published proposals."""
    return visible_proposals(user).filter(pk__in=qs.values("pk")) | qs.filter(consent_publish=True,
                                                                            status__in=PUBLIC_STATUSES)


def similar_proposals(user: User, *, title: str, text: str = "", exclude: int | None = None,
                      limit: int = 5) -> list[SimilarProposal]:
    """While drafting: the existing proposals most like this one, each with a near-duplicate score.

    Candidates come from the search index (any of the title's content words, the most relevant first, among
    the proposals the user may see or the public ones); each is then scored by the text engine's MinHash
    estimate of Jaccard similarity on character 3-shingles (textmining.dedupe) — of the titles, and of the
    whole texts when the draft has a body — and the higher of the two is kept. At DUPLICATE_AT or above the
    draft is flagged as a likely duplicate (一事一案: the office would merge it)."""
    import numpy as np

    from minsheng.core.search import query_words, search
    from minsheng.textmining.dedupe import Deduper

    title = (title or "").strip()
    words = [w for w in query_words(title, limit=24) if len(w) > 1 and w not in TITLE_FORMULAS]
    if len(title) < 2 or not words:
        return []
    ids = [int(pk) for _, pk, _ in search("", model=Proposal, words=words, limit=SIMILAR_CANDIDATES)]
    ids = [pk for pk in ids if pk != exclude]
    if not ids:
        return []
    visible = proposals_viewable(user, Proposal.objects.filter(pk__in=ids))
    found = list(visible.distinct().exclude(status=ProposalStatus.DRAFT).select_related("session", "term"))
    if not found:
        return []
    deduper = Deduper(num_perm=128, shingle=3)
    by_title = deduper.similarity(title, [p.title for p in found])
    scores = by_title
    if len(text.strip()) >= 50:
        by_text = deduper.similarity(_proposal_text(title, text), [
            _proposal_text(p.title, p.situation, p.analysis, p.suggestions) for p in found])
        scores = np.maximum(by_title, by_text)
    ranked = sorted(zip(found, scores.tolist(), strict=True), key=lambda ps: (-ps[1], -ps[0].pk))[:limit]
    return [SimilarProposal(p, round(score, 2), score >= DUPLICATE_AT) for p, score in ranked]


def proposal_detail(pk: int, user: User | None = None) -> Proposal:
    """One proposal with its joins. With `user`, its `handlings` are those the user may see
    (`visible_handlings`) and their `replies` those the user may read (`visible_replies`)."""
    handlings = Handling.objects.all() if user is None else visible_handlings(user)
    replies = Reply.objects.all() if user is None or sees_reply_drafts(user) else Reply.objects.filter(status=ReplyStatus.APPROVED)
    return (
        Proposal.objects.select_related("term", "session", "subject_area", "supervising_leader", "merged_into",
                                        "not_filed_reason", "referred_to", "org_party", "org_sector", "org_committee")
        .prefetch_related(
            "tags", "suggested_units", "instructions",
            Prefetch("proposers", queryset=Proposer.objects.select_related("member__sector", "via")),
            Prefetch("handlings", queryset=handlings.select_related("unit", "lead__unit").prefetch_related(
                Prefetch("replies", queryset=replies.select_related("category").prefetch_related(
                    Prefetch("evaluations", queryset=Evaluation.objects.select_related("member")))),
                "contacts", "requests")),
        )
        .get(pk=pk)
    )


def unit_handlings(user: User) -> QuerySet[Handling]:
    """The handling records of the user's unit (the API's list): what the unit must act on first, soonest due
    first, then what waits for others, then what is done."""
    return unit_desk(user, show="all")


# What a unit must do next on its records (domain.md §B: sign, contact, opinion or reply, countersign).
UNIT_MOVE = (HandlingStatus.NEW, HandlingStatus.SIGNED, HandlingStatus.IN_PROGRESS, HandlingStatus.FOLLOW_UP)
UNIT_WAITING = (HandlingStatus.REASSIGN_REQUESTED, HandlingStatus.COUNTERSIGNING, HandlingStatus.REVIEWING)
DESK_SHOWS = ("open", "sign", "overdue", "done", "all")


def _countersign_q() -> Q:
    """A co-unit's record whose lead unit's reply waits for its countersignature."""
    return Q(mode=HandlingMode.CO, lead__status=HandlingStatus.COUNTERSIGNING, countersigned_at__isnull=True,
             status=HandlingStatus.OPINION_SENT)


def _desk_filters() -> dict[str, Q]:
    move = Q(status__in=UNIT_MOVE) | _countersign_q()
    return {"move": move, "open": move | Q(status__in=UNIT_WAITING), "sign": Q(status=HandlingStatus.NEW),
            "overdue": overdue_q()}


def unit_desk(user: User, *, show: str = "open") -> QuerySet[Handling]:
    """The unit desk: `open` (the default) what is still to do, the unit's own move first, soonest due first
    (so the overdue lead); `sign`, `overdue`, `done` (replied, closed, opinions sent) or `all`."""
    filters = _desk_filters()
    qs = (Handling.objects.filter(unit_id=user.unit_id or 0).exclude(status=HandlingStatus.REASSIGNED)
          .select_related("proposal__session", "proposal__term", "unit", "lead__unit")
          .annotate(my_move=Case(When(filters["move"], then=Value(True)), default=Value(False)),
                    rank=Case(When(filters["move"], then=Value(0)), When(filters["open"], then=Value(1)), default=Value(2)),
                    late=Case(When(overdue_q(), then=Value(True)), default=Value(False))))
    if show == "done":
        return qs.exclude(filters["open"]).order_by("-replied_at", "-id")
    if show in filters:
        qs = qs.filter(filters[show])
    elif show != "all":
        qs = qs.filter(filters["open"])
    return qs.order_by("rank", "due_date", "id")


def unit_desk_counts(user: User) -> dict[str, int]:
    """How many records each tab of the unit desk lists (one query)."""
    filters = _desk_filters()
    qs = Handling.objects.filter(unit_id=user.unit_id or 0).exclude(status=HandlingStatus.REASSIGNED)
    counts = qs.aggregate(open=Count("id", filter=filters["open"]), move=Count("id", filter=filters["move"]),
                          sign=Count("id", filter=filters["sign"]), overdue=Count("id", filter=filters["overdue"]),
                          all=Count("id"))
    counts["done"] = counts["all"] - counts["open"]
    return counts


def next_step(handling: Handling) -> tuple[str, str]:
    """(action, label): what the unit does next on one of its records (the action names the form to show)."""
    status, co = handling.status, handling.mode == HandlingMode.CO
    if co and status == HandlingStatus.OPINION_SENT and handling.lead_id and handling.lead.status == HandlingStatus.COUNTERSIGNING \
            and handling.countersigned_at is None:
        return "countersign", _("Countersign the lead unit's reply")
    steps = {
        HandlingStatus.NEW: ("sign", _("Sign for it")),
        HandlingStatus.SIGNED: ("contact", _("Contact the proposer")),
        HandlingStatus.IN_PROGRESS: ("opinion", _("Send your opinion to the lead unit")) if co else ("reply", _("Draft the reply")),
        HandlingStatus.FOLLOW_UP: ("reply", _("Report the result (follow-up reply)")),
        HandlingStatus.REASSIGN_REQUESTED: ("", _("Waiting for the office to decide on re-assignment")),
        HandlingStatus.COUNTERSIGNING: ("", _("Waiting for the co-units to countersign")),
        HandlingStatus.REVIEWING: ("", _("Waiting for the office to review the reply")),
    }
    return steps.get(status, ("", handling.get_status_display()))


def with_deadlines(handlings: list[Handling], today: dt.date | None = None) -> list[Handling]:
    """Each record with `days_overdue` (0 unless overdue), `days_left` and `next_action` / `next_label`."""
    today = today or timezone.localdate()
    for h in handlings:
        late = h.status in HANDLING_OPEN and h.due_date < today
        h.days_overdue = (today - h.due_date).days if late else 0
        h.days_left = (h.due_date - today).days
        h.next_action, h.next_label = next_step(h)
    return handlings


def overdue_handlings(user: User) -> QuerySet[Handling]:
    """The overdue records (`overdue_q`) this user may see, the longest overdue first."""
    return (visible_handlings(user).filter(overdue_q()).select_related("unit", "proposal__session", "proposal__term")
            .order_by("due_date", "id"))


def overdue_board(user: User) -> list[dict[str, Any]]:
    """The overdue records grouped by unit, the unit with most first; each record with its days overdue."""
    by_unit: dict[Any, list[Handling]] = defaultdict(list)
    for h in with_deadlines(list(overdue_handlings(user))):
        by_unit[h.unit].append(h)
    return sorted(({"unit": u, "handlings": hs, "count": len(hs)} for u, hs in by_unit.items()),
                  key=lambda r: (-r["count"], r["unit"].name))


def _rate(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


@dataclass
class ProposalStatistics:
    """Figures for a period, session or term (domain.md §1.9 and §B "Statistics")."""

    received: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    filing_rate: float | None = None
    collective: int = 0
    individual: int = 0
    plenary: int = 0
    interim: int = 0
    members_taking_part: int = 0
    members_serving: int = 0
    participation_rate: float | None = None
    assigned_handlings: int = 0
    replied_handlings: int = 0
    reply_rate: float | None = None
    categories: dict[str, int] = field(default_factory=dict)
    adoption_rate: float | None = None
    evaluated: int = 0
    satisfaction: dict[str, int] = field(default_factory=dict)
    satisfaction_rate: float | None = None
    by_dimension: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)
    key_proposals: int = 0
    instructions: int = 0
    overdue_handlings: int = 0


def _local_date(field: str) -> Func:
    """The local calendar date of a datetime column, computed by the database itself. (SQLite's `__date`
    lookup calls back into Python for every row, ~25 µs each: seconds at 100,000 handling records; SQLite's
    own date() gets the zone's UTC offset instead, exact for Asia/Shanghai, which keeps no daylight saving.)"""
    if connection.vendor == "sqlite":
        offset = int(timezone.localtime().utcoffset().total_seconds())
        return Func(F(field), Value(f"{offset:+d} seconds"), function="date", output_field=DateField())
    return TruncDate(field)


def proposal_statistics(*, term: int | None = None, session: int | None = None, date_from: dt.date | None = None,
                        date_to: dt.date | None = None) -> ProposalStatistics:
    """Statistics over submitted proposals of a term, a session or a submission period.

    filing rate = filed (incl. those later assigned, replied, closed) ÷ received; reply rate = replied ÷ assigned
    replying records; adoption rate = replies whose category counts as adopted ÷ approved replies (the
    formula is the `adopted` flag on each result category, editable); satisfaction rate = (满意 + 基本满意) ÷
    evaluated; on-time rate per unit = records replied by their due date ÷ records replied.

    Every figure is counted by the database in a handful of GROUP BY queries (no rows are fetched to be
    counted in Python): it stays well under half a second at 100,000 proposals (bench/proposals_scale.py).
    """
    qs = Proposal.objects.exclude(status=ProposalStatus.DRAFT)
    if term:
        qs = qs.filter(term_id=term)
    if session:
        qs = qs.filter(session_id=session)
    if date_from:
        qs = qs.filter(submitted_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(submitted_at__date__lte=date_to)
    stats = ProposalStatistics()
    # One pass over the proposals gives every proposal-level figure.
    by_status: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    timings: Counter[str] = Counter()
    areas: Counter[str | None] = Counter()
    for status, kind, timing, is_key, area, n in (qs.values_list("status", "kind", "timing", "is_key", "subject_area__name")
                                                  .annotate(n=Count("id")).order_by()):
        by_status[status] += n
        kinds[kind] += n
        timings[timing] += n
        areas[area] += n
        stats.key_proposals += n if is_key else 0
    stats.by_status = dict(by_status)
    stats.received = sum(by_status.values())
    filed_like = sum(by_status.get(s, 0) for s in FILED_LIKE)
    stats.filing_rate = _rate(filed_like, stats.received)
    stats.collective = sum(n for k, n in kinds.items() if k in COLLECTIVE_KINDS)
    stats.individual = stats.received - stats.collective
    stats.plenary, stats.interim = timings.get(Timing.PLENARY, 0), timings.get(Timing.INTERIM, 0)
    # One pass over the proposers, per member: taking part (own proposals, not carried over by a merge) and
    # first proposer (for the sector, party and area breakdowns).
    per_member = {member_id: (own, first) for member_id, own, first in (
        Proposer.objects.filter(proposal__in=qs).values_list("member_id")
        .annotate(own=Count("id", filter=Q(via__isnull=True)), first=Count("id", filter=Q(is_first=True))).order_by())}
    stats.members_taking_part = sum(1 for own, first in per_member.values() if own)
    stats.members_serving = Member.objects.filter(status="active", **({"term_id": term} if term else {})).count()
    stats.participation_rate = _rate(stats.members_taking_part, stats.members_serving)
    sectors: Counter[str | None] = Counter()
    parties: Counter[str | None] = Counter()
    places: Counter[str | None] = Counter()
    for member_id, sector, party, place in (Member.objects.filter(pk__in=[m for m, (own, first) in per_member.items() if first])
                                            .values_list("pk", "sector__name", "party__short_name", "area__name")):
        first = per_member[member_id][1]
        sectors[sector] += first
        parties[party] += first
        places[place] += first
    handlings = Handling.objects.filter(proposal__in=qs, mode__in=REPLYING_MODES).exclude(status=HandlingStatus.REASSIGNED)
    # The result category of each record's latest approved reply.
    approved = Reply.objects.filter(handling__in=handlings, status=ReplyStatus.APPROVED)
    latest = approved.exclude(Exists(Reply.objects.filter(handling_id=OuterRef("handling_id"), status=ReplyStatus.APPROVED,
                                                          id__gt=OuterRef("id"))))
    categories = list(latest.values_list("category__code", "category__adopted").annotate(n=Count("id")).order_by())
    stats.categories = dict(sorted((code, n) for code, adopted, n in categories))
    stats.adoption_rate = _rate(sum(n for code, adopted, n in categories if adopted),
                                sum(n for code, adopted, n in categories))
    evaluations = dict(Evaluation.objects.filter(handling__in=handlings).values_list("satisfaction")
                       .annotate(n=Count("id")).order_by())
    stats.satisfaction = {s.value: evaluations.get(s.value, 0) for s in Satisfaction}
    stats.evaluated = sum(evaluations.values())
    stats.satisfaction_rate = _rate(evaluations.get(Satisfaction.SATISFIED, 0) + evaluations.get(Satisfaction.BASIC, 0),
                                    stats.evaluated)

    def ranked(counts: Counter) -> list[tuple[Any, int]]:
        return sorted(((k, n) for k, n in counts.items() if n), key=lambda kv: (-kv[1], str(kv[0])))

    stats.by_dimension = {"kind": ranked(kinds), "subject_area": ranked(areas), "sector": ranked(sectors),
                          "party": ranked(parties), "area": ranked(places)}
    on_time = LessThanOrEqual(_local_date("replied_at"), F("due_date"))
    # Overdue counts every open record past its due date (`overdue_q`, as the overdue board), co-units' too.
    replying = Q(mode__in=REPLYING_MODES)
    unit_rows = (Handling.objects.filter(proposal__in=qs).exclude(status=HandlingStatus.REASSIGNED)
                 .values("unit_id", "unit__name")
                 .annotate(assigned=Count("id", filter=replying),
                           replied=Count("id", filter=replying & Q(replied_at__isnull=False)),
                           overdue=Count("id", filter=overdue_q()),
                           on_time=Count(Case(When(replying & Q(replied_at__isnull=False) & Q(on_time), then=1))))
                 .order_by("unit__name"))
    stats.units = [{**row, "on_time_rate": _rate(row["on_time"], row["replied"])} for row in unit_rows
                   if row["assigned"] or row["overdue"]]
    stats.overdue_handlings = sum(row["overdue"] for row in stats.units)
    stats.assigned_handlings = sum(row["assigned"] for row in stats.units)
    stats.replied_handlings = sum(row["replied"] for row in stats.units)
    stats.reply_rate = _rate(stats.replied_handlings, stats.assigned_handlings)
    stats.instructions = Instruction.objects.filter(proposal__in=qs).count()
    return stats


def statistics_scope(term: int | None, session: int | None, date_from: dt.date | None = None,
                     date_to: dt.date | None = None) -> str:
    """The snapshot key of a statistics scope: a term, a session and/or a submission period."""
    key = f"term={term or ''};session={session or ''}"
    if date_from or date_to:
        key += f";from={date_from or ''};to={date_to or ''}"
    return key


def statistics_from_figures(figures: dict[str, Any]) -> ProposalStatistics:
    """A `ProposalStatistics` back from the JSON a snapshot stores (lists of pairs become tuples again)."""
    data = dict(figures)
    data["by_dimension"] = {dim: [tuple(pair) for pair in rows] for dim, rows in data.get("by_dimension", {}).items()}
    known = {f.name for f in fields(ProposalStatistics)}
    return ProposalStatistics(**{k: v for k, v in data.items() if k in known})


def newest_event_id() -> int:
    """The newest timeline event: every service that changes a proposal, handling, reply or evaluation
    writes one, so a newer event than a snapshot's means its figures may have changed."""
    from minsheng.core.models import Event

    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


# --- Home pages ------------------------------------------------------------------------------------------

TASKS_ON_HOME = 5


def list_filters(query: Any) -> dict[str, Any]:
    """The `proposal_list` filters of a list URL's query (a QueryDict or a dict of strings): the list page and
    every home figure read their filters with this one function, so a figure counts what its link lists."""
    def number(name: str) -> int | None:
        value = str(query.get(name) or "")
        return int(value) if value.isdigit() else None

    return {"q": str(query.get("q") or "").strip(), "status": query.get("status") or None, "session": number("session"),
            "kind": query.get("kind") or None, "timing": query.get("timing") or None, "unit": number("unit"),
            "is_key": {"1": True, "0": False}.get(str(query.get("is_key") or "")), "overdue": str(query.get("overdue")) == "1",
            "subject_area": number("subject_area"), "stage": query.get("stage") or None, "supervisor": number("supervisor")}


def _figure(user: User, label: str, icon: str, tone: str = "", note: str = "", **query: Any) -> Card:
    """A figure that is the proposal list's count for `query`, linked to that list."""
    params = {k: v for k, v in query.items() if v not in (None, "")}
    count = proposal_list(user, **list_filters(params)).count()
    url = reverse("proposals:list") + ("?" + urlencode(params) if params else "")
    return Card(label, count, url, icon, note=note, tone=tone if count else "")


def current_session() -> Session | None:
    """The session proposals are counted for on the home pages: the latest one already opened, else the first."""
    today = timezone.localdate()
    return (Session.objects.filter(opens_on__lte=today).order_by("-opens_on", "-pk").first()
            or Session.objects.order_by("opens_on", "pk").first())


def _proposal_task(p: Proposal, *, detail: str = "", badge: str = "", since: dt.datetime | None = None) -> Task:
    waiting = (timezone.localdate() - timezone.localtime(since).date()).days if since else 0
    return Task(f"{p.number} {p.title}".strip(), reverse("proposals:proposal_detail", args=[p.pk]),
                detail=detail or (_("waiting %(n)s days") % {"n": waiting} if since else ""), badge=badge)


def _handling_task(h: Handling, *, detail: str = "") -> Task:
    return Task(f"{h.proposal.number} {h.proposal.title}".strip(), reverse("proposals:proposal_detail", args=[h.proposal_id]),
                detail=detail or h.unit.name, due=h.due_date, days_overdue=h.days_overdue)


def _overdue_card(user: User) -> Card:
    count = overdue_handlings(user).count()
    return Card(_("Overdue handlings"), count, reverse("proposals:overdue"), "exclamation-triangle",
                tone="danger" if count else "")


def _overdue_tasks(user: User) -> list[Task]:
    return [_handling_task(h) for h in with_deadlines(list(overdue_handlings(user)[:TASKS_ON_HOME]))]


def monthly_trend(months: int = 12) -> Trend | None:
    """Proposals received and replies sent per month over the last `months` months (cached for ten minutes
    under the newest timeline event: every submission and reply writes one)."""
    from django.core.cache import cache

    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    labels = []
    month = first
    while month <= today:
        labels.append(month.strftime("%Y-%m"))
        month = (month + dt.timedelta(days=32)).replace(day=1)

    def compute() -> dict[str, dict[str, int]]:
        start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
        counts: dict[str, dict[str, int]] = {"received": {}, "replied": {}}
        for name, qs, column in (("received", Proposal.objects.exclude(status=ProposalStatus.DRAFT), "submitted_at"),
                                 ("replied", Handling.objects.filter(mode__in=REPLYING_MODES), "replied_at")):
            # Per day in the database (SQLite's own date(), no Python per row), per month here.
            for day, n in (qs.filter(**{f"{column}__gte": start}).annotate(day=_local_date(column))
                           .values_list("day").annotate(n=Count("id")).order_by()):
                key = str(day)[:7]
                counts[name][key] = counts[name].get(key, 0) + n
        return counts

    counts = cache.get_or_set(f"proposals:trend:{newest_event_id()}:{first}", compute, 600)
    if not any(counts["received"].values()) and not any(counts["replied"].values()):
        return None
    return Trend("proposals", _("Proposals received and replies sent per month"), reverse("proposals:statistics"), labels, [
        {"name": _("Proposals received"), "kind": "bar", "values": [counts["received"].get(m, 0) for m in labels], "axis": 0},
        {"name": _("Replies sent"), "kind": "line", "values": [counts["replied"].get(m, 0) for m in labels], "axis": 0},
    ])


def _office_sections(user: User) -> list[Section]:
    """The office's queues: review, assignment, handling (replies to approve, requests, overdue)."""
    review = list(proposal_list(user, stage="review").order_by("submitted_at", "id")[:TASKS_ON_HOME])
    filed = list(proposal_list(user, status=ProposalStatus.FILED).order_by("-is_urgent", "submitted_at", "id")[:TASKS_ON_HOME])
    status_labels = dict(ProposalStatus.choices)
    return [
        Section("review", _("Review queue"), order=10, url=reverse("proposals:list") + "?stage=review",
                url_label=_("All under review"), empty=_("Nothing waits for review."),
                cards=[_figure(user, _("Proposals under review"), "hourglass", "primary", stage="review"),
                       _figure(user, _("Waiting for the first review"), "inbox", status=ProposalStatus.SUBMITTED),
                       _figure(user, _("In first review"), "search", status=ProposalStatus.FIRST_REVIEW),
                       _figure(user, _("In second review"), "check2-square", status=ProposalStatus.SECOND_REVIEW)],
                tasks=[_proposal_task(p, badge=status_labels[p.status], since=p.submitted_at) for p in review]),
        Section("assign", _("Assignment queue"), order=20, url=reverse("proposals:list") + "?status=filed",
                url_label=_("All filed, not yet assigned"), empty=_("Nothing waits for assignment."),
                cards=[_figure(user, _("Filed, to assign"), "send", "primary", status=ProposalStatus.FILED),
                       _figure(user, _("Being handled"), "arrow-repeat", status=ProposalStatus.ASSIGNED)],
                tasks=[_proposal_task(p, badge=_("Fast track") if p.is_urgent else "", since=p.submitted_at) for p in filed]),
        Section("handling", _("Handling"), order=30, url=reverse("proposals:overdue"), url_label=_("Overdue board"),
                empty=_("No handling record is overdue."),
                cards=[_figure(user, _("With a reply to approve"), "envelope-check", "primary", stage="reply_review"),
                       _figure(user, _("With a request to decide"), "question-circle", "primary", stage="requests"),
                       _overdue_card(user)],
                tasks=_overdue_tasks(user)),
    ]


def _leader_sections(user: User) -> list[Section]:
    """The leader's questions: this session's proposals (filed, handled, satisfaction), what is overdue, the key
    proposals and the leader's own 督办 items, and the monthly trend."""
    from .services import statistics_snapshot

    session = current_session()
    scope = {"session": session.pk} if session else {}
    cards = [_figure(user, _("Proposals received"), "file-earmark-text", stage="received", **scope),
             _figure(user, _("Filed"), "folder-check", stage="filed_all", **scope),
             _figure(user, _("Replied or closed"), "envelope-check", stage="handled", **scope)]
    stats = statistics_snapshot(session=session.pk if session else None).stats
    statistics_url = reverse("proposals:statistics") + (f"?session={session.pk}" if session else "")
    cards.append(Card(_("Satisfaction rate"), "—" if stats.satisfaction_rate is None else f"{stats.satisfaction_rate}%",
                      statistics_url, "emoji-smile",
                      note=_("reply rate %(r)s") % {"r": "—" if stats.reply_rate is None else f"{stats.reply_rate}%"}))
    mine = [_handling_task(h, detail=f"{h.unit.name} · {_('Key proposal')}") for h in with_deadlines(list(
        overdue_handlings(user).filter(proposal__supervising_leader=user)[:TASKS_ON_HOME]))]
    return [
        Section("proposals", session.name if session else _("Proposals"), cards=cards, order=10,
                url=statistics_url, url_label=_("Proposal statistics"), trend=monthly_trend()),
        Section("supervise", _("Supervision (督办)"), order=20, url=reverse("proposals:overdue"),
                url_label=_("Overdue board"), empty=_("No key proposal you supervise is overdue."),
                cards=[_overdue_card(user),
                       _figure(user, _("Key proposals"), "star", is_key=1),
                       _figure(user, _("Key proposals I supervise"), "person-check", "primary", is_key=1, supervisor=user.pk)],
                tasks=mine or _overdue_tasks(user)),
    ]


def _unit_sections(user: User) -> list[Section]:
    """The unit's records: what it must do next, soonest due first, overdue marked."""
    desk = reverse("proposals:unit_desk")
    counts = unit_desk_counts(user)
    rows = with_deadlines(list(unit_desk(user)[:TASKS_ON_HOME + 3]))
    return [Section("desk", _("Proposals to handle"), order=10, url=desk, url_label=_("Unit desk"),
                    empty=_("Nothing is waiting for your unit."),
                    cards=[Card(_("To do"), counts["open"], desk, "list-check", tone="primary" if counts["open"] else ""),
                           Card(_("To sign"), counts["sign"], f"{desk}?show=sign", "pen"),
                           Card(_("Overdue"), counts["overdue"], f"{desk}?show=overdue", "exclamation-triangle",
                                tone="danger" if counts["overdue"] else "")],
                    tasks=[_handling_task(h, detail=h.next_label) for h in rows])]


def _member_sections(user: User) -> list[HomeItem]:
    """The member's questions: what to sign, evaluate or revise; drafts waiting for co-signers; their
    proposals with status."""
    status_labels = dict(ProposalStatus.choices)
    cosign = list(proposal_list(user, stage="cosign")[:TASKS_ON_HOME])
    waiting = list(proposal_list(user, stage="awaiting_cosigners")[:TASKS_ON_HOME])
    returned = list(proposal_list(user, status=ProposalStatus.RETURNED)[:TASKS_ON_HOME])
    evaluate = list(replies_to_evaluate(user)[:TASKS_ON_HOME])
    latest = list(proposal_list(user, stage="received")[:TASKS_ON_HOME])
    tasks = [_proposal_task(p, detail=_("Confirm co-signing"), badge=_("Co-signing")) for p in cosign]
    tasks += [Task(f"{h.proposal.number} {h.proposal.title}", reverse("proposals:proposal_detail", args=[h.proposal_id]),
                   detail=_("Evaluate the reply of %(unit)s") % {"unit": h.unit.name}, badge=_("Reply")) for h in evaluate]
    tasks += [_proposal_task(p, detail=_("Revise and resubmit"), badge=status_labels[p.status]) for p in returned]
    tasks += [_proposal_task(p, detail=_("Waiting for: %(names)s") % {"names": "、".join(
        x.member.name for x in p.proposers.all() if not x.confirmed_at)}, badge=_("Awaiting co-signers")) for p in waiting]
    return [
        Action(_("New proposal"), reverse("proposals:new"), "plus-lg", testid="new-proposal"),
        Section("todo", _("To do"), order=10, empty=_("Nothing waits for you."), tasks=tasks,
                cards=[_figure(user, _("Waiting for my co-signature"), "pen", "primary", stage="cosign"),
                       _figure(user, _("Proposals with a reply to evaluate"), "chat-square-text", "primary",
                               stage="to_evaluate"),
                       _figure(user, _("My drafts"), "pencil", status=ProposalStatus.DRAFT),
                       _figure(user, _("My drafts awaiting co-signers"), "people", stage="awaiting_cosigners")]),
        Section("mine", _("My proposals"), order=20, url=reverse("proposals:list") + "?stage=received",
                url_label=_("All my proposals"), empty=_("You have not submitted a proposal yet."),
                cards=[_figure(user, _("My proposals"), "file-earmark-text", stage="received")],
                tasks=[_proposal_task(p, badge=status_labels[p.status]) for p in latest]),
    ]


def dashboard_cards(user: User) -> list[HomeItem]:
    """The proposal sections of each role's home page; every figure is the count of the list it links to."""
    if not user.is_authenticated:
        return []
    if user.is_superuser or user.role == "staff":
        return _office_sections(user)
    if user.role == "leader":
        return _leader_sections(user)
    if user.role == "unit_handler" and user.unit_id:
        return _unit_sections(user)
    if user.role == "member":
        return _member_sections(user)
    return []


def search_facts(ids: list[str]) -> dict:
    """What a search hit of a proposal shows beside its title — number, status, kind, date, proposers and the
    indexed text for the snippet — for the hits of one page, in two queries (`core.search.register_source`)."""
    from minsheng.core.search import HitFacts

    qs = (Proposal.objects.filter(pk__in=ids).select_related("term", "session")
          .prefetch_related(Prefetch("proposers", queryset=Proposer.objects.select_related("member").order_by("order", "id"))))
    return {str(p.pk): HitFacts(number=p.number or "", status=p.get_status_display(), kind=p.get_kind_display(),
                                date=p.submitted_at, who="、".join(x.member.name for x in p.proposers.all()) or p.org_name,
                                text=f"{p.situation} {p.analysis} {p.suggestions}") for p in qs}
