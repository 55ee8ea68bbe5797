"""Import (every kind of bad row, GBK and UTF-8, Excel, refusals, kill and rerun), services, classifier hook."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection

from minsheng.core import jobs
from minsheng.core.errors import Forbidden, Invalid, NotFound
from minsheng.core.models import Event, Job, LivelihoodTag
from minsheng.hotline import errors, importing, services
from minsheng.hotline.importing import GENERATED_HEADER
from minsheng.hotline.models import Category, ImportSource, Ticket

from .factories import TicketFactory

pytestmark = pytest.mark.django_db

H = {f.name: f.headers[0] for f in importing.IMPORT_FIELDS}


def row(**values: str) -> list[str]:
    base = {"number": "", "channel": "电话", "kind": "投诉", "category1": "公共服务", "category2": "供暖",
            "category3": "暖气不热", "district": "朝阳区", "street": "建外街道", "community": "建国门外社区居委会",
            "address": "建外SOHO 1号楼", "received_at": "2025-11-03 09:15:00", "unit": "北京市热力集团有限责任公司",
            "deadline_class": "24小时", "responded_in_time": "是", "resolved": "是", "satisfaction": "满意",
            "excluded": "否", "exclusion_reason": "", "duplicate_group": "", "tags": "住有所居;宜居性",
            "status": "结案", "summary": "供暖：暖气不热", "text": "来电人反映家中暖气不热，室温仅14度。"}
    base.update(values)
    return [base[f.name] for f in importing.IMPORT_FIELDS]


GOOD = [
    row(number="G001"),
    row(number="G002", category1="", category2="", category3="", district="", street="", community="", unit="",
        deadline_class="", responded_in_time="", resolved="", satisfaction="", tags="", status="", kind="咨询"),
    row(number="G003", excluded="是", exclusion_reason="重复诉求", street="孙河地区", community="", tags="安全性"),
    row(number="G004", district="海淀区", street="西北旺镇", community="", unit="海淀区西北旺镇人民政府",
        received_at="2025/11/30 23:59", satisfaction="基本满意", resolved="否"),
]
# (row number in the file, field of the column named in the report, or "" for the whole row)
BAD = [
    (row(number=""), "number"),
    (row(number="N" * 41), "number"),
    (row(number="B003", kind=""), "kind"),
    (row(number="B004", received_at="2025-13-45 25:00"), "received_at"),
    (row(number="B005", district="火星区"), "district"),
    (row(number="B006", street="中关村街道"), "street"),
    (row(number="B007", community="不存在社区"), "community"),
    (row(number="B011", tags="有钱"), "tags"),
    (row(number="B012", excluded="是", exclusion_reason=""), "exclusion_reason"),
    (row(number="B013")[:5], ""),
]
# Values in no table of `aliases`: the row is kept, the value mapped, counted and kept on the ticket.
# (row, field, what the result says it became, what the ticket stores)
MAPPED = [
    (row(number="M001", kind="抱怨"), "kind", "other", "other"),
    (row(number="M002", responded_in_time="也许"), "responded_in_time", "", None),
    (row(number="M003", satisfaction="还行"), "satisfaction", "not_rated", "not_rated"),
    (row(number="M004", deadline_class="3天"), "deadline_class", "7d", "7d"),  # the shortest class of ≥ 3 days
    (row(number="M005", channel="信鸽"), "channel", "other", "other"),
    (row(number="M006", status="烂尾"), "status", "", "closed"),  # derived, as for an empty cell (resolved: closed)
]


def build_file(encoding: str, *, bad_bytes: bool = True) -> tuple[bytes, list[tuple[int, str]]]:
    """A file with the good rows, every kind of bad row, a repeated number and (optionally) a row whose
    bytes are not valid in the encoding. Returns the bytes and the expected (row, column) report lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GENERATED_HEADER)
    expected: list[tuple[int, str]] = []
    number = 1
    for values in GOOD[:2]:
        writer.writerow(values)
        number += 1
    for values, field in BAD:
        writer.writerow(values)
        number += 1
        expected.append((number, H[field] if field else ""))
    for values, *_mapped in MAPPED:
        writer.writerow(values)
        number += 1
    for values in GOOD[2:]:
        writer.writerow(values)
        number += 1
    writer.writerow(row(number="G001", text="同一工单再次出现"))  # already present: skipped, not rejected
    number += 1
    codec = "gb18030" if encoding == "gbk" else "utf-8"
    data = out.getvalue().encode(codec)
    if bad_bytes:
        broken = ",".join(row(number="B099")).encode(codec).replace("暖气".encode(codec), b"\x81\x20\xff")
        data += broken + b"\r\n"
        number += 1
        expected.append((number, ""))
    writer = None
    return data, expected


def read_report(job: Job) -> list[list[str]]:
    text = importing.report_path(job.pk).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def run(path, **kwargs) -> Job:
    job = services.ticket_import_start(actor=None, path=path, enqueue=False, **kwargs)
    return jobs.job_run(str(job.pk))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_import_every_kind_of_bad_row(places, tmp_path, encoding):
    data, expected = build_file(encoding)
    path = tmp_path / f"tickets-{encoding}.csv"
    path.write_bytes(data)

    job = run(path)

    assert job.status == "succeeded", job.error
    assert job.result == {
        "rows": 22, "imported": 10, "skipped": 1, "rejected": 11, "report": str(importing.report_path(job.pk)),
        "encoding": encoding.upper(), "columns": H, "unknown_columns": [],
        "mapped_values": [{"field": f, "column": H[f], "value": values[GENERATED_HEADER.index(H[f])], "to": to,
                           "rows": 1}
                          for values, f, to, _stored in sorted(MAPPED, key=lambda m: importing.FIELD_NAMES.index(m[1]))],
    }
    assert sorted(Ticket.objects.values_list("number", flat=True)) == [
        "G001", "G002", "G003", "G004", "M001", "M002", "M003", "M004", "M005", "M006"]
    for values, f, _to, stored in MAPPED:
        ticket = Ticket.objects.get(number=values[0])
        assert (getattr(ticket, f), ticket.raw_values) == (stored, {f: values[GENERATED_HEADER.index(H[f])]}), f
    assert Ticket.objects.filter(raw_values__isnull=True).count() == 4
    report = read_report(job)
    assert report[0] == ["row", "column", "reason"]
    assert [(int(r[0]), r[1]) for r in report[1:]] == expected
    assert all(r[2] for r in report[1:])
    g1 = Ticket.objects.get(number="G001")
    assert (g1.kind, g1.channel, g1.status, g1.deadline_class, g1.satisfaction) == (
        "complaint", "phone", "closed", "24h", "satisfied")
    assert (g1.district.name, g1.street.name, g1.community.name, g1.unit.name) == (
        "朝阳区", "建外街道", "建国门外社区居委会", "北京市热力集团有限责任公司")
    assert g1.category.name == "暖气不热" and g1.category.level == 3 and g1.category.parent.parent.name == "公共服务"
    assert sorted(t.name for t in g1.tags.all()) == ["住有所居", "宜居性"]
    assert g1.received_at == dt.datetime(2025, 11, 3, 1, 15, tzinfo=dt.UTC)
    assert g1.month == dt.date(2025, 11, 1)
    g2 = Ticket.objects.get(number="G002")
    assert (g2.status, g2.unit_id, g2.category_id, g2.responded_in_time, g2.satisfaction, g2.channel) == (
        "closed_direct", None, None, None, "not_rated", "phone")
    g3 = Ticket.objects.get(number="G003")
    assert (g3.excluded, g3.exclusion_reason, g3.street.name) == (True, "重复诉求", "孙河地区")
    g4 = Ticket.objects.get(number="G004")
    assert (g4.unit.name, g4.unit.kind, g4.resolved, g4.satisfaction, g4.month) == (
        "海淀区西北旺镇人民政府", "street", False, "basic", dt.date(2025, 11, 1))


def test_rerunning_the_same_file_imports_nothing_twice(places, tmp_path):
    data, _ = build_file("utf-8", bad_bytes=False)
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    first = run(path)
    second = run(path)
    assert first.pk != second.pk
    assert (second.result["imported"], second.result["skipped"], second.result["rejected"]) == (0, 11, 10)
    assert Ticket.objects.count() == 10
    assert Ticket.tags.through.objects.count() == 2 + 0 + 1 + 2 + 6 * 2


def _good_file(tmp_path, n: int, bad_every: int = 0):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GENERATED_HEADER)
    bad = 0
    for i in range(n):
        if bad_every and i % bad_every == bad_every - 1:
            writer.writerow(row(number=f"K{i:04d}", kind=""))
            bad += 1
        else:
            writer.writerow(row(number=f"K{i:04d}", text=f"第{i}行\n第二行, 带逗号"))
    path = tmp_path / "k.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, n - bad, bad


def test_import_killed_half_way_and_run_again_has_no_duplicates_and_no_gaps(places, tmp_path, monkeypatch):
    path, good, bad = _good_file(tmp_path, 37, bad_every=5)
    calls = []

    def crash(counts):
        calls.append(counts.imported)
        if len(calls) == 3:
            raise SystemError("killed")

    monkeypatch.setattr(importing, "after_batch", crash)
    job = services.ticket_import_start(actor=None, path=path, enqueue=False, batch_size=4)
    job = jobs.job_run(str(job.pk))
    assert job.status == "failed"
    assert "killed" in job.error
    # Three batches of 4 rows committed (rows 2–13): one bad row per five.
    assert Ticket.objects.count() == 10
    assert job.state["row"] == 13
    assert len(read_report(job)) == 1 + 2

    monkeypatch.setattr(importing, "after_batch", None)
    again = services.ticket_import_start(actor=None, path=path, enqueue=False, batch_size=4)
    assert again.pk == job.pk  # the interrupted import of the same file is resumed
    job = jobs.job_run(str(again.pk))
    assert job.status == "succeeded", job.error
    assert job.attempts == 2
    assert job.result["imported"] == good == 30
    assert (job.result["rows"], job.result["skipped"], job.result["rejected"]) == (37, 0, bad)
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert numbers == sorted(f"K{i:04d}" for i in range(37) if i % 5 != 4)
    assert [int(r[0]) for r in read_report(job)[1:]] == [i + 2 for i in range(37) if i % 5 == 4]
    assert Ticket.objects.get(number="K0000").text == "第0行\n第二行, 带逗号"


def test_crash_inside_a_batch_rolls_the_batch_back(places, tmp_path, monkeypatch):
    path, good, _bad = _good_file(tmp_path, 20)
    writer_cls = type(importing.writer_for_connection())
    original = writer_cls.write
    state = {"n": 0}

    def write_then_die(self, rows):
        state["n"] += 1
        inserted = original(self, rows)
        if state["n"] == 2:
            raise OSError("disk full")
        return inserted

    monkeypatch.setattr(writer_cls, "write", write_then_die)
    job = jobs.job_run(str(services.ticket_import_start(actor=None, path=path, enqueue=False, batch_size=6).pk))
    assert job.status == "failed"
    assert Ticket.objects.count() == 6
    assert job.state["counts"] == {"rows": 6, "imported": 6, "skipped": 0, "rejected": 0}
    monkeypatch.setattr(writer_cls, "write", original)
    job = jobs.job_run(str(job.pk))
    assert job.status == "succeeded"
    assert Ticket.objects.count() == good == 20
    assert job.result["imported"] == 20


def test_excel_import_streams_rows_with_real_dates(places, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(GENERATED_HEADER)
    first = row(number="X1")
    first[GENERATED_HEADER.index(H["received_at"])] = dt.datetime(2025, 10, 31, 23, 0)
    sheet.append(first)
    second = row(number="")
    sheet.append(second)
    third = row(number="X3")
    third[0] = 20251101
    sheet.append(third)
    path = tmp_path / "t.xlsx"
    workbook.save(path)

    job = run(path)

    assert job.status == "succeeded", job.error
    assert (job.result["imported"], job.result["rejected"], job.result["encoding"]) == (2, 1, "xlsx")
    assert sorted(Ticket.objects.values_list("number", flat=True)) == ["20251101", "X1"]
    assert Ticket.objects.get(number="X1").month == dt.date(2025, 10, 1)
    assert [(r[0], r[1]) for r in read_report(job)[1:]] == [("3", H["number"])]


@pytest.mark.parametrize(("content", "suffix", "code"), [
    (b"", ".csv", errors.IMPORT_UNREADABLE),
    (b"\x00\x01\x02binary\xff\xfe" * 50, ".csv", errors.IMPORT_UNREADABLE),
    ("工单编号,渠道,区\nA1,电话,朝阳区\n".encode(), ".csv", errors.IMPORT_MISSING_COLUMNS),
    (b"PK\x03\x04 not really a workbook", ".xlsx", errors.IMPORT_UNREADABLE),
    (b"whatever", ".pdf", errors.IMPORT_FORMAT),
])
def test_unreadable_file_or_missing_column_is_refused_before_anything_is_written(places, tmp_path, content, suffix,
                                                                                code):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(content)
    with pytest.raises(Invalid) as info:
        services.ticket_import_start(actor=None, path=path, enqueue=False)
    assert info.value.code == code
    assert Job.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_missing_columns_are_named(places, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("工单编号,渠道\nA1,电话\n", encoding="utf-8")
    with pytest.raises(Invalid) as info:
        services.ticket_import_start(actor=None, path=path, enqueue=False)
    assert set(info.value.fields) == {"kind", "received_at"}


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFound):
        services.ticket_import_start(actor=None, path=tmp_path / "nope.csv", enqueue=False)


def test_saved_mapping_reads_other_headers(places, tmp_path, users):
    services.import_source_save(actor=users["staff"], name="区平台导出",
                                mapping={"number": "编号", "kind": "类型", "received_at": "时间", "district": "区县"})
    path = tmp_path / "other.csv"
    path.write_text("编号,类型,时间,区县\nM1,求助,2025-11-05 10:00:00,朝阳区\n", encoding="utf-8")
    job = run(path, source="区平台导出")
    assert job.result["imported"] == 1
    assert Ticket.objects.get(number="M1").district.name == "朝阳区"
    with pytest.raises(Invalid) as info:
        services.ticket_import_start(actor=None, path=path, source="nope", enqueue=False)
    assert info.value.code == errors.UNKNOWN_SOURCE
    with pytest.raises(Forbidden):
        services.import_source_save(actor=users["member"], name="x", mapping={})
    with pytest.raises(Invalid):
        services.import_source_save(actor=users["staff"], name="x", mapping={"colour": "颜色"})
    assert ImportSource.objects.count() == 1


def test_detect_encoding():
    text = "工单编号,诉求内容\n1,暖气不热\n" * 50
    assert importing.detect_encoding(text.encode("utf-8")) == "utf-8"
    assert importing.detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert importing.detect_encoding(text.encode("gbk")) == "gb18030"
    # A multi-byte character cut at the end of the sample is still UTF-8.
    assert importing.detect_encoding(text.encode("utf-8")[:-3] + "暖".encode()[:2]) == "utf-8"


def test_staff_only_may_start_an_import(users, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(",".join(GENERATED_HEADER) + "\n", encoding="utf-8")
    for who in ("member", "unit", "leader", "district"):
        with pytest.raises(Forbidden):
            services.ticket_import_start(actor=users[who], path=path, enqueue=False)
    assert Job.objects.count() == 0


def test_exclusion_needs_a_reason_and_leaves_an_event(users, places):
    ticket = TicketFactory(unit=places["heat"])
    with pytest.raises(Invalid) as info:
        services.ticket_exclude(actor=users["staff"], ticket=ticket, reason=" ")
    assert info.value.code == errors.EXCLUSION_REASON_REQUIRED
    with pytest.raises(Forbidden):
        services.ticket_exclude(actor=users["unit"], ticket=ticket, reason="重复")
    assert Event.objects.count() == 0
    services.ticket_exclude(actor=users["staff"], ticket=ticket, reason="无理诉求")
    ticket.refresh_from_db()
    assert (ticket.excluded, ticket.exclusion_reason) == (True, "无理诉求")
    event = Event.objects.get()
    assert (event.verb, event.from_state, event.to_state, event.note) == ("excluded", "assessed", "excluded", "无理诉求")


def test_classifier_hook_fills_missing_categories(places):
    TicketFactory(number="C1", text="小区暖气不热")
    TicketFactory(number="C2", text="不知道说什么")
    TicketFactory(number="C3", text="有分类", category=Category.objects.get(name="供暖"))
    assert services.ticket_classify_missing() == 0  # no classifier registered: nothing happens

    def classify(texts):
        return ["公共服务/供暖/暖气不热" if "暖气" in t else None for t in texts]

    assert services.ticket_classify_missing(classify=classify) == 1
    assert Ticket.objects.get(number="C1").category == Category.objects.get(name="暖气不热")
    assert Ticket.objects.get(number="C2").category is None


def test_ruleset_edit_makes_a_new_version(users):
    from minsheng.hotline.models import RateRuleSet

    base = RateRuleSet.objects.get()
    new = services.ruleset_new_version(actor=users["staff"], base=base, weight_basic="0.5")
    assert (new.version, str(new.weight_basic), str(base.weight_basic)) == (2, "0.5", "0.8000")
    assert RateRuleSet.objects.count() == 2
    with pytest.raises(Forbidden):
        services.ruleset_new_version(actor=users["leader"], base=base, weight_basic="0.1")
    assert RateRuleSet.objects.count() == 2


def test_seeded_tags_exist():
    assert LivelihoodTag.objects.filter(name__in=["住有所居", "宜居性", "安全性"]).count() == 3


@pytest.mark.django_db(transaction=True)
def test_pipelined_import_killed_and_rerun_commits_whole_batches(tmp_path, monkeypatch):
    """Outside a transaction (a real run) PostgreSQL writes in a second thread; a crash there still leaves
    exactly the committed batches, and the rerun completes them. On SQLite the same path runs in-line."""
    from .factories import geo

    geo()
    path, good, _bad = _good_file(tmp_path, 25)
    calls = []

    def crash(counts):
        calls.append(counts.imported)
        if len(calls) == 2:
            raise SystemError("killed")

    monkeypatch.setattr(importing, "after_batch", crash)
    job = jobs.job_run(str(services.ticket_import_start(actor=None, path=path, enqueue=False, batch_size=10).pk))
    assert job.status == "failed"
    assert Ticket.objects.count() == 20
    assert Job.objects.get(pk=job.pk).state["row"] == 21
    monkeypatch.setattr(importing, "after_batch", None)
    job = jobs.job_run(str(job.pk))
    assert job.status == "succeeded", job.error
    assert Ticket.objects.count() == good == 25
    assert (job.result["imported"], job.result["skipped"]) == (25, 0)


def test_command_line_generate_import_rates(places, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "gen.csv"
    buffer = io.StringIO()
    call_command("hotline", "generate", "--tickets", "300", "--months", "2", "--start", "2025-10", "--out", str(out),
                 stdout=buffer)
    assert buffer.getvalue().startswith("wrote 300 tickets (2025-10, 2 months)")
    buffer = io.StringIO()
    call_command("hotline", "import", str(out), stdout=buffer)
    first = buffer.getvalue().splitlines()
    assert first[0].startswith("imported 300, skipped as already present 0, rejected 0 (300 rows, UTF-8")
    assert first[1] == "error report: none (no rejected rows)"
    buffer = io.StringIO()
    call_command("hotline", "import", str(out), stdout=buffer)
    assert buffer.getvalue().startswith("imported 0, skipped as already present 300, rejected 0")
    buffer = io.StringIO()
    call_command("hotline", "rates", "--month", "2025-11", "--by", "district", stdout=buffer)
    assert buffer.getvalue().splitlines()[-1].startswith("2 rows by district for 2025-11 (")
    assert {line.split()[0] for line in buffer.getvalue().splitlines()[1:-1]} <= {"朝阳区", "海淀区"}
    call_command("hotline", "rates", "--month", "2025-11", "--by", "street", "--out", str(tmp_path / "r.xlsx"),
                 stdout=io.StringIO())
    assert (tmp_path / "r.xlsx").stat().st_size > 0


def test_a_killed_process_is_taken_over_and_a_live_one_is_not(places, tmp_path):
    path, _good, _bad = _good_file(tmp_path, 5)
    job = services.ticket_import_start(actor=None, path=path, enqueue=False)
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=dt.datetime.now(dt.UTC),
                                         state={"owner": importing.OWNER, "row": 1})
    with pytest.raises(errors_conflict()) as info:  # this very process holds it: alive
        services.ticket_import_start(actor=None, path=path, enqueue=False)
    assert info.value.code == errors.IMPORT_RUNNING
    dead = f"{importing.OWNER.rsplit(':', 1)[0]}:999999999"
    Job.objects.filter(pk=job.pk).update(state={"owner": dead, "row": 1})
    again = services.ticket_import_start(actor=None, path=path, enqueue=False)
    assert again.pk == job.pk and again.status == "failed"
    assert jobs.job_run(str(again.pk)).result["imported"] == 5


def errors_conflict():
    from minsheng.core.errors import Conflict

    return Conflict


def test_an_import_with_new_tickets_warms_the_pages_figures(places, tmp_path, monkeypatch):
    from minsheng.hotline import selectors

    path, good, _bad = _good_file(tmp_path, 6)
    first = run(path)
    warm = Job.objects.get(kind="hotline.warm_caches")
    assert (warm.key, warm.params, warm.status) == (f"hotline-warm:{first.pk}", {"after": str(first.pk)}, "queued")
    warm = jobs.job_run(str(warm.pk))
    assert (warm.status, warm.result) == ("succeeded", {"warmed": 8})
    if connection.vendor == "postgresql":  # the statistics were refreshed before the first queries
        assert "statistics refreshed (ANALYZE)" in warm.log
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Ticket._meta.db_table])
            assert cursor.fetchone()[0] == Ticket.objects.count() == good
    month = selectors.months_with_data(12)[-1]

    def not_again(**_):
        raise AssertionError("computed again: the cache was not warmed")

    monkeypatch.setattr(selectors, "rates", not_again)
    monkeypatch.setattr(selectors, "street_ranking", not_again)
    assert sum(r.total for r in selectors.rates_cached(month=month, by="street")) == good
    assert selectors.ranking_cached(month=month) is not None
    # Re-running the file imports nothing: nothing new to warm.
    run(path)
    assert Job.objects.filter(kind="hotline.warm_caches").count() == 1
