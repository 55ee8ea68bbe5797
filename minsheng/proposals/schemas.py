"""Input and output schemas of the proposals API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from minsheng.core.schemas import Id


class ProposalIn(Schema):
    title: str = Field(..., max_length=120)
    situation: str = Field(..., max_length=8000)
    analysis: str = Field(..., max_length=8000)
    suggestions: str = Field(..., max_length=8000)
    kind: str = "member"
    cosigners: list[Id] = Field(default_factory=list, description="member ids who must confirm")
    subject_area: Id | None = None
    tags: list[Id] = Field(default_factory=list)
    suggested_units: list[Id] = Field(default_factory=list)
    consent_publish: bool = True
    is_urgent: bool = False
    org_party: Id | None = None
    org_sector: Id | None = None
    org_committee: Id | None = None
    org_name: str = ""


class ProposalPatch(Schema):
    title: str | None = Field(None, max_length=120)
    situation: str | None = Field(None, max_length=8000)
    analysis: str | None = Field(None, max_length=8000)
    suggestions: str | None = Field(None, max_length=8000)
    subject_area: Id | None = None
    tags: list[Id] | None = None
    suggested_units: list[Id] | None = None
    consent_publish: bool | None = None
    is_urgent: bool | None = None


class ProposerOut(Schema):
    member_id: int
    name: str
    is_first: bool
    confirmed: bool
    via: int | None


class HandlingBrief(Schema):
    id: int
    unit_id: int
    unit: str
    mode: str
    status: str
    due_date: dt.date
    round: int
    overdue: bool


class ProposalOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    timing: str
    status: str
    version: int
    session_id: int | None
    subject_area: str | None
    is_urgent: bool
    is_key: bool
    submitted_at: dt.datetime | None
    proposers: list[ProposerOut]
    handlings: list[HandlingBrief]


class ProposalDetailOut(ProposalOut):
    situation: str
    analysis: str
    suggestions: str
    merged_into: int | None
    not_filed_reason: str | None
    review_note: str


class ReviewIn(Schema):
    step: str = Field(..., description="first or second")
    note: str = ""


class DecideIn(Schema):
    outcome: str = Field(..., description="file, merge, return, not_file or refer")
    note: str = ""
    merge_into: Id | None = None
    reason: Id | None = Field(None, description="NotFiledReason id, for not_file")
    refer_to: Id | None = None
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class BulkDecideIn(Schema):
    ids: list[Id]
    outcome: str
    note: str = ""
    reason: Id | None = None


class AssignIn(Schema):
    mode: str = Field(..., description="single, separate or lead")
    units: list[Id]
    co_units: list[Id] = Field(default_factory=list)
    start: dt.date | None = None
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class NoteIn(Schema):
    note: str = ""


class KeyIn(Schema):
    is_key: bool = True
    leader: Id | None = None
    reported_to_city_leaders: bool | None = None


class InstructionIn(Schema):
    leader_name: str = Field(..., max_length=40)
    level: str = Field(..., max_length=20)
    text: str = Field(..., max_length=4000)
    given_on: dt.date


class HandlingOut(HandlingBrief):
    proposal_id: int
    proposal_title: str
    lead_id: int | None
    reassign_deadline: dt.date
    opinion: str
    signed_at: dt.datetime | None
    replied_at: dt.datetime | None


class ReassignIn(Schema):
    reason: str = Field(..., max_length=4000)
    suggested_unit: Id | None = None


class ExtensionIn(Schema):
    reason: str = Field(..., max_length=4000)
    requested_due: dt.date


class DecideRequestIn(Schema):
    approve: bool
    note: str = ""
    new_unit: Id | None = None


class RequestOut(Schema):
    id: int
    kind: str
    status: str
    handling_id: int


class ContactIn(Schema):
    method: str
    contacted_on: dt.date
    note: str = Field("", max_length=4000)


class OpinionIn(Schema):
    text: str = Field(..., max_length=20000)


class ReplyIn(Schema):
    category: str = Field(..., description="result category code: A, B, C…")
    text: str = Field(..., max_length=20000)
    signer: str = ""
    contact_person: str = ""
    contact_phone: str = ""


class ReviewReplyIn(Schema):
    approve: bool
    category: str | None = None
    note: str = ""


class EvaluateIn(Schema):
    satisfaction: str = Field(..., description="satisfied, basic or dissatisfied")
    comment: str = Field("", max_length=4000)
    visited: str = ""
    contact_way: str = ""
    attitude: str = ""
    pertinence: str = ""
    result_view: str = ""


class SimilarIn(Schema):
    title: str = Field(..., min_length=2, max_length=120)
    situation: str = Field("", max_length=8000)
    analysis: str = Field("", max_length=8000)
    suggestions: str = Field("", max_length=8000)
    exclude: Id | None = None


class SimilarOut(Schema):
    id: int
    number: str
    title: str
    status: str
    similarity: float
    likely_duplicate: bool
