"""Pages of the core app: home dashboard, directory, timelines, notifications, jobs, search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .choices import MemberStatus, UnitKind
from .models import Area, Committee, Job, Notification, Party, Sector, Unit
from .pagination import paginate
from .search import search_for


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
    qs = Notification.objects.filter(recipient=request.user)
    page = paginate(qs, page=_int(request.GET.get("page")) or 1, page_size=30)
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_read(actor=request.user)
    messages.success(request, _("%(n)s notifications marked read.") % {"n": count})
    return redirect("core:notifications")


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


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    hits = []
    if q:
        from django.contrib.contenttypes.models import ContentType
        from django.urls import NoReverseMatch, reverse

        raw = search_for(request.user, q, limit=50)  # only what the user may see, as /api/search
        types = {ct.pk: ct for ct in ContentType.objects.filter(pk__in={h[0] for h in raw})}
        for type_id, obj_id, title in raw:
            ct = types[type_id]
            try:
                url = reverse(f"{ct.app_label}:{ct.model}_detail", args=[obj_id])
            except NoReverseMatch:
                url = ""
            hits.append({"type": ct.model, "id": obj_id, "title": title, "url": url, "kind": ct.model_class()._meta.verbose_name if ct.model_class() else ct.model})
    return render(request, "core/search.html", {"q": q, "hits": hits})




@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve an attachment to whoever may see the object it is attached to (`<app>.view_<model>`)."""
    from django.http import FileResponse

    from .models import Attachment

    attachment = get_object_or_404(Attachment.objects.select_related("target_type"), pk=pk)
    target = attachment.target
    perm = f"{attachment.target_type.app_label}.view_{attachment.target_type.model}"
    if target is None or not (request.user.has_perm(perm, target) or request.user.has_perm("core.manage_reference")):
        raise PermissionDenied
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and the back office ask for /favicon.ico; the icon is a static file."""
    from django.templatetags.static import static

    return redirect(static("src/favicon.svg"))
