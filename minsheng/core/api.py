"""Core API: who am I, the directory (sectors, members, units, areas), calendar, jobs, notifications,
timelines, search and API tokens."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from minsheng.core.lookups import is_uuid

from . import calendar, jobs, selectors, services
from .errors import Forbidden, Invalid, NotFound
from .models import Area, Job, Member, Notification
from .pagination import paginate
from .schemas import (
    AreaOut,
    DueIn,
    DueOut,
    EventOut,
    JobOut,
    MarkReadIn,
    MemberOut,
    NotificationCountsOut,
    NotificationOut,
    NotificationPreferenceItem,
    NotificationPreferencesIn,
    NotificationTab,
    Page,
    SearchHit,
    SectorOut,
    TokenIn,
    TokenOut,
    UnitOut,
    UserOut,
)
from .search import search_for

router = Router(tags=["core"])


def _user_out(user) -> dict:
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    return {
        "id": user.pk, "username": user.username, "name": user.name, "role": user.role,
        "unit_id": user.unit_id, "district_id": user.district_id, "member_id": member.pk if member else None,
    }


@router.get("/me", response=UserOut, summary="The signed-in user")
def me(request):
    return _user_out(request.user)


@router.get("/sectors", response=list[SectorOut], summary="Sectors (界别) with their serving member counts")
def sectors(request):
    return list(selectors.sector_list())


def _member_out(member: Member, user) -> dict:
    return {
        "id": member.pk, "name": member.name, "gender": member.gender,
        "sector": {"id": member.sector_id, "name": member.sector.name},
        "party": {"id": member.party_id, "name": str(member.party)} if member.party_id else None,
        "area": {"id": member.area_id, "name": member.area.name} if member.area_id else None,
        "committees": [{"id": c.pk, "name": c.name} for c in member.committees.all()],
        "is_standing": member.is_standing, "status": member.status, "workplace": member.workplace,
        "phone": member.phone if user.has_perm("core.view_member_contact", member) else None,
    }


@router.get("/members", response=Page[MemberOut], summary="Members, filtered and paged")
def members(request, q: str = "", sector: int | None = None, party: int | None = None, committee: int | None = None,
            area: int | None = None, standing: bool | None = None, status: str | None = None,
            page: int = 1, page_size: int = 50):
    result = paginate(
        selectors.member_list(q=q, sector=sector, party=party, committee=committee, area=area, standing=standing,
                              status=status),
        page=page, page_size=page_size,
    )
    return {**result.__dict__, "results": [_member_out(m, request.user) for m in result.results]}


@router.get("/members/{member_id}", response=MemberOut)
def member_detail(request, member_id: int):
    member = get_object_or_404(selectors.member_list(), pk=member_id)
    return _member_out(member, request.user)


@router.get("/members/{member_id}/events", response=list[EventOut], summary="The member's timeline")
def member_events(request, member_id: int):
    member = get_object_or_404(Member, pk=member_id)
    if not (request.user.has_perm("core.view_all_events") or request.user.has_perm("core.view_member_contact", member)):
        raise Forbidden("You may not see this member's timeline.")
    return [_event_out(e) for e in selectors.timeline(member)]


def _event_out(event) -> dict:
    return {
        "id": event.pk, "created_at": event.created_at, "actor": event.actor.name if event.actor else None,
        "verb": event.verb, "from_state": event.from_state, "to_state": event.to_state, "note": event.note,
        "data": event.data,
    }


@router.get("/units", response=Page[UnitOut], summary="Handling units (承办单位)")
def units(request, q: str = "", kind: str | None = None, page: int = 1, page_size: int = 50):
    result = paginate(selectors.unit_list(q=q, kind=kind), page=page, page_size=page_size)
    return result.__dict__


@router.get("/areas", response=list[AreaOut], summary="Areas: districts, or the children of `parent`")
def areas(request, parent: int | None = None, level: str | None = None):
    qs = Area.objects.all()
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    elif level:
        qs = qs.filter(level=level)
    else:
        qs = qs.filter(level="district")
    return list(qs.order_by("code")[:5000])


@router.post("/calendar/due", response=DueOut, summary="Due date of a deadline rule on the working-day calendar")
def calendar_due(request, payload: DueIn):
    rule = calendar.get_rule(payload.rule)
    if rule.unit == "hours":
        raise Invalid(f"The rule {payload.rule!r} counts hours; this endpoint counts from a date.",
                      code="hour_rule", fields={"rule": "hours"})
    due = calendar.due_date(rule, payload.start)
    return {"rule": payload.rule, "start": payload.start, "due": due,
            "working_days": calendar.working_days_between(payload.start, due)}


@router.post("/jobs/search-rebuild", response={202: JobOut}, summary="Queue a rebuild of the search index")
def job_search_rebuild(request):
    if not request.user.has_perm("core.manage_reference"):
        raise Forbidden("Only staff may rebuild the search index.")
    job = jobs.job_create(kind="core.search_rebuild", actor=request.user)
    return Status(202, _job_out(job))


@router.get("/jobs/{job_id}", response=JobOut, summary="A long job's status, progress, log and result")
def job_detail(request, job_id: str):
    job = Job.objects.filter(pk=job_id).first() if is_uuid(job_id) else None
    if job is None:
        raise NotFound("No such job.")
    if not request.user.has_perm("core.view_job", job):
        raise Forbidden("You may not see this job.")
    return _job_out(job)




def _job_out(job: Job) -> dict:
    return {
        "id": str(job.pk), "kind": job.kind, "title": job.title, "status": job.status,
        "progress_done": job.progress_done, "progress_total": job.progress_total, "percent": job.percent,
        "log": job.log[-20000:], "result": job.result, "error": job.error, "created_at": job.created_at,
        "started_at": job.started_at, "finished_at": job.finished_at,
    }


def _my_notification(request, notification_id: int) -> Notification:
    # Another person's notification answers as if it did not exist.
    note = Notification.objects.filter(pk=notification_id, recipient=request.user).first()
    if note is None:
        raise NotFound("No such notification.")
    return note


@router.get("/notifications", response=Page[NotificationOut],
            summary="My inbox, newest first: one tab (action 待办, follow 关注, info 动态 with the digests), or a digest's items")
def notifications(request, unread: bool = False, tab: NotificationTab | None = None, digest: int | None = None,
                  page: int = 1, page_size: int = 50):
    group = _my_notification(request, digest) if digest is not None else None
    qs = selectors.notification_list(request.user, tab=tab, unread=unread, digest=group)
    if group is not None and unread:
        qs = qs.filter(read_at__isnull=True)
    return paginate(qs, page=page, page_size=page_size).__dict__


@router.get("/notifications/counts", response=NotificationCountsOut, summary="My unread counts: to-dos and per tab")
def notification_counts(request):
    return {"todo": selectors.notification_todo_count(request.user), **selectors.notification_counts(request.user)}


@router.get("/notifications/preferences", response=list[NotificationPreferenceItem],
            summary="How I receive each kind of notification")
def notification_preferences(request):
    return selectors.notification_preferences(request.user)


@router.put("/notifications/preferences", response=list[NotificationPreferenceItem],
            summary="Set how I receive the kinds given (action: only e-mail can change)")
def notification_preferences_set(request, payload: NotificationPreferencesIn):
    with transaction.atomic():
        for item in payload.preferences:
            services.notification_preference_set(actor=request.user, kind=item.kind, delivery=item.delivery,
                                                  email=item.email)
    return selectors.notification_preferences(request.user)


@router.get("/notifications/{int:notification_id}", response=NotificationOut, summary="One of my notifications")
def notification_detail(request, notification_id: int):
    return _my_notification(request, notification_id)


@router.post("/notifications/{int:notification_id}/read", summary="Mark one of my notifications read")
def notification_read(request, notification_id: int):
    note = _my_notification(request, notification_id)
    return {"marked": services.notification_mark_read(actor=request.user, ids=[note.pk])}


@router.post("/notifications/read", summary="Mark my notifications read: these ids, or all (of one tab) when ids is omitted")
def notifications_read(request, payload: MarkReadIn):
    kinds = selectors.NOTIFICATION_TABS[payload.tab] if payload.tab and payload.ids is None else None
    return {"marked": services.notification_mark_read(actor=request.user, ids=payload.ids, kinds=kinds)}


@router.get("/search", response=list[SearchHit], summary="Chinese full-text search over everything indexed")
def search_all(request, q: str = Query(..., min_length=1, max_length=200), limit: int = 20):
    hits = search_for(request.user, q, limit=max(1, min(limit, 100)))  # only what the user may see, as the page
    types = {ct.pk: ct for ct in ContentType.objects.filter(pk__in={h[0] for h in hits})}
    return [{"type": types[t].model, "id": i, "title": title} for t, i, title in hits]


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def tokens(request):
    return list(request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at"))


@router.post("/tokens", response={201: TokenOut}, summary="Create an API token (the key is shown only now)")
def token_create(request, payload: TokenIn):
    token, key = services.api_token_create(actor=request.user, name=payload.name, days=payload.days)
    return Status(201, {"id": token.pk, "name": token.name, "prefix": token.prefix, "key": key,
                        "created_at": token.created_at, "expires_at": token.expires_at})


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request, token_id: int):
    services.api_token_revoke(actor=request.user, token_id=token_id)
    return Status(204, None)
