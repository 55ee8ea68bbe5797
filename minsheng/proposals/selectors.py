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
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.models import Member, User
from minsheng.core.search import search_matches
from minsheng.core.selectors import Card

from .choices import (
    COLLECTIVE_KINDS,
    HANDLING_OPEN,
    REPLYING_MODES,
    HandlingMode,
    HandlingStatus,
    ProposalStatus,
    ReplyStatus,
    Satisfaction,
    Timing,
)
from .models import Evaluation, Handling, Instruction, Proposal, Proposer, Reply


def sees_everything(user: User) -> bool:
    """The office (staff, superusers) and leaders see every proposal, handling record and draft reply."""
    return user.is_authenticated and (user.has_perm("proposals.manage_proposals") or user.role == "leader")


def visible_proposals(user: User) -> QuerySet[Proposal]:
    """THE visibility selector: the proposals this user may open. The office everything; a member their own
    (drafted or signed); a unit handler what its unit handles (not re-assigned away); anyone else what they
    drafted. The `view_proposal` rule, every list, the nominations and search (`proposals_viewable`, which adds
    the published proposals) are answered by it."""
    qs = Proposal.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    # Semi-joins (`pk IN (subquery)`) rather than joins: no duplicate rows, so no DISTINCT over every column
    # and a plain COUNT(*) for the pager (at 100,000 proposals the DISTINCT cost more than the page itself).
    if user.role == "unit_handler" and user.unit_id:
        return qs.filter(pk__in=Handling.objects.filter(unit_id=user.unit_id).exclude(status=HandlingStatus.REASSIGNED)
                         .values("proposal_id"))
    member = Member.objects.filter(user=user).first()
    if member is None:
        return qs.filter(created_by=user)
    return qs.filter(Q(created_by=user) | Q(pk__in=Proposer.objects.filter(member=member).values("proposal_id")))


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


def proposal_list(user: User, *, q: str = "", status: str | None = None, session: int | None = None,
                  kind: str | None = None, timing: str | None = None, unit: int | None = None, is_key: bool | None = None,
                  overdue: bool | None = None, subject_area: int | None = None) -> QuerySet[Proposal]:
    """The proposals a user may see, filtered, with every join a list row needs (a fixed number of queries)."""
    qs = visible_proposals(user)
    if status:
        qs = qs.filter(status=status)
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
    if overdue:
        qs = qs.filter(pk__in=Handling.objects.filter(overdue_since__isnull=False, status__in=HANDLING_OPEN)
                       .values("proposal_id"))
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
            Prefetch("handlings", queryset=visible_handlings(user).select_related("unit").exclude(status="reassigned")),
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
    """The handling records of the user's unit, most urgent first."""
    return (Handling.objects.filter(unit_id=user.unit_id).exclude(status=HandlingStatus.REASSIGNED)
            .select_related("proposal__session", "proposal__term", "unit").order_by("status", "due_date", "id"))


def overdue_board() -> list[dict[str, Any]]:
    """Open handling records past their due date, grouped by unit, the unit with most first."""
    rows = (Handling.objects.filter(status__in=HANDLING_OPEN, due_date__lt=timezone.localdate())
            .select_related("unit", "proposal__session", "proposal__term").order_by("unit__name", "due_date"))
    by_unit: dict[Any, list[Handling]] = defaultdict(list)
    for h in rows:
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
    filed_like = sum(by_status.get(s, 0) for s in (ProposalStatus.FILED, ProposalStatus.ASSIGNED,
                                                   ProposalStatus.REPLIED, ProposalStatus.CLOSED))
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
    unit_rows = (handlings.values("unit_id", "unit__name")
                 .annotate(assigned=Count("id"), replied=Count("id", filter=Q(replied_at__isnull=False)),
                           overdue=Count("id", filter=Q(overdue_since__isnull=False)),
                           on_time=Count(Case(When(Q(replied_at__isnull=False) & Q(on_time), then=1))))
                 .order_by("unit__name"))
    stats.units = [{**row, "on_time_rate": _rate(row["on_time"], row["replied"])} for row in unit_rows]
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


def dashboard_cards(user: User) -> list[Card]:
    """Proposal figures on each role's home page."""
    if not user.is_authenticated:
        return []
    url = reverse("proposals:list")
    if user.is_superuser or user.role in ("staff", "leader"):
        qs = Proposal.objects.exclude(status=ProposalStatus.DRAFT)
        awaiting = qs.filter(status__in=(ProposalStatus.SUBMITTED, ProposalStatus.FIRST_REVIEW, ProposalStatus.SECOND_REVIEW)).count()
        overdue = Handling.objects.filter(status__in=HANDLING_OPEN, due_date__lt=timezone.localdate()).count()
        return [
            Card(_("Proposals received"), qs.count(), url, "file-earmark-text"),
            Card(_("Proposals under review"), awaiting, f"{url}?status=submitted", "hourglass"),
            Card(_("Being handled"), qs.filter(status=ProposalStatus.ASSIGNED).count(), f"{url}?status=assigned", "arrow-repeat"),
            Card(_("Overdue handlings"), overdue, reverse("proposals:overdue"), "exclamation-triangle"),
        ]
    if user.role == "unit_handler" and user.unit_id:
        mine = Handling.objects.filter(unit_id=user.unit_id).exclude(status=HandlingStatus.REASSIGNED)
        return [
            Card(_("To sign"), mine.filter(status=HandlingStatus.NEW).count(), reverse("proposals:unit_desk"), "pen"),
            Card(_("In hand"), mine.filter(status__in=HANDLING_OPEN).count(), reverse("proposals:unit_desk"), "arrow-repeat"),
            Card(_("Overdue"), mine.filter(status__in=HANDLING_OPEN, due_date__lt=timezone.localdate()).count(),
                 reverse("proposals:unit_desk"), "exclamation-triangle"),
        ]
    if user.role == "member":
        mine = visible_proposals(user)
        return [
            Card(_("My proposals"), mine.exclude(status=ProposalStatus.DRAFT).count(), url, "file-earmark-text"),
            Card(_("My drafts"), mine.filter(status=ProposalStatus.DRAFT).count(), f"{url}?status=draft", "pencil"),
            Card(_("Replies to evaluate"), Handling.objects.filter(
                proposal__in=mine, status__in=(HandlingStatus.REPLIED, HandlingStatus.FOLLOW_UP)).exclude(
                replies__evaluations__member__user=user).distinct().count(), url, "chat-square-text"),
        ]
    return []
