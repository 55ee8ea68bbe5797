"""The API: status codes and the error shape {code, message, fields}; fixed query counts on lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login
from minsheng.supervision import services
from minsheng.supervision.models import ListItem, ProgressUpdate

from .factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def _shape(body):
    assert set(body) == {"code", "message", "fields"}


def test_anonymous_gets_401(client, w):
    r = client.get("/api/supervision/years")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


def test_staff_plans_a_year(client, w):
    login(client, w.staff)
    r = _post(client, "/api/supervision/years", {"year": 2026, "title": "2026年每月一题"})
    assert r.status_code == 201, r.content
    year_id = r.json()["id"]
    r = _post(client, f"/api/supervision/years/{year_id}/topics",
              {"month": 3, "theme": "校园周边交通综合治理", "lead_unit": w.lead_unit.pk, "co_units": [w.other_unit.pk],
               "categories": [w.category.pk]})
    assert r.status_code == 201, r.content
    topic = r.json()
    assert topic["lead_unit"] == "北京市城市管理委员会" and topic["co_units"] == [w.other_unit.pk]
    r = _post(client, f"/api/supervision/topics/{topic['id']}/problems", {"text": "接送车辆乱停"})
    assert r.status_code == 201
    r = _post(client, f"/api/supervision/problems/{r.json()['id']}/group", {"convener": w.li.pk})
    assert r.status_code == 201 and r.json()["convener"] == "李秀英"
    r = client.get(f"/api/supervision/years/{year_id}")
    assert [p["text"] for p in r.json()["topics"][0]["problems"]] == ["接送车辆乱停"]


def test_error_shapes(client, w):
    login(client, w.wang.user)
    r = _post(client, "/api/supervision/years", {"year": 2026, "title": "x"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    _shape(r.json())
    login(client, w.staff)
    r = _post(client, "/api/supervision/years", {"year": 2025, "title": "重复"})
    assert r.status_code == 409 and r.json()["code"] == "year_exists"
    r = _post(client, f"/api/supervision/years/{w.topic_year.pk}/topics", {"month": 13, "theme": "x", "lead_unit": w.lead_unit.pk})
    assert r.status_code == 422 and r.json()["fields"] == {"month": "range"}
    r = _post(client, f"/api/supervision/years/{w.topic_year.pk}/topics", {"month": 5, "theme": "x", "lead_unit": 999999})
    assert r.status_code == 422 and "lead_unit" in r.json()["fields"]
    r = _post(client, f"/api/supervision/problems/{w.problem.pk}/items", {"kind": "task"})
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    _shape(r.json())
    r = client.get("/api/supervision/years/999999")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_join_twice_is_409(client, w):
    login(client, w.li.user)
    assert _post(client, f"/api/supervision/groups/{w.group.pk}/join").status_code == 201
    r = _post(client, f"/api/supervision/groups/{w.group.pk}/join")
    assert r.status_code == 409 and r.json()["code"] == "already_in_group"
    login(client, w.lead_handler)
    r = _post(client, f"/api/supervision/groups/{w.group.pk}/join")
    assert r.status_code == 403 and r.json()["code"] == "not_a_member"


def test_only_owner_unit_updates_an_item(client, w):
    item = services.list_item_create(actor=w.staff, problem=w.problem, kind="task", text="建设充电桩", owner=w.lead_unit,
                                     due_date=dt.date(2025, 12, 31))
    login(client, w.other_handler)
    r = _post(client, f"/api/supervision/items/{item.pk}/progress", {"note": "越权"})
    assert r.status_code == 403 and r.json()["code"] == "not_item_owner"
    assert not ProgressUpdate.objects.exists()
    login(client, w.lead_handler)
    r = _post(client, f"/api/supervision/items/{item.pk}/progress", {"note": "完成", "evidence": "验收报告", "status": "done"})
    assert r.status_code == 201 and r.json()["status"] == "done"
    r = _post(client, f"/api/supervision/items/{item.pk}/progress", {"note": "again"})
    assert r.status_code == 409 and r.json()["code"] == "item_done"
    r = client.get("/api/supervision/items?mine=true")
    assert [i["id"] for i in r.json()["results"]] == [item.pk]


def test_member_logs_activity_and_opinion_and_three_party(client, w):
    login(client, w.wang.user)
    r = _post(client, f"/api/supervision/problems/{w.problem.pk}/activities",
              {"kind": "consultation", "held_on": "2025-05-08", "place": "京华议事厅", "at_council_hall": True,
               "participants": [w.wang.pk], "person_count": 9})
    assert r.status_code == 201, r.content
    r = _post(client, f"/api/supervision/problems/{w.problem.pk}/opinions",
              {"kind": "speech", "title": "例会发言", "text": "建议……"})
    assert r.status_code == 201
    r = _post(client, f"/api/supervision/problems/{w.problem.pk}/activities",
              {"kind": "party", "held_on": "2025-05-08", "place": "x"})
    assert r.status_code == 422 and r.json()["fields"] == {"kind": "choice"}
    login(client, w.zhao.user)
    r = _post(client, f"/api/supervision/problems/{w.problem.pk}/activities",
              {"kind": "research", "held_on": "2025-05-08", "place": "x"})
    assert r.status_code == 403 and r.json()["code"] == "not_in_group"
    login(client, w.leader)
    r = client.get(f"/api/supervision/problems/{w.problem.pk}/three-party")
    body = r.json()
    assert r.status_code == 200 and body["person_count"] == 9 and len(body["opinions"]) == 1
    assert body["topic_month"] == "2025-04-01" and len(body["volumes"]) == 12
    r = client.get(f"/api/supervision/years/{w.topic_year.pk}/coverage")
    assert [s["name"] for s in r.json()["missing"]] == ["经济界", "教育界"]


@pytest.mark.parametrize("n", [3, 12])
def test_list_query_counts_are_fixed(client, w, n):
    for k in range(n):
        services.list_item_create(actor=w.staff, problem=w.problem, kind="policy", text=f"政策{k}", owner=w.lead_unit)
        services.activity_log(actor=w.staff, problem=w.problem, kind="research", held_on=dt.date(2025, 5, k + 1),
                              place=f"地点{k}", participants=[w.wang])
    login(client, w.staff)
    client.get("/api/supervision/items")  # warm the session
    with CaptureQueriesContext(connection) as items_q:
        r = client.get(f"/api/supervision/items?problem={w.problem.pk}")
    assert r.json()["count"] == n == ListItem.objects.count()
    with CaptureQueriesContext(connection) as acts_q:
        r = client.get(f"/api/supervision/activities?problem={w.problem.pk}")
    assert r.json()["count"] == n
    assert len(items_q) <= 4 and len(acts_q) <= 4, (items_q.captured_queries, acts_q.captured_queries)


def test_overview_for_leaders_only(client, w):
    login(client, w.wang.user)
    r = client.get(f"/api/supervision/years/{w.topic_year.pk}/overview")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    login(client, w.leader)
    body = client.get(f"/api/supervision/years/{w.topic_year.pk}/overview").json()
    assert body["totals"]["problems"] == 2 and [s["name"] for s in body["missing_sectors"]] == ["经济界", "教育界"]
