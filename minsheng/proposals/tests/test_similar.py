"""While drafting: similar existing proposals, scored by the text engine's near-duplicate estimate."""

import pytest

from conftest import login
from minsheng.proposals import selectors, services

from .factories import TEXT, filed_proposal, make_world

pytestmark = pytest.mark.django_db

OTHER = {
    "title": "关于优化公交线路和站点设置的提案",
    "situation": "部分新建社区距离公交站较远，早晚高峰换乘不便。",
    "analysis": "线路规划滞后于社区建设。",
    "suggestions": "一、增开微循环公交；二、调整站点位置。",
}


@pytest.fixture
def world():
    return make_world()


def test_a_draft_on_the_same_matter_is_flagged_as_a_likely_duplicate(world):
    public = filed_proposal(world, consent_publish=True)
    filed_proposal(world, **{**OTHER, "title": "关于老旧小区停车难的提案"}, consent_publish=True)
    text = "\n".join((TEXT["situation"], TEXT["analysis"], TEXT["suggestions"]))
    found = selectors.similar_proposals(world.outsider.user, title="关于加快老旧小区加装电梯的建议", text=text)
    assert [s.proposal.pk for s in found][0] == public.pk
    assert found[0].likely_duplicate and found[0].similarity >= selectors.DUPLICATE_AT
    # The parking proposal shares a word of the title but not the matter: listed, not flagged.
    assert [s.likely_duplicate for s in found[1:]] == [False]
    # The title alone, before the body is written: compared by title.
    by_title = selectors.similar_proposals(world.outsider.user, title="老旧小区加装电梯")
    assert by_title[0].proposal.pk == public.pk and 0 < by_title[0].similarity < 1


def test_only_proposals_the_user_may_see_are_shown(world):
    private = filed_proposal(world, consent_publish=False)
    assert selectors.similar_proposals(world.outsider.user, title=TEXT["title"]) == []  # not published, not theirs
    assert [s.proposal.pk for s in selectors.similar_proposals(world.first.user, title=TEXT["title"])] == [private.pk]
    assert [s.proposal.pk for s in selectors.similar_proposals(world.staff, title=TEXT["title"])] == [private.pk]
    # A proposal is not similar to itself; formulas alone (关于…的提案) find nothing.
    assert selectors.similar_proposals(world.staff, title=TEXT["title"], exclude=private.pk) == []
    assert selectors.similar_proposals(world.staff, title="关于的提案") == []


def test_similar_fragment_while_drafting(client, world):
    filed_proposal(world, consent_publish=True)
    filed_proposal(world, **OTHER, consent_publish=True)
    login(client, world.outsider.user)
    body = client.post("/proposals/similar/", {"title": "老旧小区加装电梯", **{k: TEXT[k] for k in ("situation", "analysis", "suggestions")}}).content.decode()
    assert "关于加快老旧小区加装电梯的提案" in body and 'data-testid="likely-duplicate"' in body and "一事一案" in body
    assert "公交线路" not in body
    body = client.get("/proposals/similar/", {"title": "公交线路"}).content.decode()
    assert "关于优化公交线路和站点设置的提案" in body and "likely-duplicate" not in body
    assert "未发现相似提案" in client.get("/proposals/similar/", {"title": "量"}).content.decode()
    client.logout()
    assert client.get("/proposals/similar/", {"title": "公交线路"}).status_code == 302


def test_draft_page_lists_similar_proposals(client, world):
    existing = filed_proposal(world, consent_publish=True)
    draft = services.proposal_create(actor=world.outsider.user, term=world.session.term, **TEXT)
    login(client, world.outsider.user)
    body = client.get(f"/proposals/{draft.pk}/").content.decode()
    assert f"/proposals/{existing.pk}/" in body and "疑似重复" in body


def test_similar_api(client, world):
    existing = filed_proposal(world, consent_publish=True)
    login(client, world.outsider.user)
    r = client.post("/api/proposals/similar", {"title": "老旧小区加装电梯", "situation": TEXT["situation"],
                                               "analysis": TEXT["analysis"], "suggestions": TEXT["suggestions"]},
                    content_type="application/json")
    assert r.status_code == 200
    [hit] = r.json()
    assert (hit["id"], hit["number"], hit["status"], hit["likely_duplicate"]) == (existing.pk, existing.number, "filed", True)
    r = client.post("/api/proposals/similar", {"title": "x" * 121}, content_type="application/json")
    assert r.status_code == 422 and "title" in r.content.decode()


def test_list_search_by_words_by_title_and_own_drafts(client, world):
    filed = filed_proposal(world)
    draft = services.proposal_create(actor=world.outsider.user, term=world.session.term,
                                     **{**TEXT, "title": "关于老旧小区加装电梯的补充建议"})

    def found(user, q):
        return sorted(p.pk for p in selectors.proposal_list(user, q=q))

    assert found(world.staff, "老旧小区") == [filed.pk]  # a draft is its proposers' until submitted
    assert found(world.outsider.user, "老旧小区") == [draft.pk]  # only their own draft
    assert found(world.first.user, "老旧小区") == [filed.pk]  # nobody else's draft
    assert found(world.first.user, "旧小区加") == [filed.pk]  # part of the title as typed
    assert found(world.first.user, "公交") == []
    login(client, world.first.user)
    r = client.get("/api/proposals", {"q": "加快老旧"})
    assert [p["id"] for p in r.json()["results"]] == [filed.pk]


def test_the_mixed_search_page_shows_only_proposals_the_user_may_see(client, world):
    private = filed_proposal(world, consent_publish=False)
    public = filed_proposal(world, **{**OTHER, "title": "关于老旧小区停车难的提案"}, consent_publish=True)
    login(client, world.outsider.user)
    body = client.get("/search/", {"q": "老旧小区"}).content.decode()
    assert f"/proposals/{public.pk}/" in body and f"/proposals/{private.pk}/" not in body
    login(client, world.first.user)  # their own, published or not
    body = client.get("/search/", {"q": "老旧小区"}).content.decode()
    assert f"/proposals/{public.pk}/" in body and f"/proposals/{private.pk}/" in body
