"""Hotline API (mounted at /api/hotline/): tickets, the three rates, the street ranking, imports."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from minsheng.core.errors import Forbidden, NotFound
from minsheng.core.lookups import is_uuid
from minsheng.core.pagination import paginate
from minsheng.core.schemas import Page, RefOut

from . import selectors, services
from .models import Category, Ticket

router = Router(tags=["hotline"])


class TicketOut(Schema):
    id: int
    number: str
    channel: str
    kind: str
    status: str
    category: RefOut | None
    district: RefOut | None
    street: RefOut | None
    unit: RefOut | None
    address: str
    received_at: dt.datetime
    deadline_class: str
    responded_in_time: bool | None
    resolved: bool | None
    satisfaction: str
    excluded: bool
    exclusion_reason: str
    duplicate_group: str
    summary: str


class TicketDetailOut(TicketOut):
    text: str
    community: RefOut | None
    tags: list[RefOut]


class ExcludeIn(Schema):
    excluded: bool = True
    reason: str = ""


class RateRowOut(Schema):
    key: int | str | None
    name: str
    kind: str
    total: int
    assessable: int
    flagged: int  # assessable with a response flag: the response rate's denominator
    responded: int
    revisited: int
    resolved: int
    satisfied: int
    basic: int
    unsatisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    score: float | None
    rank: int | None = None


class RatesOut(Schema):
    month: str
    by: str
    ruleset: str
    rows: list[RateRowOut]


class RankingGroupOut(Schema):
    group: str
    ranked: list[RateRowOut]
    red: list[RateRowOut]
    black: list[RateRowOut]


class RankingOut(Schema):
    month: str
    ruleset: str
    groups: list[RankingGroupOut]


class CategoryOut(Schema):
    id: int
    name: str
    level: int
    parent_id: int | None


class ImportJobOut(Schema):
    id: str
    status: str
    title: str


class RemapIn(Schema):
    source: str  # the import source (saved column mapping) to add the mapping to; created when new
    mapping: dict[str, str]  # field → header of the file, e.g. {"responded_in_time": "是否及时响应"}


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _ticket_out(t: Ticket) -> dict:
    return {
        "id": t.pk, "number": t.number, "channel": t.channel, "kind": t.kind, "status": t.status,
        "category": _ref(t.category), "district": _ref(t.district), "street": _ref(t.street), "unit": _ref(t.unit),
        "address": t.address, "received_at": t.received_at, "deadline_class": t.deadline_class,
        "responded_in_time": t.responded_in_time, "resolved": t.resolved, "satisfaction": t.satisfaction,
        "excluded": t.excluded, "exclusion_reason": t.exclusion_reason, "duplicate_group": t.duplicate_group,
        "summary": t.summary,
    }


def _row_out(r: selectors.RateRow) -> dict:
    return {k: getattr(r, k) for k in RateRowOut.model_fields}


@router.get("/tickets", response=Page[TicketOut], summary="Tickets the caller may see, filtered and paged")
def tickets(request, month: str = "", district: int | None = None, street: int | None = None,
            unit: int | None = None, category: int | None = None, kind: str | None = None,
            status: str | None = None, satisfaction: str | None = None, excluded: bool | None = None,
            q: str = "", page: int = 1, page_size: int = 50):
    if not request.user.has_perm("hotline.view_tickets"):
        raise Forbidden(_("You may not see tickets."))
    qs = selectors.ticket_list(user=request.user, month=selectors.parse_month(month) if month else None,
                               district=district, street=street, unit=unit, category=category, kind=kind,
                               status=status, satisfaction=satisfaction, excluded=excluded, q=q)
    result = paginate(qs, page=page, page_size=page_size, count_limit=selectors.TICKET_COUNT_LIMIT)
    return {**result.__dict__, "results": [_ticket_out(t) for t in result.results]}


@router.get("/tickets/{ticket_id}", response=TicketDetailOut, summary="One ticket")
def ticket_detail(request, ticket_id: int):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return {**_ticket_out(ticket), "text": ticket.text, "community": _ref(ticket.community),
            "tags": [_ref(t) for t in ticket.tags.all()]}


@router.post("/tickets/{ticket_id}/exclusion", response=TicketOut,
             summary="Exclude a ticket from assessment (分类处置) or include it again")
def ticket_exclusion(request, ticket_id: int, payload: ExcludeIn):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    if ticket is None:
        raise NotFound(_("No such ticket."))
    ticket = services.ticket_exclude(actor=request.user, ticket=ticket, excluded=payload.excluded,
                                     reason=payload.reason)
    return _ticket_out(selectors.ticket_get(user=request.user, pk=ticket.pk))


@router.get("/rates", response=RatesOut, summary="The three rates of a month by unit, street, district or category")
def rates(request, month: str, by: str = "street", district: int | None = None):
    if not request.user.has_perm("hotline.view_rates"):
        raise Forbidden(_("You may not see the rates."))
    first = selectors.parse_month(month)
    ruleset = selectors.ruleset_for(first)
    district = selectors.rates_district_for(request.user, by=by, district=district)
    rows = selectors.rates(month=first, by=by, ruleset=ruleset, district=district)
    return {"month": month, "by": by, "ruleset": str(ruleset), "rows": [_row_out(r) for r in rows]}


@router.get("/ranking", response=RankingOut, summary="Monthly ranking of streets and townships with red and black lists")
def ranking(request, month: str):
    if not request.user.has_perm("hotline.view_rates"):
        raise Forbidden(_("You may not see the rates."))
    result = selectors.street_ranking(month=month)
    return {"month": month, "ruleset": str(result.ruleset), "groups": [
        {"group": g, "ranked": [_row_out(r) for r in rows], "red": [_row_out(r) for r in result.red[g]],
         "black": [_row_out(r) for r in result.black[g]]} for g, rows in result.groups.items()]}


@router.get("/categories", response=list[CategoryOut], summary="The category tree, level by level")
def categories(request):
    if not request.user.has_perm("hotline.view_rates"):
        raise Forbidden(_("You may not see the categories."))
    return list(Category.objects.filter(active=True).order_by("level", "order", "name"))


@router.post("/imports", response={202: ImportJobOut}, summary="Upload a CSV or Excel file of tickets to import")
def import_upload(request, file: File[UploadedFile], source: Form[str] = ""):
    job = services.upload_save(actor=request.user, upload=file, source=source or None)
    return Status(202, {"id": str(job.pk), "status": job.status, "title": job.title})


@router.post("/imports/{job_id}/remap", response={202: ImportJobOut},
             summary="Map columns an import did not recognise and import the file again with the mapping")
def import_remap(request, job_id: str, payload: RemapIn):
    from minsheng.core.models import Job

    job = Job.objects.filter(pk=job_id, kind="hotline.import").first() if is_uuid(job_id) else None
    if job is None or not request.user.has_perm("core.view_job", job):
        raise NotFound(_("No such import."))
    new = services.ticket_import_remap(actor=request.user, job=job, mapping=payload.mapping, source=payload.source)
    return Status(202, {"id": str(new.pk), "status": new.status, "title": new.title})


