"""Drafts belong to their drafters until submitted (who may see them); the unit desk leads with what the unit must
do next, soonest due first, overdue marked in days, with labelled forms; the overdue board; the list's stages."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import login
from minsheng.proposals import selectors, services
from minsheng.proposals.models import Handling, Proposal, ResultCategory

from .factories import TEXT, filed_proposal, make_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DRAFT_TITLE = "关于社区食堂运营补贴的提案"


@pytest.fixture
def world():
    return make_world()


# --- drafts belong to their drafters (and invited co-signers) until submitted ---------------------------------


@pytest.fixture
def draft(world):
    """world.first's draft with world.cosigner invited; and a submitted proposal beside it."""
    filed_proposal(world, title="关于社区养老驿站的提案")
    return services.proposal_create(actor=world.first.user, term=world.session.term, cosigners=[world.cosigner],
                                    **{**TEXT, "title": DRAFT_TITLE})


def _export_titles(client, url):
    sheet = load_workbook(io.BytesIO(client.get(url).content))["提案"]
    header = [c.value for c in sheet[1]]
    return [row[header.index("案由")] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_staff_and_leaders_do_not_see_members_drafts_anywhere(client, world, draft):
    for user in (world.staff, world.leader):
        login(client, user)
        assert [p.title for p in client.get("/proposals/").context["page"].results] == ["关于社区养老驿站的提案"]
        assert client.get(f"/proposals/?q={DRAFT_TITLE}").context["page"].count == 0
        assert client.get("/proposals/?status=draft").context["page"].count == 0
        assert [p["title"] for p in client.get("/api/proposals").json()["results"]] == ["关于社区养老驿站的提案"]
        assert client.get(f"/proposals/{draft.pk}/").status_code == 403
        assert client.get(f"/api/proposals/{draft.pk}").status_code == 403
        assert DRAFT_TITLE not in _export_titles(client, "/proposals/export.xlsx")
        assert DRAFT_TITLE not in _export_titles(client, "/api/proposals-export.xlsx")
        assert DRAFT_TITLE not in str(client.get(f"/search/?q={DRAFT_TITLE}").context["hits"])
        assert all(h["title"] != DRAFT_TITLE for h in client.get(f"/api/search?q={DRAFT_TITLE}").json())
        assert not user.has_perm("proposals.view_proposal", draft)
        assert not user.has_perm("proposals.edit_proposal", draft)
    login(client, world.staff)
    assert client.get(f"/proposals/{draft.pk}/edit/").status_code == 403
    assert client.get("/proposals/statistics/").context["stats"].received == 1


def test_the_drafters_and_invited_cosigners_see_the_draft_and_the_office_once_submitted(client, world, draft):
    for user in (world.first.user, world.cosigner.user):
        login(client, user)
        assert client.get(f"/proposals/{draft.pk}/").status_code == 200
        assert DRAFT_TITLE in [p.title for p in client.get("/proposals/?status=draft").context["page"].results]
    login(client, world.outsider.user)
    assert client.get(f"/proposals/{draft.pk}/").status_code == 403
    services.proposer_confirm(actor=world.cosigner.user, proposal=draft)
    services.proposal_submit(actor=world.first.user, proposal=draft)
    for user in (world.staff, world.leader):
        login(client, user)
        assert client.get(f"/proposals/{draft.pk}/").status_code == 200
        assert client.get("/proposals/").context["page"].count == 2


def test_the_office_sees_the_organisation_drafts_it_enters_and_leaders_do_not(client, world):
    org = services.proposal_create(actor=world.staff, term=world.session.term, kind="party", **TEXT)
    colleague = type(world.staff).objects.create(username="staff2", role="staff")
    assert list(selectors.visible_proposals(colleague)) == [org]  # the office confirms the seal
    services.proposal_confirm_seal(actor=colleague, proposal=org)
    assert list(selectors.visible_proposals(world.leader)) == []
    assert not world.leader.has_perm("proposals.view_proposal", org)


# --- the unit desk -----------------------------------------------------------------------------------------


def _sign_contact(handling, handler):
    services.handling_sign(actor=handler, handling=handling)
    services.handling_contact(actor=handler, handling=handling, method="phone", contacted_on=TODAY)


@pytest.fixture
def desk(world):
    """民政局's records: one new (due in 40 days), one signed and seven weeks overdue, one in progress (due in
    5 days), one reply in review (waiting for the office), one replied (done); and a joint proposal where 民政局
    is the co-unit whose countersignature the lead's reply waits for."""
    mz, h = world.lead_handler, {}
    for name in ("new", "signed", "in_progress", "reviewing", "replied"):
        p = filed_proposal(world, title=f"关于{name}的提案")
        services.proposal_assign(actor=world.staff, proposal=p, mode="single", units=[world.lead_unit])
        h[name] = p.handlings.get()
    _sign_contact(h["in_progress"], mz)
    services.handling_sign(actor=mz, handling=h["signed"])
    for name in ("reviewing", "replied"):
        _sign_contact(h[name], mz)
        services.handling_draft_reply(actor=mz, handling=h[name], category=ResultCategory.objects.get(code="A"), text="答复")
    services.reply_review(actor=world.staff, handling=h["replied"], approve=True)
    Handling.objects.filter(pk=h["new"].pk).update(due_date=TODAY + dt.timedelta(days=40))
    Handling.objects.filter(pk=h["signed"].pk).update(due_date=TODAY - dt.timedelta(weeks=7))
    Handling.objects.filter(pk=h["in_progress"].pk).update(due_date=TODAY + dt.timedelta(days=5))
    joint = filed_proposal(world, title="关于联合办理的提案")
    services.proposal_assign(actor=world.staff, proposal=joint, mode="lead", units=[world.co_unit], co_units=[world.lead_unit])
    lead, co = joint.handlings.get(unit=world.co_unit), joint.handlings.get(unit=world.lead_unit)
    _sign_contact(co, mz)
    services.handling_send_opinion(actor=mz, handling=co, text="同意")
    _sign_contact(lead, world.co_handler)
    services.handling_draft_reply(actor=world.co_handler, handling=lead, category=ResultCategory.objects.get(code="A"),
                                  text="主办答复")
    h["countersign"] = co
    return h


def test_the_desk_leads_with_the_units_move_soonest_due_first(client, world, desk):
    login(client, world.lead_handler)
    response = client.get("/proposals/desk/")
    rows = response.context["page"].results
    assert [(h.pk, h.days_overdue, h.next_label) for h in rows] == [
        (desk["signed"].pk, 49, "与提案人沟通"), (desk["in_progress"].pk, 0, "起草答复"),
        (desk["countersign"].pk, 0, "会签主办单位的答复"), (desk["new"].pk, 0, "签收"), (desk["reviewing"].pk, 0, "等待提案委审核答复")]
    assert response.context["counts"] == {"open": 5, "move": 4, "sign": 1, "overdue": 1, "all": 6, "done": 1}
    html = response.content.decode()
    assert re.findall(r'data-testid="days-overdue">([^<]+)<', html) == ["逾期 49 天"]
    assert "还剩 5 天" in html
    assert [h.pk for h in client.get("/proposals/desk/?show=overdue").context["page"].results] == [desk["signed"].pk]
    assert [h.pk for h in client.get("/proposals/desk/?show=sign").context["page"].results] == [desk["new"].pk]
    assert [h.pk for h in client.get("/proposals/desk/?show=done").context["page"].results] == [desk["replied"].pk]
    # The API lists the same records in the same order, then the done ones.
    api = [h["id"] for h in client.get("/api/handlings").json()["results"]]
    assert api == [h.pk for h in rows] + [desk["replied"].pk]


def test_every_desk_form_field_has_a_visible_label(client, world, desk):
    login(client, world.lead_handler)
    html = client.get("/proposals/desk/").content.decode()
    actions = re.findall(r'<div class="mt-2" data-testid="desk-action">(.*?)</li>', html, re.S)
    assert len(actions) == 4  # one per record waiting for the unit's move
    fields = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
    assert fields  # the contact form and the reply form
    for field_id in fields:
        assert f'<label class="form-label small mb-0" for="{field_id}">' in html, field_id
    assert "placeholder=" not in "".join(actions)
    assert all(re.search(r"<button[^>]*>[^<]*(<i[^>]*></i>)?\s*\S", a) for a in actions)  # buttons say what they do


def test_signing_from_the_desk_comes_back_to_the_desk(client, world, desk):
    login(client, world.lead_handler)
    response = client.post(f"/proposals/handlings/{desk['new'].pk}/action/sign/", {"next": "/proposals/desk/?show=sign"})
    assert (response.status_code, response["Location"]) == (302, "/proposals/desk/?show=sign")
    assert Handling.objects.get(pk=desk["new"].pk).status == "signed"
    response = client.post(f"/proposals/handlings/{desk['signed'].pk}/action/contact/",
                           {"method": "visit", "contacted_on": TODAY.isoformat(), "note": "上门走访", "next": "/proposals/desk/"})
    assert response["Location"] == "/proposals/desk/"
    assert Handling.objects.get(pk=desk["signed"].pk).status == "in_progress"


def test_the_desk_query_count_does_not_grow_with_the_rows(client, world, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.lead_handler)
    client.get("/proposals/desk/")
    with CaptureQueriesContext(connection) as few:
        client.get("/proposals/desk/")
    for _ in range(3):
        p = filed_proposal(world)
        services.proposal_assign(actor=world.staff, proposal=p, mode="single", units=[world.lead_unit])
    with CaptureQueriesContext(connection) as many:
        client.get("/proposals/desk/")
    assert len(many) == len(few)


# --- the overdue board and the list's named stages ----------------------------------------------------------


def test_the_overdue_board_shows_days_overdue_the_longest_first(client, world, desk):
    Handling.objects.filter(pk=desk["in_progress"].pk).update(due_date=TODAY - dt.timedelta(days=2))
    login(client, world.staff)
    response = client.get("/proposals/overdue/")
    [row] = response.context["board"]
    assert (row["unit"], row["count"], response.context["total"]) == (world.lead_unit, 2, 2)
    assert [(h.pk, h.days_overdue) for h in row["handlings"]] == [(desk["signed"].pk, 49), (desk["in_progress"].pk, 2)]
    assert re.findall(r'data-testid="days-overdue">([^<]+)<', response.content.decode()) == ["逾期 49 天", "逾期 2 天"]
    # The list filter and the statistics use the same definition.
    assert client.get("/proposals/?overdue=1").context["page"].count == 2
    assert client.get("/proposals/?stage=overdue").context["page"].count == 2
    assert client.get("/proposals/statistics/").context["stats"].overdue_handlings == 2


def test_list_stages_name_what_they_show(client, world, desk):
    services.handling_request_extension(actor=world.lead_handler, handling=desk["new"], reason="需要调研",
                                        requested_due=Handling.objects.get(pk=desk["new"].pk).due_date + dt.timedelta(days=9))
    login(client, world.staff)
    counts = {stage: client.get(f"/proposals/?stage={stage}").context["page"].count
              for stage in ("received", "review", "filed_all", "handled", "reply_review", "requests", "overdue")}
    assert counts == {"received": 6, "review": 0, "filed_all": 6, "handled": 1, "reply_review": 1, "requests": 1,
                      "overdue": 1}
    html = client.get("/proposals/?stage=reply_review").content.decode()
    assert 'data-testid="list-narrowed"' in html and "有待审核答复" in html
    assert '<input type="hidden" name="stage" value="reply_review">' in html  # the filter form keeps the stage
    assert client.get("/proposals/?stage=nonsense").context["page"].count == Proposal.objects.exclude(status="draft").count()


def test_a_draft_the_office_typed_in_for_a_member_is_the_members(client, world):
    """The office may enter a member's proposal (first_member); the draft is then the member's, unless no proposer
    has an account, when the office holds the pen for them."""
    typed = services.proposal_create(actor=world.staff, term=world.session.term, first_member=world.first, **TEXT)
    world.outsider.user = None
    world.outsider.save()
    held = services.proposal_create(actor=world.staff, term=world.session.term, first_member=world.outsider, **TEXT)
    assert list(selectors.visible_proposals(world.staff)) == [held]
    assert list(selectors.visible_proposals(world.first.user)) == [typed]
    services.proposal_submit(actor=world.staff, proposal=held)  # the office submits for the member without an account
    assert Proposal.objects.get(pk=held.pk).status == "submitted"
