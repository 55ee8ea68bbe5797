"""Pages of the hotline app: tickets, ticket detail, import, rates with trend, street ranking, Excel export."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core.choices import AreaLevel
from minsheng.core.errors import DomainError, Forbidden
from minsheng.core.exports import XLSX, xlsx
from minsheng.core.models import Area, Job
from minsheng.core.pagination import paginate

from . import importing, selectors, services
from .choices import Channel, DeadlineClass, Dimension, Kind, RankGroup, Satisfaction, Status
from .forms import ImportForm, RemapForm
from .models import Category, ImportSource


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _month_or_none(value: str | None):
    try:
        return selectors.parse_month(value) if value else None
    except DomainError:
        return None


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hotline.view_tickets"):
        raise PermissionDenied
    g = request.GET
    excluded = {"1": True, "0": False}.get(g.get("excluded", ""))
    qs = selectors.ticket_list(
        user=request.user, month=_month_or_none(g.get("month")), district=_int(g.get("district")),
        street=_int(g.get("street")), unit=_int(g.get("unit")), category=_int(g.get("category")),
        kind=g.get("kind") or None, status=g.get("status") or None, satisfaction=g.get("satisfaction") or None,
        excluded=excluded, q=g.get("q", "").strip(),
    )
    page = paginate(qs, page=_int(g.get("page")) or 1, page_size=50, count_limit=selectors.TICKET_COUNT_LIMIT)
    query = g.copy()
    query.pop("page", None)
    district = _int(g.get("district"))
    return render(request, "hotline/ticket_list.html", {
        "page": page, "query": query.urlencode(), "filters": g,
        "districts": Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code"),
        "streets": Area.objects.filter(parent_id=district).order_by("code") if district else [],
        "categories": Category.objects.filter(level=1).order_by("order", "name"),
        "kinds": Kind.choices, "statuses": Status.choices, "satisfactions": Satisfaction.choices,
        "can_import": request.user.has_perm("hotline.import_tickets"),
    })


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    if ticket is None:
        raise Http404
    if request.method == "POST":
        if not request.user.has_perm("hotline.manage_tickets"):
            raise PermissionDenied
        try:
            services.ticket_exclude(actor=request.user, ticket=ticket, excluded=request.POST.get("excluded") == "1",
                                    reason=request.POST.get("reason", ""))
            messages.success(request, _("Saved."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("hotline:ticket_detail", pk=ticket.pk)
    duplicates = []
    if ticket.duplicate_group:
        duplicates = list(selectors.ticket_list(user=request.user).filter(duplicate_group=ticket.duplicate_group)
                          .exclude(pk=ticket.pk)[:20])
    return render(request, "hotline/ticket_detail.html", {
        "ticket": ticket, "steps": selectors.ticket_timeline(ticket), "tags": list(ticket.tags.all()),
        "duplicates": duplicates, "can_manage": request.user.has_perm("hotline.manage_tickets"),
    })


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hotline.import_tickets"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.upload_save(actor=request.user, upload=form.cleaned_data["file"],
                                       source=form.cleaned_data["source"].name if form.cleaned_data["source"] else None)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("hotline:import_job", pk=job.pk)
    recent = Job.objects.filter(kind="hotline.import").select_related("created_by").order_by("-created_at")[:10]
    return render(request, "hotline/import.html", {
        "form": form, "recent": recent, "sources": ImportSource.objects.all(),
        "fields": importing.IMPORT_FIELDS,
    })


@login_required
def import_job(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk, kind="hotline.import")
    if not request.user.has_perm("core.view_job", job):
        raise PermissionDenied
    template = "hotline/_import_progress.html" if request.headers.get("HX-Request") else "hotline/import_job.html"
    return render(request, template, {"job": job, "mapped": _mapped_rows(job), "remap": _remap_form(request, job)})


def _mapped_rows(job: Job) -> list[dict]:
    """The import's values mapped to a known code, with the code's label (for the result's table)."""
    vocab = {"channel": Channel, "kind": Kind, "deadline_class": DeadlineClass, "satisfaction": Satisfaction}
    rows = []
    for item in (job.result or {}).get("mapped_values", []):
        choices = vocab.get(item["field"])
        if item["to"] and choices is not None:
            label = dict(choices.choices).get(item["to"], item["to"])
        elif item["field"] == "status":
            label = _("derived from the other columns")
        else:
            label = _("unknown")
        rows.append({**item, "label": label})
    return rows


def _remap_form(request: HttpRequest, job: Job, data=None) -> RemapForm | None:
    """The form that maps the columns an import did not recognise, for staff once the import has finished."""
    result = job.result or {}
    if (not result.get("unknown_columns") or result.get("replaced_by") or job.is_open
            or not request.user.has_perm("hotline.import_tickets")):
        return None
    used = set(result.get("columns", {}))
    fields = [(f.name, f"{f.headers[0]} · {f.name}") for f in importing.IMPORT_FIELDS if f.name not in used]
    name = job.params.get("source") or Path(job.params.get("filename") or "import").stem[:80]
    return RemapForm(data, unknown=result["unknown_columns"], fields=fields, initial={"source": name})


@login_required
def import_remap(request: HttpRequest, pk: str) -> HttpResponse:
    """Save the mapping of an import's unrecognised columns and import the file again with it."""
    job = get_object_or_404(Job, pk=pk, kind="hotline.import")
    if request.method != "POST":
        return redirect("hotline:import_job", pk=job.pk)
    if not request.user.has_perm("hotline.import_tickets"):
        raise PermissionDenied
    form = _remap_form(request, job, request.POST)
    if form is None or not form.is_valid():
        for error in (form.non_field_errors() if form is not None else [_("Nothing to map.")]):
            messages.error(request, error)
        return redirect("hotline:import_job", pk=job.pk)
    try:
        new = services.ticket_import_remap(actor=request.user, job=job, mapping=form.cleaned_data["mapping"],
                                           source=form.cleaned_data["source"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("hotline:import_job", pk=job.pk)
    messages.success(request, _("Mapping saved; the file is being imported again."))
    return redirect("hotline:import_job", pk=new.pk)


@login_required
def import_report(request: HttpRequest, pk: str) -> FileResponse:
    job = get_object_or_404(Job, pk=pk, kind="hotline.import")
    if not request.user.has_perm("core.view_job", job):
        raise PermissionDenied
    path = importing.report_path(job.pk)
    if not path.exists():
        raise Http404
    name = f"{Path(job.params.get('filename', 'import')).stem}-errors.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")


def _rates_context(request: HttpRequest) -> dict:
    if not request.user.has_perm("hotline.view_rates"):
        raise PermissionDenied
    g = request.GET
    months = selectors.months_with_data(12)
    month = _month_or_none(g.get("month")) or (months[-1] if months else None)
    by = g.get("by") if g.get("by") in Dimension.values else Dimension.STREET
    try:
        district = selectors.rates_district_for(request.user, by=by, district=_int(g.get("district")))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    return {"month": month, "by": by, "district": district, "months": months}


@login_required
def rates_page(request: HttpRequest) -> HttpResponse:
    ctx = _rates_context(request)
    rows, trend, district_map = [], [], []
    if ctx["month"]:
        month, by, district = ctx["month"], ctx["by"], ctx["district"]
        try:
            rows = selectors.rates_cached(month=month, by=by, district=district)
            key = _int(request.GET.get("key"))
            trend = selectors.trend_cached(months=ctx["months"], by_key=(by, key) if key else None)
            by_district = rows if by == Dimension.DISTRICT and not district else None  # the map's figures already
            district_map = selectors.district_map_cached(month=month, rows=by_district)
        except DomainError as exc:  # e.g. no rate rule set covers the month: say so, show no figures
            messages.error(request, exc.message)
            rows, trend, district_map = [], [], []
    chart = {
        "months": [r.name for r in trend],
        "response": [_pct(r.response_rate) for r in trend],
        "resolution": [_pct(r.resolution_rate) for r in trend],
        "satisfaction": [_pct(r.satisfaction_rate) for r in trend],
        "volume": [r.total for r in trend],
    }
    return render(request, "hotline/rates.html", {
        **ctx, "rows": rows, "dimensions": Dimension.choices, "chart": json.dumps(chart),
        "districts": Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code"),
        "month_label": ctx["month"].strftime("%Y-%m") if ctx["month"] else "",
        "key_name": next((r.name for r in rows if str(r.key) == request.GET.get("key")), ""),
        "district_map": district_map, "map_rates": _map_rates(),
        "map_rate": request.GET.get("map_rate") if request.GET.get("map_rate") in selectors.MAP_RATES else "satisfaction",
    })


def _map_rates() -> list[tuple[str, str]]:
    labels = {"response": _("Response rate"), "resolution": _("Resolution rate"),
              "satisfaction": _("Satisfaction rate"), "score": _("Score")}
    return [(rate, labels[rate]) for rate in selectors.MAP_RATES]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


@login_required
def rates_export(request: HttpRequest) -> HttpResponse:
    ctx = _rates_context(request)
    if not ctx["month"]:
        raise Http404
    try:
        selectors.ruleset_for(ctx["month"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("hotline:rates") + f"?month={ctx['month']:%Y-%m}")
    rows = selectors.rates(month=ctx["month"], by=ctx["by"], district=ctx["district"])
    label = ctx["month"].strftime("%Y-%m")
    table = iter(selectors.rate_export_rows(rows, ctx["by"]))
    response = HttpResponse(xlsx([(f"{label} {ctx['by']}", next(table), table)], streaming=True), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="hotline-rates-{label}-{ctx["by"]}.xlsx"'
    return response


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    ctx = _rates_context(request)
    month = ctx["month"]
    ranking = selectors.ranking_cached(month=month) if month else None
    groups = []
    if ranking:
        for value, label in RankGroup.choices:
            groups.append({"value": value, "label": label, "rows": ranking.groups[value],
                           "red": ranking.red[value], "black": ranking.black[value]})
    return render(request, "hotline/ranking.html", {**ctx, "ranking": ranking, "groups": groups,
                                                    "month_label": ctx["month"].strftime("%Y-%m") if ctx["month"] else ""})


@login_required
def candidates_page(request: HttpRequest) -> HttpResponse:
    """Hot problems of a year as 每月一题 candidates, each with its evidence and a way into the topic plan."""
    if not request.user.has_perm("hotline.view_all"):
        raise PermissionDenied
    from django.utils import timezone

    from minsheng.core.choices import UnitKind
    from minsheng.core.models import Unit

    year = _int(request.GET.get("year")) or timezone.localdate().year
    if not selectors.YEARS[0] <= year <= selectors.YEARS[1]:
        year = timezone.localdate().year
    years = selectors.ticket_years()
    candidates = selectors.candidates_cached(year=year)
    try:
        from minsheng.supervision.models import TopicYear

        topic_years = list(TopicYear.objects.order_by("-year"))
    except ImportError:  # the supervision app is not installed
        topic_years = []
    return render(request, "hotline/candidates.html", {
        "year": year, "years": years, "candidates": candidates, "topic_years": topic_years,
        # A city-wide topic is led by a department, never by one street or township (hundreds of them).
        "units": Unit.objects.filter(active=True).exclude(kind=UnitKind.STREET).order_by("kind", "name"),
        "can_plan": request.user.has_perm("hotline.manage_tickets"),
    })


@login_required
def candidate_plan(request: HttpRequest) -> HttpResponse:
    """Staff pick a candidate into the year's topic plan (a 每月一题 topic measured by its category)."""
    if request.method != "POST":
        raise Http404
    from minsheng.core.models import Unit
    from minsheng.supervision import services as supervision
    from minsheng.supervision.models import TopicYear

    p = request.POST
    topic_year = get_object_or_404(TopicYear, pk=_int(p.get("topic_year")))
    category = get_object_or_404(Category, pk=_int(p.get("category")))
    try:
        topic = supervision.topic_create(actor=request.user, topic_year=topic_year, month=_int(p.get("month")) or 0,
                                         theme=p.get("theme", "") or category.name,
                                         lead_unit=Unit.objects.filter(pk=_int(p.get("lead_unit"))).first(),
                                         categories=[category])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{request.path.rsplit('/plan/', 1)[0]}/?year={p.get('year', '')}")
    messages.success(request, _("Added to the topic plan: %(theme)s") % {"theme": topic.theme})
    return redirect("supervision:year", topic_year.pk)
