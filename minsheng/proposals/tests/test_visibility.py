"""Who sees which proposals, handling records, replies and nominations (security review, findings 2–5, 10).

One visibility selector (`selectors.visible_proposals`) serves every list; a unit handler sees only its own
unit's handling records (and, in joint handling, the lead's record and its co-units' records: docs/proposals.md);
a proposer sees a reply only once the office approved it; nominations are shown for proposals the user may
see; `next` redirects stay on this site."""

import io
import json

import pytest
from docx import Document

from conftest import login
from minsheng.core.tests.factories import AreaFactory, UserFactory
from minsheng.proposals import services
from minsheng.proposals.models import Handling, KeyNomination, ResultCategory

from .factories import TEXT, filed_proposal, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    world.district = UserFactory(username="district", role="district_staff",
                                 district=AreaFactory(level="district", name="朝阳区", code="110105"))
    return world


def _assigned(world, mode, units, co_units=(), **extra):
    proposal = filed_proposal(world, consent_publish=False, **extra)
    services.proposal_assign(actor=world.staff, proposal=proposal, mode=mode, units=units, co_units=co_units)
    return proposal


@pytest.fixture
def cases(world):
    """Unpublished proposals of world.first: filed, in first review, handled separately (分办) by 民政局 and 卫健委,
    jointly (主办 民政局, 会办 卫健委 and 交通委); and a published filed one."""
    review = services.proposal_create(actor=world.first.user, term=world.session.term, **{**TEXT, "title": "关于社区食堂的提案"})
    services.proposal_submit(actor=world.first.user, proposal=review)
    services.proposal_review(actor=world.staff, proposal=review, step="first")
    private = filed_proposal(world, title="关于养老驿站的提案", consent_publish=False)
    public = filed_proposal(world, title="关于口袋公园的提案")
    separate = _assigned(world, "separate", [world.lead_unit, world.co_unit], title="关于背街小巷整治的提案")
    joint = _assigned(world, "lead", [world.lead_unit], [world.co_unit, world.other_unit], title="关于学校周边交通的提案")
    h = {f"sep_{k}": Handling.objects.get(proposal=separate, unit=u) for k, u in (("mz", world.lead_unit), ("wjw", world.co_unit))}
    h |= {f"joint_{k}": Handling.objects.get(proposal=joint, unit=u)
          for k, u in (("mz", world.lead_unit), ("wjw", world.co_unit), ("jtw", world.other_unit))}
    return {"review": review, "private": private, "public": public, "separate": separate, "joint": joint, **h}


def post(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def _work_on(world, handling, handler, *, phone):
    """The unit signs, logs a contact and drafts a reply with its officer's phone (reviewing, not approved)."""
    services.handling_sign(actor=handler, handling=handling)
    services.handling_contact(actor=handler, handling=handling, method="phone", contacted_on=handling.assigned_at.date(),
                              note=f"电话沟通 {phone}")
    services.handling_draft_reply(actor=handler, handling=handling, category=ResultCategory.objects.get(code="A"),
                                  text=f"{handling.unit.name}的答复草稿。", contact_person="张处", contact_phone=phone)


def _letter_text(response) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


# --- one visibility selector for every list --------------------------------------------------------------


def test_every_proposal_list_shows_what_the_role_may_see(client, world, cases):
    c = cases
    everything = sorted(c[k].pk for k in ("review", "private", "public", "separate", "joint"))
    expected = {
        world.staff: everything, world.leader: everything, world.first.user: everything,
        world.outsider.user: [], world.district: [],
        world.lead_handler: sorted([c["separate"].pk, c["joint"].pk]),
        world.co_handler: sorted([c["separate"].pk, c["joint"].pk]),
        world.other_handler: [c["joint"].pk],
    }
    for user, ids in expected.items():
        login(client, user)
        r = client.get("/api/proposals")
        assert sorted(p["id"] for p in r.json()["results"]) == ids, user.username
        r = client.get("/proposals/")
        assert sorted(p.pk for p in r.context["page"].results) == ids, user.username


def test_forbidden_proposals_answer_403(client, world, cases):
    for user in (world.outsider.user, world.district, world.other_handler):
        login(client, user)
        assert client.get(f"/api/proposals/{cases['private'].pk}").status_code == 403
        assert client.get(f"/proposals/{cases['private'].pk}/").status_code == 403
        assert client.get(f"/api/proposals/{cases['separate'].pk}").status_code == 403


# --- a unit handler sees only its own unit's handling records (分办), and its group's in joint handling ----


def test_separate_units_do_not_see_each_others_records(client, world, cases):
    mz, wjw = cases["sep_mz"], cases["sep_wjw"]
    _work_on(world, mz, world.lead_handler, phone="010-11111111")
    _work_on(world, wjw, world.co_handler, phone="010-22222222")
    login(client, world.co_handler)
    assert client.get(f"/api/handlings/{mz.pk}").status_code == 403
    assert client.get(f"/api/handlings/{wjw.pk}").status_code == 200
    assert client.get(f"/api/handlings/{mz.pk}/reply-letter.docx").status_code == 403
    assert client.get(f"/proposals/handlings/{mz.pk}/letter.docx").status_code == 403
    assert client.get(f"/proposals/handlings/{wjw.pk}/letter.docx").status_code == 200
    r = client.get(f"/proposals/{cases['separate'].pk}/")
    assert r.status_code == 200
    assert [h.pk for h in r.context["handlings"]] == [wjw.pk]
    html = r.content.decode()
    assert "010-22222222" in html and "010-11111111" not in html
    assert "北京市民政局的答复草稿" not in html and "北京市卫生健康委员会的答复草稿" in html
    r = client.get(f"/api/proposals/{cases['separate'].pk}")
    assert [h["id"] for h in r.json()["handlings"]] == [wjw.pk]
    r = client.get("/api/proposals")
    assert {p["id"]: [h["id"] for h in p["handlings"]] for p in r.json()["results"]}[cases["separate"].pk] == [wjw.pk]
    # Acting on the other unit's record: refused before anything is looked at.
    r = client.post(f"/proposals/handlings/{mz.pk}/action/contact/", {"method": "phone", "note": "x"})
    assert r.status_code == 403
    assert post(client, f"/api/handlings/{mz.pk}/contact", {"method": "phone", "contacted_on": "2026-09-25"}).status_code == 403
    # The other way round, and the office and the proposer see both.
    login(client, world.lead_handler)
    assert client.get(f"/api/handlings/{wjw.pk}").status_code == 403
    assert client.get(f"/proposals/handlings/{wjw.pk}/letter.docx").status_code == 403
    for user in (world.staff, world.leader, world.first.user):
        login(client, user)
        r = client.get(f"/proposals/{cases['separate'].pk}/")
        assert sorted(h.pk for h in r.context["handlings"]) == sorted([mz.pk, wjw.pk]), user.username
        assert client.get(f"/api/handlings/{mz.pk}").status_code == 200
        assert client.get(f"/api/handlings/{wjw.pk}").status_code == 200


def test_joint_handling_lead_sees_its_co_units_and_co_units_see_the_lead(client, world, cases):
    lead, co, co2 = cases["joint_mz"], cases["joint_wjw"], cases["joint_jtw"]
    seen = {world.lead_handler: [lead.pk, co.pk, co2.pk], world.co_handler: [lead.pk, co.pk],
            world.other_handler: [lead.pk, co2.pk]}
    for user, ids in seen.items():
        login(client, user)
        r = client.get(f"/proposals/{cases['joint'].pk}/")
        assert sorted(h.pk for h in r.context["handlings"]) == sorted(ids), user.username
        r = client.get(f"/api/proposals/{cases['joint'].pk}")
        assert sorted(h["id"] for h in r.json()["handlings"]) == sorted(ids), user.username
        for h in (lead, co, co2):
            assert client.get(f"/api/handlings/{h.pk}").status_code == (200 if h.pk in ids else 403), (user.username, h.unit)


# --- a proposer sees a reply only once the office approved it ---------------------------------------------


def test_proposer_sees_no_reply_before_approval(client, world, cases):
    handling = cases["sep_mz"]
    _work_on(world, handling, world.lead_handler, phone="010-11111111")
    draft = "北京市民政局的答复草稿"
    login(client, world.outsider.user)  # not a proposer: the record itself is forbidden
    assert client.get(f"/api/handlings/{handling.pk}/reply-letter.docx").status_code == 403
    assert client.get(f"/proposals/handlings/{handling.pk}/letter.docx").status_code == 403
    login(client, world.first.user)  # the proposer: no reply yet, as far as they are concerned
    assert client.get(f"/api/handlings/{handling.pk}/reply-letter.docx").status_code == 404
    assert client.get(f"/proposals/handlings/{handling.pk}/letter.docx").status_code == 404
    r = client.get(f"/proposals/{cases['separate'].pk}/")
    assert draft not in r.content.decode()
    assert {h.pk: list(h.replies.all()) for h in r.context["handlings"]}[handling.pk] == []
    # The unit and the office see the draft.
    for user in (world.lead_handler, world.staff):
        login(client, user)
        assert draft in _letter_text(client.get(f"/proposals/handlings/{handling.pk}/letter.docx"))
        assert draft in _letter_text(client.get(f"/api/handlings/{handling.pk}/reply-letter.docx"))
        assert draft in client.get(f"/proposals/{cases['separate'].pk}/").content.decode()
    # Approved: the proposer reads it.
    services.reply_review(actor=world.staff, handling=handling, approve=True)
    login(client, world.first.user)
    assert draft in _letter_text(client.get(f"/proposals/handlings/{handling.pk}/letter.docx"))
    assert draft in _letter_text(client.get(f"/api/handlings/{handling.pk}/reply-letter.docx"))
    assert draft in client.get(f"/proposals/{cases['separate'].pk}/").content.decode()


def test_proposer_gets_the_approved_reply_not_the_newer_draft(client, world, cases):
    handling = cases["sep_mz"]
    _work_on(world, handling, world.lead_handler, phone="010-11111111")
    services.reply_review(actor=world.staff, handling=handling, approve=True)
    services.evaluation_submit(actor=world.first.user, handling=handling, satisfaction="dissatisfied")
    services.handling_rehandle(actor=world.staff, handling=handling, note="请给出时间表")
    services.handling_draft_reply(actor=world.lead_handler, handling=Handling.objects.get(pk=handling.pk),
                                  category=ResultCategory.objects.get(code="A"), text="第二轮答复草稿。")
    login(client, world.first.user)
    for url in (f"/proposals/handlings/{handling.pk}/letter.docx", f"/api/handlings/{handling.pk}/reply-letter.docx"):
        text = _letter_text(client.get(url))
        assert "北京市民政局的答复草稿" in text and "第二轮答复草稿" not in text
    html = client.get(f"/proposals/{cases['separate'].pk}/").content.decode()
    assert "第二轮答复草稿" not in html and "北京市民政局的答复草稿" in html
    login(client, world.lead_handler)
    assert "第二轮答复草稿" in _letter_text(client.get(f"/proposals/handlings/{handling.pk}/letter.docx"))


# --- nominations only for proposals the user may see --------------------------------------------------


def test_nominations_list_only_visible_proposals(client, world, cases):
    for key in ("private", "separate", "public"):
        services.key_nominate(actor=world.staff, proposal=cases[key], reason=f"{cases[key].title}的提名理由")
    ids = {k: KeyNomination.objects.get(proposal=cases[k]).pk for k in ("private", "separate", "public")}
    everything = sorted(ids.values())
    expected = {
        world.staff: everything, world.leader: everything,
        world.first.user: everything, world.outsider.user: everything,  # every member is consulted
        world.lead_handler: sorted([ids["separate"], ids["public"]]), world.co_handler: sorted([ids["separate"], ids["public"]]),
        world.other_handler: [ids["public"]], world.district: [ids["public"]],
    }
    for user, shown in expected.items():
        login(client, user)
        r = client.get("/proposals/key-nominations/")
        assert sorted(n.pk for n in r.context["page"].results) == shown, user.username
        html = r.content.decode()
        assert ("关于养老驿站的提案" in html) == (ids["private"] in shown), user.username
    # Acting on a nomination one may not see: refused like any forbidden object.
    login(client, world.other_handler)
    assert client.post(f"/proposals/key-nominations/{ids['private']}/support/").status_code == 403


# --- `next` stays on this site ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http://evil.example/x", "///evil.example/",
                                    "https:evil.example", "\\\\evil.example"])
def test_handling_action_ignores_a_foreign_next(client, world, cases, target):
    handling = cases["sep_mz"]
    login(client, world.lead_handler)
    r = client.post(f"/proposals/handlings/{handling.pk}/action/sign/", {"next": target})
    assert r.status_code == 302
    assert r["Location"] == f"/proposals/{cases['separate'].pk}/"
    assert Handling.objects.get(pk=handling.pk).status == "signed"


def test_handling_action_follows_a_local_next(client, world, cases):
    login(client, world.lead_handler)
    r = client.post(f"/proposals/handlings/{cases['sep_mz'].pk}/action/sign/", {"next": "/proposals/desk/?page=2"})
    assert r.status_code == 302
    assert r["Location"] == "/proposals/desk/?page=2"
