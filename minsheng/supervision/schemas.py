"""Input and output schemas of the supervision API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from minsheng.core.schemas import Id


class TopicYearIn(Schema):
    year: int
    title: str


class TopicYearOut(Schema):
    id: int
    year: int
    title: str


class TopicIn(Schema):
    month: int
    theme: str
    lead_unit: Id
    co_units: list[Id] = []
    categories: list[Id] = []
    tags: list[Id] = []


class ProblemOut(Schema):
    id: int
    topic_id: int
    order: int
    text: str
    group_id: int | None = None
    convener: str | None = None
    member_count: int = 0


class TopicOut(Schema):
    id: int
    month: int
    theme: str
    lead_unit_id: int
    lead_unit: str
    co_units: list[int]
    categories: list[int]
    problems: list[ProblemOut]


class TopicYearDetailOut(TopicYearOut):
    topics: list[TopicOut]


class ProblemIn(Schema):
    text: str


class GroupIn(Schema):
    convener: Id | None = None


class InviteIn(Schema):
    member: Id


class MembershipOut(Schema):
    group_id: int
    member_id: int
    member: str
    sector: str
    joined_via: str


class ItemIn(Schema):
    kind: str
    text: str
    owner: Id
    due_date: dt.date | None = None


class UpdateOut(Schema):
    id: int
    note: str
    evidence: str
    status: str
    author: str
    created_at: dt.datetime


class ItemOut(Schema):
    id: int
    problem_id: int
    kind: str
    text: str
    owner_id: int
    owner: str
    due_date: dt.date | None
    status: str
    overdue: bool


class ProgressIn(Schema):
    note: str
    evidence: str = ""
    status: str | None = None


class ActivityIn(Schema):
    kind: str
    held_on: dt.date
    place: str
    participants: list[Id] = []
    person_count: int | None = Field(None, ge=0)
    at_council_hall: bool = False
    summary: str = ""


class ActivityOut(Schema):
    id: int
    problem_id: int
    kind: str
    held_on: dt.date
    place: str
    at_council_hall: bool
    participant_count: int
    person_count: int
    summary: str


class OpinionIn(Schema):
    kind: str
    title: str
    text: str
    meeting_date: dt.date | None = None
    member: Id | None = None


class OpinionOut(Schema):
    id: int
    problem_id: int
    member_id: int
    kind: str
    title: str
    text: str
    meeting_date: dt.date | None


class ProposalLinkIn(Schema):
    number: str | None = Field(None, description="The printed number, e.g. 14-4-0123")
    proposal: Id | None = Field(None, description="Or the proposal's id")


class ProposalLinkOut(Schema):
    problem_id: int
    proposal_id: int
    number: str
    title: str
    status: str
    proposers: list[str]
    linked_by: str
    linked_at: dt.datetime


class SectorBrief(Schema):
    id: int
    name: str


class CoverageOut(Schema):
    sectors: int
    covered: list[SectorBrief]
    missing: list[SectorBrief]


class VolumeOut(Schema):
    month: dt.date
    count: int | None = Field(..., description="null: no ticket of any kind was imported that month")
    after: bool


class RatesOut(Schema):
    total: int
    resolution_rate: float | None
    satisfaction_rate: float | None
    response_rate: float | None


class ThreePartyOut(Schema):
    problem: ProblemOut
    topic_month: dt.date
    volumes: list[VolumeOut]
    before_total: int
    after_total: int
    before: RatesOut | None
    after: RatesOut | None
    items: list[ItemOut]
    items_done: int
    items_overdue: int
    activities: list[ActivityOut]
    opinions: list[OpinionOut]
    proposals: list[ProposalLinkOut]
    person_count: int


class OverviewRowOut(Schema):
    problem_id: int
    problem: str
    month: int
    members: int
    items: int
    done: int
    overdue: int
    activities: int
    person_count: int
    opinions: int
    speeches: int
    proposals: int


class OverviewOut(Schema):
    year: int
    totals: dict[str, int]
    rows: list[OverviewRowOut]
    missing_sectors: list[SectorBrief]
