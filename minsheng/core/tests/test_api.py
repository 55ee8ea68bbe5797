"""The API: auth, one error shape, field errors, permissions, fixed query counts on lists."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login
from minsheng.core import services
from minsheng.core.models import ApiToken, Job
from minsheng.core.tests.factories import CommitteeFactory, MemberFactory, PartyFactory, SectorFactory

pytestmark = pytest.mark.django_db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_and_docs(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Minsheng API"
    assert "/api/members" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_unauthenticated_gets_401_in_the_error_shape(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "Sign in or send a valid API token.",
                               "fields": {}}


def test_token_auth(client, users):
    _, key = services.api_token_create(actor=users["unit"], name="t")
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["username"] == "unit"
    assert response.json()["role"] == "unit_handler"
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer ms_wrong").status_code == 401


def test_session_auth_needs_csrf_on_writes(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, users["staff"])
    response = client.post("/api/tokens", data=json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code in (401, 403)
    assert ApiToken.objects.count() == 0


def test_validation_error_names_the_fields(client, users):
    login(client, users["staff"])
    response = client.post("/api/calendar/due", data=json.dumps({"rule": "proposal-reply", "start": "not a date"}),
                           content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"start"}


def test_domain_error_shape(client, users):
    login(client, users["staff"])
    response = client.post("/api/calendar/due", data=json.dumps({"rule": "nope", "start": "2026-09-30"}),
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_deadline_rule"
    response = client.post("/api/calendar/due", data=json.dumps({"rule": "proposal-reply", "start": "2026-07-01"}),
                           content_type="application/json")
    assert response.json() == {"rule": "proposal-reply", "start": "2026-07-01", "due": "2026-10-08", "working_days": 66}


def test_member_cannot_queue_search_rebuild(client, users):
    login(client, users["member"])
    response = client.post("/api/jobs/search-rebuild")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Job.objects.count() == 0


def test_staff_queues_search_rebuild_and_reads_it(client, users):
    login(client, users["staff"])
    response = client.post("/api/jobs/search-rebuild")
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "queued"
    login(client, users["unit"])
    assert client.get(f"/api/jobs/{job_id}").status_code == 403
    assert client.get("/api/jobs/not-a-uuid").status_code == 404


def test_member_phone_hidden_from_unit_handlers(client, users):
    member_id = users["member_record"].pk
    login(client, users["unit"])
    assert client.get(f"/api/members/{member_id}").json()["phone"] is None
    login(client, users["member"])
    assert client.get(f"/api/members/{member_id}").json()["phone"] == "13800001111"
    login(client, users["unit"])
    assert client.get(f"/api/members/{member_id}/events").status_code == 403


@pytest.mark.parametrize("page_size", [5, 50])
def test_member_list_query_count_is_fixed(client, users, page_size):
    sector, party = SectorFactory(name="经济界"), PartyFactory()
    committees = [CommitteeFactory(), CommitteeFactory()]
    for i in range(60):
        m = MemberFactory(name=f"成员{i}", sector=sector, party=party)
        m.committees.set(committees)
    login(client, users["staff"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/members?page_size={page_size}&sector={sector.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 60
    assert len(body["results"]) == page_size
    assert len(body["results"][0]["committees"]) == 2
    # session + user + count + page + committees prefetch, whatever the page size
    assert len(ctx.captured_queries) == 5


def test_notifications_api(client, users):
    services.notify(recipients=[users["member"]], title="一")
    services.notify(recipients=[users["member"]], title="二")
    login(client, users["member"])
    body = client.get("/api/notifications?unread=true").json()
    assert [n["title"] for n in body["results"]] == ["二", "一"]
    assert client.post("/api/notifications/read", data="{}", content_type="application/json").json() == {"marked": 2}
    assert client.get("/api/notifications?unread=true").json()["count"] == 0
