"""The whole life cycle through the API: joint draft → submit → review → assign (lead + co-unit) →
co-unit opinion → reply B → evaluate 不满意 → re-handling → reply A → evaluate 满意 → closed; the fast
track; due dates on the working-day calendar across the 2026 National Day holiday."""

import datetime as dt
import json

import pytest

from conftest import login, outside_client
from minsheng.core.models import Event, Notification
from minsheng.proposals.models import Handling, Proposal

from .factories import TEXT, make_world

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


@pytest.fixture(params=["session", "csrf", "token"])
def client(request):
    """Each test runs three ways: Django's test client, a browser that enforces CSRF, and a program with a
    bearer token (which needs no CSRF token)."""
    return outside_client(request.param)


@pytest.fixture
def world():
    return make_world()


def test_full_life_cycle(client, world):
    # A joint draft by 王建华 with 李秀英 as co-signer.
    login(client, world.first.user)
    r = post(client, "/api/proposals", {**TEXT, "cosigners": [world.cosigner.pk], "subject_area": None})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["kind"] == "joint"
    assert [(p["name"], p["is_first"], p["confirmed"]) for p in r.json()["proposers"]] == [
        ("王建华", True, True), ("李秀英", False, False)]
    # Cannot submit before the co-signer confirms: 409, nothing changed.
    events_before = Event.objects.count()
    r = post(client, f"/api/proposals/{pid}/submit")
    assert r.status_code == 409
    assert r.json()["code"] == "cosigners_unconfirmed"
    assert Proposal.objects.get(pk=pid).status == "draft"
    assert Event.objects.count() == events_before
    login(client, world.cosigner.user)
    assert post(client, f"/api/proposals/{pid}/confirm").status_code == 200
    login(client, world.first.user)
    r = post(client, f"/api/proposals/{pid}/submit")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "submitted"
    assert body["timing"] == "interim"  # after the 2026 session's cut-off
    assert body["number"] == "14-4-0001"
    # Review: first, second, file.
    login(client, world.staff)
    assert post(client, f"/api/proposals/{pid}/review", {"step": "first"}).json()["status"] == "first_review"
    assert post(client, f"/api/proposals/{pid}/review", {"step": "second"}).json()["status"] == "second_review"
    r = post(client, f"/api/proposals/{pid}/decide", {"outcome": "file"})
    assert r.json()["status"] == "filed"
    # Assign: lead 民政局 + co-unit 卫健委, starting Monday 21 September 2026.
    r = post(client, f"/api/proposals/{pid}/assign", {"mode": "lead", "units": [world.lead_unit.pk],
                                                       "co_units": [world.co_unit.pk], "start": "2026-09-21"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "assigned"
    lead = Handling.objects.get(proposal_id=pid, unit=world.lead_unit)
    co = Handling.objects.get(proposal_id=pid, unit=world.co_unit)
    assert (lead.mode, co.mode, co.lead_id) == ("lead", "co", lead.pk)
    assert lead.due_date == dt.date(2026, 12, 21)  # 3 months
    assert co.due_date == dt.date(2026, 10, 21)  # 1 month for the co-unit's opinion
    # 10 working days: 22–24, 28–30 Sep, 8, 9, 10 (make-up Saturday), 12 Oct — National Day skipped.
    assert lead.reassign_deadline == dt.date(2026, 10, 12)
    assert Notification.objects.filter(recipient=world.lead_handler, title__contains="老旧小区").count() == 1

    # The lead unit signs and logs a contact; it cannot reply before the co-unit's opinion.
    login(client, world.lead_handler)
    assert post(client, f"/api/handlings/{lead.pk}/sign").json()["status"] == "signed"
    r = post(client, f"/api/handlings/{lead.pk}/contact", {"method": "meeting", "contacted_on": "2026-09-25", "note": "面商"})
    assert r.json()["status"] == "in_progress"
    r = post(client, f"/api/handlings/{lead.pk}/reply", {"category": "B", "text": "已列入明年计划。"})
    assert r.status_code == 409
    assert r.json()["code"] == "co_opinions_pending"
    # Another unit's handler may not act on this record.
    login(client, world.other_handler)
    assert post(client, f"/api/handlings/{lead.pk}/sign").status_code == 403
    # The co-unit signs and sends its opinion.
    login(client, world.co_handler)
    post(client, f"/api/handlings/{co.pk}/sign")
    assert post(client, f"/api/handlings/{co.pk}/opinion", {"text": "同意，建议纳入社区卫生规划。"}).json()["status"] == "opinion_sent"
    # Reply B, countersigned by the co-unit, approved by staff.
    login(client, world.lead_handler)
    r = post(client, f"/api/handlings/{lead.pk}/reply", {"category": "B", "text": "已列入2027年计划，正在推进。",
                                                         "signer": "李局长", "contact_person": "张处", "contact_phone": "010-1"})
    assert r.json()["status"] == "countersigning"
    login(client, world.co_handler)
    assert post(client, f"/api/handlings/{co.pk}/countersign").status_code == 200
    assert Handling.objects.get(pk=lead.pk).status == "reviewing"
    login(client, world.staff)
    r = post(client, f"/api/handlings/{lead.pk}/review-reply", {"approve": True})
    assert r.json()["status"] == "follow_up"  # B stays in follow-up
    assert Proposal.objects.get(pk=pid).status == "replied"
    # The reply letter is a Word document.
    r = client.get(f"/api/handlings/{lead.pk}/reply-letter.docx")
    assert r.status_code == 200
    assert r.content[:2] == b"PK"

    # Both proposers evaluate; 李秀英 is dissatisfied.
    login(client, world.first.user)
    r = post(client, f"/api/handlings/{lead.pk}/evaluate", {"satisfaction": "basic", "attitude": "满意"})
    assert r.status_code == 201
    assert post(client, f"/api/handlings/{lead.pk}/evaluate", {"satisfaction": "satisfied"}).json()["code"] == "already_evaluated"
    login(client, world.cosigner.user)
    r = post(client, f"/api/handlings/{lead.pk}/evaluate", {"satisfaction": "dissatisfied", "comment": "没有具体时间表"})
    assert r.json()["proposal_status"] == "replied"
    # An outsider cannot evaluate.
    login(client, world.outsider.user)
    assert post(client, f"/api/handlings/{lead.pk}/evaluate", {"satisfaction": "satisfied"}).status_code == 403
    # Staff send it back for re-handling: a second round with a new due date.
    login(client, world.staff)
    r = post(client, f"/api/handlings/{lead.pk}/rehandle", {"note": "请给出时间表"})
    assert r.json()["status"] == "in_progress"
    assert r.json()["round"] == 2
    assert Proposal.objects.get(pk=pid).status == "assigned"
    # Second reply A; the co-unit countersigns again; staff approve.
    login(client, world.lead_handler)
    assert post(client, f"/api/handlings/{lead.pk}/reply", {"category": "A", "text": "已于2027年3月完成。"}).json()["status"] == "countersigning"
    login(client, world.co_handler)
    post(client, f"/api/handlings/{co.pk}/countersign")
    login(client, world.staff)
    assert post(client, f"/api/handlings/{lead.pk}/review-reply", {"approve": True}).json()["status"] == "replied"
    # Both evaluate the second reply 满意: the proposal closes by itself.
    login(client, world.first.user)
    post(client, f"/api/handlings/{lead.pk}/evaluate", {"satisfaction": "satisfied"})
    login(client, world.cosigner.user)
    r = post(client, f"/api/handlings/{lead.pk}/evaluate", {"satisfaction": "satisfied"})
    assert r.json()["proposal_status"] == "closed"
    verbs = list(Event.objects.filter(target_id=str(pid), target_type__model="proposal").values_list("verb", flat=True))
    assert verbs[:6] == ["drafted", "cosigner_confirmed", "submitted", "first_review", "second_review", "filed"]
    assert "rehandling" in verbs and verbs[-1] == "closed"


def test_fast_track_short_deadline_and_leader_notice(client, world):
    login(client, world.first.user)
    pid = post(client, "/api/proposals", {**TEXT, "title": "关于汛后受灾村庄恢复重建的提案", "is_urgent": True}).json()["id"]
    post(client, f"/api/proposals/{pid}/submit")
    login(client, world.staff)
    post(client, f"/api/proposals/{pid}/review", {"step": "first"})
    post(client, f"/api/proposals/{pid}/review", {"step": "second"})
    post(client, f"/api/proposals/{pid}/decide", {"outcome": "file"})
    r = post(client, f"/api/proposals/{pid}/assign", {"mode": "single", "units": [world.lead_unit.pk], "start": "2026-09-28"})
    assert r.status_code == 200
    handling = Handling.objects.get(proposal_id=pid)
    # 10 working days from Monday 28 Sep: 29, 30 Sep, 8, 9, 10 (Sat), 12–16 Oct.
    assert handling.due_date == dt.date(2026, 10, 16)
    notice = Notification.objects.get(recipient=world.leader)
    assert "汛后" in notice.title and "2026-10-16" in notice.title


@pytest.mark.parametrize(("outcome", "extra", "status"), [
    ("merge", "merge_into", "merged"),
    ("return", {"note": "请补充数据"}, "returned"),
    ("not_file", "reason", "not_filed"),
    ("refer", {}, "referred"),
])
def test_each_review_outcome(client, world, outcome, extra, status):
    from minsheng.proposals.models import NotFiledReason

    from .factories import filed_proposal

    target = filed_proposal(world)
    login(client, world.outsider.user)
    pid = post(client, "/api/proposals", {**TEXT, "title": "关于老旧小区电梯的建议"}).json()["id"]
    post(client, f"/api/proposals/{pid}/submit")
    login(client, world.staff)
    post(client, f"/api/proposals/{pid}/review", {"step": "first"})
    post(client, f"/api/proposals/{pid}/review", {"step": "second"})
    if extra == "merge_into":
        data = {"merge_into": target.pk}
    elif extra == "reason":
        data = {"reason": NotFiledReason.objects.get(code="empty").pk}
    else:
        data = extra
    r = post(client, f"/api/proposals/{pid}/decide", {"outcome": outcome, **data})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == status
    assert Notification.objects.filter(recipient=world.outsider.user).exists()
    if outcome == "merge":
        # The merged proposer keeps credit on the surviving proposal and can evaluate its replies.
        names = [(p["name"], p["via"]) for p in client.get(f"/api/proposals/{target.pk}").json()["proposers"]]
        assert names == [("王建华", None), ("赵志强", pid)]
    if outcome == "return":
        login(client, world.outsider.user)
        assert post(client, f"/api/proposals/{pid}/submit").json()["status"] == "submitted"


def test_decisions_need_their_details(client, world):
    login(client, world.first.user)
    pid = post(client, "/api/proposals", TEXT).json()["id"]
    post(client, f"/api/proposals/{pid}/submit")
    login(client, world.staff)
    post(client, f"/api/proposals/{pid}/review", {"step": "first"})
    post(client, f"/api/proposals/{pid}/review", {"step": "second"})
    for data, code, field in (({"outcome": "not_file"}, "reason_required", "reason"),
                              ({"outcome": "return"}, "reason_required", "note"),
                              ({"outcome": "merge", "merge_into": pid}, "merge_target_invalid", "merge_into")):
        r = post(client, f"/api/proposals/{pid}/decide", data)
        assert r.status_code == 422
        assert (r.json()["code"], list(r.json()["fields"])) == (code, [field])
    assert Proposal.objects.get(pk=pid).status == "second_review"


def test_invalid_transitions_are_409_and_change_nothing(client, world):
    login(client, world.first.user)
    pid = post(client, "/api/proposals", TEXT).json()["id"]
    assert post(client, f"/api/proposals/{pid}/submit").status_code == 200  # a draft is not the office's to see
    login(client, world.staff)
    before = (Proposal.objects.get(pk=pid).status, Event.objects.count())
    for url, data in ((f"/api/proposals/{pid}/assign", {"mode": "single", "units": [world.lead_unit.pk]}),
                      (f"/api/proposals/{pid}/decide", {"outcome": "file"}),
                      (f"/api/proposals/{pid}/close", {}),
                      (f"/api/proposals/{pid}/review", {"step": "second"})):
        r = post(client, url, data)
        assert r.status_code == 409, url
        assert r.json()["code"] == "invalid_transition"
    assert (Proposal.objects.get(pk=pid).status, Event.objects.count()) == before


def test_roles_that_may_not_act_get_403(client, world):
    from .factories import filed_proposal

    proposal = filed_proposal(world)
    for user in (world.first.user, world.lead_handler, world.leader):
        login(client, user)
        r = post(client, f"/api/proposals/{proposal.pk}/assign", {"mode": "single", "units": [world.lead_unit.pk]})
        assert r.status_code == 403, user.username
        assert r.json()["code"] == "forbidden"
    assert Proposal.objects.get(pk=proposal.pk).status == "filed"
    # A unit handler does not even see a proposal its unit does not handle; a stranger member neither.
    login(client, world.other_handler)
    assert client.get(f"/api/proposals/{proposal.pk}").status_code == 403
    login(client, world.outsider.user)
    assert client.get(f"/api/proposals/{proposal.pk}").status_code == 403


def test_field_errors(client, world):
    login(client, world.first.user)
    r = post(client, "/api/proposals", {**TEXT, "title": "长" * 121})
    assert r.status_code == 422
    assert list(r.json()["fields"]) == ["title"]
    r = post(client, "/api/proposals", {**TEXT, "suggestions": "   "})
    assert r.status_code == 422
    assert r.json()["fields"] == {"suggestions": "required"}
    assert Proposal.objects.count() == 0


def test_bulk_decide_through_the_api(client, world):
    from minsheng.proposals import services

    ids = []
    for _ in range(2):
        p = services.proposal_create(actor=world.first.user, term=world.session.term, **TEXT)
        services.proposal_submit(actor=world.first.user, proposal=p)
        ids.append(p.pk)
    login(client, world.staff)
    r = post(client, "/api/proposals/bulk-decide", {"ids": ids, "outcome": "file"})  # not reviewed yet: per-item code
    assert r.status_code == 200 and set(r.json()["results"].values()) == {"invalid_transition"}, r.content
    for pk in ids:
        for step in ("first", "second"):
            services.proposal_review(actor=world.staff, proposal=Proposal.objects.get(pk=pk), step=step)
    login(client, world.first.user)
    assert post(client, "/api/proposals/bulk-decide", {"ids": ids, "outcome": "file"}).status_code == 403
    login(client, world.staff)
    r = post(client, "/api/proposals/bulk-decide", {"ids": ids, "outcome": "file"})
    assert r.status_code == 200, r.content
    assert r.json()["results"] == {str(pk): "ok" for pk in ids}
    assert sorted(Proposal.objects.filter(pk__in=ids).values_list("status", flat=True)) == ["filed", "filed"]
