"""Proposal pages: lists, the detail with the actions each role may take, drafting, the unit desk, the
overdue board, statistics, exports and the public pages. Every action calls a service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core.errors import DomainError, Invalid
from minsheng.core.models import Member, Session, Unit, User
from minsheng.core.pagination import paginate
from minsheng.core.search import search_filter
from minsheng.core.selectors import timeline
from minsheng.core.services import attachment_add

from . import exports, selectors, services
from .choices import ContactMethod, HandlingMode, ProposalStatus, ProposerKind, ReviewOutcome, Satisfaction
from .forms import ProposalForm
from .models import Handling, HandlingRequest, NotFiledReason, Proposal, Reply, ResultCategory, SubjectArea


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _file(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _next_or(request: HttpRequest, fallback: str) -> str:
    """POST["next"] when it points to this site (no other host or scheme, https kept), else `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _handling_for(request: HttpRequest, pk: int) -> Handling:
    """A handling record the user may see (`proposals.view_handling`): another unit's record answers 403."""
    handling = get_object_or_404(Handling.objects.select_related("proposal", "unit"), pk=pk)
    if not request.user.has_perm("proposals.view_handling", handling):
        raise PermissionDenied
    return handling


def _perform(request: HttpRequest, action: Callable[[], object]) -> None:
    """Run one service call for a page, turning its refusal into the message the user sees."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    filters = selectors.list_filters(g)  # the same reading of the query as the home figures that link here
    page = paginate(selectors.proposal_list(request.user, **filters), page=_int(g.get("page")) or 1, page_size=30)
    query = g.copy()
    query.pop("page", None)
    narrowed = {k: query[k] for k in ("stage", "is_key", "supervisor", "unit", "timing", "overdue") if query.get(k)}
    return render(request, "proposals/list.html", {
        "page": page, "query": query.urlencode(), "filters": g, "statuses": ProposalStatus.choices,
        "stage_label": selectors.stage_labels().get(filters["stage"] or "", ""), "narrowed": narrowed,
        "clear_query": urlencode({k: v for k, v in query.items() if k not in narrowed}),
        "kinds": ProposerKind.choices, "sessions": Session.objects.select_related("term"),
        "areas": SubjectArea.objects.all(), "can_manage": request.user.has_perm("proposals.manage_proposals"),
        "is_member": Member.objects.filter(user=request.user).exists(),
    })


def _form_kwargs(data: dict) -> dict:
    return {"title": data["title"], "situation": data["situation"], "analysis": data["analysis"],
            "suggestions": data["suggestions"], "subject_area": data["subject_area"],
            "consent_publish": data["consent_publish"], "is_urgent": data["is_urgent"]}


def _tell_next_step(request: HttpRequest, proposal: Proposal) -> None:
    """After the form saved a proposal: submit it when the member asked to ("Save and submit"), and say what
    happens next — its number and the review, or what it still waits for before it can be submitted."""
    if request.POST.get("then") == "submit":
        try:
            proposal = services.proposal_submit(actor=request.user, proposal=proposal)
        except DomainError as exc:
            messages.warning(request, _("The draft was saved but not submitted: %(reason)s") % {"reason": exc.message})
        else:
            messages.success(request, _("Proposal submitted as number %(number)s and waiting for the first review; "
                                        "you will be told the outcome of the review.") % {"number": proposal.number})
        return
    if proposal.proposers.filter(confirmed_at__isnull=True).exists():
        messages.success(request, _("Draft saved. Once the co-signers you invited have confirmed, you can submit it."))
    elif proposal.status == ProposalStatus.RETURNED:
        messages.success(request, _("Changes saved. When the proposal is ready, resubmit it with “Resubmit”."))
    else:
        messages.success(request, _("Draft saved. When it is ready, submit it with “Submit”: it then gets its "
                                    "number and goes to the first review."))


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from minsheng.core.models import Term

        data = form.cleaned_data
        try:
            proposal = services.proposal_create(
                actor=request.user, term=Term.objects.order_by("-number").first(), cosigners=list(data["cosigners"]),
                tags=data["tags"], suggested_units=data["suggested_units"], **_form_kwargs(data))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            _tell_next_step(request, proposal)
            return redirect("proposals:proposal_detail", proposal.pk)
    return render(request, "proposals/form.html", {"form": form, "title": _("New proposal")})


@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    if not request.user.has_perm("proposals.edit_proposal", proposal):
        raise PermissionDenied
    initial = {f: getattr(proposal, f) for f in ("title", "situation", "analysis", "suggestions", "subject_area",
                                                 "consent_publish", "is_urgent")}
    initial |= {"tags": proposal.tags.all(), "suggested_units": proposal.suggested_units.all()}
    form = ProposalForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_update(actor=request.user, proposal=proposal, tags=data["tags"],
                                     suggested_units=data["suggested_units"], **_form_kwargs(data))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            _tell_next_step(request, proposal)
            return redirect("proposals:proposal_detail", proposal.pk)
    return render(request, "proposals/form.html", {"form": form, "title": _("Edit proposal"), "proposal": proposal})


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        proposal = selectors.proposal_detail(pk, request.user)  # only the handlings and replies the user may see
    except Proposal.DoesNotExist:
        raise Http404 from None
    user = request.user
    if not user.has_perm("proposals.view_proposal", proposal):
        raise PermissionDenied
    member = Member.objects.filter(user=user).first()
    handlings = [h for h in proposal.handlings.all() if h.status != "reassigned" or user.has_perm("proposals.manage_proposals")]
    for h in handlings:
        h.mine = user.unit_id == h.unit_id and user.role == "unit_handler"
        h.latest_reply = max(h.replies.all(), key=lambda r: r.pk, default=None)
        h.evaluated_by_me = bool(member and h.latest_reply and any(e.member_id == member.pk for e in h.latest_reply.evaluations.all()))
        h.dissatisfied = bool(h.latest_reply and any(e.satisfaction == "dissatisfied" for e in h.latest_reply.evaluations.all()))
        h.pending_requests = [r for r in h.requests.all() if r.status == "pending"]
    similar = []
    if proposal.status in (ProposalStatus.DRAFT, ProposalStatus.RETURNED) or user.has_perm("proposals.manage_proposals"):
        similar = selectors.similar_proposals(user, title=proposal.title, exclude=proposal.pk, text="\n".join(
            (proposal.situation, proposal.analysis, proposal.suggestions)))
    from minsheng.core.selectors import attachments_of

    return render(request, "proposals/detail.html", {
        "proposal": proposal, "handlings": handlings, "events": timeline(proposal), "member": member,
        "attachments": attachments_of(proposal),
        "activities": proposal.supervision_activities.select_related("leader"),
        "activity_kinds": Proposal.supervision_activities.rel.related_model.Kind.choices,
        "can_attach": user.has_perm("proposals.attach_proposal", proposal),
        "is_proposer": bool(member and any(p.member_id == member.pk for p in proposal.proposers.all())),
        "can_manage": user.has_perm("proposals.manage_proposals"),
        "can_edit": user.has_perm("proposals.edit_proposal", proposal) and proposal.status in ("draft", "returned"),
        "can_instruct": user.has_perm("proposals.record_instruction"),
        "reasons": NotFiledReason.objects.filter(active=True), "categories": ResultCategory.objects.all(),
        "units": Unit.objects.filter(active=True), "leaders": User.objects.filter(role="leader", is_active=True),
        "outcomes": ReviewOutcome.choices, "modes": [(m, lbl) for m, lbl in HandlingMode.choices if m != "co"],
        "satisfactions": Satisfaction.choices, "similar": similar, "today": dt.date.today(),
        "contact_methods": Handling._meta.apps.get_model("proposals", "ContactLog")._meta.get_field("method").choices,
    })


def _units(request: HttpRequest, name: str) -> list[Unit]:
    ids = [int(i) for i in request.POST.getlist(name) if i.isdigit()]
    return list(Unit.objects.filter(pk__in=ids))


def _upload(request: HttpRequest):
    upload = request.FILES.get("file")
    if upload is None:
        raise Invalid(_("Choose a file to upload."), fields={"file": "required"})
    return upload


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise DomainError(_("Dates are written YYYY-MM-DD."), code="invalid", fields={"date": "invalid"}) from None


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    if not request.user.has_perm("proposals.view_proposal", proposal):
        raise PermissionDenied
    p, u = request.POST, request.user
    actions = {
        "confirm": lambda: services.proposer_confirm(actor=u, proposal=proposal),
        "seal": lambda: services.proposal_confirm_seal(actor=u, proposal=proposal),
        "submit": lambda: services.proposal_submit(actor=u, proposal=proposal),
        "first-review": lambda: services.proposal_review(actor=u, proposal=proposal, step="first", note=p.get("note", "")),
        "second-review": lambda: services.proposal_review(actor=u, proposal=proposal, step="second", note=p.get("note", "")),
        "decide": lambda: services.proposal_decide(
            actor=u, proposal=proposal, outcome=p.get("outcome", ""), note=p.get("note", ""),
            merge_into=Proposal.objects.filter(pk=_int(p.get("merge_into"))).first(),
            reason=NotFiledReason.objects.filter(pk=_int(p.get("reason"))).first(),
            refer_to=Unit.objects.filter(pk=_int(p.get("refer_to"))).first(), version=_int(p.get("version"))),
        "withdraw": lambda: services.proposal_withdraw(actor=u, proposal=proposal, note=p.get("note", "")),
        "assign": lambda: services.proposal_assign(actor=u, proposal=proposal, mode=p.get("mode", ""),
                                                   units=_units(request, "units"), co_units=_units(request, "co_units"),
                                                   version=_int(p.get("version"))),
        "close": lambda: services.proposal_close(actor=u, proposal=proposal, note=p.get("note", "")),
        "key": lambda: services.proposal_mark_key(actor=u, proposal=proposal,
                                                  leader=User.objects.filter(pk=_int(p.get("leader"))).first(),
                                                  is_key=p.get("is_key", "1") == "1"),
        "attach": lambda: attachment_add(actor=u, target=proposal, upload=_upload(request)),
        "nominate": lambda: services.key_nominate(actor=u, proposal=proposal, reason=p.get("reason", "")),
        "supervise": lambda: services.supervision_activity_add(
            actor=u, kind=p.get("kind", ""), held_on=_date(p.get("held_on")) or dt.date.today(), proposals=[proposal],
            place=p.get("place", ""), leader=u if u.role == "leader" else proposal.supervising_leader,
            units=[h.unit for h in proposal.handlings.select_related("unit").exclude(status="reassigned")],
            member_count=_int(p.get("member_count")) or 0, summary=p.get("summary", "")),
        "instruction": lambda: services.instruction_add(actor=u, proposal=proposal, leader_name=p.get("leader_name", ""),
                                                        level=p.get("level", ""), text=p.get("text", ""),
                                                        given_on=_date(p.get("given_on")) or dt.date.today()),
    }
    if action not in actions:
        raise Http404
    if action == "submit":  # say what happens next, as the form's 保存并提交 does
        try:
            done = services.proposal_submit(actor=u, proposal=proposal)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Proposal submitted as number %(number)s and waiting for the first review; "
                                        "you will be told the outcome of the review.") % {"number": done.number})
        return redirect("proposals:proposal_detail", proposal.pk)
    _perform(request, actions[action])
    return redirect("proposals:proposal_detail", proposal.pk)


@login_required
@require_POST
def handling_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    handling = _handling_for(request, pk)
    p, u = request.POST, request.user
    category = ResultCategory.objects.filter(code=p.get("category", "")).first()
    actions = {
        "sign": lambda: services.handling_sign(actor=u, handling=handling),
        "reassign": lambda: services.handling_request_reassign(actor=u, handling=handling, reason=p.get("reason", ""),
                                                               suggested_unit=Unit.objects.filter(pk=_int(p.get("unit"))).first()),
        "extension": lambda: services.handling_request_extension(actor=u, handling=handling, reason=p.get("reason", ""),
                                                                 requested_due=_date(p.get("requested_due")) or handling.due_date),
        "contact": lambda: services.handling_contact(actor=u, handling=handling, method=p.get("method", "phone"),
                                                     contacted_on=_date(p.get("contacted_on")) or dt.date.today(),
                                                     note=p.get("note", "")),
        "opinion": lambda: services.handling_send_opinion(actor=u, handling=handling, text=p.get("text", "")),
        "reply": lambda: services.handling_draft_reply(actor=u, handling=handling, category=category or _missing_category(),
                                                       text=p.get("text", ""), signer=p.get("signer", ""),
                                                       contact_person=p.get("contact_person", ""),
                                                       contact_phone=p.get("contact_phone", "")),
        "countersign": lambda: services.handling_countersign(actor=u, handling=handling),
        "approve": lambda: services.reply_review(actor=u, handling=handling, approve=True, category=category, note=p.get("note", "")),
        "send-back": lambda: services.reply_review(actor=u, handling=handling, approve=False, note=p.get("note", "")),
        "evaluate": lambda: services.evaluation_submit(
            actor=u, handling=handling, satisfaction=p.get("satisfaction", ""), comment=p.get("comment", ""),
            **{k: p[k] for k in ("visited", "contact_way", "attitude", "pertinence", "result_view") if p.get(k)}),
        "rehandle": lambda: services.handling_rehandle(actor=u, handling=handling, note=p.get("note", "")),
    }
    if action not in actions:
        raise Http404
    _perform(request, actions[action])
    return redirect(_next_or(request, reverse("proposals:proposal_detail", args=[handling.proposal_id])))


def _missing_category():
    raise DomainError(_("Choose the result category."), code="invalid", fields={"category": "required"})


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(HandlingRequest.objects.select_related("handling"), pk=pk)
    _perform(request, lambda: services.handling_decide_request(
        actor=request.user, request=req, approve=request.POST.get("approve") == "1", note=request.POST.get("note", ""),
        new_unit=Unit.objects.filter(pk=_int(request.POST.get("unit"))).first()))
    return redirect("proposals:proposal_detail", req.handling.proposal_id)


@login_required
def reply_letter(request: HttpRequest, pk: int) -> HttpResponse:
    handling = _handling_for(request, pk)
    reply = selectors.reply_for_letter(request.user, handling)  # a proposer gets approved replies only
    if reply is None:
        raise Http404
    return _file(exports.reply_letter(reply), f"reply-{handling.proposal_id}-{handling.pk}.docx", exports.DOCX)


@login_required
def unit_desk(request: HttpRequest) -> HttpResponse:
    if request.user.role != "unit_handler" or not request.user.unit_id:
        raise PermissionDenied
    show = request.GET.get("show") if request.GET.get("show") in selectors.DESK_SHOWS else "open"
    page = paginate(selectors.unit_desk(request.user, show=show), page=_int(request.GET.get("page")) or 1, page_size=30)
    selectors.with_deadlines(page.results)
    return render(request, "proposals/unit_desk.html", {
        "page": page, "show": show, "counts": selectors.unit_desk_counts(request.user), "today": dt.date.today(),
        "query": f"show={show}", "categories": ResultCategory.objects.all(),
        "contact_methods": ContactMethod.choices,
        "tabs": [("open", _("To do")), ("sign", _("To sign")), ("overdue", _("Overdue")), ("done", _("Done"))],
    })


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("proposals.view_statistics"):
        raise PermissionDenied
    # 50 records a page, in the board's order (the unit with most first, then the longest overdue), grouped by
    # unit within the page; a unit's badge counts all its overdue records, not only this page's.
    overdue = selectors.overdue_handlings(request.user)
    counts = dict(overdue.order_by().values_list("unit_id").annotate(n=Count("id")))
    ordered = overdue.annotate(unit_overdue=Window(Count("id"), partition_by=[F("unit_id")])).order_by(
        "-unit_overdue", "unit__name", "unit_id", "due_date", "id")
    page = paginate(ordered, page=_int(request.GET.get("page")) or 1, page_size=50)
    board: list[dict] = []
    for h in selectors.with_deadlines(page.results):
        if not board or board[-1]["unit"].pk != h.unit_id:
            board.append({"unit": h.unit, "handlings": [], "count": counts.get(h.unit_id, 0)})
        board[-1]["handlings"].append(h)
    return render(request, "proposals/overdue.html", {"board": board, "total": page.count, "page": page})


def _stats_scope(request: HttpRequest) -> dict:
    """The statistics scope from the query: a session or term and/or a submission period (from, to)."""
    scope = {"session": _int(request.GET.get("session")), "term": _int(request.GET.get("term"))}
    for key, name in (("date_from", "from"), ("date_to", "to")):
        try:
            scope[key] = _date(request.GET.get(name))
        except DomainError as exc:
            messages.error(request, exc.message)
            scope[key] = None
    return scope


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("proposals.view_statistics"):
        raise PermissionDenied
    scope = _stats_scope(request)
    view = services.statistics_snapshot(**scope)
    return render(request, "proposals/statistics.html", {
        "stats": view.stats, "as_of": view.as_of, "stale": view.stale, "seconds": view.seconds, "sessions": Session.objects.select_related("term"), "scope": scope,
        "query": request.GET.urlencode(), "status_labels": dict(ProposalStatus.choices),
        # The list shows a session's (or every) received proposal; it has no term or period filter.
        "list_query": "" if scope["term"] or scope["date_from"] or scope["date_to"] else urlencode(
            {"stage": "received", **({"session": scope["session"]} if scope["session"] else {})}),
        "kind_labels": dict(ProposerKind.choices), "satisfaction_labels": dict(Satisfaction.choices),
    })


@login_required
def statistics_export(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("proposals.view_statistics"):
        raise PermissionDenied
    stats = services.statistics_snapshot(**_stats_scope(request), fresh=True).stats
    return _file(exports.statistics_workbook(stats), "proposal-statistics.xlsx", exports.XLSX)


@login_required
def annual_report(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("proposals.view_statistics"):
        raise PermissionDenied
    scope = _stats_scope(request)
    session = Session.objects.filter(pk=scope["session"]).first()
    title = f"{session.name}提案工作情况报告" if session else "提案工作情况报告"
    return _file(exports.annual_report(services.statistics_snapshot(**scope, fresh=True).stats, title=title), "proposal-report.docx", exports.DOCX)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    qs = selectors.proposal_list(request.user, **selectors.list_filters(request.GET))  # what the list shows
    return _file(exports.proposals_workbook(qs), "proposals.xlsx", exports.XLSX)


@login_required
def similar(request: HttpRequest) -> HttpResponse:
    """While drafting: existing proposals like the draft typed so far, with a near-duplicate score (HTMX
    fragment; GET with the title, or POST with the whole form)."""
    data = request.POST if request.method == "POST" else request.GET
    text = "\n".join(data.get(f, "") for f in ("situation", "analysis", "suggestions"))
    found = selectors.similar_proposals(request.user, title=data.get("title", ""), text=text,
                                        exclude=_int(data.get("proposal")))
    return render(request, "proposals/_similar.html", {"similar": found})




def _public() -> QuerySet[Proposal]:
    return Proposal.objects.filter(consent_publish=True, status__in=selectors.PUBLIC_STATUSES).select_related("session", "term", "subject_area")


def public_list(request: HttpRequest) -> HttpResponse:
    """Published proposals and replies (with the proposers' consent), searchable in Chinese; no sign-in."""
    q = request.GET.get("q", "").strip()
    qs = _public()
    if q:
        qs = qs.filter(search_filter(q, Proposal, or_title_contains=True))
    page = paginate(qs.order_by("-id"), page=_int(request.GET.get("page")) or 1, page_size=20)
    return render(request, "proposals/public_list.html", {"page": page, "q": q, "query": f"q={q}" if q else ""})


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(_public(), pk=pk)
    replies = Reply.objects.filter(handling__proposal=proposal, status="approved").select_related("handling__unit", "category")
    return render(request, "proposals/public_detail.html", {"proposal": proposal, "replies": replies})


# --- face-to-face sessions ------------------------------------------------------------------------------


@login_required
def episode_list(request: HttpRequest) -> HttpResponse:
    from .models import FaceToFaceEpisode

    qs = FaceToFaceEpisode.objects.select_related("unit").prefetch_related("commitments", "proposals")
    if not request.user.has_perm("proposals.view_statistics"):
        if request.user.role != "unit_handler":
            raise PermissionDenied
        qs = qs.filter(Q(unit_id=request.user.unit_id) | Q(commitments__unit_id=request.user.unit_id)).distinct()
    page = paginate(qs, page=_int(request.GET.get("page")) or 1, page_size=20)
    return render(request, "proposals/episode_list.html", {
        "page": page, "can_manage": request.user.has_perm("proposals.manage_proposals"),
        "units": Unit.objects.filter(active=True), "today": dt.date.today(),
    })


@login_required
@require_POST
def episode_new(request: HttpRequest) -> HttpResponse:
    p = request.POST
    ids = [int(i) for i in p.get("proposals", "").replace("，", ",").split(",") if i.strip().isdigit()]
    try:
        episode = services.episode_create(
            actor=request.user, title=p.get("title", ""), held_on=_date(p.get("held_on")) or dt.date.today(),
            channel=p.get("channel", ""), unit=get_object_or_404(Unit, pk=_int(p.get("unit"))), unit_head=p.get("unit_head", ""),
            proposals=list(Proposal.objects.filter(pk__in=ids)), summary=p.get("summary", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("proposals:episode_list")
    return redirect("proposals:episode_detail", episode.pk)


@login_required
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import FaceToFaceEpisode

    episode = get_object_or_404(FaceToFaceEpisode.objects.select_related("unit").prefetch_related(
        "commitments__unit", "proposals__session", "proposals__term", "members"), pk=pk)
    mine = request.user.role == "unit_handler" and (episode.unit_id == request.user.unit_id or any(
        c.unit_id == request.user.unit_id for c in episode.commitments.all()))
    if not (request.user.has_perm("proposals.view_statistics") or mine):
        raise PermissionDenied
    proposals = selectors.proposals_viewable(request.user, episode.proposals.all()).select_related("session", "term")
    return render(request, "proposals/episode_detail.html", {
        "episode": episode, "proposals": proposals.order_by("-id"), "events": timeline(episode),
        "can_manage": request.user.has_perm("proposals.manage_proposals"),
        "units": Unit.objects.filter(active=True),
    })


@login_required
@require_POST
def episode_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from .models import Commitment, FaceToFaceEpisode

    episode = get_object_or_404(FaceToFaceEpisode, pk=pk)
    p = request.POST
    actions = {
        "commitment": lambda: services.commitment_add(
            actor=request.user, episode=episode, text=p.get("text", ""), unit=get_object_or_404(Unit, pk=_int(p.get("unit"))),
            due_date=_date(p.get("due_date"))),
        "done": lambda: services.commitment_complete(
            actor=request.user, commitment=get_object_or_404(Commitment, pk=_int(p.get("commitment")), episode=episode),
            evidence=p.get("evidence", "")),
    }
    if action not in actions:
        raise Http404
    _perform(request, actions[action])
    return redirect("proposals:episode_detail", episode.pk)


@login_required
def nominations(request: HttpRequest) -> HttpResponse:
    """Key-proposal nominations: members give their views while consulting; the office decides."""
    from django.db.models import Count

    from .models import KeyVote

    qs = (selectors.visible_nominations(request.user).select_related("proposal__session", "proposal__term")
          .annotate(n_votes=Count("votes"), n_support=Count("votes", filter=Q(votes__support=True))))
    member = Member.objects.filter(user=request.user).first()
    voted = set(KeyVote.objects.filter(member=member).values_list("nomination_id", flat=True)) if member else set()
    page = paginate(qs, page=_int(request.GET.get("page")) or 1, page_size=30)
    return render(request, "proposals/nominations.html", {
        "page": page, "voted": voted, "is_member": member is not None,
        "can_manage": request.user.has_perm("proposals.manage_proposals"),
        "leaders": User.objects.filter(role="leader", is_active=True),
    })


@login_required
@require_POST
def nomination_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from .models import KeyNomination

    nomination = get_object_or_404(KeyNomination, pk=pk)
    if not selectors.visible_nominations(request.user).filter(pk=nomination.pk).exists():
        raise PermissionDenied
    p, u = request.POST, request.user
    actions = {
        "support": lambda: services.key_vote(actor=u, nomination=nomination, support=True),
        "oppose": lambda: services.key_vote(actor=u, nomination=nomination, support=False),
        "select": lambda: services.key_decide(actor=u, nomination=nomination, select=True,
                                              leader=User.objects.filter(pk=_int(p.get("leader"))).first()),
        "decline": lambda: services.key_decide(actor=u, nomination=nomination, select=False),
    }
    if action not in actions:
        raise Http404
    _perform(request, actions[action])
    return redirect("proposals:nominations")
