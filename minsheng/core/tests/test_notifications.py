"""Notifications: each call site's kind (to do, following, updates), each person's preferences, the daily digest,
the bell's to-do count, the inbox pages and the API (nobody reads or marks another's notifications)."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import login
from minsheng.core import selectors, services
from minsheng.core.errors import Invalid
from minsheng.core.models import Event, Job, Notification, NotificationPreference
from minsheng.core.tests.factories import UserFactory
from minsheng.proposals import services as proposals
from minsheng.proposals.models import ResultCategory
from minsheng.proposals.tests.factories import TEXT, filed_proposal, make_world

pytestmark = pytest.mark.django_db
ACTION, FOLLOW, INFO, DIGEST = "action", "follow", "info", "digest"


def kinds(user) -> list[tuple[str, str]]:
    """(kind, title) of the user's notifications, oldest first."""
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "title"))


def kinds_only(user) -> list[str]:
    return [k for k, _ in kinds(user)]


@pytest.fixture
def world():
    return make_world()


# --- every call site says its kind -------------------------------------------------------------------------


def test_every_notify_call_in_the_product_names_its_kind():
    root = Path(__file__).resolve().parents[2]
    calls = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "notify":
                calls.append((path.relative_to(root).as_posix(), node.lineno, {k.arg for k in node.keywords}))
    assert len(calls) >= 35  # 26 in proposals, 9 in supervision when this was written
    assert [(p, line) for p, line, keywords in calls if "kind" not in keywords] == []


def test_a_submission_is_news_for_the_office_and_a_to_do_for_the_reviewer_who_returned_it(world):
    other_staff = UserFactory(username="staff2", role="staff")
    proposal = proposals.proposal_create(actor=world.first.user, term=world.session.term, **TEXT)
    proposals.proposal_submit(actor=world.first.user, proposal=proposal)
    assert kinds_only(world.staff) == [INFO]
    assert kinds_only(other_staff) == [INFO]
    proposals.proposal_review(actor=world.staff, proposal=proposal, step="first")
    proposals.proposal_decide(actor=world.staff, proposal=proposal, outcome="return", note="请补充数据")
    assert kinds(world.first.user) == [(ACTION, f"请修改后重新提交：{proposal.title}")]
    proposals.proposal_submit(actor=world.first.user, proposal=proposal)
    assert kinds_only(world.staff) == [INFO, ACTION]  # the reviewer who returned it reviews it again
    assert kinds_only(other_staff) == [INFO, INFO]


def test_co_signers_confirm_proposers_follow_and_evaluate(world):
    proposal = proposals.proposal_create(actor=world.first.user, term=world.session.term, cosigners=[world.cosigner],
                                         **TEXT)
    assert kinds_only(world.cosigner.user) == [ACTION]  # please confirm co-signing
    proposals.proposer_confirm(actor=world.cosigner.user, proposal=proposal)
    proposals.proposal_submit(actor=world.first.user, proposal=proposal)
    proposals.proposal_review(actor=world.staff, proposal=proposal, step="first")
    proposals.proposal_review(actor=world.staff, proposal=proposal, step="second")
    proposals.proposal_decide(actor=world.staff, proposal=proposal, outcome="file")
    assert kinds_only(world.first.user) == [FOLLOW]  # filed
    [h] = proposals.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit])
    assert kinds_only(world.lead_handler) == [ACTION]  # assigned: sign it
    assert kinds_only(world.other_handler) == []
    proposals.handling_sign(actor=world.lead_handler, handling=h)
    proposals.handling_contact(actor=world.lead_handler, handling=h, method="phone", contacted_on=dt.date(2026, 3, 5))
    proposals.handling_draft_reply(actor=world.lead_handler, handling=h, category=ResultCategory.objects.get(code="A"),
                                   text="答复如下")
    proposals.reply_review(actor=world.staff, handling=h, approve=True)
    assert kinds_only(world.first.user) == [FOLLOW, ACTION]  # the reply: evaluate it
    assert kinds_only(world.cosigner.user) == [ACTION, FOLLOW, ACTION]


def _replied(world):
    proposal = filed_proposal(world)
    [h] = proposals.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit])
    proposals.handling_sign(actor=world.lead_handler, handling=h)
    proposals.handling_contact(actor=world.lead_handler, handling=h, method="phone", contacted_on=dt.date(2026, 3, 5))
    proposals.handling_draft_reply(actor=world.lead_handler, handling=h, category=ResultCategory.objects.get(code="A"),
                                   text="答复如下")
    proposals.reply_review(actor=world.staff, handling=h, approve=True)
    return proposal, h


def test_a_dissatisfied_evaluation_is_a_to_do_for_the_staff_member_who_assigned_and_news_for_the_rest(world):
    other_staff = UserFactory(username="staff2", role="staff")
    proposal, h = _replied(world)
    Notification.objects.all().delete()
    proposals.evaluation_submit(actor=world.first.user, handling=h, satisfaction="dissatisfied", comment="未解决")
    assert kinds(world.staff) == [(ACTION, f"提案者不满意：{proposal.title}")]
    assert kinds_only(other_staff) == [INFO]


def test_when_the_one_who_must_act_has_left_the_whole_office_gets_the_to_do(world):
    other_staff = UserFactory(username="staff2", role="staff")
    _proposal, h = _replied(world)
    world.staff.is_active = False
    world.staff.save()
    Notification.objects.all().delete()
    proposals.evaluation_submit(actor=world.first.user, handling=h, satisfaction="dissatisfied")
    assert kinds_only(other_staff) == [ACTION]
    assert kinds_only(world.staff) == []


def test_deadline_run_reminders_and_overdue_are_to_dos_for_the_unit_the_assigner_and_the_supervising_leader(world):
    other_staff = UserFactory(username="staff2", role="staff")
    proposal = filed_proposal(world)
    proposals.proposal_mark_key(actor=world.staff, proposal=proposal, leader=world.leader)
    assert kinds_only(world.leader) == [ACTION]  # please supervise (督办) this key proposal
    proposals.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit],
                              start=dt.date(2026, 7, 1))
    Notification.objects.all().delete()
    proposals.handlings_check_deadlines(today=dt.date(2026, 9, 30))
    assert kinds_only(world.lead_handler) == [ACTION]  # reminder before due
    proposals.handlings_check_deadlines(today=dt.date(2026, 10, 9))
    assert kinds_only(world.lead_handler) == [ACTION, ACTION]  # overdue
    assert kinds_only(world.staff) == [ACTION]  # assigned it
    assert kinds_only(world.leader) == [ACTION]  # supervises it
    assert kinds_only(other_staff) == [INFO]


def test_supervision_call_sites():
    from minsheng.supervision import services as supervision
    from minsheng.supervision.tests.factories import make_world as supervision_world

    w = supervision_world()
    assert kinds_only(w.wang.user) == [ACTION]  # you convene the group
    assert kinds_only(w.lead_handler) == []  # the handler account was made after the topic
    supervision.list_item_create(actor=w.staff, problem=w.problem, kind="task", text="新建充电桩5000个", owner=w.lead_unit)
    assert kinds_only(w.lead_handler) == [ACTION]
    supervision.group_join(actor=w.li.user, group=w.group)
    assert kinds_only(w.wang.user) == [ACTION, FOLLOW]  # someone joined your group
    supervision.activity_log(actor=w.li.user, problem=w.problem, kind="research", held_on=dt.date(2025, 5, 8),
                             place="朝阳区某小区", participants=[w.li])
    assert kinds(w.staff) == [(INFO, "已登记监督活动：老旧小区充电桩不足")]


# --- preferences ---------------------------------------------------------------------------------------------


def test_defaults_action_and_follow_at_once_info_in_the_digest(users):
    assert selectors.notification_preferences(users["member"]) == [
        {"kind": ACTION, "label": "待办", "delivery": "now", "email": True},
        {"kind": FOLLOW, "label": "关注", "delivery": "now", "email": True},
        {"kind": INFO, "label": "动态", "delivery": "digest", "email": True},
    ]
    for kind in (ACTION, FOLLOW, INFO):
        services.notify(recipients=[users["member"]], title=kind, kind=kind)
    assert list(Notification.objects.order_by("id").values_list("kind", "delivery")) == [
        (ACTION, "now"), (FOLLOW, "now"), (INFO, "digest")]


def test_off_means_no_notification_and_no_mail(users, django_capture_on_commit_callbacks):
    services.notification_preference_set(actor=users["member"], kind=INFO, delivery="off", email=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[users["member"], users["staff"]], title="新提案", kind=INFO, email=True)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["staff"]
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]


def test_e_mail_off_keeps_the_inbox_copy(users, django_capture_on_commit_callbacks):
    services.notification_preference_set(actor=users["unit"], kind=ACTION, delivery="now", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[users["unit"], users["other_unit"]], title="交办", kind=ACTION, email=True)
    assert Notification.objects.filter(kind=ACTION).count() == 2
    assert [m.to for m in mail.outbox] == [["unit2@example.org"]]


def test_a_to_do_cannot_be_turned_off_or_digested(users):
    for delivery in ("off", "digest"):
        with pytest.raises(Invalid) as info:
            services.notification_preference_set(actor=users["member"], kind=ACTION, delivery=delivery, email=True)
        assert info.value.code == "action_always_delivered"
    with pytest.raises(Invalid) as info:
        services.notification_preference_set(actor=users["member"], kind=DIGEST, delivery="now", email=True)
    assert info.value.code == "notification_kind_unknown"
    assert NotificationPreference.objects.count() == 0
    assert Event.objects.count() == 0


def test_a_preference_change_is_recorded_once(users):
    services.notification_preference_set(actor=users["member"], kind=FOLLOW, delivery="digest", email=False)
    services.notification_preference_set(actor=users["member"], kind=FOLLOW, delivery="digest", email=False)
    assert list(Event.objects.values_list("verb", "from_state", "to_state", "note")) == [
        ("notification_preference_set", "now", "digest", FOLLOW)]
    assert list(NotificationPreference.objects.values_list("kind", "delivery", "email")) == [(FOLLOW, "digest", False)]


# --- the daily digest -----------------------------------------------------------------------------------------


def test_the_digest_groups_follow_and_info_into_one_notification_listed_by_kind(users):
    member = users["member"]
    services.notification_preference_set(actor=member, kind=FOLLOW, delivery="digest", email=True)
    services.notify(recipients=[member], title="请评价答复", kind=ACTION)
    services.notify(recipients=[member], title="您的提案已立案", kind=FOLLOW)
    services.notify(recipients=[member], title="新提案 14-4-0001", kind=INFO)
    services.notify(recipients=[member], title="新提案 14-4-0002", kind=INFO)
    day = timezone.localdate()
    digest = services.notification_digest_make(recipient=member, day=day)
    stamps = [f"{timezone.localtime(n.created_at):%m-%d %H:%M}" for n in Notification.objects.order_by("id")]
    assert digest.title == "今日动态（3 条）"
    assert digest.body == (f"关注（1 条）\n· {stamps[1]} 您的提案已立案\n\n"
                           f"动态（2 条）\n· {stamps[2]} 新提案 14-4-0001\n· {stamps[3]} 新提案 14-4-0002")
    assert (digest.kind, digest.digest_day, digest.read_at, digest.url) == (
        DIGEST, day, None, reverse("core:notification_detail", args=[digest.pk]))
    assert sorted(digest.items.values_list("title", flat=True)) == ["您的提案已立案", "新提案 14-4-0001", "新提案 14-4-0002"]
    # The grouped items no longer count or show on their own; the to-do is untouched.
    assert [n.title for n in selectors.notification_list(member)] == ["今日动态（3 条）", "请评价答复"]
    assert selectors.notification_counts(member) == {"action": 1, "follow": 0, "info": 1, "unread": 2}
    assert [n.title for n in selectors.notification_list(member, digest=digest)] == [
        "您的提案已立案", "新提案 14-4-0001", "新提案 14-4-0002"]


def test_items_delivered_at_once_are_not_digested(users):
    services.notification_preference_set(actor=users["member"], kind=INFO, delivery="now", email=True)
    services.notify(recipients=[users["member"]], title="新提案", kind=INFO)
    assert services.notification_digest_make(recipient=users["member"], day=timezone.localdate()) is None
    assert Notification.objects.filter(kind=DIGEST).count() == 0


def test_the_digest_job_is_idempotent_per_day_and_later_items_wait_for_the_next_one(users):
    staff, member = users["staff"], users["member"]
    services.notify(recipients=[staff, member], title="新提案 14-4-0001", kind=INFO)
    services.notify(recipients=[staff], title="新提案 14-4-0002", kind=INFO)
    day = timezone.localdate()
    call_command("notifications_digest", "--date", day.isoformat())
    call_command("notifications_digest", "--date", day.isoformat())
    assert Job.objects.get(kind="core.notifications_digest").result == {"date": day.isoformat(), "digests": 2, "items": 3}
    assert sorted(Notification.objects.filter(kind=DIGEST).values_list("recipient__username", "title")) == [
        ("member", "今日动态（1 条）"), ("staff", "今日动态（2 条）")]
    # A digest made outside the job (the demo, a second job) for the same day makes no second digest either.
    services.notify(recipients=[staff], title="新提案 14-4-0003", kind=INFO)
    assert services.notification_digest_make(recipient=staff, day=day) is None
    later = services.notification_digest_make(recipient=staff, day=day + dt.timedelta(days=1))
    assert later.title == "今日动态（1 条）"
    assert Notification.objects.filter(kind=DIGEST).count() == 3


def test_the_digest_of_a_day_leaves_what_came_after_that_day(users):
    old, new = services.notify(recipients=[users["staff"]], title="旧", kind=INFO) + services.notify(
        recipients=[users["staff"]], title="新", kind=INFO)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    digest = services.notification_digest_make(recipient=users["staff"], day=timezone.localdate() - dt.timedelta(days=2))
    assert list(digest.items.values_list("title", flat=True)) == ["旧"]
    new.refresh_from_db()
    assert new.digest_id is None


def test_the_digest_lists_fifty_lines_per_kind_and_counts_the_rest(users):
    Notification.objects.bulk_create([Notification(recipient=users["staff"], kind=INFO, delivery="digest", title=f"第{i}条")
                                      for i in range(53)])
    digest = services.notification_digest_make(recipient=users["staff"], day=timezone.localdate())
    lines = digest.body.split("\n")
    assert (digest.title, lines[0], len(lines), lines[-1]) == ("今日动态（53 条）", "动态（53 条）", 52, "……另有 3 条")


def test_marking_a_digest_read_reads_its_items(users):
    services.notify(recipients=[users["staff"]], title="新提案", kind=INFO)
    digest = services.notification_digest_make(recipient=users["staff"], day=timezone.localdate())
    assert services.notification_mark_read(actor=users["staff"]) == 1
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert digest.items.get().read_at is not None


# --- the bell and the inbox pages -------------------------------------------------------------------------------


def test_the_bell_counts_unread_to_dos(client, users):
    member = users["member"]
    for kind, n in ((ACTION, 3), (FOLLOW, 2), (INFO, 4)):
        for i in range(n):
            services.notify(recipients=[member], title=f"{kind}{i}", kind=kind)
    services.notify(recipients=[users["staff"]], title="别人的待办", kind=ACTION)
    services.notification_mark_read(actor=member, ids=[Notification.objects.filter(recipient=member, kind=ACTION).first().pk])
    assert selectors.notification_todo_count(member) == 2
    login(client, member)
    html = client.get(reverse("core:member_list")).content.decode()
    assert '<span class="badge bg-danger" data-testid="todo">2</span>' in html
    html = client.get(reverse("core:notifications")).content.decode()
    assert 'data-testid="unread-total">8 条未读<' in html
    assert 'data-testid="tab-count-action">2<' in html
    assert 'data-testid="tab-count-follow">2<' in html
    assert 'data-testid="tab-count-info">4<' in html


def test_no_bell_figure_without_to_dos(client, users):
    services.notify(recipients=[users["member"]], title="动态", kind=INFO)
    login(client, users["member"])
    assert 'data-testid="todo"' not in client.get(reverse("core:member_list")).content.decode()


def test_inbox_tabs_and_unread_filter(client, users):
    member = users["member"]
    services.notify(recipients=[member], title="请确认联名", kind=ACTION)
    services.notify(recipients=[member], title="已立案", kind=FOLLOW)
    services.notify(recipients=[member], title="新提案", kind=INFO)
    services.notification_mark_read(actor=member, kinds=[FOLLOW])
    login(client, member)

    def titles(query: str) -> list[str]:
        page = client.get(reverse("core:notifications") + query).context["page"]
        return [n.title for n in page.results]

    assert titles("") == ["新提案", "已立案", "请确认联名"]
    assert titles("?tab=action") == ["请确认联名"]
    assert titles("?tab=follow") == ["已立案"]
    assert titles("?tab=info") == ["新提案"]
    assert titles("?unread=1") == ["新提案", "请确认联名"]
    assert titles("?tab=nonsense") == ["新提案", "已立案", "请确认联名"]


def test_mark_read_per_item_with_htmx_and_per_tab(client, users):
    member = users["member"]
    [todo] = services.notify(recipients=[member], title="请确认联名", kind=ACTION)
    services.notify(recipients=[member], title="新提案", kind=INFO)
    services.notify(recipients=[member], title="新提案二", kind=INFO)
    login(client, member)
    response = client.post(reverse("core:notification_read", args=[todo.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="mark-read"' not in response.content.decode()
    assert selectors.notification_todo_count(member) == 0
    response = client.post(reverse("core:notifications_read"), {"tab": "info"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:notifications") + "?tab=info"
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_pages_do_not_show_or_mark_another_persons_notifications(client, users):
    [theirs] = services.notify(recipients=[users["staff"]], title="别人的", kind=ACTION)
    login(client, users["member"])
    assert client.get(reverse("core:notification_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("core:notification_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("core:notifications_read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "别人的" not in client.get(reverse("core:notifications")).content.decode()


def test_opening_a_digest_reads_it_and_lists_its_items_by_kind(client, users):
    member = users["member"]
    services.notification_preference_set(actor=member, kind=FOLLOW, delivery="digest", email=True)
    services.notify(recipients=[member], title="新提案", kind=INFO)
    services.notify(recipients=[member], title="已立案", kind=FOLLOW)
    digest = services.notification_digest_make(recipient=member, day=timezone.localdate())
    login(client, member)
    response = client.get(reverse("core:notification_detail", args=[digest.pk]))
    assert [(n.kind, n.title) for n in response.context["page"].results] == [(FOLLOW, "已立案"), (INFO, "新提案")]
    digest.refresh_from_db()
    assert digest.read_at is not None


def test_settings_page_saves_each_kind(client, users):
    login(client, users["member"])
    assert client.get(reverse("core:notification_settings")).status_code == 200
    response = client.post(reverse("core:notification_settings"), {
        "action-delivery": "off", "action-email": "on", "follow-delivery": "digest", "info-delivery": "off"})
    assert response.status_code == 302
    assert [(p["kind"], p["delivery"], p["email"]) for p in selectors.notification_preferences(users["member"])] == [
        (ACTION, "now", True), (FOLLOW, "digest", False), (INFO, "off", False)]


def test_inbox_page_query_count_does_not_grow_with_the_inbox(client, users):
    member = users["member"]
    login(client, member)
    counts = []
    for n in (3, 30):
        Notification.objects.bulk_create([Notification(recipient=member, kind=k, title=f"{k}{i}")
                                          for i in range(n) for k in (ACTION, FOLLOW, INFO)])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("core:notifications")).status_code == 200
        counts.append(len(ctx.captured_queries))
    # session, user, bell count, page count, page rows, counts per tab
    assert counts == [6, 6]


# --- the API -------------------------------------------------------------------------------------------------


def post(client, url, body=None, method="post"):
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def test_api_lists_tabs_counts_and_digest_items(client, users):
    member = users["member"]
    services.notify(recipients=[member], title="请确认联名", kind=ACTION)
    services.notify(recipients=[member], title="新提案", kind=INFO)
    digest = services.notification_digest_make(recipient=member, day=timezone.localdate())
    login(client, member)
    body = client.get("/api/notifications").json()
    assert [(n["kind"], n["title"], n["digest_id"]) for n in body["results"]] == [
        (DIGEST, "今日动态（1 条）", None), (ACTION, "请确认联名", None)]
    assert [n["title"] for n in client.get("/api/notifications?tab=action").json()["results"]] == ["请确认联名"]
    items = client.get(f"/api/notifications?digest={digest.pk}").json()["results"]
    assert [(n["title"], n["digest_id"]) for n in items] == [("新提案", digest.pk)]
    assert client.get("/api/notifications/counts").json() == {"todo": 1, "unread": 2, "action": 1, "follow": 0, "info": 1}
    assert client.get("/api/notifications?tab=digest").status_code == 422


def test_api_nobody_reads_or_marks_another_persons_notifications(client, users):
    [theirs] = services.notify(recipients=[users["staff"]], title="别人的", kind=ACTION)
    services.notify(recipients=[users["staff"]], title="别人的动态", kind=INFO)
    their_digest = services.notification_digest_make(recipient=users["staff"], day=timezone.localdate())
    [mine] = services.notify(recipients=[users["member"]], title="我的", kind=ACTION)
    login(client, users["member"])
    for url in (f"/api/notifications/{theirs.pk}", f"/api/notifications?digest={their_digest.pk}"):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url
    response = post(client, f"/api/notifications/{theirs.pk}/read")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert post(client, "/api/notifications/read", {"ids": [theirs.pk, their_digest.pk]}).json() == {"marked": 0}
    assert post(client, "/api/notifications/read", {"ids": [theirs.pk, mine.pk]}).json() == {"marked": 1}
    assert Notification.objects.filter(recipient=users["staff"], read_at__isnull=False).count() == 0
    assert client.get(f"/api/notifications/{mine.pk}").json()["read_at"] is not None


def test_api_mark_one_and_a_tab(client, users):
    member = users["member"]
    [todo] = services.notify(recipients=[member], title="请确认联名", kind=ACTION)
    services.notify(recipients=[member], title="已立案", kind=FOLLOW)
    services.notify(recipients=[member], title="新提案", kind=INFO)
    login(client, member)
    assert post(client, f"/api/notifications/{todo.pk}/read").json() == {"marked": 1}
    assert post(client, f"/api/notifications/{todo.pk}/read").json() == {"marked": 0}
    assert post(client, "/api/notifications/read", {"tab": "follow"}).json() == {"marked": 1}
    assert client.get("/api/notifications/counts").json() == {"todo": 0, "unread": 1, "action": 0, "follow": 0, "info": 1}


def test_api_preferences(client, users):
    login(client, users["member"])
    assert [p["delivery"] for p in client.get("/api/notifications/preferences").json()] == ["now", "now", "digest"]
    response = post(client, "/api/notifications/preferences",
                    {"preferences": [{"kind": "info", "delivery": "off", "email": False}]}, method="put")
    assert response.status_code == 200
    assert response.json() == [{"kind": ACTION, "delivery": "now", "email": True},
                               {"kind": FOLLOW, "delivery": "now", "email": True},
                               {"kind": INFO, "delivery": "off", "email": False}]
    response = post(client, "/api/notifications/preferences", {"preferences": [
        {"kind": "follow", "delivery": "digest", "email": True}, {"kind": "action", "delivery": "off", "email": True}]},
        method="put")
    assert (response.status_code, response.json()["code"]) == (422, "action_always_delivered")
    assert NotificationPreference.objects.filter(kind=FOLLOW).count() == 0  # nothing half-written
    response = post(client, "/api/notifications/preferences",
                    {"preferences": [{"kind": "digest", "delivery": "now", "email": True}]}, method="put")
    assert response.status_code == 422


def test_api_inbox_query_count_does_not_grow_with_the_page(client, users):
    member = users["member"]
    login(client, member)
    counts = []
    for n in (2, 40):
        Notification.objects.bulk_create([Notification(recipient=member, kind=ACTION, title=f"t{i}") for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/notifications?page_size=100").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts == [4, 4]  # session, user, count, page
