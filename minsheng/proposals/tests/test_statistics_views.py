"""Statistics against hand-computed figures; pages per role; query counts; exports; public pages."""

import datetime as dt
import io
import json
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from conftest import login
from minsheng.core.errors import DomainError
from minsheng.proposals import selectors, services
from minsheng.proposals.models import Handling, NotFiledReason, Proposal, ResultCategory

from .factories import TEXT, filed_proposal, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _fixture(world):
    """Five proposals: 3 filed (one replied A on time and rated 满意, one replied C late and rated 不满意,
    one being handled), 1 not filed, 1 still under first review."""
    a, b, c = filed_proposal(world), filed_proposal(world), filed_proposal(world)
    for p in (a, b, c):
        services.proposal_assign(actor=world.staff, proposal=p, mode="single", units=[world.lead_unit])
    for p, code in ((a, "A"), (b, "C")):
        h = p.handlings.get()
        services.handling_sign(actor=world.lead_handler, handling=h)
        services.handling_contact(actor=world.lead_handler, handling=h, method="phone", contacted_on=dt.date(2026, 3, 5))
        services.handling_draft_reply(actor=world.lead_handler, handling=h, category=ResultCategory.objects.get(code=code), text="答复")
        services.reply_review(actor=world.staff, handling=h, approve=True)
    late = b.handlings.get()
    Handling.objects.filter(pk=late.pk).update(due_date=dt.date(2026, 3, 3))  # replied after its due date
    services.evaluation_submit(actor=world.first.user, handling=a.handlings.get(), satisfaction="satisfied")
    services.evaluation_submit(actor=world.first.user, handling=late, satisfaction="dissatisfied")
    d = services.proposal_create(actor=world.outsider.user, term=world.session.term, **TEXT)
    services.proposal_submit(actor=world.outsider.user, proposal=d)
    services.proposal_review(actor=world.staff, proposal=d, step="first")
    services.proposal_review(actor=world.staff, proposal=d, step="second")
    services.proposal_decide(actor=world.staff, proposal=d, outcome="not_file", reason=NotFiledReason.objects.first())
    e = services.proposal_create(actor=world.cosigner.user, term=world.session.term, **TEXT)
    services.proposal_submit(actor=world.cosigner.user, proposal=e)
    services.proposal_review(actor=world.staff, proposal=e, step="first")
    services.proposal_create(actor=world.cosigner.user, term=world.session.term, **TEXT)  # a draft: not counted
    return a, b, c


def test_statistics_equal_hand_computed_figures(world):
    _fixture(world)
    stats = selectors.proposal_statistics(term=world.session.term_id)
    assert stats.received == 5
    assert stats.by_status == {"closed": 1, "replied": 1, "assigned": 1, "not_filed": 1, "first_review": 1}
    assert stats.filing_rate == 60.0  # 3 of 5
    assert (stats.collective, stats.individual) == (0, 5)
    assert (stats.plenary, stats.interim) == (0, 5)
    assert stats.members_taking_part == 3  # 王建华, 赵志强, 李秀英
    assert stats.members_serving == 3
    assert stats.participation_rate == 100.0
    assert (stats.assigned_handlings, stats.replied_handlings, stats.reply_rate) == (3, 2, 66.7)
    assert stats.categories == {"A": 1, "C": 1}
    assert stats.adoption_rate == 50.0
    assert stats.satisfaction == {"satisfied": 1, "basic": 0, "dissatisfied": 1}
    assert stats.satisfaction_rate == 50.0
    [unit] = stats.units
    assert (unit["unit__name"], unit["assigned"], unit["replied"], unit["on_time"], unit["on_time_rate"]) == (
        "北京市民政局", 3, 2, 1, 50.0)


def test_statistics_page_and_exports(client, world):
    _fixture(world)
    login(client, world.staff)
    html = client.get("/proposals/statistics/").content.decode()
    assert 'data-testid="stat-received">5<' in html
    workbook = load_workbook(io.BytesIO(client.get("/proposals/statistics.xlsx").content))
    rows = {r[0]: r[1] for r in workbook["总体"].iter_rows(values_only=True)}
    assert rows["收到提案"] == 5 and rows["满意率（%）"] == 50.0
    report = client.get("/proposals/report.docx")
    assert report.status_code == 200 and report.content[:2] == b"PK"
    export = load_workbook(io.BytesIO(client.get("/proposals/export.xlsx").content))["提案"]
    assert export.max_row == 1 + 5  # headers + every proposal the office sees (not the member's draft)
    login(client, world.first.user)
    assert client.get("/proposals/statistics/").status_code == 403


@pytest.mark.parametrize("page_size", [2, 20])
def test_list_api_query_count_is_fixed(client, world, page_size):
    for _ in range(25):
        p = filed_proposal(world)
        services.proposal_assign(actor=world.staff, proposal=p, mode="lead", units=[world.lead_unit], co_units=[world.co_unit])
    login(client, world.staff)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/api/proposals?page_size={page_size}")
    body = r.json()
    assert body["count"] == 25 and len(body["results"]) == page_size
    assert len(body["results"][0]["handlings"]) == 2
    # session, user, count, page, proposers prefetch, handlings prefetch
    assert len(ctx.captured_queries) == 6


def test_unit_handler_lists_only_its_units_proposals(client, world):
    mine, other = filed_proposal(world), filed_proposal(world)
    services.proposal_assign(actor=world.staff, proposal=mine, mode="single", units=[world.lead_unit])
    services.proposal_assign(actor=world.staff, proposal=other, mode="single", units=[world.other_unit])
    login(client, world.lead_handler)
    assert [p["id"] for p in client.get("/api/proposals").json()["results"]] == [mine.pk]
    assert client.get(f"/proposals/{other.pk}/").status_code == 403
    assert client.get(f"/proposals/{mine.pk}/").status_code == 200
    assert [h["proposal_id"] for h in client.get("/api/handlings").json()["results"]] == [mine.pk]


@pytest.mark.parametrize("who", ["staff", "leader", "first", "lead_handler"])
def test_pages_render_per_role(client, world, who):
    proposal = filed_proposal(world)
    services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit])
    user = getattr(world, who)
    login(client, getattr(user, "user", user))
    assert client.get("/proposals/").status_code == 200
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 200
    assert client.get("/").status_code == 200


def test_page_actions_walk_and_errors_are_shown(client, world):
    login(client, world.first.user)
    r = client.post("/proposals/new/", {**TEXT, "consent_publish": "on"})
    proposal = Proposal.objects.get()
    assert r.status_code == 302
    r = client.post(f"/proposals/{proposal.pk}/action/submit/", follow=True)
    assert Proposal.objects.get().status == "submitted"
    # A member cannot start a review: the page shows the reason, nothing changes.
    r = client.post(f"/proposals/{proposal.pk}/action/first-review/", follow=True)
    assert Proposal.objects.get().status == "submitted"
    assert "alert-danger" in r.content.decode()


def test_public_pages_show_only_consenting_published_proposals(client, world):
    shown = filed_proposal(world)
    hidden = filed_proposal(world, consent_publish=False)
    html = client.get("/proposals/public/").content.decode()
    assert f"/proposals/public/{shown.pk}/" in html and f"/proposals/public/{hidden.pk}/" not in html
    assert client.get(f"/proposals/public/{hidden.pk}/").status_code == 404
    assert client.get(f"/proposals/public/{shown.pk}/").status_code == 200
    assert f"/proposals/public/{shown.pk}/" in client.get("/proposals/public/?q=电梯").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_staff_assigning_at_once_one_wins(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across threads need PostgreSQL (SQLite serialises writers; see test_second_assignment_is_refused)")
    proposal = filed_proposal(world)
    barrier, outcomes = threading.Barrier(2), []

    def assign(unit):
        from django.db import connections

        try:
            barrier.wait()
            services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[unit])
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign, args=(u,)) for u in (world.lead_unit, world.other_unit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["invalid_transition", "ok"]
    assert Handling.objects.filter(proposal=proposal).count() == 1


def test_api_assign_conflict_with_stale_version(client, world):
    proposal = filed_proposal(world)
    login(client, world.staff)
    stale = proposal.version
    client.post(f"/api/proposals/{proposal.pk}/key", data=json.dumps({"leader": world.leader.pk}), content_type="application/json")
    r = client.post(f"/api/proposals/{proposal.pk}/assign", data=json.dumps(
        {"mode": "single", "units": [world.lead_unit.pk], "version": stale}), content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "stale_version"


def test_attachments_on_the_proposal_page(client, world, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    proposal = services.proposal_create(actor=world.first.user, term=world.session.term, **TEXT)
    login(client, world.first.user)
    r = client.post(f"/proposals/{proposal.pk}/action/attach/",
                    {"file": SimpleUploadedFile("调研数据.pdf", b"%PDF-1.7 data", content_type="application/pdf")}, follow=True)
    assert "调研数据.pdf" in r.content.decode()
    from minsheng.core.models import Attachment

    attachment = Attachment.objects.get()
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    r = client.post(f"/proposals/{proposal.pk}/action/attach/", {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")}, follow=True)
    assert Attachment.objects.count() == 1
    assert "alert-danger" in r.content.decode()
    login(client, world.outsider.user)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 403


def test_statistics_snapshot_serves_at_once_and_refreshes_through_the_worker(world, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from minsheng.proposals.models import StatisticsSnapshot
    from minsheng.proposals.tasks import refresh_statistics

    term = world.session.term_id
    first = services.statistics_snapshot(term=term)  # no snapshot yet: counted in the request
    assert (first.stats.received, first.stale, StatisticsSnapshot.objects.count()) == (0, False, 1)
    filed_proposal(world)  # writes events: the snapshot is out of date now
    with django_capture_on_commit_callbacks(execute=True):
        stale = services.statistics_snapshot(term=term)
    assert (stale.stats.received, stale.stale, stale.as_of) == (0, True, first.as_of)
    assert DBTaskResult.objects.filter(task_path="minsheng.proposals.tasks.refresh_statistics").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.statistics_snapshot(term=term)  # asked already: not queued twice
    assert DBTaskResult.objects.count() == 1
    refresh_statistics.call(term, None)  # what the worker runs
    current = services.statistics_snapshot(term=term)
    assert (current.stats.received, current.stale) == (1, False)
    assert current.as_of > first.as_of
    # Other scopes have their own snapshot; an export always counts the latest figures.
    filed_proposal(world)
    assert services.statistics_snapshot(term=term).stats.received == 1
    assert services.statistics_snapshot(term=term, fresh=True).stats.received == 2
    assert services.statistics_snapshot(session=world.session.pk).stats.received == 2


def test_a_snapshot_left_stale_too_long_is_counted_in_the_request(world):
    from minsheng.proposals.models import StatisticsSnapshot

    services.statistics_snapshot()
    filed_proposal(world)
    StatisticsSnapshot.objects.update(computed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # the worker is not running
    view = services.statistics_snapshot()
    assert (view.stats.received, view.stale) == (1, False)
    # The figures survive the JSON round trip unchanged.
    assert view.stats == selectors.proposal_statistics()


def test_statistics_page_says_how_old_its_figures_are(client, world):
    login(client, world.staff)
    body = client.get("/proposals/statistics/").content.decode()
    assert 'data-testid="stats-as-of"' in body and "数据截至" in body and "正在更新" not in body
    filed_proposal(world)
    body = client.get("/proposals/statistics/").content.decode()
    assert "正在更新" in body


def test_statistics_for_a_submission_period(client, world):
    from django.utils import timezone

    filed_proposal(world)  # submitted today
    today = timezone.localdate()
    assert services.statistics_snapshot(date_from=today).stats.received == 1
    assert services.statistics_snapshot(date_to=today - dt.timedelta(days=1)).stats.received == 0
    login(client, world.staff)
    page = client.get("/proposals/statistics/", {"from": (today - dt.timedelta(days=30)).isoformat(),
                                                  "to": (today - dt.timedelta(days=1)).isoformat()})
    assert page.context["stats"].received == 0 and page.context["scope"]["date_to"] == today - dt.timedelta(days=1)
    page = client.get("/proposals/statistics/", {"from": "2026-13-45"})  # named, and ignored
    assert page.status_code == 200 and page.context["stats"].received == 1 and "YYYY-MM-DD" in page.content.decode()
    r = client.get("/api/proposals-statistics", {"date_from": today.isoformat()})
    assert (r.status_code, r.json()["received"]) == (200, 1)
    assert client.get("/api/proposals-statistics", {"date_from": "soon"}).status_code == 422
