"""Another system's export: headers and values the generator never writes, columns the importer does not know
(named, mapped on the result page, imported again), values it does not know (kept, counted), rates with no
data behind them, and a database without the city's areas."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import login
from minsheng.core import jobs
from minsheng.core.errors import Conflict, Invalid
from minsheng.core.models import Area, Event, Job
from minsheng.hotline import aliases, errors, importing, selectors, services
from minsheng.hotline.models import ImportSource, Ticket

pytestmark = pytest.mark.django_db

FIELDS = ["number", "received_at", "channel", "kind", "responded_in_time", "resolved", "satisfaction", "unit",
          "district", "street"]
HEADER_VARIANTS = {
    "chinese": ["工单编号", "来电时间", "诉求渠道", "诉求类型", "是否及时响应", "是否解决", "满意度评价", "承办单位",
                "所属区", "所属街乡"],
    "spaces and brackets": [" 工单 编号 ", "来电时间（北京时间）", "诉求渠道【来源】", "诉求 类型", "是否及时响应（是/否）",
                            "是否解决 ", "满意度（评价）", "承办单位＊", "所属区（县）", "所属 街乡"],
    "english": ["Ticket No.", "Received At", "Channel", "Kind", "Responded in time", "Resolved", "Satisfaction",
                "Handling unit", "District", "Street"],
}


def write(tmp_path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "gbk",
          name: str = "export.csv") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(out.getvalue().encode("gb18030" if encoding == "gbk" else encoding))
    return path


def run(path, **kwargs) -> Job:
    job = services.ticket_import_start(actor=None, path=path, enqueue=False, **kwargs)
    return jobs.job_run(str(job.pk))


def line(number: str, channel: str = "电话", responded: str = "是", resolved: str = "是", satisfaction: str = "满意",
         kind: str = "投诉") -> list[str]:
    return [number, "2025-11-03 09:15:00", channel, kind, responded, resolved, satisfaction,
            "北京市热力集团有限责任公司", "朝阳区", "建外街道"]


@pytest.mark.parametrize("variant", list(HEADER_VARIANTS))
def test_headers_of_other_exports_name_the_same_fields(places, tmp_path, variant):
    header = [*HEADER_VARIANTS[variant], "诉求人电话"]
    path = write(tmp_path, header, [[*line("H1"), "138"]])
    plan = importing.inspect(path)
    assert {name: plan.header[i] for name, i in plan.columns.items()} == {
        f: h.strip() for f, h in zip(FIELDS, HEADER_VARIANTS[variant], strict=True)}
    assert plan.unknown == ["诉求人电话"]


def test_every_header_and_value_alias_is_unambiguous_and_documented():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "hotline.md").read_text(encoding="utf-8")
    seen: dict[str, str] = {}
    for name, headers in aliases.HEADERS.items():
        for header in headers:
            assert seen.setdefault(importing.header_key(header), name) == name, header
            assert f"`{header}`" in docs, header
    for name, table in aliases.VALUES.items():
        codes: dict[str, object] = {}
        for code, words in table.items():
            for word in words:
                assert codes.setdefault(importing.value_key(word), code) == code, (name, word)
                assert f"`{word}`" in docs, word


def test_the_values_of_another_export_are_read_and_nothing_is_rejected(places, tmp_path):
    rows = [
        line("V1", channel="北京通App", responded="是", resolved="否", satisfaction="不满意"),
        line("V2", channel="人民网领导留言板", responded="Y", resolved="N", satisfaction="基本满意"),
        line("V3", channel="网站", responded="1", resolved="0", satisfaction="未评价"),
        line("V4", channel="微博", responded="TRUE", resolved="true", satisfaction="满意"),
        line("V5", channel="北京通 APP", responded="否", resolved="是", satisfaction="满意"),
        line("V6", channel="微信", responded="N", resolved="", satisfaction=""),
    ]
    path = write(tmp_path, HEADER_VARIANTS["chinese"], rows)
    job = run(path)
    assert job.status == "succeeded", job.error
    assert (job.result["imported"], job.result["rejected"], job.result["encoding"]) == (6, 0, "GBK")
    assert (job.result["unknown_columns"], job.result["mapped_values"]) == ([], [])
    got = {t.number: (t.channel, t.responded_in_time, t.resolved, t.satisfaction, t.raw_values)
           for t in Ticket.objects.all()}
    assert got == {
        "V1": ("app", True, False, "unsatisfied", None),
        "V2": ("leader_board", True, False, "basic", None),
        "V3": ("web", True, False, "not_rated", None),
        "V4": ("web", True, True, "satisfied", None),
        "V5": ("app", False, True, "satisfied", None),
        "V6": ("wechat", False, None, "not_rated", None),
    }
    [row] = selectors.rates(month="2025-11", by="street")
    assert (row.flagged, row.responded, row.response_rate) == (6, 4, pytest.approx(4 / 6))


@pytest.mark.parametrize(("field", "raw", "code", "known"), [
    ("channel", "北京通App", "app", True),
    ("channel", "人民网 领导留言板", "leader_board", True),
    ("channel", "北京通App小程序", "app", False),  # an alias found inside it
    ("channel", "人民日报领导留言板", "leader_board", False),
    ("channel", "抖音", "other", False),
    ("kind", "投诉类", "complaint", False),
    ("kind", "投诉举报", "other", False),  # two kinds inside it: no nearest one
    ("kind", "表扬", "other", True),
    ("deadline_class", "1小时", "2h", False),
    ("deadline_class", "48小时", "7d", False),
    ("deadline_class", "5个工作日", "7d", False),
    ("deadline_class", "20天", "15d", False),
    ("deadline_class", "尽快", "7d", False),
    ("satisfaction", "非常满意", "satisfied", True),
    ("satisfaction", "还行", "not_rated", False),
    ("responded_in_time", "已及时响应", True, True),
    ("responded_in_time", "未及时响应", False, True),
    ("responded_in_time", "也许", None, False),
    ("status", "已办结", "closed", True),
    ("status", "烂尾", None, False),
])
def test_vocabularies_map_known_and_nearest_values(field, raw, code, known):
    assert importing.VOCABULARIES[field].resolve(raw) == (code, known)


def test_an_unknown_value_costs_no_row_and_is_counted_and_kept(places, tmp_path):
    rows = [line("U1", channel="抖音"), line("U2", channel="抖音"), line("U3", channel="北京通App小程序"),
            line("U4", satisfaction="还行", responded="也许")]
    job = run(write(tmp_path, HEADER_VARIANTS["chinese"], rows))
    assert (job.result["imported"], job.result["rejected"]) == (4, 0)
    assert job.result["mapped_values"] == [
        {"field": "channel", "column": "诉求渠道", "value": "抖音", "to": "other", "rows": 2},
        {"field": "channel", "column": "诉求渠道", "value": "北京通App小程序", "to": "app", "rows": 1},
        {"field": "responded_in_time", "column": "是否及时响应", "value": "也许", "to": "", "rows": 1},
        {"field": "satisfaction", "column": "满意度评价", "value": "还行", "to": "not_rated", "rows": 1},
    ]
    assert {t.number: (t.channel, t.raw_values) for t in Ticket.objects.all()} == {
        "U1": ("other", {"channel": "抖音"}), "U2": ("other", {"channel": "抖音"}),
        "U3": ("app", {"channel": "北京通App小程序"}),
        "U4": ("phone", {"responded_in_time": "也许", "satisfaction": "还行"})}
    assert "mapped channel “抖音” → other (2 rows)" in job.log


def test_the_ticket_page_shows_the_files_own_value(places, tmp_path, users, client):
    run(write(tmp_path, HEADER_VARIANTS["chinese"], [line("U1", channel="抖音")]))
    login(client, users["staff"])
    html = client.get(f"/hotline/tickets/{Ticket.objects.get(number='U1').pk}/").content.decode()
    assert '<dd class="col-8" data-testid="raw-values"><code>channel</code> “抖音”</dd>' in html


def _unmapped_export(tmp_path: Path) -> Path:
    """An export whose response column has a header no table knows."""
    header = ["工单编号", "来电时间", "诉求渠道", "诉求类型", "响应及时与否", "是否解决", "满意度评价", "承办单位", "所属区",
              "所属街乡"]
    rows = [line("R1", responded="是"), line("R2", responded="否"), line("R3", responded="是"),
            line("R4", responded="是")]
    return write(tmp_path, header, rows)


def test_an_unknown_header_is_named_and_a_rate_without_data_is_no_data(places, tmp_path, users, client):
    job = run(_unmapped_export(tmp_path))
    assert job.result["unknown_columns"] == ["响应及时与否"]
    assert "responded_in_time" not in job.result["columns"]
    assert "columns not imported (not recognised): 响应及时与否" in job.log
    [row] = selectors.rates(month="2025-11", by="street")
    assert (row.assessable, row.flagged, row.response_rate, row.score) == (4, 0, None, None)
    assert row.response_pct == "—" and row.resolution_rate == 1.0
    login(client, users["staff"])
    api = client.get("/api/hotline/rates?month=2025-11&by=street").json()
    assert (api["rows"][0]["response_rate"], api["rows"][0]["resolution_rate"]) == (None, 1.0)
    page = client.get("/hotline/rates/?month=2025-11&by=street").content.decode()
    assert re.search(r'<td class="text-end">—</td><td class="text-end">100.00%</td>', page)
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(client.get("/hotline/rates/export.xlsx?month=2025-11&by=street").content)).active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (cells["响应率%"], cells["解决率%"]) == (None, 100)


def test_the_result_page_maps_the_unknown_column_and_imports_again(places, tmp_path, users, client,
                                                                   django_capture_on_commit_callbacks):
    job = run(_unmapped_export(tmp_path))
    login(client, users["staff"])
    page = client.get(f"/hotline/import/{job.pk}/")
    html = page.content.decode()
    assert 'data-testid="unknown-columns"' in html and "响应及时与否" in html
    form = page.context["remap"]
    assert [f.label for f in form.column_fields()] == ["响应及时与否"]
    assert ("responded_in_time", "按时响应 · responded_in_time") in form.fields["map-0"].choices
    assert ("unit", "承办单位 · unit") not in form.fields["map-0"].choices  # mapped already
    login(client, users["member"])
    assert client.post(f"/hotline/import/{job.pk}/remap/", {"map-0": "responded_in_time", "source": "x"}
                       ).status_code == 403
    login(client, users["staff"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/hotline/import/{job.pk}/remap/",
                               {"map-0": "responded_in_time", "source": "某区12345导出"})
    new = Job.objects.exclude(pk=job.pk).get(kind="hotline.import")
    assert response.status_code == 302 and response["Location"] == f"/hotline/import/{new.pk}/"
    assert Ticket.objects.count() == 0  # this import's tickets went; the new import writes them again
    assert ImportSource.objects.get(name="某区12345导出").mapping == {"responded_in_time": "响应及时与否"}
    assert new.params["source"] == "某区12345导出"
    new = jobs.job_run(str(new.pk))
    assert (new.result["imported"], new.result["unknown_columns"]) == (4, [])
    assert Ticket.objects.count() == 4 and Ticket.objects.filter(import_job=new.pk).count() == 4
    [row] = selectors.rates(month="2025-11", by="street")
    assert (row.flagged, row.responded, row.response_rate) == (4, 3, 0.75)
    old = Job.objects.get(pk=job.pk)
    assert (old.result["replaced_by"], old.result["removed"]) == (str(new.pk), 4)
    event = Event.objects.get(verb="import replaced")
    assert (event.target_id, event.to_state, event.actor) == (str(job.pk), str(new.pk), users["staff"])
    assert 'data-testid="import-replaced"' in client.get(f"/hotline/import/{job.pk}/").content.decode()
    assert client.get(f"/hotline/import/{job.pk}/").context["remap"] is None  # replaced: nothing to map
    # The saved source reads the next file of that system at once.
    again = run(write(tmp_path, ["工单编号", "来电时间", "诉求类型", "响应及时与否"],
                      [["R9", "2025-11-05 10:00:00", "咨询", "否"]], name="next.csv"), source="某区12345导出")
    assert Ticket.objects.get(number="R9").responded_in_time is False and again.result["unknown_columns"] == []


def test_a_remap_is_refused_with_nothing_changed(places, tmp_path, users):
    job = run(_unmapped_export(tmp_path))
    for mapping, code in (({"colour": "响应及时与否"}, None), ({"responded_in_time": "没有这一列"}, None),
                          ({}, None)):
        with pytest.raises(Invalid) as info:
            services.ticket_import_remap(actor=users["staff"], job=job, mapping=mapping, source="x")
        assert code is None or info.value.code == code
    Job.objects.filter(pk=job.pk).update(status="running")
    job.refresh_from_db()
    with pytest.raises(Conflict) as info:
        services.ticket_import_remap(actor=users["staff"], job=job, mapping={"responded_in_time": "响应及时与否"},
                                     source="x")
    assert info.value.code == errors.IMPORT_NOT_RERUNNABLE
    assert Ticket.objects.count() == 4 and ImportSource.objects.count() == 0
    assert Job.objects.count() == 1 + Job.objects.filter(kind="hotline.warm_caches").count()


def test_the_api_and_the_command_line_remap_too(places, tmp_path, users, client):
    job = run(_unmapped_export(tmp_path))
    login(client, users["staff"])
    r = client.post(f"/api/hotline/imports/{job.pk}/remap", json.dumps(
        {"source": "接口映射", "mapping": {"responded_in_time": "响应及时与否"}}), content_type="application/json")
    assert r.status_code == 202, r.content
    assert client.post("/api/hotline/imports/nope/remap", json.dumps({"source": "a", "mapping": {}}),
                       content_type="application/json").status_code == 404
    new = jobs.job_run(r.json()["id"])
    assert new.result["imported"] == 4
    from django.core.management import call_command

    buffer = io.StringIO()
    call_command("hotline", "import", str(_unmapped_export(tmp_path / "..")), stdout=buffer)
    out = buffer.getvalue()
    assert "columns not imported (not recognised): 响应及时与否" in out
    earlier = Job.objects.filter(kind="hotline.import").order_by("-created_at").first()
    buffer = io.StringIO()
    call_command("hotline", "remap", str(earlier.pk), "--source", "命令行映射", "responded_in_time=响应及时与否",
                 stdout=buffer)
    assert "mapping saved as import source “命令行映射”" in buffer.getvalue()
    assert ImportSource.objects.get(name="命令行映射").mapping == {"responded_in_time": "响应及时与否"}


def test_a_database_without_areas_refuses_the_file_once_naming_what_to_run(db, tmp_path):
    assert not Area.objects.exists()
    path = write(tmp_path, HEADER_VARIANTS["chinese"], [line(f"A{i}") for i in range(3)])
    with pytest.raises(Invalid) as info:
        services.ticket_import_start(actor=None, path=path, enqueue=False)
    assert info.value.code == errors.AREAS_MISSING
    assert "minsheng load_areas" in info.value.message
    assert set(info.value.fields) == {"district", "street"}
    assert (Job.objects.count(), Ticket.objects.count()) == (0, 0)
    # A file without places imports into the same database.
    job = run(write(tmp_path, ["工单编号", "来电时间", "诉求类型"], [["P1", "2025-11-03 09:15:00", "咨询"]], name="p.csv"))
    assert (job.status, job.result["imported"]) == ("succeeded", 1)


def test_an_import_job_whose_areas_vanished_fails_cleanly(places, tmp_path):
    path = write(tmp_path, HEADER_VARIANTS["chinese"], [line(f"A{i}") for i in range(3)])
    job = services.ticket_import_start(actor=None, path=path, enqueue=False)
    for level in ("community", "street", "district"):
        Area.objects.filter(level=level).delete()
    job = jobs.job_run(str(job.pk))
    assert job.status == "failed" and "minsheng load_areas" in job.error
    assert Ticket.objects.count() == 0


def test_the_upload_page_says_what_to_run_on_a_database_without_streets(db, tmp_path, users, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert not Area.objects.filter(level="street").exists()  # the users' one district only
    login(client, users["staff"])
    data = write(tmp_path, HEADER_VARIANTS["chinese"], [line("A1")]).read_bytes()
    page = client.post("/hotline/import/", {"file": SimpleUploadedFile("t.csv", data)})
    assert page.status_code == 200
    [message] = page.context["form"].errors["file"]
    assert "minsheng load_areas" in message
    assert Job.objects.count() == 0


def test_a_remap_never_resumes_a_checkpoint_whose_tickets_it_removed(places, tmp_path, users):
    job = run(_unmapped_export(tmp_path))
    mapping = {"responded_in_time": "响应及时与否"}
    first = services.ticket_import_remap(actor=users["staff"], job=job, mapping=mapping, source="S", enqueue=False)
    Job.objects.filter(pk=first.pk).update(status="failed", state={"row": 3, "offset": 10})  # died half-way
    first.refresh_from_db()
    second = services.ticket_import_remap(actor=users["staff"], job=first, mapping=mapping, source="S", enqueue=False)
    assert second.pk not in (job.pk, first.pk) and second.state == {}
    assert Job.objects.get(pk=first.pk).status == "cancelled"
    second = jobs.job_run(str(second.pk))
    assert (second.result["imported"], Ticket.objects.count()) == (4, 4)
