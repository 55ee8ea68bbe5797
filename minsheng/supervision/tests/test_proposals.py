"""Proposals (提案) linked to a 每月一题 problem: who may link and unlink, refusals with codes and nothing
changed, the timeline, the pages (problem, overview, proposal), the API, the year-end figures."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login
from minsheng.core.errors import Conflict, Forbidden, InvalidTransition, NotFound
from minsheng.core.models import Event, Notification
from minsheng.supervision import errors, selectors, services
from minsheng.supervision.models import ProblemProposal

from .factories import make_world, proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _link(w, actor, prop, problem=None):
    return services.problem_proposal_link(actor=actor, problem=problem or w.problem, proposal=prop)


# --- services ----------------------------------------------------------------------------------------------


def test_the_convener_links_their_own_proposal_and_the_problem_timeline_says_so(w):
    mine = proposal(w.wang)
    assert mine.number == "14-4-0001"
    link = _link(w, w.wang.user, mine)
    assert (link.problem, link.proposal, link.linked_by) == (w.problem, mine, w.wang.user)
    event = Event.objects.get(verb="proposal_linked")
    assert (event.actor, event.target_id, event.note, event.data) == (
        w.wang.user, str(w.problem.pk), "14-4-0001", {"proposal": mine.pk})
    assert Notification.objects.filter(recipient=w.staff, title__contains="老旧小区充电桩不足").count() == 1
    assert [x.proposal.number for x in selectors.linked_proposals(w.problem)] == ["14-4-0001"]
    assert [x.problem for x in selectors.proposal_problems(mine)] == [w.problem]


def test_a_group_member_links_a_proposal_they_cosigned(w):
    services.group_join(actor=w.li.user, group=w.group)
    joint = proposal(w.zhao, "关于规范电动自行车停放充电的提案", cosigners=[w.li])
    _link(w, w.li.user, joint)
    assert ProblemProposal.objects.get().linked_by == w.li.user


def test_who_may_not_link(w):
    zhaos = proposal(w.zhao, "赵志强的提案")
    wangs = proposal(w.wang, "王建华的提案")
    draft = proposal(w.wang, "王建华的草稿", submit=False)
    services.group_join(actor=w.li.user, group=w.group)
    refusals = [
        (w.zhao.user, zhaos, errors.NOT_IN_GROUP),  # their own, but not in the group
        (w.li.user, wangs, errors.NOT_OWN_PROPOSAL),  # in the group, but someone else's proposal
        (w.lead_handler, wangs, errors.NOT_IN_GROUP),  # a unit handler
        (w.leader, wangs, errors.NOT_IN_GROUP),  # leaders read only
    ]
    for actor, prop, code in refusals:
        with pytest.raises(Forbidden) as exc:
            _link(w, actor, prop)
        assert exc.value.code == code, actor
    with pytest.raises(InvalidTransition) as exc:
        _link(w, w.wang.user, draft)  # still a draft
    assert exc.value.code == errors.PROPOSAL_NOT_LINKABLE
    with pytest.raises(Forbidden) as exc:
        _link(w, w.wang.user, wangs, problem=w.problem2)  # the convener of another problem's group only
    assert exc.value.code == errors.NOT_IN_GROUP
    assert not ProblemProposal.objects.exists()
    assert not Event.objects.filter(verb="proposal_linked").exists()


def test_staff_link_any_submitted_proposal_to_any_problem(w):
    zhaos = proposal(w.zhao, "赵志强的提案")
    _link(w, w.staff, zhaos)
    _link(w, w.staff, zhaos, problem=w.problem2)  # no group yet: staff still may
    assert ProblemProposal.objects.count() == 2


def test_linking_twice_is_refused_with_a_clear_error(w):
    mine = proposal(w.wang)
    _link(w, w.wang.user, mine)
    with pytest.raises(Conflict) as exc:
        _link(w, w.staff, mine)
    assert exc.value.code == errors.PROPOSAL_ALREADY_LINKED
    assert "14-4-0001" in exc.value.message
    assert "已关联到本问题，不能重复关联" in exc.value.message or "already linked" in exc.value.message
    assert ProblemProposal.objects.count() == 1
    assert Event.objects.filter(verb="proposal_linked").count() == 1


def test_unlink_by_whoever_linked_it_or_staff(w):
    services.group_join(actor=w.li.user, group=w.group)
    wangs, lis = proposal(w.wang, "王建华的提案"), proposal(w.li, "李秀英的提案")
    _link(w, w.wang.user, wangs)
    _link(w, w.li.user, lis)
    for outsider in (w.li.user, w.zhao.user, w.leader):
        with pytest.raises(Forbidden) as exc:
            services.problem_proposal_unlink(actor=outsider, problem=w.problem, proposal=wangs)
        assert exc.value.code == errors.NOT_OWN_PROPOSAL
    assert ProblemProposal.objects.count() == 2
    services.problem_proposal_unlink(actor=w.wang.user, problem=w.problem, proposal=wangs)
    services.problem_proposal_unlink(actor=w.staff, problem=w.problem, proposal=lis)
    assert not ProblemProposal.objects.exists()
    assert list(Event.objects.filter(verb="proposal_unlinked").values_list("actor__username", "data")
                .order_by("id")) == [("wang", {"proposal": wangs.pk}), ("staff", {"proposal": lis.pk})]
    with pytest.raises(NotFound) as exc:
        services.problem_proposal_unlink(actor=w.staff, problem=w.problem, proposal=wangs)
    assert exc.value.code == errors.PROPOSAL_NOT_LINKED


def test_proposal_by_number(w):
    mine = proposal(w.wang)
    assert selectors.proposal_by_number("14-4-0001") == mine
    assert selectors.proposal_by_number(" 14-4-1 ") == mine
    assert selectors.proposal_by_number("14-4-0002") is None
    assert selectors.proposal_by_number("第一号") is None


def test_overview_and_year_end_report_count_proposals(client, w):
    import docx

    services.opinion_submit(actor=w.wang.user, problem=w.problem, kind="opinion", title="意见", text="内容")
    services.opinion_submit(actor=w.wang.user, problem=w.problem, kind="speech", title="发言", text="内容")
    shared, other = proposal(w.wang, "两题共用的提案"), proposal(w.zhao, "赵志强的提案")
    _link(w, w.wang.user, shared)
    _link(w, w.staff, shared, problem=w.problem2)
    _link(w, w.staff, other, problem=w.problem2)
    ov = selectors.overview(w.topic_year)
    assert [(r.problem.text, r.proposals) for r in ov.rows] == [("老旧小区充电桩不足", 1), ("飞线充电屡禁不止", 2)]
    assert (ov.totals["proposals"], ov.totals["opinions"], ov.totals["opinion_reports"], ov.totals["speeches"]) == (2, 2, 1, 1)
    login(client, w.leader)
    page = client.get("/supervision/overview/").content.decode()
    assert 'data-testid="total-proposals">2<' in page and 'data-testid="total-opinion-reports">1<' in page
    document = docx.Document(io.BytesIO(client.get(f"/supervision/years/{w.topic_year.pk}/report.docx").content))
    assert "关联提案2件" in "\n".join(p.text for p in document.paragraphs)
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][-1] == "提案"
    assert [row.cells[-1].text for row in table.rows[1:]] == ["1", "2"]


# --- pages -------------------------------------------------------------------------------------------------


def test_problem_page_lists_linked_proposals_and_links_by_number(client, w):
    mine = proposal(w.wang)
    login(client, w.wang.user)
    page = client.get(f"/supervision/problems/{w.problem.pk}/").content.decode()
    assert 'data-testid="proposal-form"' in page and '<option value="14-4-0001">' in page  # own proposals offered
    r = client.post(f"/supervision/problems/{w.problem.pk}/link-proposal/", {"number": "14-4-0001"}, follow=True)
    page = r.content.decode()
    section = page[page.index('data-testid="proposals"'):page.index('data-testid="proposal-form"')]
    assert f'href="/proposals/{mine.pk}/">14-4-0001</a>' in section
    assert "关于加快老旧小区充电桩建设的提案" in section and "王建华" in section
    assert 'data-status="submitted"' in section and f'data-testid="unlink-{mine.pk}"' in section
    assert "关联了提案" in page or "linked a proposal" in page  # the timeline
    r = client.post(f"/supervision/problems/{w.problem.pk}/link-proposal/", {"number": "14-4-0001"}, follow=True)
    assert "已关联" in r.content.decode() or "already linked" in r.content.decode()
    r = client.post(f"/supervision/problems/{w.problem.pk}/link-proposal/", {"number": "14-4-0099"}, follow=True)
    assert "14-4-0099" in r.content.decode()
    assert ProblemProposal.objects.count() == 1
    client.post(f"/supervision/problems/{w.problem.pk}/unlink-proposal/", {"proposal": str(mine.pk)})
    assert not ProblemProposal.objects.exists()


def test_outsiders_see_the_list_but_get_no_form(client, w):
    _link(w, w.staff, proposal(w.wang))
    login(client, w.zhao.user)
    page = client.get(f"/supervision/problems/{w.problem.pk}/").content.decode()
    assert "14-4-0001" in page and 'data-testid="proposal-form"' not in page and 'data-testid="unlink-' not in page
    client.post(f"/supervision/problems/{w.problem.pk}/link-proposal/", {"number": "14-4-0001"})
    assert ProblemProposal.objects.count() == 1


def test_the_proposal_page_shows_its_problems(client, w):
    linked, alone = proposal(w.wang), proposal(w.wang, "未关联的提案")
    _link(w, w.wang.user, linked)
    login(client, w.wang.user)
    page = client.get(f"/proposals/{linked.pk}/").content.decode()
    assert 'data-testid="supervision-problems"' in page
    assert f'href="/supervision/problems/{w.problem.pk}/">2025-04 电动自行车充电设施建设 · 老旧小区充电桩不足</a>' in page
    assert 'data-testid="supervision-problems"' not in client.get(f"/proposals/{alone.pk}/").content.decode()


def test_problem_page_query_count_does_not_grow_with_proposals(client, w):
    def link(n):
        for k in range(n):
            _link(w, w.staff, proposal(w.wang if k % 2 else w.li, f"提案{k}"))

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as q:
            page = client.get(url).content.decode()
        with CaptureQueriesContext(connection) as api_q:
            assert client.get(f"/api/supervision/problems/{w.problem.pk}/proposals").status_code == 200
        return len(q), len(api_q), page.count('data-testid="proposal-')  # the rows and the form

    url = f"/supervision/problems/{w.problem.pk}/"
    services.group_join(actor=w.li.user, group=w.group)
    for user in (w.staff, w.li.user):  # staff; a group member, who is offered their own proposals too
        ProblemProposal.objects.all().delete()
        login(client, user)
        link(2)
        small, small_api, rows = count()
        shown = len(selectors.linked_proposals(w.problem, viewer=user))  # staff all; a member their own
        assert (rows, shown) == (shown + 1, 2 if user == w.staff else 1)
        link(6)
        large, large_api, rows = count()
        shown = len(selectors.linked_proposals(w.problem, viewer=user))
        assert (large, large_api, rows, shown) == (small, small_api, shown + 1, 8 if user == w.staff else 4), user


# --- API ---------------------------------------------------------------------------------------------------


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_api_list_link_unlink(client, w):
    mine = proposal(w.wang)
    url = f"/api/supervision/problems/{w.problem.pk}/proposals"
    login(client, w.wang.user)
    r = _post(client, url, {"number": "14-4-0001"})
    assert r.status_code == 201, r.content
    body = r.json()
    linked_at = body.pop("linked_at")
    assert body == {"problem_id": w.problem.pk, "proposal_id": mine.pk, "number": "14-4-0001",
                    "title": "关于加快老旧小区充电桩建设的提案", "status": "submitted", "proposers": ["王建华"],
                    "linked_by": "王建华"}
    assert linked_at
    r = _post(client, url, {"proposal": mine.pk})
    assert r.status_code == 409 and r.json()["code"] == "proposal_already_linked"
    r = _post(client, url, {"number": "14-4-0077"})
    assert r.status_code == 422 and r.json()["code"] == "proposal_not_found" and r.json()["fields"] == {"number": "not found"}
    r = _post(client, url, {})
    assert r.status_code == 422 and r.json()["fields"] == {"number": "required"}
    login(client, w.zhao.user)
    r = _post(client, url, {"proposal": proposal(w.zhao, "赵志强的提案").pk})
    assert r.status_code == 403 and r.json()["code"] == "not_in_group"
    r = client.delete(f"{url}/{mine.pk}")
    assert r.status_code == 403 and r.json()["code"] == "not_own_proposal"
    r = client.get(url)  # not published yet (submitted): not shown to a member who is not its proposer
    assert r.status_code == 200 and r.json() == []
    login(client, w.wang.user)
    r = client.get(url)
    assert r.status_code == 200 and [x["number"] for x in r.json()] == ["14-4-0001"]
    three = client.get(f"/api/supervision/problems/{w.problem.pk}/three-party").json()
    assert [x["proposal_id"] for x in three["proposals"]] == [mine.pk]
    login(client, w.staff)
    assert client.delete(f"{url}/{mine.pk}").status_code == 204
    r = client.delete(f"{url}/{mine.pk}")
    assert r.status_code == 404 and r.json()["code"] == "proposal_not_linked"
    assert client.delete(f"{url}/999999").status_code == 404
    assert client.get(url).json() == []
    assert client.get(f"/api/supervision/years/{w.topic_year.pk}/overview").json()["totals"]["proposals"] == 0


def test_a_proposal_not_published_shows_only_to_those_who_may_see_it(client, w):
    private = proposal(w.wang)
    private.consent_publish = False
    private.save(update_fields=["consent_publish"])
    _link(w, w.staff, private)
    assert [x.proposal_id for x in selectors.linked_proposals(w.problem, viewer=w.zhao.user)] == []
    assert [x.proposal_id for x in selectors.linked_proposals(w.problem, viewer=w.wang.user)] == [private.pk]
    assert [x.proposal_id for x in selectors.linked_proposals(w.problem, viewer=w.staff)] == [private.pk]
    login(client, w.zhao.user)
    assert "关于加快老旧小区充电桩建设的提案" not in client.get(f"/supervision/problems/{w.problem.pk}/").content.decode()
    assert client.get(f"/api/supervision/problems/{w.problem.pk}/proposals").json() == []
