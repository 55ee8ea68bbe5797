"""Every write on proposals: drafting, review, assignment, unit handling, replies, evaluation, supervision.

Each service checks permission and state first (raising a domain error with a stable code and changing
nothing), then changes rows inside one transaction, records an Event, and defers notifications to
after the commit. A transition not allowed from the current state raises InvalidTransition (HTTP 409).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import calendar
from minsheng.core.errors import Conflict, Forbidden, Invalid, InvalidTransition
from minsheng.core.models import Member, Notification, Session, Term, Unit, User
from minsheng.core.search import search_index
from minsheng.core.selectors import event_actor
from minsheng.core.services import after_commit, event_record, notify
from minsheng.core.text import strip_control

from . import errors
from .choices import (
    HANDLING_OPEN,
    PROPOSAL_REVIEWABLE,
    REPLYING_MODES,
    HandlingMode,
    HandlingStatus,
    ProposalStatus,
    ProposerKind,
    ReplyStatus,
    RequestKind,
    RequestStatus,
    ReviewOutcome,
    Satisfaction,
    Timing,
)
from .models import (
    ContactLog,
    Evaluation,
    Handling,
    HandlingRequest,
    Instruction,
    NotFiledReason,
    Proposal,
    Proposer,
    Reply,
    ResultCategory,
    StatisticsSnapshot,
)

# Sessions whose cut-off is at most this far ahead receive plenary proposals (a proposal drafted months
# before the session is between-session work of the previous one).
PLENARY_WINDOW = dt.timedelta(days=120)

PROPOSAL_FIELDS = ("title", "situation", "analysis", "suggestions", "subject_area", "consent_publish", "is_urgent",
                   "org_party", "org_sector", "org_committee", "org_name")


# --- helpers -------------------------------------------------------------------------------------------


def _require(actor: User, perm: str, obj: Any = None, message: str | None = None) -> None:
    if not actor.has_perm(perm, obj):
        raise Forbidden(message or _("You may not do this."))


def _lock_proposal(proposal: Proposal, expected_version: int | None = None) -> Proposal:
    locked = Proposal.objects.select_for_update(of=("self",)).select_related("term", "session").get(pk=proposal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("Someone else changed this proposal first; reload and try again."), code=errors.STALE_VERSION)
    return locked


def _lock_handling(handling: Handling) -> Handling:
    return Handling.objects.select_for_update(of=("self",)).select_related("proposal", "unit").get(pk=handling.pk)


def _transition(obj: Any, allowed: Iterable[str], action: str) -> str:
    if obj.status not in allowed:
        raise InvalidTransition(
            _("Cannot %(action)s: the item is %(status)s.") % {"action": action, "status": obj.get_status_display()}
        )
    return obj.status


def _set_status(proposal: Proposal, status: str, *, actor: User | None, verb: str, note: str = "",
                data: dict | None = None, fields: Sequence[str] = ()) -> None:
    before = proposal.status
    proposal.status = status
    proposal.version += 1
    proposal.save(update_fields=["status", "version", *fields])
    event_record(actor=actor, verb=verb, target=proposal, from_state=before, to_state=status, note=note, data=data)


def _set_handling(handling: Handling, status: str, *, actor: User | None, verb: str, note: str = "",
                  fields: Sequence[str] = (), data: dict | None = None) -> None:
    before = handling.status
    handling.status = status
    handling.save(update_fields=["status", *fields])
    event_record(actor=actor, verb=verb, target=handling, from_state=before, to_state=status, note=note, data=data)
    event_record(actor=actor, verb=f"handling_{verb}", target=handling.proposal, from_state=before, to_state=status,
                 note=f"{handling.unit.name}: {note}" if note else handling.unit.name, data={"handling": handling.pk})


def _proposer_users(proposal: Proposal) -> list[User]:
    return [p.member.user for p in proposal.proposers.select_related("member__user") if p.member.user_id]


def _staff_users() -> list[User]:
    return list(User.objects.filter(role="staff", is_active=True))


def _unit_users(unit: Unit) -> list[User]:
    return list(User.objects.filter(unit=unit, role="unit_handler", is_active=True))


def _clean_text(data: dict[str, Any]) -> dict[str, Any]:
    # Control characters (a pasted \x0b) are dropped at input, whatever the caller (page, API, import):
    # stored, they would break every Word and Excel export of the proposal.
    cleaned = {f: strip_control(v, multiline=f != "title") if isinstance(v, str) and f in TEXT_FIELDS else v
               for f, v in data.items()}
    missing = {f: "required" for f in ("title", "situation", "analysis", "suggestions")
               if f in cleaned and not str(cleaned[f] or "").strip()}
    if missing:
        raise Invalid(_("These sections are required: %(fields)s.") % {"fields": ", ".join(missing)}, fields=missing)
    limits = {"title": 120, "situation": 8000, "analysis": 8000, "suggestions": 8000}
    too_long = {f: f"max {n} characters" for f, n in limits.items() if len(str(cleaned.get(f) or "")) > n}
    if too_long:
        raise Invalid(_("These sections are too long: %(fields)s.") % {"fields": ", ".join(too_long)}, fields=too_long)
    return cleaned


TEXT_FIELDS = ("title", "situation", "analysis", "suggestions")


# --- drafting ------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(*, actor: User, term: Term, title: str, situation: str, analysis: str, suggestions: str,
                    kind: str = ProposerKind.MEMBER, cosigners: Sequence[Member] = (), first_member: Member | None = None,
                    tags: Iterable[Any] = (), suggested_units: Iterable[Unit] = (), **fields: Any) -> Proposal:
    """Start a draft. A member drafts for themself (first proposer) with optional co-signers, who must confirm
    before submission; staff enter organisation proposals (party, sector, committee…) on their behalf."""
    data = _clean_text({"title": title, "situation": situation, "analysis": analysis, "suggestions": suggestions})
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}, fields={f: "unknown" for f in unknown})
    own = getattr(actor, "member", None) if hasattr(actor, "member") else None
    if kind in (ProposerKind.MEMBER, ProposerKind.JOINT):
        first_member = first_member or own
        if first_member is None or (first_member != own and not actor.has_perm("proposals.manage_proposals")):
            raise Forbidden(_("Only a member can draft a member's proposal."), code=errors.NOT_A_MEMBER)
        kind = ProposerKind.JOINT if cosigners else ProposerKind.MEMBER
    elif not actor.has_perm("proposals.manage_proposals"):
        raise Forbidden(_("Organisation proposals are entered by the office."))
    proposal = Proposal.objects.create(term=term, kind=kind, created_by=actor, **data, **fields)
    proposal.tags.set(tags)
    proposal.suggested_units.set(suggested_units)
    now = timezone.now()
    if first_member is not None:
        Proposer.objects.create(proposal=proposal, member=first_member, order=1, is_first=True, confirmed_at=now)
    for order, member in enumerate((m for m in cosigners if m != first_member), start=2):
        Proposer.objects.create(proposal=proposal, member=member, order=order)
    event_record(actor=actor, verb="drafted", target=proposal, to_state=proposal.status)
    invited = [m.user for m in cosigners if m.user_id and m != first_member]
    if invited:
        notify(recipients=invited, kind=Notification.Kind.ACTION, title=_("Please confirm co-signing: %(title)s") % {"title": proposal.title})
    return proposal


@transaction.atomic
def proposal_update(*, actor: User, proposal: Proposal, tags: Iterable[Any] | None = None,
                    suggested_units: Iterable[Unit] | None = None, **fields: Any) -> Proposal:
    """Edit a draft or a returned proposal. Co-signers must confirm again after the text changes."""
    proposal = _lock_proposal(proposal)
    _require(actor, "proposals.edit_proposal", proposal)
    _transition(proposal, (ProposalStatus.DRAFT, ProposalStatus.RETURNED), _("edit"))
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}, fields={f: "unknown" for f in unknown})
    data = _clean_text({**{f: getattr(proposal, f) for f in ("title", "situation", "analysis", "suggestions")}, **fields})
    text_changed = any(data[f] != getattr(proposal, f) for f in ("title", "situation", "analysis", "suggestions"))
    for name, value in data.items():
        setattr(proposal, name, value)
    proposal.version += 1
    proposal.save()
    if tags is not None:
        proposal.tags.set(tags)
    if suggested_units is not None:
        proposal.suggested_units.set(suggested_units)
    if text_changed:
        proposal.proposers.filter(is_first=False, via__isnull=True).update(confirmed_at=None)
    event_record(actor=actor, verb="edited", target=proposal, note=", ".join(sorted(fields)))
    return proposal


@transaction.atomic
def proposer_confirm(*, actor: User, proposal: Proposal) -> Proposer:
    """A co-signer confirms joining the proposal (联名确认)."""
    proposal = _lock_proposal(proposal)
    _transition(proposal, (ProposalStatus.DRAFT, ProposalStatus.RETURNED), _("confirm co-signing"))
    member = getattr(actor, "member", None) if hasattr(actor, "member") else None
    proposer = proposal.proposers.filter(member=member).first() if member else None
    if proposer is None:
        raise Forbidden(_("You are not a co-signer of this proposal."), code=errors.NOT_A_COSIGNER)
    proposer.confirmed_at = timezone.now()
    proposer.save(update_fields=["confirmed_at"])
    event_record(actor=actor, verb="cosigner_confirmed", target=proposal, note=member.name)
    return proposer


@transaction.atomic
def proposal_confirm_seal(*, actor: User, proposal: Proposal) -> Proposal:
    """The office confirms the organisation's seal (or the convener's signature) on a collective proposal."""
    proposal = _lock_proposal(proposal)
    _require(actor, "proposals.manage_proposals")
    _transition(proposal, (ProposalStatus.DRAFT, ProposalStatus.RETURNED), _("confirm the seal"))
    proposal.seal_confirmed_at = timezone.now()
    proposal.save(update_fields=["seal_confirmed_at"])
    event_record(actor=actor, verb="seal_confirmed", target=proposal)
    return proposal


def _session_and_timing(term: Term, when: dt.datetime) -> tuple[Session, str]:
    sessions = list(term.sessions.order_by("proposal_cutoff"))
    if not sessions:
        raise Invalid(_("The term has no session: add one in the back office."), code=errors.NO_SESSION)
    for session in sessions:
        if when <= session.proposal_cutoff and session.proposal_cutoff - when <= PLENARY_WINDOW:
            return session, Timing.PLENARY
    before = [s for s in sessions if s.proposal_cutoff < when]
    return (before[-1] if before else sessions[0]), Timing.INTERIM


@transaction.atomic
def proposal_submit(*, actor: User, proposal: Proposal, now: dt.datetime | None = None) -> Proposal:
    """Submit a draft (or resubmit a returned proposal). Before the session's cut-off it is a plenary
    proposal, after it a between-session one; it gets the next number of its session."""
    proposal = _lock_proposal(proposal)
    _require(actor, "proposals.edit_proposal", proposal)
    before = _transition(proposal, (ProposalStatus.DRAFT, ProposalStatus.RETURNED), _("submit"))
    pending = list(proposal.proposers.filter(confirmed_at__isnull=True).values_list("member__name", flat=True))
    if pending:
        raise InvalidTransition(_("Co-signers have not confirmed yet: %(names)s.") % {"names": "、".join(pending)},
                                code=errors.COSIGNERS_UNCONFIRMED, fields={"cosigners": "unconfirmed"})
    if proposal.is_collective and proposal.seal_confirmed_at is None:
        raise InvalidTransition(_("The organisation's seal has not been confirmed."), code=errors.SEAL_UNCONFIRMED)
    now = now or timezone.now()
    if before == ProposalStatus.DRAFT:
        session, timing = _session_and_timing(proposal.term, now)
        Session.objects.select_for_update().filter(pk=session.pk).first()  # serialises numbering per session
        last = Proposal.objects.filter(session=session).aggregate(m=Max("serial"))["m"] or 0
        proposal.session, proposal.timing, proposal.serial = session, timing, last + 1
    proposal.submitted_at = now
    _set_status(proposal, ProposalStatus.SUBMITTED, actor=actor, verb="submitted" if before == ProposalStatus.DRAFT else "resubmitted",
                fields=["session", "timing", "serial", "submitted_at"])
    search_index(proposal)
    notify(recipients=_staff_users(), kind=Notification.Kind.INFO, action_for=[event_actor(proposal, "returned")],
           title=_("New proposal %(number)s: %(title)s") % {"number": proposal.number, "title": proposal.title})
    return proposal


# --- review --------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_review(*, actor: User, proposal: Proposal, step: str, note: str = "") -> Proposal:
    """Move a submitted proposal through first review (初审) and second review (复审)."""
    proposal = _lock_proposal(proposal)
    _require(actor, "proposals.manage_proposals")
    if step == "first":
        _transition(proposal, (ProposalStatus.SUBMITTED,), _("start the first review"))
        _set_status(proposal, ProposalStatus.FIRST_REVIEW, actor=actor, verb="first_review", note=note)
    elif step == "second":
        _transition(proposal, (ProposalStatus.FIRST_REVIEW,), _("start the second review"))
        _set_status(proposal, ProposalStatus.SECOND_REVIEW, actor=actor, verb="second_review", note=note)
    else:
        raise Invalid(_("Unknown review step."), fields={"step": "must be first or second"})
    return proposal


@transaction.atomic
def proposal_decide(*, actor: User, proposal: Proposal, outcome: str, note: str = "", merge_into: Proposal | None = None,
                    reason: NotFiledReason | None = None, refer_to: Unit | None = None,
                    version: int | None = None) -> Proposal:
    """The collective decision after review: file, merge, return for revision, not file (with a reason)
    or refer to a department. Returning is allowed from either review step."""
    proposal = _lock_proposal(proposal, version)
    _require(actor, "proposals.manage_proposals")
    allowed = PROPOSAL_REVIEWABLE[1:] if outcome == ReviewOutcome.RETURN else (ProposalStatus.SECOND_REVIEW,)
    _transition(proposal, allowed, _("decide on the review"))
    now = timezone.now()
    proposers = _proposer_users(proposal)
    if outcome == ReviewOutcome.FILE:
        proposal.filed_at = now
        _set_status(proposal, ProposalStatus.FILED, actor=actor, verb="filed", note=note, fields=["filed_at"])
        notify(recipients=proposers, kind=Notification.Kind.FOLLOW, title=_("Your proposal was filed: %(title)s") % {"title": proposal.title})
    elif outcome == ReviewOutcome.MERGE:
        target = _lock_proposal(merge_into) if merge_into is not None and merge_into.pk != proposal.pk else None
        if (target is None or target.term_id != proposal.term_id
                or target.status not in (*PROPOSAL_REVIEWABLE, ProposalStatus.FILED, ProposalStatus.ASSIGNED)):
            raise Invalid(_("Choose another proposal of the same term, under review, filed or being handled."),
                          code=errors.MERGE_TARGET_INVALID, fields={"merge_into": "invalid"})
        next_order = (target.proposers.aggregate(m=Max("order"))["m"] or 0) + 1
        present = set(target.proposers.values_list("member_id", flat=True))
        for p in proposal.proposers.all():
            if p.member_id not in present:
                Proposer.objects.create(proposal=target, member=p.member, order=next_order, confirmed_at=p.confirmed_at,
                                        via=proposal)
                next_order += 1
        proposal.merged_into = target
        _set_status(proposal, ProposalStatus.MERGED, actor=actor, verb="merged", note=note,
                    data={"into": target.pk}, fields=["merged_into"])
        event_record(actor=actor, verb="merged_in", target=target, note=proposal.title, data={"from": proposal.pk})
        notify(recipients=proposers, kind=Notification.Kind.FOLLOW, title=_("Your proposal was merged into %(number)s %(title)s; you keep your credit "
                                             "and will get your own reply.") % {"number": target.number, "title": target.title})
    elif outcome == ReviewOutcome.RETURN:
        if not note.strip():
            raise Invalid(_("Say what to revise."), code=errors.REASON_REQUIRED, fields={"note": "required"})
        proposal.review_note = note
        _set_status(proposal, ProposalStatus.RETURNED, actor=actor, verb="returned", note=note, fields=["review_note"])
        notify(recipients=proposers, kind=Notification.Kind.FOLLOW,
               action_for=[p.member.user for p in proposal.proposers.filter(is_first=True).select_related("member__user")],
               title=_("Please revise and resubmit: %(title)s") % {"title": proposal.title}, body=note)
    elif outcome == ReviewOutcome.NOT_FILE:
        if reason is None:
            raise Invalid(_("Choose the reason for not filing."), code=errors.REASON_REQUIRED, fields={"reason": "required"})
        proposal.not_filed_reason, proposal.review_note = reason, note
        _set_status(proposal, ProposalStatus.NOT_FILED, actor=actor, verb="not_filed", note=f"{reason.text} {note}".strip(),
                    fields=["not_filed_reason", "review_note"])
        notify(recipients=proposers, kind=Notification.Kind.FOLLOW, title=_("Your proposal was not filed: %(title)s") % {"title": proposal.title},
               body=f"{reason.text}\n{note}".strip())
    elif outcome == ReviewOutcome.REFER:
        proposal.referred_to, proposal.review_note = refer_to, note
        _set_status(proposal, ProposalStatus.REFERRED, actor=actor, verb="referred", note=note,
                    fields=["referred_to", "review_note"])
        notify(recipients=proposers, kind=Notification.Kind.FOLLOW, title=_("Your proposal was referred for reference: %(title)s") % {"title": proposal.title})
    else:
        raise Invalid(_("Unknown review outcome."), fields={"outcome": "unknown"})
    return proposal


def proposal_bulk_decide(*, actor: User, proposals: Sequence[Proposal], outcome: str, note: str = "",
                         reason: NotFiledReason | None = None) -> dict[int, str]:
    """Apply one decision to many proposals, each in its own transaction. Returns {id: "ok" or error code}."""
    results: dict[int, str] = {}
    for proposal in proposals:
        try:
            proposal_decide(actor=actor, proposal=proposal, outcome=outcome, note=note, reason=reason)
            results[proposal.pk] = "ok"
        except (InvalidTransition, Invalid, Forbidden) as exc:
            results[proposal.pk] = exc.code
    return results


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: Proposal, note: str = "") -> Proposal:
    """The proposer withdraws (撤案) before a decision; the office may record it for them."""
    proposal = _lock_proposal(proposal)
    if not (actor.has_perm("proposals.manage_proposals") or
            proposal.proposers.filter(member__user=actor, is_first=True).exists()):
        raise Forbidden(_("Only the first proposer or the office may withdraw a proposal."))
    _transition(proposal, (*PROPOSAL_REVIEWABLE, ProposalStatus.RETURNED), _("withdraw"))
    _set_status(proposal, ProposalStatus.WITHDRAWN, actor=actor, verb="withdrawn", note=note)
    return proposal


# --- assignment ----------------------------------------------------------------------------------------


def _new_handling(proposal: Proposal, unit: Unit, mode: str, start: dt.date, lead: Handling | None = None,
                  round_: int = 1, reassigned_from: Handling | None = None) -> Handling:
    reply_rule = "proposal-fast-track" if proposal.is_urgent else "proposal-reply"
    due = calendar.due_date("proposal-co-opinion" if mode == HandlingMode.CO else reply_rule, start)
    return Handling.objects.create(
        proposal=proposal, unit=unit, mode=mode, lead=lead, due_date=due, round=round_, reassigned_from=reassigned_from,
        reassign_deadline=calendar.due_date("proposal-reassign-request", start),
    )


@transaction.atomic
def proposal_assign(*, actor: User, proposal: Proposal, mode: str, units: Sequence[Unit], co_units: Sequence[Unit] = (),
                    start: dt.date | None = None, version: int | None = None) -> list[Handling]:
    """Assign a filed proposal (交办): to one unit (单办), to several that each reply (分办), or to a lead
    unit with co-units that send it their opinions (主办 + 会办). Each record gets its due date from the
    deadline rules on the working-day calendar; the fast track uses its own short rule and tells the
    leaders at once. Two people assigning at once: the second gets a conflict."""
    proposal = _lock_proposal(proposal, version)
    _require(actor, "proposals.manage_proposals")
    _transition(proposal, (ProposalStatus.FILED,), _("assign"))
    units = list(dict.fromkeys(units))
    co_units = [u for u in dict.fromkeys(co_units) if u not in units]
    if not units:
        raise Invalid(_("Choose at least one handling unit."), code=errors.UNITS_REQUIRED, fields={"units": "required"})
    if mode == HandlingMode.SINGLE and (len(units) != 1 or co_units):
        raise Invalid(_("A sole unit means exactly one unit and no co-units."), fields={"units": "exactly one"})
    if mode == HandlingMode.SEPARATE and (len(units) < 2 or co_units):
        raise Invalid(_("Separate handling needs two or more units and no co-units."), fields={"units": "two or more"})
    if mode == HandlingMode.LEAD and (len(units) != 1 or not co_units):
        raise Invalid(_("A lead unit needs exactly one lead and at least one co-unit."), fields={"co_units": "required"})
    if mode not in (HandlingMode.SINGLE, HandlingMode.SEPARATE, HandlingMode.LEAD):
        raise Invalid(_("Unknown handling mode."), fields={"mode": "unknown"})
    start = start or timezone.localdate()
    handlings = [_new_handling(proposal, unit, mode, start) for unit in units]
    for unit in co_units:
        handlings.append(_new_handling(proposal, unit, HandlingMode.CO, start, lead=handlings[0]))
    proposal.assigned_at = timezone.now()
    _set_status(proposal, ProposalStatus.ASSIGNED, actor=actor, verb="assigned", fields=["assigned_at"],
                note="、".join(f"{h.unit.name}（{h.get_mode_display()}）" for h in handlings),
                data={"mode": mode, "units": [h.unit_id for h in handlings], "due": [str(h.due_date) for h in handlings]})
    for h in handlings:
        event_record(actor=actor, verb="assigned", target=h, to_state=h.status, data={"due": str(h.due_date)})
        notify(recipients=_unit_users(h.unit), email=True, kind=Notification.Kind.ACTION,
               title=_("Proposal assigned to your unit: %(title)s (due %(due)s)") % {"title": proposal.title, "due": h.due_date})
    if proposal.is_urgent:
        leaders = [proposal.supervising_leader] if proposal.supervising_leader_id else list(
            User.objects.filter(role="leader", is_active=True))
        notify(recipients=leaders, email=True,
               kind=Notification.Kind.FOLLOW if proposal.supervising_leader_id else Notification.Kind.INFO,
               title=_("Fast track: proposal %(number)s %(title)s assigned, reply due %(due)s")
               % {"number": proposal.number, "title": proposal.title, "due": handlings[0].due_date})
    return handlings


# --- unit handling -------------------------------------------------------------------------------------


@transaction.atomic
def handling_sign(*, actor: User, handling: Handling) -> Handling:
    """The unit signs for the assignment (签收)."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.act_on_handling", handling)
    _transition(handling, (HandlingStatus.NEW,), _("sign"))
    handling.signed_at = timezone.now()
    _set_handling(handling, HandlingStatus.SIGNED, actor=actor, verb="signed", fields=["signed_at"])
    return handling


@transaction.atomic
def handling_request_reassign(*, actor: User, handling: Handling, reason: str, suggested_unit: Unit | None = None,
                              today: dt.date | None = None) -> HandlingRequest:
    """The unit asks, with reasons and within the window, to be relieved of a proposal that is not its business."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.act_on_handling", handling)
    _transition(handling, (HandlingStatus.NEW, HandlingStatus.SIGNED), _("ask for re-assignment"))
    if not reason.strip():
        raise Invalid(_("Give the reasons."), code=errors.REASON_REQUIRED, fields={"reason": "required"})
    if (today or timezone.localdate()) > handling.reassign_deadline:
        raise InvalidTransition(_("The window for asking re-assignment closed on %(date)s.") % {"date": handling.reassign_deadline},
                                code=errors.REASSIGN_WINDOW_CLOSED)
    request = HandlingRequest.objects.create(handling=handling, kind=RequestKind.REASSIGN, reason=reason,
                                             suggested_unit=suggested_unit)
    _set_handling(handling, HandlingStatus.REASSIGN_REQUESTED, actor=actor, verb="reassign_requested", note=reason)
    notify(recipients=_staff_users(), kind=Notification.Kind.INFO, action_for=[event_actor(handling.proposal, "assigned")],
           title=_("Re-assignment requested by %(unit)s: %(title)s")
           % {"unit": handling.unit.name, "title": handling.proposal.title}, body=reason)
    return request


@transaction.atomic
def handling_decide_request(*, actor: User, request: HandlingRequest, approve: bool, note: str = "",
                            new_unit: Unit | None = None) -> HandlingRequest:
    """Staff decide a re-assignment or extension request. An approved re-assignment closes the record and
    creates a new one for the new unit with fresh due dates; an approved extension moves the due date."""
    _require(actor, "proposals.manage_proposals")
    request = HandlingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise InvalidTransition(_("This request has already been decided."))
    handling = _lock_handling(request.handling)
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save()
    if request.kind == RequestKind.REASSIGN:
        if approve:
            unit = new_unit or request.suggested_unit
            if unit is None:
                raise Invalid(_("Choose the unit that takes the proposal over."), fields={"new_unit": "required"})
            _set_handling(handling, HandlingStatus.REASSIGNED, actor=actor, verb="reassigned", note=f"→ {unit.name}")
            new = _new_handling(handling.proposal, unit, handling.mode, timezone.localdate(), lead=handling.lead,
                                round_=handling.round, reassigned_from=handling)
            if handling.mode == HandlingMode.LEAD:
                handling.co_handlings.update(lead=new)
            event_record(actor=actor, verb="assigned", target=new, to_state=new.status, data={"due": str(new.due_date)})
            notify(recipients=_unit_users(unit), email=True, kind=Notification.Kind.ACTION,
                   title=_("Proposal assigned to your unit: %(title)s (due %(due)s)") % {"title": handling.proposal.title, "due": new.due_date})
        else:
            back = HandlingStatus.SIGNED if handling.signed_at else HandlingStatus.NEW
            _set_handling(handling, back, actor=actor, verb="reassign_rejected", note=note)
    else:
        if approve:
            old = handling.due_date
            handling.due_date, handling.overdue_since = request.requested_due, None
            handling.save(update_fields=["due_date", "overdue_since"])
            event_record(actor=actor, verb="extended", target=handling, note=f"{old} → {handling.due_date}")
            event_record(actor=actor, verb="handling_extended", target=handling.proposal,
                         note=f"{handling.unit.name}: {old} → {handling.due_date}")
        else:
            event_record(actor=actor, verb="extension_rejected", target=handling, note=note)
    notify(recipients=_unit_users(handling.unit), kind=Notification.Kind.FOLLOW, title=_("Your request was %(outcome)s: %(title)s")
           % {"outcome": request.get_status_display(), "title": handling.proposal.title}, body=note)
    return request


@transaction.atomic
def handling_request_extension(*, actor: User, handling: Handling, reason: str, requested_due: dt.date) -> HandlingRequest:
    """Ask for a later due date, with reasons; at most the extension cap after assignment (6 months)."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.act_on_handling", handling)
    _transition(handling, HANDLING_OPEN, _("ask for an extension"))
    if not reason.strip():
        raise Invalid(_("Give the reasons."), code=errors.REASON_REQUIRED, fields={"reason": "required"})
    cap = calendar.due_date("proposal-extension-cap", handling.assigned_at.date())
    if requested_due <= handling.due_date or requested_due > cap:
        raise Invalid(_("The new due date must be after %(due)s and no later than %(cap)s.") % {"due": handling.due_date, "cap": cap},
                      code=errors.EXTENSION_TOO_LONG, fields={"requested_due": "out of range"})
    request = HandlingRequest.objects.create(handling=handling, kind=RequestKind.EXTENSION, reason=reason,
                                             requested_due=requested_due)
    event_record(actor=actor, verb="extension_requested", target=handling, note=f"{requested_due}: {reason}")
    notify(recipients=_staff_users(), kind=Notification.Kind.INFO, action_for=[event_actor(handling.proposal, "assigned")],
           title=_("Extension requested by %(unit)s: %(title)s")
           % {"unit": handling.unit.name, "title": handling.proposal.title}, body=reason)
    return request


@transaction.atomic
def handling_contact(*, actor: User, handling: Handling, method: str, contacted_on: dt.date, note: str = "",
                     member: Member | None = None) -> ContactLog:
    """Log a contact with the proposer (面谈/座谈会/电话/邮件/书信/走访); the first one starts the handling."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.act_on_handling", handling)
    _transition(handling, (HandlingStatus.SIGNED, HandlingStatus.IN_PROGRESS, HandlingStatus.FOLLOW_UP), _("log a contact"))
    log = ContactLog.objects.create(handling=handling, method=method, contacted_on=contacted_on, note=note,
                                    member=member, created_by=actor)
    if handling.status == HandlingStatus.SIGNED:
        _set_handling(handling, HandlingStatus.IN_PROGRESS, actor=actor, verb="contacted", note=log.get_method_display())
    else:
        event_record(actor=actor, verb="contacted", target=handling, note=log.get_method_display())
    return log


@transaction.atomic
def handling_send_opinion(*, actor: User, handling: Handling, text: str) -> Handling:
    """A co-unit (会办) sends its opinion to the lead unit; that ends its part."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.act_on_handling", handling)
    if handling.mode != HandlingMode.CO:
        raise InvalidTransition(_("Only a co-unit sends an opinion to the lead unit."))
    _transition(handling, (HandlingStatus.SIGNED, HandlingStatus.IN_PROGRESS), _("send the opinion"))
    if not text.strip():
        raise Invalid(_("Write the opinion."), fields={"text": "required"})
    handling.opinion, handling.opinion_sent_at = text, timezone.now()
    _set_handling(handling, HandlingStatus.OPINION_SENT, actor=actor, verb="opinion_sent", fields=["opinion", "opinion_sent_at"])
    if handling.lead_id:
        notify(recipients=_unit_users(handling.lead.unit), kind=Notification.Kind.FOLLOW, title=_("Co-unit opinion from %(unit)s: %(title)s")
               % {"unit": handling.unit.name, "title": handling.proposal.title})
    return handling


def _active_co(handling: Handling):
    return handling.co_handlings.exclude(status=HandlingStatus.REASSIGNED)


@transaction.atomic
def handling_draft_reply(*, actor: User, handling: Handling, category: ResultCategory, text: str, signer: str = "",
                         contact_person: str = "", contact_phone: str = "") -> Reply:
    """The replying unit drafts its reply with a result category. With co-units it goes to them for
    countersignature first (and needs all their opinions); then to the office for review. A follow-up
    (B) or re-handled proposal gets a new reply in a new round."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.act_on_handling", handling)
    if handling.mode not in REPLYING_MODES:
        raise InvalidTransition(_("A co-unit does not reply to the proposer; it sends its opinion to the lead unit."))
    before = _transition(handling, (HandlingStatus.IN_PROGRESS, HandlingStatus.FOLLOW_UP), _("draft the reply"))
    if not text.strip():
        raise Invalid(_("Write the reply."), fields={"text": "required"})
    co = _active_co(handling)
    if co.exclude(status=HandlingStatus.OPINION_SENT).exists():
        raise InvalidTransition(_("Waiting for co-unit opinions."), code=errors.CO_OPINIONS_PENDING)
    if before == HandlingStatus.FOLLOW_UP:
        handling.round += 1
    co.update(countersigned_at=None)
    needs_countersign = co.exists()
    reply = Reply.objects.create(handling=handling, round=handling.round, category=category, text=text, signer=signer,
                                 contact_person=contact_person, contact_phone=contact_phone,
                                 status=ReplyStatus.COUNTERSIGNING if needs_countersign else ReplyStatus.REVIEWING)
    status = HandlingStatus.COUNTERSIGNING if needs_countersign else HandlingStatus.REVIEWING
    _set_handling(handling, status, actor=actor, verb="reply_drafted", note=category.code, fields=["round"])
    if needs_countersign:
        for h in co.select_related("unit"):
            notify(recipients=_unit_users(h.unit), kind=Notification.Kind.ACTION, title=_("Please countersign the reply: %(title)s") % {"title": handling.proposal.title})
    return reply


@transaction.atomic
def handling_countersign(*, actor: User, handling: Handling) -> Handling:
    """A co-unit countersigns the lead unit's draft reply (会签); when all have, it goes to review."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.act_on_handling", handling)
    if handling.mode != HandlingMode.CO or handling.lead_id is None:
        raise InvalidTransition(_("Only a co-unit countersigns."))
    lead = _lock_handling(handling.lead)
    _transition(lead, (HandlingStatus.COUNTERSIGNING,), _("countersign"))
    if handling.countersigned_at:
        raise InvalidTransition(_("Already countersigned."))
    handling.countersigned_at = timezone.now()
    handling.save(update_fields=["countersigned_at"])
    event_record(actor=actor, verb="countersigned", target=lead, note=handling.unit.name)
    event_record(actor=actor, verb="countersigned", target=lead.proposal, note=handling.unit.name)
    if not _active_co(lead).filter(countersigned_at__isnull=True).exists():
        lead.replies.filter(status=ReplyStatus.COUNTERSIGNING).update(status=ReplyStatus.REVIEWING)
        _set_handling(lead, HandlingStatus.REVIEWING, actor=actor, verb="countersign_complete")
    return handling


@transaction.atomic
def reply_review(*, actor: User, handling: Handling, approve: bool, category: ResultCategory | None = None,
                 note: str = "") -> Reply:
    """The office reviews a reply: approve it (possibly changing the category) and send it to the proposers,
    or send it back to the unit. A category that needs follow-up (B) keeps the handling in follow-up."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.manage_proposals")
    _transition(handling, (HandlingStatus.REVIEWING,), _("review the reply"))
    reply = handling.replies.filter(status=ReplyStatus.REVIEWING).select_related("category").latest("id")
    reply.reviewed_at, reply.review_note = timezone.now(), note
    if not approve:
        if not note.strip():
            raise Invalid(_("Say why the reply is sent back."), code=errors.REASON_REQUIRED, fields={"note": "required"})
        reply.status = ReplyStatus.SENT_BACK
        reply.save()
        _set_handling(handling, HandlingStatus.IN_PROGRESS, actor=actor, verb="reply_sent_back", note=note)
        notify(recipients=_unit_users(handling.unit), kind=Notification.Kind.ACTION, title=_("Reply sent back: %(title)s") % {"title": handling.proposal.title}, body=note)
        return reply
    if category is not None and category != reply.category:
        event_record(actor=actor, verb="category_changed", target=handling, from_state=reply.category.code, to_state=category.code)
        reply.category = category
    reply.status = ReplyStatus.APPROVED
    reply.save()
    handling.replied_at = timezone.now()
    status = HandlingStatus.FOLLOW_UP if reply.category.needs_follow_up else HandlingStatus.REPLIED
    _set_handling(handling, status, actor=actor, verb="replied", note=reply.category.code, fields=["replied_at", "overdue_since"])
    proposal = _lock_proposal(handling.proposal)
    replying = proposal.handlings.filter(mode__in=REPLYING_MODES).exclude(status=HandlingStatus.REASSIGNED)
    if proposal.status == ProposalStatus.ASSIGNED and not replying.exclude(
            status__in=(HandlingStatus.REPLIED, HandlingStatus.FOLLOW_UP)).exists():
        _set_status(proposal, ProposalStatus.REPLIED, actor=actor, verb="all_replied")
    notify(recipients=_proposer_users(proposal), email=True, kind=Notification.Kind.ACTION,
           title=_("Reply from %(unit)s to your proposal %(title)s — please evaluate it")
           % {"unit": handling.unit.name, "title": proposal.title})
    return reply


# --- evaluation, re-handling, closing ---------------------------------------------------------------------


@transaction.atomic
def evaluation_submit(*, actor: User, handling: Handling, satisfaction: str, comment: str = "",
                      **form: str) -> Evaluation:
    """A proposer evaluates a unit's latest approved reply (every proposer, merged-in ones included, may)."""
    handling = _lock_handling(handling)
    member = getattr(actor, "member", None) if hasattr(actor, "member") else None
    if member is None or not handling.proposal.proposers.filter(member=member).exists():
        raise Forbidden(_("Only a proposer evaluates the reply."), code=errors.NOT_A_PROPOSER)
    _transition(handling, (HandlingStatus.REPLIED, HandlingStatus.FOLLOW_UP), _("evaluate"))
    if satisfaction not in Satisfaction.values:
        raise Invalid(_("Choose satisfied, basically satisfied or dissatisfied."), fields={"satisfaction": "invalid"})
    reply = handling.replies.filter(status=ReplyStatus.APPROVED).latest("id")
    if Evaluation.objects.filter(reply=reply, member=member).exists():
        raise InvalidTransition(_("You have already evaluated this reply."), code=errors.ALREADY_EVALUATED)
    allowed = {"visited", "contact_way", "attitude", "pertinence", "result_view"}
    unknown = set(form) - allowed
    if unknown:
        raise Invalid(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}, fields={f: "unknown" for f in unknown})
    evaluation = Evaluation.objects.create(handling=handling, reply=reply, member=member, satisfaction=satisfaction,
                                           comment=comment, **form)
    event_record(actor=actor, verb="evaluated", target=handling, note=evaluation.get_satisfaction_display())
    event_record(actor=actor, verb="evaluated", target=handling.proposal,
                 note=f"{handling.unit.name}: {evaluation.get_satisfaction_display()}")
    if satisfaction == Satisfaction.DISSATISFIED:
        notify(recipients=_staff_users(), kind=Notification.Kind.INFO, action_for=[event_actor(handling.proposal, "assigned")],
               title=_("Dissatisfied evaluation: %(title)s") % {"title": handling.proposal.title},
               body=comment)
    _close_if_complete(actor, handling.proposal)
    return evaluation


def _close_if_complete(actor: User | None, proposal: Proposal) -> bool:
    """Close the proposal once every replying unit's latest reply has been evaluated by every proposer, no one is
    dissatisfied and nothing is left in follow-up."""
    proposal = _lock_proposal(proposal)
    if proposal.status != ProposalStatus.REPLIED:
        return False
    members = set(proposal.proposers.values_list("member_id", flat=True))
    for h in proposal.handlings.filter(mode__in=REPLYING_MODES).exclude(status=HandlingStatus.REASSIGNED):
        if h.status != HandlingStatus.REPLIED:
            return False
        reply = h.replies.filter(status=ReplyStatus.APPROVED).latest("id")
        evaluations = list(reply.evaluations.values_list("member_id", "satisfaction"))
        if {m for m, _ in evaluations} != members or any(s == Satisfaction.DISSATISFIED for _, s in evaluations):
            return False
    proposal.handlings.filter(status__in=(HandlingStatus.REPLIED, HandlingStatus.OPINION_SENT)).update(status=HandlingStatus.CLOSED)
    proposal.closed_at = timezone.now()
    _set_status(proposal, ProposalStatus.CLOSED, actor=actor, verb="closed", fields=["closed_at"])
    return True


@transaction.atomic
def handling_rehandle(*, actor: User, handling: Handling, note: str = "", start: dt.date | None = None) -> Handling:
    """After a dissatisfied evaluation the office asks the unit to handle the proposal again: a new round
    with a new due date; the second reply is evaluated again."""
    handling = _lock_handling(handling)
    _require(actor, "proposals.manage_proposals")
    _transition(handling, (HandlingStatus.REPLIED, HandlingStatus.FOLLOW_UP), _("send back for re-handling"))
    reply = handling.replies.filter(status=ReplyStatus.APPROVED).latest("id")
    if not reply.evaluations.filter(satisfaction=Satisfaction.DISSATISFIED).exists():
        raise InvalidTransition(_("Only a reply a proposer is dissatisfied with is handled again."), code=errors.NOT_DISSATISFIED)
    handling.round += 1
    handling.due_date = calendar.due_date("proposal-reply", start or timezone.localdate())
    handling.replied_at, handling.overdue_since, handling.last_reminded_on = None, None, None
    _set_handling(handling, HandlingStatus.IN_PROGRESS, actor=actor, verb="rehandling", note=note,
                  fields=["round", "due_date", "replied_at", "overdue_since", "last_reminded_on"])
    proposal = _lock_proposal(handling.proposal)
    if proposal.status == ProposalStatus.REPLIED:
        _set_status(proposal, ProposalStatus.ASSIGNED, actor=actor, verb="rehandling", note=handling.unit.name)
    notify(recipients=_unit_users(handling.unit), email=True, kind=Notification.Kind.ACTION,
           title=_("Please handle again (proposer dissatisfied): %(title)s, due %(due)s")
           % {"title": proposal.title, "due": handling.due_date}, body=note)
    return handling


@transaction.atomic
def proposal_close(*, actor: User, proposal: Proposal, note: str = "") -> Proposal:
    """The office closes a replied proposal whose evaluation window has passed; follow-ups must be done."""
    proposal = _lock_proposal(proposal)
    _require(actor, "proposals.manage_proposals")
    _transition(proposal, (ProposalStatus.REPLIED,), _("close"))
    if proposal.handlings.filter(status=HandlingStatus.FOLLOW_UP).exists():
        raise InvalidTransition(_("A unit still owes a follow-up reply."), code=errors.FOLLOW_UP_PENDING)
    proposal.handlings.filter(status__in=(HandlingStatus.REPLIED, HandlingStatus.OPINION_SENT)).update(status=HandlingStatus.CLOSED)
    proposal.closed_at = timezone.now()
    _set_status(proposal, ProposalStatus.CLOSED, actor=actor, verb="closed", note=note, fields=["closed_at"])
    return proposal


# --- supervision ---------------------------------------------------------------------------------------


@transaction.atomic
def proposal_mark_key(*, actor: User, proposal: Proposal, leader: User | None, is_key: bool = True,
                      reported_to_city_leaders: bool | None = None) -> Proposal:
    """Select a key proposal (重点提案) and its supervising leader; or mark it reported to city leaders."""
    proposal = _lock_proposal(proposal)
    _require(actor, "proposals.manage_proposals")
    if is_key and (leader is None or leader.role != "leader"):
        raise Invalid(_("Choose the supervising leader."), fields={"leader": "required"})
    proposal.is_key, proposal.supervising_leader = is_key, leader if is_key else None
    if reported_to_city_leaders is not None:
        proposal.reported_to_city_leaders = reported_to_city_leaders
    proposal.version += 1
    proposal.save(update_fields=["is_key", "supervising_leader", "reported_to_city_leaders", "version"])
    event_record(actor=actor, verb="key_selected" if is_key else "key_removed", target=proposal,
                 note=leader.name if leader and is_key else "")
    if is_key and leader:
        notify(recipients=[leader], kind=Notification.Kind.ACTION, title=_("You supervise key proposal %(number)s %(title)s") % {"number": proposal.number, "title": proposal.title})
    return proposal


@transaction.atomic
def instruction_add(*, actor: User, proposal: Proposal, leader_name: str, level: str, text: str,
                    given_on: dt.date) -> Instruction:
    """Record a leader's written instruction (批示) on a proposal."""
    _require(actor, "proposals.record_instruction")
    missing = {k: "required" for k, v in {"leader_name": leader_name, "level": level, "text": text}.items() if not v.strip()}
    if missing:
        raise Invalid(_("These fields are required: %(f)s.") % {"f": ", ".join(missing)}, fields=missing)
    instruction = Instruction.objects.create(proposal=proposal, leader_name=leader_name, level=level, text=text,
                                             given_on=given_on, recorded_by=actor)
    event_record(actor=actor, verb="instruction_recorded", target=proposal, note=f"{level} {leader_name}: {text[:80]}")
    notify(recipients=_unit_users_for(proposal), kind=Notification.Kind.ACTION, title=_("Leader's instruction on %(title)s") % {"title": proposal.title}, body=text)
    return instruction


def _unit_users_for(proposal: Proposal) -> list[User]:
    units = proposal.handlings.exclude(status=HandlingStatus.REASSIGNED).values_list("unit_id", flat=True)
    return list(User.objects.filter(unit_id__in=list(units), role="unit_handler", is_active=True))


def handlings_check_deadlines(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily deadline run: remind units a few working days before each due date (once), mark overdue
    records, and escalate (督办) newly overdue ones to the office and any supervising leader."""
    today = today or timezone.localdate()
    lead_days = calendar.get_rule("proposal-reminder-lead").amount
    open_ = Handling.objects.filter(status__in=HANDLING_OPEN).select_related("proposal", "unit", "proposal__supervising_leader")
    counts = {"reminded": 0, "overdue": 0, "escalated": 0}
    for h in open_.filter(due_date__gte=today, last_reminded_on__isnull=True).iterator():
        if calendar.working_days_between(today, h.due_date) <= lead_days:
            with transaction.atomic():
                Handling.objects.filter(pk=h.pk).update(last_reminded_on=today)
                event_record(actor=None, verb="reminder_sent", target=h, note=str(h.due_date))
                notify(recipients=_unit_users(h.unit), email=True, kind=Notification.Kind.ACTION,
                       title=_("Reminder: reply due %(due)s for %(title)s") % {"due": h.due_date, "title": h.proposal.title})
            counts["reminded"] += 1
    staff = _staff_users()
    for h in open_.filter(due_date__lt=today, overdue_since__isnull=True).iterator():
        with transaction.atomic():
            Handling.objects.filter(pk=h.pk).update(overdue_since=h.due_date + dt.timedelta(days=1), escalated_at=timezone.now())
            event_record(actor=None, verb="overdue", target=h, note=str(h.due_date))
            event_record(actor=None, verb="escalated", target=h.proposal, note=f"{h.unit.name} {h.due_date}")
            recipients = staff + ([h.proposal.supervising_leader] if h.proposal.supervising_leader_id else [])
            notify(recipients=recipients, email=True, kind=Notification.Kind.INFO,
                   action_for=[event_actor(h.proposal, "assigned"), h.proposal.supervising_leader],
                   title=_("Overdue: %(unit)s has not replied to %(title)s (due %(due)s)")
                   % {"unit": h.unit.name, "title": h.proposal.title, "due": h.due_date})
            notify(recipients=_unit_users(h.unit), email=True, kind=Notification.Kind.ACTION,
                   title=_("Overdue: the reply to %(title)s was due %(due)s") % {"title": h.proposal.title, "due": h.due_date})
        counts["overdue"] += 1
        counts["escalated"] += 1
    return counts


# --- face-to-face sessions (市民对话一把手·提案办理面对面) ---------------------------------------------------------


@transaction.atomic
def episode_create(*, actor: User, title: str, held_on: dt.date, channel: str, unit: Unit, unit_head: str,
                   members: Sequence[Member] = (), proposals: Sequence[Proposal] = (), summary: str = ""):
    """Record an episode with its unit head, members and the proposals discussed."""
    from .models import FaceToFaceEpisode

    _require(actor, "proposals.manage_proposals")
    missing = {k: "required" for k, v in {"title": title, "channel": channel, "unit_head": unit_head}.items() if not v.strip()}
    if missing:
        raise Invalid(_("These fields are required: %(f)s.") % {"f": ", ".join(missing)}, fields=missing)
    episode = FaceToFaceEpisode.objects.create(title=title, held_on=held_on, channel=channel, unit=unit, unit_head=unit_head,
                                               summary=summary, created_by=actor)
    episode.members.set(members)
    episode.proposals.set(proposals)
    event_record(actor=actor, verb="episode_recorded", target=episode, note=f"{unit.name} {unit_head}")
    for proposal in proposals:
        event_record(actor=actor, verb="face_to_face", target=proposal, note=f"{held_on} {title}", data={"episode": episode.pk})
    return episode


@transaction.atomic
def commitment_add(*, actor: User, episode, text: str, unit: Unit, due_date: dt.date | None = None):
    """Add a commitment the unit head made; the owner unit is told."""
    from .models import Commitment

    _require(actor, "proposals.manage_proposals")
    if not text.strip():
        raise Invalid(_("Write the commitment."), fields={"text": "required"})
    commitment = Commitment.objects.create(episode=episode, text=text, unit=unit, due_date=due_date)
    event_record(actor=actor, verb="commitment_added", target=episode, note=text[:80])
    notify(recipients=_unit_users(unit), kind=Notification.Kind.ACTION, title=_("Commitment from the face-to-face session to track: %(text)s") % {"text": text[:60]})
    return commitment


@transaction.atomic
def commitment_complete(*, actor: User, commitment, evidence: str):
    """The owner unit (or the office) reports a commitment done, with evidence."""
    from .models import Commitment

    commitment = Commitment.objects.select_for_update().select_related("episode").get(pk=commitment.pk)
    if not (actor.has_perm("proposals.manage_proposals") or (actor.role == "unit_handler" and actor.unit_id == commitment.unit_id)):
        raise Forbidden(_("Only the owner unit or the office reports a commitment done."))
    if commitment.done_at:
        raise InvalidTransition(_("This commitment is already done."))
    if not evidence.strip():
        raise Invalid(_("Describe what was done (evidence)."), fields={"evidence": "required"})
    commitment.done_at, commitment.evidence = timezone.now(), evidence
    commitment.save(update_fields=["done_at", "evidence"])
    event_record(actor=actor, verb="commitment_done", target=commitment.episode, note=f"{commitment.text[:40]}: {evidence[:80]}")
    return commitment


@transaction.atomic
def supervision_activity_add(*, actor: User, kind: str, held_on: dt.date, proposals: Sequence[Proposal],
                             place: str = "", leader: User | None = None, units: Sequence[Unit] = (),
                             member_count: int = 0, summary: str = ""):
    """Record a 督办 activity (consultation meeting, visit, research, inspection) on one or more proposals;
    it appears on each proposal's timeline."""
    from .models import SupervisionActivity

    if not (actor.has_perm("proposals.manage_proposals") or actor.role == "leader"):
        raise Forbidden(_("Only the office or a leader records supervision activities."))
    if kind not in SupervisionActivity.Kind.values:
        raise Invalid(_("Unknown kind of activity."), fields={"kind": "unknown"})
    if not proposals:
        raise Invalid(_("Choose the proposals supervised."), fields={"proposals": "required"})
    if member_count < 0:
        raise Invalid(_("The number of members cannot be negative."), fields={"member_count": "negative"})
    activity = SupervisionActivity.objects.create(kind=kind, held_on=held_on, place=place, leader=leader,
                                                  member_count=member_count, summary=summary, created_by=actor)
    activity.proposals.set(proposals)
    activity.units.set(units)
    for proposal in proposals:
        event_record(actor=actor, verb="supervision_activity", target=proposal,
                     note=f"{held_on} {activity.get_kind_display()} {place}".strip(), data={"activity": activity.pk})
    notify(recipients=[u for unit in units for u in _unit_users(unit)], kind=Notification.Kind.ACTION,
           title=_("Supervision activity on %(n)s proposal(s) on %(date)s") % {"n": len(proposals), "date": held_on})
    return activity


# --- key proposals: nomination, members' consultation, decision -------------------------------------------


@transaction.atomic
def key_nominate(*, actor: User, proposal: Proposal, reason: str):
    """The office nominates a filed or assigned proposal as a key proposal and opens it to members' views."""
    from .models import KeyNomination

    _require(actor, "proposals.manage_proposals")
    proposal = _lock_proposal(proposal)
    _transition(proposal, (ProposalStatus.FILED, ProposalStatus.ASSIGNED), _("nominate as key proposal"))
    if not reason.strip():
        raise Invalid(_("Give the reason for the nomination."), code=errors.REASON_REQUIRED, fields={"reason": "required"})
    if KeyNomination.objects.filter(proposal=proposal).exists():
        raise InvalidTransition(_("This proposal has already been nominated."))
    nomination = KeyNomination.objects.create(proposal=proposal, reason=reason, nominated_by=actor)
    event_record(actor=actor, verb="key_nominated", target=proposal, note=reason[:80])
    return nomination


@transaction.atomic
def key_vote(*, actor: User, nomination, support: bool):
    """A member gives their view on a nomination while it is open; once per member."""
    from .models import KeyNomination, KeyVote

    member = getattr(actor, "member", None) if hasattr(actor, "member") else None
    if member is None:
        raise Forbidden(_("Only members give their views on nominations."), code=errors.NOT_A_MEMBER)
    nomination = KeyNomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != KeyNomination.Status.CONSULTING:
        raise InvalidTransition(_("The consultation on this nomination has closed."))
    if KeyVote.objects.filter(nomination=nomination, member=member).exists():
        raise InvalidTransition(_("You have already given your view."), code=errors.ALREADY_EVALUATED)
    return KeyVote.objects.create(nomination=nomination, member=member, support=support)


@transaction.atomic
def key_decide(*, actor: User, nomination, select: bool, leader: User | None = None):
    """The chairs' meeting decides: select (the proposal becomes key, with its supervising leader) or not."""
    from .models import KeyNomination

    _require(actor, "proposals.manage_proposals")
    nomination = KeyNomination.objects.select_for_update().select_related("proposal").get(pk=nomination.pk)
    if nomination.status != KeyNomination.Status.CONSULTING:
        raise InvalidTransition(_("This nomination has already been decided."))
    votes = list(nomination.votes.values_list("support", flat=True))
    if select:
        proposal_mark_key(actor=actor, proposal=nomination.proposal, leader=leader)
    nomination.status = KeyNomination.Status.SELECTED if select else KeyNomination.Status.DECLINED
    nomination.decided_at = timezone.now()
    nomination.save(update_fields=["status", "decided_at"])
    event_record(actor=actor, verb="key_decided", target=nomination.proposal, to_state=nomination.status,
                 note=_("%(yes)s of %(n)s members in favour") % {"yes": sum(votes), "n": len(votes)})
    return nomination


# --- Statistics snapshots -------------------------------------------------------------------------------
# At 100,000 proposals a full count takes about a second of database work; the pages must answer in under half
# a second. So the pages show the last snapshot of their scope at once and, when a newer timeline event says
# the figures may have moved, ask the worker to count again (stale-while-revalidate). Exports and a snapshot
# left stale for longer than STATISTICS_MAX_STALE (no worker running) are counted in the request instead.

STATISTICS_MAX_STALE = dt.timedelta(minutes=15)
STATISTICS_RETRY_REFRESH = dt.timedelta(minutes=2)


@dataclass
class StatisticsView:
    """Figures with their age: `stale` when events newer than `as_of` are not counted yet."""

    stats: Any
    as_of: dt.datetime
    stale: bool
    seconds: float


def statistics_refresh(*, term: int | None = None, session: int | None = None, date_from: dt.date | None = None,
                       date_to: dt.date | None = None) -> StatisticsSnapshot:
    """Count the figures of a scope now and store them as its snapshot."""
    from .selectors import newest_event_id, proposal_statistics, statistics_scope

    stamp = newest_event_id()  # read first: an event written while counting leaves the snapshot stale
    started = time.perf_counter()
    stats = proposal_statistics(term=term, session=session, date_from=date_from, date_to=date_to)
    values = {"stamp": stamp, "computed_at": timezone.now(), "seconds": round(time.perf_counter() - started, 3),
              "refresh_requested_at": None, "figures": json.loads(json.dumps(asdict(stats), cls=DjangoJSONEncoder))}
    scope = statistics_scope(term, session, date_from, date_to)
    try:
        with transaction.atomic():
            snapshot, _created = StatisticsSnapshot.objects.update_or_create(scope=scope, defaults=values)
    except IntegrityError:  # another process created it first: ours is as new, write it over theirs
        StatisticsSnapshot.objects.filter(scope=scope).update(**values)
        snapshot = StatisticsSnapshot.objects.get(scope=scope)
    return snapshot


def statistics_snapshot(*, term: int | None = None, session: int | None = None, date_from: dt.date | None = None,
                        date_to: dt.date | None = None, fresh: bool = False) -> StatisticsView:
    """The figures of a scope for a page: the stored snapshot when it is current; a stale one (with a refresh
    queued for the worker, at most once per STATISTICS_RETRY_REFRESH); counted now when there is none yet, when
    `fresh` (exports) or when the stale one is older than STATISTICS_MAX_STALE."""
    from .selectors import newest_event_id, statistics_from_figures, statistics_scope
    from .tasks import refresh_statistics

    scope = statistics_scope(term, session, date_from, date_to)
    period = {"date_from": date_from, "date_to": date_to}
    snapshot = StatisticsSnapshot.objects.filter(scope=scope).first()
    stamp = newest_event_id()
    now = timezone.now()
    stale = snapshot is not None and snapshot.stamp != stamp
    if snapshot is None or stale and (fresh or now - snapshot.computed_at > STATISTICS_MAX_STALE):
        snapshot, stale = statistics_refresh(term=term, session=session, **period), False
    elif stale:
        asked = (StatisticsSnapshot.objects.filter(pk=snapshot.pk)
                 .filter(Q(refresh_requested_at__isnull=True) | Q(refresh_requested_at__lt=now - STATISTICS_RETRY_REFRESH))
                 .update(refresh_requested_at=now))
        if asked:
            after_commit(lambda: refresh_statistics.enqueue(term, session, date_from and date_from.isoformat(),
                                                             date_to and date_to.isoformat()))
    return StatisticsView(statistics_from_figures(snapshot.figures), snapshot.computed_at, stale, snapshot.seconds)
