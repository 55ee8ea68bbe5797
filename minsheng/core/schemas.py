"""Input and output schemas of the core API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from ninja import Field, Schema
from pydantic import BaseModel

T = TypeVar("T")

# The largest id the database stores (a signed 64-bit integer): a bigger one in a body is refused with 422
# by validation, before any permission check or query.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Page(BaseModel, Generic[T]):
    count: int
    page: int
    page_size: int
    results: list[T]
    more: bool = False  # the count stopped at the list's limit: there are more rows than `count`


class Error(Schema):
    code: str
    message: str
    fields: dict[str, Any] = {}


class UserOut(Schema):
    id: int
    username: str
    name: str
    role: str
    unit_id: int | None
    district_id: int | None
    member_id: int | None = None


class SectorOut(Schema):
    id: int
    name: str
    short_name: str
    category: str
    order: int
    member_count: int = 0


class RefOut(Schema):
    id: int
    name: str


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    sector: RefOut
    party: RefOut | None
    area: RefOut | None
    committees: list[RefOut]
    is_standing: bool
    status: str
    workplace: str
    phone: str | None = None


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    organ: str
    parent_id: int | None
    area_id: int | None
    contact_name: str
    contact_phone: str


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class EventOut(Schema):
    id: int
    created_at: dt.datetime
    actor: str | None
    verb: str
    from_state: str
    to_state: str
    note: str
    data: dict


class JobOut(Schema):
    id: str
    kind: str
    title: str
    status: str
    progress_done: int
    progress_total: int | None
    percent: int | None
    log: str
    result: dict
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


NotificationKind = Literal["action", "follow", "info", "digest"]
NotificationTab = Literal["action", "follow", "info"]
PreferenceKind = Literal["action", "follow", "info"]
Delivery = Literal["now", "digest", "off"]


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    digest_id: int | None = Field(None, description="the digest that groups this item")


class NotificationCountsOut(Schema):
    todo: int = Field(..., description="unread to-dos: the bell's figure")
    unread: int = Field(..., description="unread notifications shown in the inbox (digested items count in their digest)")
    action: int
    follow: int
    info: int = Field(..., description="unread updates and digests")


class MarkReadIn(Schema):
    ids: list[Id] | None = Field(None, description="these of mine; all shown in the inbox when omitted")
    tab: NotificationTab | None = Field(None, description="with no ids: only this tab's")


class NotificationPreferenceItem(Schema):
    kind: PreferenceKind
    delivery: Delivery = Field(..., description="now: at once in the inbox; digest: in the daily digest; off (not for action)")
    email: bool = Field(..., description="mail the messages of this kind that the platform mails")


class NotificationPreferencesIn(Schema):
    preferences: list[NotificationPreferenceItem] = Field(..., min_length=1, max_length=3)


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    days: int | None = Field(None, ge=1, le=365, description="validity in days (90 by default)")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    key: str | None = None
    created_at: dt.datetime
    expires_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


class DueIn(Schema):
    rule: str = Field(..., description="deadline rule code, e.g. proposal-reply")
    start: dt.date = Field(..., ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31),
                           description="a date from 1990 to 2100 (the calendar's range)")


class DueOut(Schema):
    rule: str
    start: dt.date
    due: dt.date
    working_days: int


class SearchHit(Schema):
    type: str
    id: str
    title: str
