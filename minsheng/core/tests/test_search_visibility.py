"""The search API answers only what the user may see, as the search page does (security review, finding 2):
no titles of proposals in review, referred or unpublished, and no hint of a word inside a confidential body."""

import pytest

from conftest import login
from minsheng.core.tests.factories import AreaFactory, UserFactory
from minsheng.proposals import services
from minsheng.proposals.models import Proposal
from minsheng.proposals.tests.factories import TEXT, filed_proposal, make_world

pytestmark = pytest.mark.django_db

WORD = "萤火虫"
SECRET_BODY = {**TEXT, "title": "关于改善城市公园管理的提案", "situation": f"城市公园的{WORD}栖息地因夜间照明而消失。"}


@pytest.fixture
def world():
    world = make_world()
    world.district = UserFactory(username="district", role="district_staff",
                                 district=AreaFactory(level="district", name="朝阳区", code="110105"))
    return world


def _submitted(world, **text):
    proposal = services.proposal_create(actor=world.first.user, term=world.session.term, **text)
    return services.proposal_submit(actor=world.first.user, proposal=proposal)


@pytest.fixture
def proposals(world):
    """A proposal in first review with WORD in its body only; a referred and an unpublished filed one with WORD
    in their titles; a published filed one with WORD in its title."""
    review = _submitted(world, **SECRET_BODY)
    services.proposal_review(actor=world.staff, proposal=review, step="first")
    referred = _submitted(world, **{**TEXT, "title": f"关于保护{WORD}的提案"})
    services.proposal_review(actor=world.staff, proposal=referred, step="first")
    services.proposal_review(actor=world.staff, proposal=referred, step="second")
    services.proposal_decide(actor=world.staff, proposal=referred, outcome="refer", refer_to=world.other_unit)
    private = filed_proposal(world, title=f"关于{WORD}栖息地调查的提案", consent_publish=False)
    public = filed_proposal(world, title=f"关于建设{WORD}公园的提案")
    statuses = dict(Proposal.objects.values_list("pk", "status"))
    assert [statuses[p.pk] for p in (review, referred, private, public)] == ["first_review", "referred", "filed", "filed"]
    return {"review": review.pk, "referred": referred.pk, "private": private.pk, "public": public.pk}


def _api_ids(client, user, q=WORD, **params):
    login(client, user)
    r = client.get("/api/search", {"q": q, **params})
    assert r.status_code == 200, r.content
    assert all(h["type"] == "proposal" for h in r.json())
    return sorted(int(h["id"]) for h in r.json())


def _page_ids(client, user, q=WORD):
    login(client, user)
    r = client.get("/search/", {"q": q})
    assert r.status_code == 200
    return sorted(int(h["id"]) for h in r.context["hits"])


def test_search_api_hits_per_role(client, world, proposals):
    p = proposals
    everything = sorted(p.values())
    expected = {
        "staff": everything, "leader": everything, "first": everything,  # the office, and the proposer of all four
        "outsider": [p["public"]],  # another member: only the published one
        "lead_handler": [p["public"]], "other_handler": [p["public"]],  # no unit handles any of them
        "district": [p["public"]],
    }
    users = {"staff": world.staff, "leader": world.leader, "first": world.first.user, "outsider": world.outsider.user,
             "lead_handler": world.lead_handler, "other_handler": world.other_handler, "district": world.district}
    for name, user in users.items():
        assert _api_ids(client, user) == expected[name], name
        assert _page_ids(client, user) == expected[name], name  # the page and the API agree


def test_search_api_tells_no_member_a_word_of_a_body_in_review(client, world, proposals):
    # "夜间照明" is only in the body of the proposal in first review.
    assert _api_ids(client, world.outsider.user, q=f"{WORD} 照明") == []
    assert _api_ids(client, world.outsider.user, q="夜间照明") == []
    assert _api_ids(client, world.lead_handler, q="夜间照明") == []
    assert _api_ids(client, world.district, q="夜间照明") == []
    assert _api_ids(client, world.first.user, q="夜间照明") == [proposals["review"]]
    assert _api_ids(client, world.staff, q="夜间照明") == [proposals["review"]]


def test_search_api_limit_counts_visible_hits(client, world, monkeypatch):
    from minsheng.core import search as search_module

    monkeypatch.setattr(search_module, "SEARCH_BATCH", 4)  # several rounds of candidates
    # Ten hidden proposals first (the same text ranks the same, so the older entries come first), then five published.
    text = {**TEXT, "title": f"关于{WORD}的提案", "situation": f"{WORD}。"}
    hidden = [_submitted(world, **text).pk for _ in range(10)]
    public = [_submitted(world, **text).pk for _ in range(5)]
    Proposal.objects.filter(pk__in=public).update(status="filed")
    assert _api_ids(client, world.outsider.user, limit=3) == public[:3]
    assert _api_ids(client, world.outsider.user, limit=20) == public
    assert _api_ids(client, world.outsider.user, limit=1) == public[:1]
    assert _api_ids(client, world.first.user, limit=12) == sorted(hidden + public)[:12]
    assert _page_ids(client, world.outsider.user) == public
