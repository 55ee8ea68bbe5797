"""A hostile-input corpus across every API text field, every list's paging, every path id, and uploads: the
answer is a 2xx or a 4xx in the one error shape, never a 500; what is stored comes back escaped on pages and
inert in Excel.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import login, outside_client
from minsheng.api import api

from .world import build

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
CORPUS = [
    XSS,
    '"><img src=x onerror=alert(1)>',
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","点我")',
    "+SUM(1,1)", "-2+3", "@SUM(A1)", "\t=1+1",
    "控制\x0b字符\x00与\x1b",
    "' OR 1=1 --", "'; DROP TABLE core_user; --",
    "\u202e反向\u202c", "😀👍🏻", "臺灣繁體與简体混排",
    "长" * 20000,
    "",
    " ",
]
BIG = 2**63


def _schema() -> dict:
    return api.get_openapi_schema()


def _resolve(node: dict, components: dict) -> dict:
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[1]]
    return node


def _value(node: dict, components: dict, text: str, name: str = ""):
    node = _resolve(node, components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if _resolve(o, components).get("type") != "null"]
            return _value(options[0], components, text, name) if options else None
    kind = node.get("type")
    if "enum" in node:
        return node["enum"][0]
    if kind == "object":
        return {k: _value(v, components, text, k) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        return [_value(node.get("items", {}), components, text, name)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if node.get("format") == "date":
        return "2026-10-01"
    if node.get("format") == "date-time":
        return "2026-10-01T09:00:00+08:00"
    return text


def _json_writes() -> list[tuple[str, str, dict]]:
    schema = _schema()
    out = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                out.append((method, path, content["application/json"]["schema"]))
    return out


def _path_for(path: str, ids: dict) -> str:
    """A real object for each path parameter: the operation reaches its checks, not a 404."""
    by_prefix = [("/api/proposals/{pk}", ids["draft"]), ("/api/handlings/{pk}", ids["handling"]),
                 ("/api/handling-requests/{pk}", ids["request"]), ("/api/supervision/years/{pk}", ids["year"]),
                 ("/api/supervision/topics/{pk}", ids["topic"]), ("/api/supervision/problems/{pk}", ids["problem"]),
                 ("/api/supervision/groups/{pk}", ids["group"]), ("/api/supervision/items/{pk}", ids["item"]),
                 ("/api/hotline/tickets/{ticket_id}", ids["ticket"]), ("/api/notifications/{notification_id}",
                                                                       ids["notification"])]
    for prefix, pk in by_prefix:
        if path.startswith(prefix):
            path = path.replace(prefix.rsplit("/", 1)[1], str(pk), 1)
    path = path.replace("{job_id}", ids["uuid"]).replace("{proposal_id}", str(ids["proposal"]))
    return re.sub(r"\{\w+\}", "1", path)


def _assert_shaped(response, label: str):
    assert response.status_code < 500, f"{label}: {response.status_code} {response.content[:300]!r}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "fields"}, label


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


@pytest.mark.parametrize("text", CORPUS, ids=[f"payload{i}" for i in range(len(CORPUS))])
def test_every_json_write_takes_hostile_text_without_a_server_error(world, text):
    components = _schema()["components"]["schemas"]
    for role in ("member", "unit", "staff"):
        client = login(outside_client("token"), world.users[role])
        for method, path, body_schema in _json_writes():
            body = _value(body_schema, components, text)
            url = _path_for(path, world.ids)
            response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
            _assert_shaped(response, f"{role} {method.upper()} {url}")


def test_every_list_survives_hostile_paging_and_queries(world):
    schema = _schema()
    client = login(outside_client("token"), world.users["staff"])
    for path, ops in schema["paths"].items():
        op = ops.get("get")
        if op is None or "{" in path:
            continue
        names = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        trials = []
        for name in ("page", "page_size", "limit"):
            if name in names:
                trials += [{name: v} for v in (-1, 0, 10**30, "x", BIG)]
        for name, param in names.items():
            if _resolve(param.get("schema", {}), schema["components"]["schemas"]).get("type") == "string":
                trials += [{name: v} for v in (XSS, "' OR 1=1 --", "长" * 300, "\x00")]
        for query in trials:
            response = client.get(path, query)
            _assert_shaped(response, f"GET {path} {query}")


def test_every_path_id_beyond_the_database_is_4xx(world):
    client = login(outside_client("token"), world.users["staff"])
    for path, ops in _schema()["paths"].items():
        if "{" not in path:
            continue
        for method in ops:
            url = re.sub(r"\{\w+\}", str(BIG), path)
            response = (client.get(url) if method == "get"
                        else getattr(client, method)(url, data="{}", content_type="application/json"))
            assert 400 <= response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
            _assert_shaped(response, url)


def test_stored_hostile_text_is_escaped_on_pages_and_inert_in_excel(world):
    member = login(outside_client("token"), world.users["member"])
    body = {"title": XSS + "=1+1", "situation": '"><img src=x onerror=alert(1)>', "analysis": "=cmd|' /C calc'!A0",
            "suggestions": "控制\x0b字符"}
    response = member.post("/api/proposals", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    browser = login(outside_client("csrf"), world.users["member"])
    for url in (f"/proposals/{pk}/", "/proposals/", f"/proposals/{pk}/edit/", "/search/?q=alert"):
        html = browser.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x onerror" not in html, url
    workbook = load_workbook(io.BytesIO(browser.get("/proposals/export.xlsx").content))
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(str(c.value).startswith("'<script>") or str(c.value).startswith("<script>") for c in cells)


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content"), [
    ("empty.csv", b""),
    ("tickets.xlsx", b"this is not a workbook"),
    ("tickets.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
    ("bomb.xlsx", None),
    ("tickets.exe", b"MZ\x90\x00"),
    ("../../etc/passwd.csv", "工单编号,受理时间\n1,2025-11-01\n".encode()),
    ("mixed.csv", "工单编号,受理时间,诉求内容\n".encode("gbk") + "W1,2025-11-01 09:00,暖气不热\n".encode()),
    ("utf16.csv", "工单编号,受理时间\nW1,2025-11-01 09:00\n".encode("utf-16")),
])
def test_hostile_uploads_are_refused_or_fail_cleanly(world, name, content):
    from minsheng.core.models import Job

    content = _zip_bomb() if content is None else content
    client = login(outside_client("token"), world.users["staff"])
    response = client.post("/api/hotline/imports", {"file": SimpleUploadedFile(name, content)})
    _assert_shaped(response, name)
    if response.status_code == 202:
        job = Job.objects.get(pk=response.json()["id"])
        from minsheng.core import jobs

        try:
            jobs.job_run(str(job.pk))
        except Exception as exc:  # a job that fails records why; it must not crash the worker unrecorded
            job.refresh_from_db()
            assert job.status == "failed", exc
        job.refresh_from_db()
        # A file that is not tickets fails with its reason in the log; nothing else is acceptable.
        assert (job.status, bool(job.error or job.log)) == ("failed", True), (job.status, job.result)


@pytest.mark.parametrize(("name", "content"), [
    ("empty.pdf", b""),
    ("fake.pdf", b"MZ\x90\x00 not a pdf"),
    ("script.html", b"<script>alert(1)</script>"),
    ("big.pdf", b"%PDF-1.4" + b"0" * (3 * 1024 * 1024)),
])
def test_hostile_attachments_are_refused_with_a_reason(world, settings, name, content):
    from minsheng.core import errors
    from minsheng.core.models import Attachment
    from minsheng.core.services import attachment_add
    from minsheng.proposals.models import Proposal

    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    before = Attachment.objects.count()
    with pytest.raises(errors.DomainError) as refused:
        attachment_add(actor=world.users["member"], target=Proposal.objects.get(pk=world.ids["draft"]),
                       upload=SimpleUploadedFile(name, content))
    assert refused.value.code in ("attachment_empty", "attachment_type_refused", "attachment_too_large")
    assert Attachment.objects.count() == before


def test_hostile_text_in_a_reply_letter_stays_text(world):
    """Word output: the title and the reply of the letter carry markup-like text as text (python-docx escapes
    XML), and control characters are gone."""
    import docx

    from minsheng.proposals.models import Handling, Proposal

    handling = Handling.objects.get(pk=world.ids["handling"])
    Proposal.objects.filter(pk=handling.proposal_id).update(title=XSS + "</w:t><w:t>注入")
    handling.replies.update(text='=cmd|"/C calc"!A0 <w:p>\x0b')
    unit = login(outside_client("token"), world.users["unit"])
    response = unit.get(f"/api/handlings/{handling.pk}/reply-letter.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert XSS in text and "</w:t><w:t>注入" in text
    assert '=cmd|"/C calc"!A0 <w:p>' in text and "\x0b" not in text
