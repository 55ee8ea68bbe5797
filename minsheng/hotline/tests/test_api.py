"""Hotline API: permissions (who may NOT see), fixed query counts on lists, the 4xx error shape, upload."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login
from minsheng.core.models import Job
from minsheng.hotline.importing import GENERATED_HEADER
from minsheng.hotline.models import Ticket

from .factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(users, places):
    mine = [TicketFactory(unit=users["unit_obj"], street=places["jianwai"], district=places["chaoyang"])
            for _ in range(3)]
    other = [TicketFactory(unit=users["other_unit_obj"]) for _ in range(2)]
    return mine, other


def test_staff_and_leader_see_every_ticket(client, users, tickets):
    for who in ("staff", "leader"):
        login(client, users[who])
        body = client.get("/api/hotline/tickets").json()
        assert body["count"] == 5


def test_unit_handler_sees_only_their_unit(client, users, tickets):
    mine, other = tickets
    login(client, users["unit"])
    body = client.get("/api/hotline/tickets").json()
    assert sorted(t["number"] for t in body["results"]) == sorted(t.number for t in mine)
    assert client.get(f"/api/hotline/tickets/{mine[0].pk}").status_code == 200
    response = client.get(f"/api/hotline/tickets/{other[0].pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("who", ["member", "district"])
def test_members_see_rates_but_no_ticket(client, users, tickets, who):
    login(client, users[who])
    response = client.get("/api/hotline/tickets")
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": response.json()["message"], "fields": {}}
    assert client.get(f"/api/hotline/tickets/{tickets[0][0].pk}").status_code == 404
    assert client.get("/api/hotline/rates?month=2025-11&by=street").status_code == 200


def test_anonymous_gets_nothing(client, tickets):
    for url in ("/api/hotline/tickets", "/api/hotline/rates?month=2025-11", "/api/hotline/ranking?month=2025-11"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_ticket_list_has_a_fixed_query_count(client, users, places):
    login(client, users["staff"])
    for _ in range(3):
        TicketFactory(unit=users["unit_obj"], street=places["jianwai"], district=places["chaoyang"])
    client.get("/api/hotline/tickets")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/hotline/tickets").status_code == 200
    for _ in range(30):
        TicketFactory(unit=users["other_unit_obj"], street=places["sanlitun"], district=places["chaoyang"])
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/hotline/tickets").json()
    assert body["count"] == 33
    assert len(many) == len(few)


def test_rates_and_ranking(client, users, places):
    for i in range(12):
        TicketFactory(unit=users["unit_obj"], street=places["jianwai"], district=places["chaoyang"],
                      resolved=i % 4 != 0)
    login(client, users["member"])
    body = client.get("/api/hotline/rates?month=2025-11&by=street").json()
    assert body["ruleset"] == "接诉即办三率（默认） v1"
    [row] = body["rows"]
    assert (row["name"], row["assessable"], row["resolved"], row["resolution_rate"]) == ("建外街道", 12, 9, 0.75)
    ranking = client.get("/api/hotline/ranking?month=2025-11").json()
    street = next(g for g in ranking["groups"] if g["group"] == "street")
    assert [(r["name"], r["rank"]) for r in street["ranked"]] == [("建外街道", 1)]


def test_errors_have_one_shape(client, users):
    login(client, users["staff"])
    response = client.get("/api/hotline/rates?month=2025-13&by=street")
    assert response.status_code == 422
    assert response.json() == {"code": "hotline_bad_month", "message": response.json()["message"],
                               "fields": {"month": "format"}}
    response = client.get("/api/hotline/rates?month=2025-11&by=planet")
    assert (response.status_code, response.json()["code"], response.json()["fields"]) == (
        422, "hotline_bad_dimension", {"by": "choice"})
    response = client.get("/api/hotline/rates")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"month"}


def test_exclusion_via_api(client, users, tickets):
    ticket = tickets[0][0]
    login(client, users["staff"])
    response = client.post(f"/api/hotline/tickets/{ticket.pk}/exclusion", data=json.dumps({"reason": ""}),
                           content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422, "hotline_exclusion_reason_required")
    response = client.post(f"/api/hotline/tickets/{ticket.pk}/exclusion", data=json.dumps({"reason": "无理诉求"}),
                           content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["excluded"], response.json()["exclusion_reason"]) == (True, "无理诉求")
    login(client, users["unit"])
    response = client.post(f"/api/hotline/tickets/{ticket.pk}/exclusion", data=json.dumps({"excluded": False}),
                           content_type="application/json")
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).excluded is True


def test_upload_queues_an_import_and_refuses_bad_files(client, users, places, django_capture_on_commit_callbacks):
    content = (",".join(GENERATED_HEADER) + "\n").encode()
    login(client, users["member"])
    response = client.post("/api/hotline/imports", {"file": SimpleUploadedFile("t.csv", content)})
    assert response.status_code == 403
    login(client, users["staff"])
    response = client.post("/api/hotline/imports", {"file": SimpleUploadedFile("t.csv", b"a,b\n1,2\n")})
    assert response.status_code == 422
    assert response.json()["code"] == "hotline_import_missing_columns"
    assert Job.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/hotline/imports", {"file": SimpleUploadedFile("t.csv", content)})
    assert response.status_code == 202
    assert Job.objects.get().params["filename"] == "t.csv"


def test_district_staff_see_their_districts_breakdown_and_the_district_comparison(client, users, places):
    for street, district in ((places["jianwai"], places["chaoyang"]), (places["xibeiwang"], places["haidian"])):
        for _ in range(3):
            TicketFactory(unit=users["unit_obj"], street=street, district=district)
    login(client, users["district"])
    assert users["district"].district_id == places["chaoyang"].pk
    body = client.get("/api/hotline/rates?month=2025-11&by=street").json()
    assert [r["name"] for r in body["rows"]] == ["建外街道"]  # not 海淀's 西北旺镇
    body = client.get(f"/api/hotline/rates?month=2025-11&by=unit&district={places['chaoyang'].pk}").json()
    assert [(r["name"], r["total"]) for r in body["rows"]] == [("北京市民政局", 3)]
    response = client.get(f"/api/hotline/rates?month=2025-11&by=street&district={places['haidian'].pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "hotline_other_district"
    body = client.get("/api/hotline/rates?month=2025-11&by=district").json()
    assert sorted(r["name"] for r in body["rows"]) == ["朝阳区", "海淀区"]
    # The page shows their district's streets whatever the query asks for by default; another district: 403.
    html = client.get("/hotline/rates/?month=2025-11&by=street").content.decode()
    assert "建外街道" in html and "西北旺镇" not in html
    assert client.get(f"/hotline/rates/?month=2025-11&by=street&district={places['haidian'].pk}").status_code == 403
    # Staff still see every street.
    login(client, users["staff"])
    body = client.get("/api/hotline/rates?month=2025-11&by=street").json()
    assert sorted(r["name"] for r in body["rows"]) == ["建外街道", "西北旺镇"]
