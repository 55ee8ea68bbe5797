"""Proposals API: list and create, the detail, one POST per transition on proposals and on handling
records; a transition not allowed from the current state answers 409 with a code, a role that may not act
403, nothing changed."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from minsheng.core.errors import Forbidden, Invalid, NotFound
from minsheng.core.lookups import object_by_id as _one
from minsheng.core.lookups import objects_by_ids as _objects
from minsheng.core.models import Committee, LivelihoodTag, Member, Party, Sector, Term, Unit, User
from minsheng.core.pagination import paginate
from minsheng.core.schemas import Page

from . import exports, selectors, services
from .models import Handling, HandlingRequest, NotFiledReason, Proposal, ResultCategory, SubjectArea
from .schemas import (
    AssignIn,
    BulkDecideIn,
    ContactIn,
    DecideIn,
    DecideRequestIn,
    EvaluateIn,
    ExtensionIn,
    HandlingOut,
    InstructionIn,
    KeyIn,
    NoteIn,
    OpinionIn,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    ProposalPatch,
    ReassignIn,
    ReplyIn,
    RequestOut,
    ReviewIn,
    ReviewReplyIn,
    SimilarIn,
    SimilarOut,
)

router = Router(tags=["proposals"])


def _proposal_out(p: Proposal) -> dict:
    return {
        "id": p.pk, "number": p.number, "title": p.title, "kind": p.kind, "timing": p.timing, "status": p.status,
        "version": p.version, "session_id": p.session_id, "subject_area": p.subject_area.name if p.subject_area_id else None,
        "is_urgent": p.is_urgent, "is_key": p.is_key, "submitted_at": p.submitted_at,
        "proposers": [{"member_id": x.member_id, "name": x.member.name, "is_first": x.is_first,
                       "confirmed": x.confirmed_at is not None, "via": x.via_id} for x in p.proposers.all()],
        "handlings": [_handling_brief(h) for h in p.handlings.all() if h.status != "reassigned"],
    }


def _handling_brief(h: Handling) -> dict:
    return {"id": h.pk, "unit_id": h.unit_id, "unit": h.unit.name, "mode": h.mode, "status": h.status,
            "due_date": h.due_date, "round": h.round, "overdue": h.is_overdue}


def _detail(user, p: Proposal) -> dict:
    p = selectors.proposal_detail(p.pk, user)  # only the handling records the user may see
    return {**_proposal_out(p), "situation": p.situation, "analysis": p.analysis, "suggestions": p.suggestions,
            "merged_into": p.merged_into_id, "not_filed_reason": p.not_filed_reason.text if p.not_filed_reason_id else None,
            "review_note": p.review_note}


def _handling_out(h: Handling) -> dict:
    h = Handling.objects.select_related("unit", "proposal").get(pk=h.pk)
    return {**_handling_brief(h), "proposal_id": h.proposal_id, "proposal_title": h.proposal.title, "lead_id": h.lead_id,
            "reassign_deadline": h.reassign_deadline, "opinion": h.opinion, "signed_at": h.signed_at,
            "replied_at": h.replied_at}


def _proposal(request, pk: int) -> Proposal:
    proposal = get_object_or_404(Proposal.objects.select_related("term", "session"), pk=pk)
    if not request.user.has_perm("proposals.view_proposal", proposal):
        raise Forbidden("You may not see this proposal.")
    return proposal


def _handling(request, pk: int) -> Handling:
    handling = get_object_or_404(Handling.objects.select_related("proposal", "unit"), pk=pk)
    if not request.user.has_perm("proposals.view_handling", handling):  # not another unit's separate record
        raise Forbidden("You may not see this handling record.")
    return handling


@router.get("/proposals", response=Page[ProposalOut], summary="Proposals the caller may see, filtered and paged")
def proposal_list(request, q: str = "", status: str | None = None, session: int | None = None, kind: str | None = None,
                  timing: str | None = None, unit: int | None = None, is_key: bool | None = None,
                  overdue: bool | None = None, subject_area: int | None = None, stage: str | None = None,
                  supervisor: int | None = None, page: int = 1, page_size: int = 50):
    """The same filters as the list page (`selectors.list_filters`), so a home figure's count is this list's."""
    result = paginate(selectors.proposal_list(request.user, q=q, status=status, session=session, kind=kind, timing=timing,
                                              unit=unit, is_key=is_key, overdue=overdue, subject_area=subject_area,
                                              stage=stage, supervisor=supervisor), page=page, page_size=page_size)
    return {**result.__dict__, "results": [_proposal_out(p) for p in result.results]}


@router.post("/proposals", response={201: ProposalDetailOut}, summary="Start a draft")
def proposal_create(request, payload: ProposalIn):
    term = Term.objects.order_by("-number").first()
    if term is None:
        raise Invalid("No term is set up yet.", fields={"term": "missing"})
    fields = {"subject_area": _one(SubjectArea, payload.subject_area, "subject_area"),
              "consent_publish": payload.consent_publish, "is_urgent": payload.is_urgent,
              "org_party": _one(Party, payload.org_party, "org_party"),
              "org_sector": _one(Sector, payload.org_sector, "org_sector"),
              "org_committee": _one(Committee, payload.org_committee, "org_committee"),
              "org_name": payload.org_name}
    proposal = services.proposal_create(
        actor=request.user, term=term, title=payload.title, situation=payload.situation, analysis=payload.analysis,
        suggestions=payload.suggestions, kind=payload.kind, cosigners=_objects(Member, payload.cosigners, "cosigners"),
        tags=_objects(LivelihoodTag, payload.tags, "tags"), suggested_units=_objects(Unit, payload.suggested_units, "suggested_units"),
        **fields,
    )
    return Status(201, _detail(request.user, proposal))


@router.post("/proposals/similar", response=list[SimilarOut],
             summary="While drafting: the existing proposals most like this one, with a near-duplicate score")
def proposal_similar(request, payload: SimilarIn):
    found = selectors.similar_proposals(request.user, title=payload.title, exclude=payload.exclude,
                                        text="\n".join((payload.situation, payload.analysis, payload.suggestions)))
    return [{"id": s.proposal.pk, "number": s.proposal.number, "title": s.proposal.title, "status": s.proposal.status,
             "similarity": s.similarity, "likely_duplicate": s.likely_duplicate} for s in found]


@router.post("/proposals/bulk-decide", summary="One decision for many proposals; per-item result")
def proposal_bulk_decide(request, payload: BulkDecideIn):
    if not request.user.has_perm("proposals.manage_proposals"):
        raise Forbidden("Only the office reviews proposals.")
    proposals = _objects(Proposal, payload.ids, "ids")
    return {"results": services.proposal_bulk_decide(actor=request.user, proposals=proposals, outcome=payload.outcome,
                                                     note=payload.note, reason=_one(NotFiledReason, payload.reason, "reason"))}


@router.get("/proposals/{pk}", response=ProposalDetailOut)
def proposal_get(request, pk: int):
    return _detail(request.user, _proposal(request, pk))


@router.patch("/proposals/{pk}", response=ProposalDetailOut, summary="Edit a draft or returned proposal")
def proposal_patch(request, pk: int, payload: ProposalPatch):
    data = payload.dict(exclude_unset=True)
    tags = _objects(LivelihoodTag, data.pop("tags"), "tags") if "tags" in data else None
    units = _objects(Unit, data.pop("suggested_units"), "suggested_units") if "suggested_units" in data else None
    if "subject_area" in data:
        data["subject_area"] = _one(SubjectArea, data["subject_area"], "subject_area")
    proposal = services.proposal_update(actor=request.user, proposal=_proposal(request, pk), tags=tags,
                                        suggested_units=units, **data)
    return _detail(request.user, proposal)


@router.post("/proposals/{pk}/confirm", response=ProposalDetailOut, summary="A co-signer confirms")
def proposal_confirm(request, pk: int):
    services.proposer_confirm(actor=request.user, proposal=_proposal(request, pk))
    return _detail(request.user, _proposal(request, pk))


@router.post("/proposals/{pk}/seal", response=ProposalDetailOut, summary="The office confirms an organisation's seal")
def proposal_seal(request, pk: int):
    return _detail(request.user, services.proposal_confirm_seal(actor=request.user, proposal=_proposal(request, pk)))


@router.post("/proposals/{pk}/submit", response=ProposalDetailOut)
def proposal_submit(request, pk: int):
    return _detail(request.user, services.proposal_submit(actor=request.user, proposal=_proposal(request, pk)))


@router.post("/proposals/{pk}/review", response=ProposalDetailOut, summary="First or second review")
def proposal_review(request, pk: int, payload: ReviewIn):
    return _detail(request.user, services.proposal_review(actor=request.user, proposal=_proposal(request, pk), step=payload.step,
                                            note=payload.note))


@router.post("/proposals/{pk}/decide", response=ProposalDetailOut, summary="File, merge, return, not file or refer")
def proposal_decide(request, pk: int, payload: DecideIn):
    proposal = services.proposal_decide(
        actor=request.user, proposal=_proposal(request, pk), outcome=payload.outcome, note=payload.note,
        merge_into=_one(Proposal, payload.merge_into, "merge_into"), reason=_one(NotFiledReason, payload.reason, "reason"),
        refer_to=_one(Unit, payload.refer_to, "refer_to"), version=payload.version,
    )
    return _detail(request.user, proposal)


@router.post("/proposals/{pk}/withdraw", response=ProposalDetailOut)
def proposal_withdraw(request, pk: int, payload: NoteIn):
    return _detail(request.user, services.proposal_withdraw(actor=request.user, proposal=_proposal(request, pk), note=payload.note))


@router.post("/proposals/{pk}/assign", response=ProposalDetailOut, summary="Assign to units with due dates")
def proposal_assign(request, pk: int, payload: AssignIn):
    services.proposal_assign(actor=request.user, proposal=_proposal(request, pk), mode=payload.mode,
                             units=_objects(Unit, payload.units, "units"), co_units=_objects(Unit, payload.co_units, "co_units"),
                             start=payload.start, version=payload.version)
    return _detail(request.user, _proposal(request, pk))


@router.post("/proposals/{pk}/close", response=ProposalDetailOut)
def proposal_close(request, pk: int, payload: NoteIn):
    return _detail(request.user, services.proposal_close(actor=request.user, proposal=_proposal(request, pk), note=payload.note))


@router.post("/proposals/{pk}/key", response=ProposalDetailOut, summary="Select as key proposal with a supervising leader")
def proposal_key(request, pk: int, payload: KeyIn):
    leader = _one(User, payload.leader, "leader")
    return _detail(request.user, services.proposal_mark_key(actor=request.user, proposal=_proposal(request, pk), leader=leader,
                                              is_key=payload.is_key, reported_to_city_leaders=payload.reported_to_city_leaders))


@router.post("/proposals/{pk}/instructions", response={201: dict}, summary="Record a leader's instruction (批示)")
def proposal_instruction(request, pk: int, payload: InstructionIn):
    instruction = services.instruction_add(actor=request.user, proposal=_proposal(request, pk), **payload.dict())
    return Status(201, {"id": instruction.pk})


@router.get("/proposals/{pk}/events", summary="The proposal's timeline")
def proposal_events(request, pk: int):
    from minsheng.core.selectors import timeline

    return [{"time": e.created_at, "actor": e.actor.name if e.actor else None, "verb": e.verb, "from": e.from_state,
             "to": e.to_state, "note": e.note} for e in timeline(_proposal(request, pk))]


@router.get("/handlings", response=Page[HandlingOut], summary="My unit's handling records")
def handling_list(request, status: str | None = None, page: int = 1, page_size: int = 50):
    if not request.user.unit_id:
        raise Forbidden("Only a unit handler has a unit desk.")
    qs = selectors.unit_handlings(request.user)
    if status:
        qs = qs.filter(status=status)
    result = paginate(qs, page=page, page_size=page_size)
    return {**result.__dict__, "results": [
        {**_handling_brief(h), "proposal_id": h.proposal_id, "proposal_title": h.proposal.title, "lead_id": h.lead_id,
         "reassign_deadline": h.reassign_deadline, "opinion": h.opinion, "signed_at": h.signed_at,
         "replied_at": h.replied_at} for h in result.results]}


@router.get("/handlings/{pk}", response=HandlingOut)
def handling_get(request, pk: int):
    return _handling_out(_handling(request, pk))


@router.post("/handlings/{pk}/sign", response=HandlingOut)
def handling_sign(request, pk: int):
    return _handling_out(services.handling_sign(actor=request.user, handling=_handling(request, pk)))


@router.post("/handlings/{pk}/reassign-request", response={201: RequestOut})
def handling_reassign(request, pk: int, payload: ReassignIn):
    req = services.handling_request_reassign(actor=request.user, handling=_handling(request, pk), reason=payload.reason,
                                             suggested_unit=_one(Unit, payload.suggested_unit, "suggested_unit"))
    return Status(201, {"id": req.pk, "kind": req.kind, "status": req.status, "handling_id": req.handling_id})


@router.post("/handlings/{pk}/extension-request", response={201: RequestOut})
def handling_extension(request, pk: int, payload: ExtensionIn):
    req = services.handling_request_extension(actor=request.user, handling=_handling(request, pk), reason=payload.reason,
                                              requested_due=payload.requested_due)
    return Status(201, {"id": req.pk, "kind": req.kind, "status": req.status, "handling_id": req.handling_id})


@router.post("/handling-requests/{pk}/decide", response=RequestOut, summary="Staff approve or reject a request")
def handling_request_decide(request, pk: int, payload: DecideRequestIn):
    req = get_object_or_404(HandlingRequest, pk=pk)
    req = services.handling_decide_request(actor=request.user, request=req, approve=payload.approve, note=payload.note,
                                           new_unit=_one(Unit, payload.new_unit, "new_unit"))
    return {"id": req.pk, "kind": req.kind, "status": req.status, "handling_id": req.handling_id}


@router.post("/handlings/{pk}/contact", response=HandlingOut, summary="Log a contact with the proposer")
def handling_contact(request, pk: int, payload: ContactIn):
    handling = _handling(request, pk)
    first = handling.proposal.proposers.filter(is_first=True).first()
    services.handling_contact(actor=request.user, handling=handling, method=payload.method,
                              contacted_on=payload.contacted_on, note=payload.note, member=first.member if first else None)
    return _handling_out(handling)


@router.post("/handlings/{pk}/opinion", response=HandlingOut, summary="A co-unit sends its opinion to the lead")
def handling_opinion(request, pk: int, payload: OpinionIn):
    return _handling_out(services.handling_send_opinion(actor=request.user, handling=_handling(request, pk), text=payload.text))


def _category(code: str | None) -> ResultCategory | None:
    if code is None:
        return None
    category = ResultCategory.objects.filter(code=code).first()
    if category is None:
        raise Invalid(f"Unknown result category {code!r}.", fields={"category": "unknown"})
    return category


@router.post("/handlings/{pk}/reply", response=HandlingOut, summary="Draft the reply with its A/B/C category")
def handling_reply(request, pk: int, payload: ReplyIn):
    handling = _handling(request, pk)
    services.handling_draft_reply(actor=request.user, handling=handling, category=_category(payload.category),
                                  text=payload.text, signer=payload.signer, contact_person=payload.contact_person,
                                  contact_phone=payload.contact_phone)
    return _handling_out(handling)


@router.post("/handlings/{pk}/countersign", response=HandlingOut, summary="A co-unit countersigns the lead's reply")
def handling_countersign(request, pk: int):
    return _handling_out(services.handling_countersign(actor=request.user, handling=_handling(request, pk)))


@router.post("/handlings/{pk}/review-reply", response=HandlingOut, summary="Staff approve (maybe recategorise) or send back")
def handling_review_reply(request, pk: int, payload: ReviewReplyIn):
    handling = _handling(request, pk)
    services.reply_review(actor=request.user, handling=handling, approve=payload.approve,
                          category=_category(payload.category), note=payload.note)
    return _handling_out(handling)


@router.post("/handlings/{pk}/evaluate", response={201: dict}, summary="A proposer evaluates the latest reply")
def handling_evaluate(request, pk: int, payload: EvaluateIn):
    data = payload.dict()
    evaluation = services.evaluation_submit(actor=request.user, handling=_handling(request, pk),
                                            satisfaction=data.pop("satisfaction"), comment=data.pop("comment"),
                                            **{k: v for k, v in data.items() if v})
    return Status(201, {"id": evaluation.pk, "satisfaction": evaluation.satisfaction,
                 "proposal_status": Proposal.objects.get(pk=evaluation.handling.proposal_id).status})


@router.post("/handlings/{pk}/rehandle", response=HandlingOut, summary="Staff send a reply back for re-handling")
def handling_rehandle(request, pk: int, payload: NoteIn):
    return _handling_out(services.handling_rehandle(actor=request.user, handling=_handling(request, pk), note=payload.note))


@router.get("/handlings/{pk}/reply-letter.docx", summary="The reply letter as a Word document")
def handling_reply_letter(request, pk: int):
    handling = _handling(request, pk)
    reply = selectors.reply_for_letter(request.user, handling)  # a proposer gets approved replies only
    if reply is None:
        raise NotFound("This handling record has no reply yet.")
    return _file(exports.reply_letter(reply), f"reply-{handling.proposal_id}-{handling.pk}.docx", exports.DOCX)


@router.get("/proposals-export.xlsx", summary="The proposals the caller may see, as Excel")
def proposals_export(request, status: str | None = None, session: int | None = None):
    qs = selectors.proposal_list(request.user, status=status, session=session)
    return _file(exports.proposals_workbook(qs), "proposals.xlsx", exports.XLSX)


def _file(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/proposals-statistics", summary="Statistics for a term, session or period")
def proposals_statistics(request, term: int | None = None, session: int | None = None, date_from: dt.date | None = None,
                         date_to: dt.date | None = None):
    if not request.user.has_perm("proposals.view_statistics"):
        raise Forbidden("Only the office and leaders see the statistics.")
    view = services.statistics_snapshot(term=term, session=session, date_from=date_from, date_to=date_to)
    return {**view.stats.__dict__, "as_of": view.as_of, "stale": view.stale}


class EpisodeIn(Schema):
    title: str = Field(..., max_length=120)
    held_on: dt.date
    channel: str = Field(..., max_length=120)
    unit: int
    unit_head: str = Field(..., max_length=40)
    members: list[int] = Field(default_factory=list)
    proposals: list[int] = Field(default_factory=list)
    summary: str = Field("", max_length=8000)


class CommitmentIn(Schema):
    text: str = Field(..., max_length=2000)
    unit: int
    due_date: dt.date | None = None


class EvidenceIn(Schema):
    evidence: str = Field(..., max_length=4000)


def _episode_out(episode) -> dict:
    return {"id": episode.pk, "title": episode.title, "held_on": episode.held_on, "channel": episode.channel,
            "unit": episode.unit.name, "unit_head": episode.unit_head,
            "proposals": [p.pk for p in episode.proposals.all()],
            "commitments": [{"id": c.pk, "text": c.text, "unit": c.unit_id, "due_date": c.due_date, "done": c.is_done,
                             "evidence": c.evidence} for c in episode.commitments.all()]}


@router.get("/face-to-face", summary="市民对话一把手 episodes with their commitments")
def episode_list(request):
    from .models import FaceToFaceEpisode

    if not request.user.has_perm("proposals.view_statistics"):
        raise Forbidden("Only the office and leaders see the episodes list.")
    return [_episode_out(e) for e in FaceToFaceEpisode.objects.select_related("unit").prefetch_related("proposals", "commitments")]


@router.post("/face-to-face", response={201: dict}, summary="Record an episode")
def episode_create(request, payload: EpisodeIn):
    episode = services.episode_create(
        actor=request.user, title=payload.title, held_on=payload.held_on, channel=payload.channel,
        unit=_one(Unit, payload.unit, "unit"), unit_head=payload.unit_head, members=_objects(Member, payload.members, "members"),
        proposals=_objects(Proposal, payload.proposals, "proposals"), summary=payload.summary)
    return Status(201, _episode_out(episode))


@router.post("/face-to-face/{pk}/commitments", response={201: dict}, summary="Add a commitment")
def commitment_create(request, pk: int, payload: CommitmentIn):
    from .models import FaceToFaceEpisode

    episode = get_object_or_404(FaceToFaceEpisode, pk=pk)
    commitment = services.commitment_add(actor=request.user, episode=episode, text=payload.text,
                                         unit=_one(Unit, payload.unit, "unit"), due_date=payload.due_date)
    return Status(201, {"id": commitment.pk, "done": False})


@router.post("/commitments/{pk}/done", summary="Report a commitment done, with evidence")
def commitment_done(request, pk: int, payload: EvidenceIn):
    from .models import Commitment

    commitment = services.commitment_complete(actor=request.user, commitment=get_object_or_404(Commitment, pk=pk),
                                              evidence=payload.evidence)
    return {"id": commitment.pk, "done": True, "done_at": commitment.done_at}


class SupervisionActivityIn(Schema):
    kind: str = Field(..., description="consultation, visit, research or inspection")
    held_on: dt.date
    proposals: list[int]
    place: str = Field("", max_length=120)
    units: list[int] = Field(default_factory=list)
    member_count: int = 0
    summary: str = Field("", max_length=8000)


@router.post("/supervision-activities", response={201: dict}, summary="Record a 督办 activity on key proposals")
def supervision_activity_create(request, payload: SupervisionActivityIn):
    activity = services.supervision_activity_add(
        actor=request.user, kind=payload.kind, held_on=payload.held_on, proposals=_objects(Proposal, payload.proposals, "proposals"),
        place=payload.place, leader=request.user if request.user.role == "leader" else None,
        units=_objects(Unit, payload.units, "units"), member_count=payload.member_count, summary=payload.summary)
    return Status(201, {"id": activity.pk, "proposals": payload.proposals})
