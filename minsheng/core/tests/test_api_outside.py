"""The API as a client outside sees it: bearer tokens and CSRF on every write, errors always JSON in the one
shape and declared in the OpenAPI, bad numbers answered 4xx, tokens that expire."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from conftest import login, outside_client
from minsheng.api import ERROR_RESPONSES, api
from minsheng.core.models import ApiToken, Event
from minsheng.core.services import api_token_create

pytestmark = pytest.mark.django_db

BIG = 2**63  # one above the largest id the database stores
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _schema() -> dict:
    return api.get_openapi_schema()


def _write_operations() -> list[tuple[str, str]]:
    """(method, path) of every write in the OpenAPI, path parameters filled with 1 (a UUID for job ids)."""
    ops = []
    for path, operations in _schema()["paths"].items():
        for method in operations:
            if method in WRITE_METHODS:
                filled = re.sub(r"\{job_id\}", "00000000-0000-0000-0000-000000000001", path)
                ops.append((method, re.sub(r"\{[^}]+\}", "1", filled)))
    return sorted(ops)


def _send(client, method: str, path: str, body: dict | None = None, **extra):
    return getattr(client, method)(path, data=json.dumps(body or {}), content_type="application/json", **extra)


def test_there_are_writes_to_check():
    assert len(_write_operations()) >= 48


@pytest.mark.parametrize(("method", "path"), _write_operations())
def test_every_write_takes_a_bearer_token_without_csrf(users, method, path):
    # A program with a token and no CSRF token gets past authentication: whatever it gets, it is not 401
    # and not the CSRF refusal (before the fix every one was 403 "CSRF check Failed").
    client = login(outside_client("token"), users["staff"])
    response = _send(client, method, path)
    assert response.status_code != 401, response.content
    assert response.get("Content-Type", "").startswith("application/json") or response.status_code in (200, 201, 202, 204)
    if response.status_code == 403:
        assert response.json()["code"] != "csrf_failed"


@pytest.mark.parametrize(("method", "path"), _write_operations())
def test_every_write_by_session_needs_the_csrf_token(users, method, path):
    client = Client(enforce_csrf_checks=True)
    login(client, users["staff"])
    events = Event.objects.count()
    response = _send(client, method, path)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Event.objects.count() == events
    # The same call with the CSRF token, as the pages send it, is not refused for CSRF.
    response = _send(login(outside_client("csrf"), users["staff"]), method, path)
    assert response.status_code != 401
    if response.status_code == 403:
        assert response.json()["code"] != "csrf_failed"


def test_token_write_creates_and_a_session_write_without_csrf_changes_nothing(users):
    program = login(outside_client("token"), users["member"])
    before = ApiToken.objects.count()
    response = _send(program, "post", "/api/tokens", {"name": "script"})
    assert response.status_code == 201
    assert ApiToken.objects.count() == before + 1
    browser = Client(enforce_csrf_checks=True)
    login(browser, users["member"])
    assert _send(browser, "post", "/api/tokens", {"name": "forged"}).status_code == 403
    assert ApiToken.objects.count() == before + 1


def test_a_bad_token_is_401_even_with_a_session(users):
    client = Client(enforce_csrf_checks=True)
    login(client, users["staff"])
    response = client.get("/api/me", HTTP_AUTHORIZATION="Bearer ms_wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- tokens expire ---------------------------------------------------------------------------------------


def test_tokens_expire(users, settings):
    settings.MINSHENG_TOKEN_DAYS = 90
    token, key = api_token_create(actor=users["unit"], name="nightly")
    assert (token.expires_at - token.created_at).days == 90
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_token_validity_is_chosen_within_bounds(users):
    client = login(Client(), users["unit"])
    response = _send(client, "post", "/api/tokens", {"name": "week", "days": 7})
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith("ms_")
    created, expires = dt.datetime.fromisoformat(body["created_at"]), dt.datetime.fromisoformat(body["expires_at"])
    assert (expires - created).days == 7
    for days in (0, 366, BIG):
        response = _send(client, "post", "/api/tokens", {"name": "x", "days": days})
        assert response.status_code == 422
        assert set(response.json()["fields"]) == {"days"}
    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["week"]
    assert listed[0]["expires_at"] == body["expires_at"]
    assert listed[0]["key"] is None


# --- errors are JSON in one shape ------------------------------------------------------------------------


def _assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]


def test_unknown_api_path_is_json_404(users):
    _assert_error(login(Client(), users["staff"]).get("/api/no-such-thing"), 404, "not_found")
    _assert_error(Client().get("/api/no-such-thing"), 404, "not_found")


def test_wrong_method_is_json_405(users):
    response = login(Client(), users["staff"]).put("/api/me")
    _assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_server_error_is_json_500(users, monkeypatch):
    from minsheng.core import selectors

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "sector_list", broken)
    client = Client(raise_request_exception=False)
    login(client, users["staff"])
    _assert_error(client.get("/api/sectors"), 500, "server_error")
    assert "boom" not in client.get("/api/sectors").content.decode()


def test_body_over_the_limit_is_json_400(users, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = login(Client(), users["staff"])
    response = _send(client, "post", "/api/tokens", {"name": "x" * 5000})
    _assert_error(response, 400, "body_too_large")


def test_multipart_body_to_a_json_endpoint_is_400(users):
    client = login(outside_client("csrf"), users["staff"])
    _assert_error(client.post("/api/proposals", data={"title": "x"}), 400, "bad_body")  # multipart/form-data
    client = login(outside_client("token"), users["staff"])
    _assert_error(client.post("/api/tokens", data={"name": "x"}), 400, "bad_body")
    _assert_error(client.post("/api/tokens", data="{not json", content_type="application/json"), 400, "bad_body")


def test_every_operation_declares_its_error_responses():
    missing = []
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            for status in ERROR_RESPONSES:
                declared = operation["responses"].get(str(status))
                if not declared or "Error" not in json.dumps(declared):
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


# --- numbers out of range ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/proposals", {"title": "t", "situation": "s", "analysis": "a", "suggestions": "g", "tags": [BIG]}),
    ("patch", "/api/proposals/1", {"tags": [BIG]}),
    ("post", "/api/proposals/1/assign", {"mode": "single", "units": [BIG]}),
    ("post", "/api/proposals/1/decide", {"outcome": "merge", "merge_into": BIG}),
    ("post", "/api/proposals/bulk-decide", {"ids": [BIG], "outcome": "file"}),
    ("post", "/api/supervision/groups/1/invite", {"member": BIG}),
    ("post", "/api/supervision/groups/1/invite", {"member": 0}),
    ("post", "/api/tokens", {"name": "x", "days": BIG}),
])
@pytest.mark.parametrize("role", ["staff", "unit"])
def test_ids_beyond_the_database_are_422_before_permission(users, role, method, path, body):
    client = login(outside_client("token"), users[role])
    response = _send(client, method, path, body)
    _assert_error(response, 422, "invalid")


@pytest.mark.parametrize("path", ["/api/proposals/9223372036854775808", "/api/members/9223372036854775808",
                                  "/api/supervision/problems/9223372036854775808"])
def test_ids_beyond_the_database_in_the_path_are_4xx(users, path):
    response = login(Client(), users["staff"]).get(path)
    assert response.status_code in (404, 422), response.content
    assert response.json()["code"] in ("not_found", "out_of_range", "invalid")


def test_calendar_due_refuses_years_outside_its_range_and_hour_rules(users):
    client = login(Client(), users["staff"])
    for start in ("0001-01-01", "9999-12-31"):
        response = _send(client, "post", "/api/calendar/due", {"rule": "proposal-reply", "start": start})
        _assert_error(response, 422, "invalid")
        assert set(response.json()["fields"]) == {"start"}
    from minsheng.core.models import DeadlineRule

    DeadlineRule.objects.update_or_create(code="test-hours", defaults={"name": "h", "amount": 24, "unit": "hours"})
    response = _send(client, "post", "/api/calendar/due", {"rule": "test-hours", "start": "2026-09-30"})
    _assert_error(response, 422, "hour_rule")


def test_hotline_months_and_years_out_of_range(users):
    client = login(Client(), users["staff"])
    for month in ("0000-01", "9999-01", "2026-13", "x"):
        _assert_error(client.get(f"/api/hotline/rates?month={month}"), 422, "hotline_bad_month")
    assert client.get("/hotline/candidates/?year=99999").status_code == 200
    assert client.get("/hotline/candidates/?year=-5").status_code == 200


def test_multipart_without_a_boundary_is_400(users):
    client = login(outside_client("token"), users["staff"])
    _assert_error(client.post("/api/hotline/imports", data=b"x", content_type="multipart/form-data"), 400, "bad_body")
