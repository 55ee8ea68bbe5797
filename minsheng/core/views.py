"""Pages of the core app: home dashboard, directory, timelines, notifications, jobs, search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .choices import MemberStatus, UnitKind
from .errors import DomainError
from .models import Area, Committee, Job, Notification, Party, Sector, Unit
from .pagination import paginate
from .search import HitFacts, highlight, highlight_words, search_facts, search_for, snippet


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers: {"status": "ok", "database": "ok"}."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - any database failure is reported, not raised
        database = f"error: {type(exc).__name__}"
    status = 200 if database == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", "database": database}, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"dashboard": selectors.dashboard(request.user)})


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    standing = {"1": True, "0": False}.get(g.get("standing", ""))
    qs = selectors.member_list(q=g.get("q", "").strip(), sector=_int(g.get("sector")), party=_int(g.get("party")),
                               committee=_int(g.get("committee")), area=_int(g.get("area")), standing=standing,
                               status=g.get("status") or None)
    page = paginate(qs, page=_int(g.get("page")) or 1, page_size=50)
    query = g.copy()
    query.pop("page", None)
    return render(request, "core/member_list.html", {
        "page": page, "query": query.urlencode(), "q": g.get("q", ""),
        "sectors": Sector.objects.filter(active=True), "parties": Party.objects.all(),
        "committees": Committee.objects.all(), "districts": Area.objects.filter(level="district"),
        "statuses": MemberStatus.choices, "filters": g,
    })


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(selectors.member_list(), pk=pk)
    can_contact = request.user.has_perm("core.view_member_contact", member)
    return render(request, "core/member_detail.html", {
        "member": member, "can_contact": can_contact,
        "events": selectors.timeline(member) if (can_contact or request.user.has_perm("core.view_all_events")) else None,
    })


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    page = paginate(selectors.unit_list(q=g.get("q", "").strip(), kind=g.get("kind") or None),
                    page=_int(g.get("page")) or 1, page_size=50)
    query = g.copy()
    query.pop("page", None)
    return render(request, "core/unit_list.html", {"page": page, "query": query.urlencode(), "q": g.get("q", ""),
                                                   "kinds": UnitKind.choices, "filters": g})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("parent", "area"), pk=pk)
    return render(request, "core/unit_detail.html", {
        "unit": unit, "can_see_work": request.user.has_perm("core.view_unit_work", unit),
        "children": unit.children.filter(active=True),
        "events": selectors.timeline(unit) if request.user.has_perm("core.view_unit_work", unit) else None,
    })


@login_required
def sector_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/sector_list.html", {"sectors": selectors.sector_list()})


@login_required
def district_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/district_list.html", {"districts": selectors.district_list()})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The inbox: tabs 待办 / 关注 / 动态 (or all), unread only if asked, with the unread counts per tab."""
    tab = request.GET.get("tab", "")
    tab = tab if tab in selectors.NOTIFICATION_TABS else ""
    unread = request.GET.get("unread") == "1"
    page = paginate(selectors.notification_list(request.user, tab=tab or None, unread=unread),
                    page=_int(request.GET.get("page")) or 1, page_size=30)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/notifications.html", {
        "page": page, "tab": tab, "unread": unread, "query": query.urlencode(),
        "counts": selectors.notification_counts(request.user),
        "tabs": [("", _("All")), ("action", _("To do")), ("follow", _("Following")), ("info", _("Updates"))],
    })


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark every notification of the current tab (or of all) read."""
    tab = request.POST.get("tab", "")
    kinds = selectors.NOTIFICATION_TABS.get(tab)
    count = services.notification_mark_read(actor=request.user, kinds=kinds)
    messages.success(request, _("%(n)s notifications marked read.") % {"n": count})
    return redirect(reverse("core:notifications") + (f"?tab={tab}" if kinds else ""))


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_all_events"):
        raise PermissionDenied
    page = paginate(Job.objects.select_related("created_by"), page=_int(request.GET.get("page")) or 1, page_size=30)
    return render(request, "core/job_list.html", {"page": page})


@login_required
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk)
    if not request.user.has_perm("core.view_job", job):
        raise PermissionDenied
    template = "core/_job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


SEARCH_PAGE_LIMIT = 50  # hits on the search page


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    return render(request, "core/search.html", {"q": q, "hits": _search_hits(request.user, q) if q else [],
                                                "limit": SEARCH_PAGE_LIMIT})


def _search_hits(user, q: str) -> list[dict]:
    """The hits the user may see (as /api/search), each with what tells it from the others (kind, number,
    status, date, who, a snippet) and the query's words marked: a bounded number of queries (one per kind)."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import NoReverseMatch, reverse

    raw = search_for(user, q, limit=SEARCH_PAGE_LIMIT)
    facts = search_facts(raw)
    words = highlight_words(q)
    hits = []
    for type_id, obj_id, title in raw:
        ct = ContentType.objects.get_for_id(type_id)
        model = ct.model_class()
        try:
            url = reverse(f"{ct.app_label}:{ct.model}_detail", args=[obj_id])
        except NoReverseMatch:
            url = ""
        fact = facts.get((type_id, obj_id), HitFacts())
        hits.append({"type": ct.model, "id": obj_id, "url": url, "kind": model._meta.verbose_name if model else ct.model,
                     "title": highlight(title, words), "number": fact.number, "status": fact.status,
                     "subkind": fact.kind, "date": fact.date, "who": fact.who, "snippet": snippet(fact.text, words)})
    return hits


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve an attachment to whoever may see the object it is attached to (`<app>.view_<model>`) — nobody
    else, staff included: a member's draft and its attachments are the member's until submitted."""
    from django.http import FileResponse

    from .models import Attachment

    attachment = get_object_or_404(Attachment.objects.select_related("target_type"), pk=pk)
    target = attachment.target
    perm = f"{attachment.target_type.app_label}.view_{attachment.target_type.model}"
    if target is None or not request.user.has_perm(perm, target):
        raise PermissionDenied
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and the back office ask for /favicon.ico; the icon is a static file."""
    from django.templatetags.static import static

    return redirect(static("src/favicon.svg"))


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read; with HTMX, answer with the item as it now reads."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)  # another's: 404, as if absent
    services.notification_mark_read(actor=request.user, ids=[note.pk])
    if request.headers.get("HX-Request"):
        note.refresh_from_db()
        return render(request, "core/_notification_item.html", {"n": note})
    return redirect(request.POST.get("next") if url_has_allowed_host_and_scheme(
        request.POST.get("next"), allowed_hosts={request.get_host()}) else reverse("core:notifications"))


@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notification, opened (and so read); a digest with the items it groups, by kind."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        services.notification_mark_read(actor=request.user, ids=[note.pk])
        note.refresh_from_db()
    page = None
    if note.kind == Notification.Kind.DIGEST:
        page = paginate(selectors.notification_list(request.user, digest=note), page=_int(request.GET.get("page")) or 1,
                        page_size=100)
    return render(request, "core/notification_detail.html", {"n": note, "page": page})


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Per kind: at once in the inbox, in the daily digest, or off (to-dos always at once); and e-mail."""
    from .models import NotificationPreference

    if request.method == "POST":
        try:
            with transaction.atomic():
                for kind in NotificationPreference.KINDS:
                    services.notification_preference_set(
                        actor=request.user, kind=kind,
                        delivery=Notification.Delivery.NOW if kind == Notification.Kind.ACTION
                        else request.POST.get(f"{kind}-delivery", ""),
                        email=request.POST.get(f"{kind}-email") == "on")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("core:notification_settings")
    return render(request, "core/notification_settings.html", {
        "preferences": selectors.notification_preferences(request.user),
        "deliveries": Notification.Delivery.choices,
    })
