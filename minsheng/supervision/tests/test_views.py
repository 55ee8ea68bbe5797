"""Pages per role: who sees what, actions through the pages, fixed query counts on the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login
from minsheng.supervision import services
from minsheng.supervision.models import Activity, GroupMembership, Opinion, ProgressUpdate

from .factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def test_anonymous_is_sent_to_login(client, w):
    r = client.get("/supervision/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_staff_build_the_year_through_pages(client, w):
    login(client, w.staff)
    r = client.post("/supervision/years/new/", {"year": "2026", "title": "2026年每月一题"})
    year_url = r["Location"]
    assert r.status_code == 302 and "/supervision/years/" in year_url
    year_id = int(year_url.rstrip("/").split("/")[-1])
    client.post(f"/supervision/years/{year_id}/topics/new/",
                {"month": "2", "theme": "文明养犬", "lead_unit": str(w.lead_unit.pk), "co_units": [str(w.other_unit.pk)]})
    page = client.get(year_url).content.decode()
    assert "文明养犬" in page and "北京市交通委员会" in page
    topic_id = w.topic_year.__class__.objects.get(pk=year_id).topics.get().pk
    client.post(f"/supervision/topics/{topic_id}/problems/new/", {"text": "遛狗不牵绳", "convener": str(w.zhao.pk)})
    page = client.get(year_url).content.decode()
    assert "遛狗不牵绳" in page and "赵志强" in page
    client.post(f"/supervision/problems/{w.problem.pk}/item/", {"kind": "task", "text": "新增充电端口", "owner": str(w.lead_unit.pk),
                                                               "due_date": "2025-12-31"})
    assert "新增充电端口" in client.get(f"/supervision/problems/{w.problem.pk}/").content.decode()


def test_member_signs_up_logs_and_submits(client, w):
    login(client, w.li.user)
    page = client.get(f"/supervision/problems/{w.problem.pk}/").content.decode()
    assert 'data-testid="join"' in page and 'data-testid="activity-form"' not in page
    client.post(f"/supervision/problems/{w.problem.pk}/join/")
    assert GroupMembership.objects.filter(group=w.group, member=w.li).exists()
    client.post(f"/supervision/problems/{w.problem.pk}/activity/",
                {"kind": "research", "held_on": "2025-05-10", "place": "丰台区某社区", "participants": [str(w.li.pk)],
                 "person_count": "6"})
    client.post(f"/supervision/problems/{w.problem.pk}/opinion/", {"kind": "speech", "title": "例会发言", "text": "建议……"})
    assert Activity.objects.get().person_count == 6 and Opinion.objects.get().member == w.li
    page = client.get(f"/supervision/problems/{w.problem.pk}/").content.decode()
    assert "丰台区某社区" in page and "例会发言" in page
    assert "报名加入了议题监督小组" in page or "joined the supervision group" in page  # the timeline


def test_unit_updates_own_items_only(client, w):
    mine = services.list_item_create(actor=w.staff, problem=w.problem, kind="task", text="我的任务", owner=w.lead_unit)
    theirs = services.list_item_create(actor=w.staff, problem=w.problem, kind="policy", text="别人的政策", owner=w.other_unit)
    login(client, w.lead_handler)
    page = client.get("/supervision/desk/").content.decode()
    assert "我的任务" in page and "别人的政策" not in page
    r = client.post(f"/supervision/items/{theirs.pk}/update/", {"note": "越权"}, follow=True)
    assert not ProgressUpdate.objects.filter(item=theirs).exists()
    assert "Only the owner unit" in r.content.decode() or "只有责任单位" in r.content.decode()
    client.post(f"/supervision/items/{mine.pk}/update/", {"note": "已完成", "evidence": "文件", "status": "done", "from": "desk"})
    mine.refresh_from_db()
    assert mine.status == "done"


def test_roles_on_desk_and_overview(client, w):
    login(client, w.wang.user)
    assert client.get("/supervision/desk/").status_code == 403
    assert client.get("/supervision/overview/").status_code == 403
    login(client, w.leader)
    page = client.get("/supervision/overview/").content.decode()
    assert "老旧小区充电桩不足" in page
    assert client.get(f"/supervision/problems/{w.problem.pk}/").status_code == 200
    assert client.get("/supervision/problems/999999/").status_code == 404


def _grow(w, n):
    for k in range(n):
        services.list_item_create(actor=w.staff, problem=w.problem, kind="task", text=f"任务{k}", owner=w.lead_unit,
                                  due_date=dt.date(2025, 12, 1))
        services.activity_log(actor=w.staff, problem=w.problem, kind="inspection", held_on=dt.date(2025, 6, k + 1),
                              place=f"地点{k}", participants=[w.wang])
        services.opinion_submit(actor=w.wang.user, problem=w.problem, kind="opinion", title=f"意见{k}", text="内容")


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    assert r.status_code == 200
    return len(q)


def test_page_query_counts_do_not_grow(client, w):
    urls = {"problem": (w.staff, f"/supervision/problems/{w.problem.pk}/"),
            "year": (w.staff, f"/supervision/years/{w.topic_year.pk}/"),
            "overview": (w.leader, "/supervision/overview/"),
            "desk": (w.lead_handler, "/supervision/desk/")}
    _grow(w, 2)
    small = {}
    for name, (user, url) in urls.items():
        login(client, user)
        small[name] = _count(client, url)
    _grow(w, 6)
    for name, (user, url) in urls.items():
        login(client, user)
        assert _count(client, url) == small[name], name


def test_year_end_report_in_word(client, w):
    import io

    from docx import Document

    login(client, w.wang.user)
    assert client.get(f"/supervision/years/{w.problem.topic.topic_year_id}/report.docx").status_code == 403
    login(client, w.leader)
    response = client.get(f"/supervision/years/{w.problem.topic.topic_year_id}/report.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "“每月一题”民主监督工作报告" in text
    assert "个问题组建议题监督小组" in text
    from minsheng.supervision.models import Problem

    problems = Problem.objects.filter(topic__topic_year_id=w.problem.topic.topic_year_id).count()
    assert len(document.inline_shapes) == 1  # the chart
    assert len(document.tables[0].rows) == 1 + problems
