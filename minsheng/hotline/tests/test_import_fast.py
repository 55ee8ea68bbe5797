"""The fast import paths: the cached validator agrees with the reference one, the direct writers (COPY
straight into the table on PostgreSQL, no look-up first on SQLite) skip what they must and link tags to
the right tickets, and a number inserted by someone else between look-up and COPY falls back safely."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import uuid

import pytest
from django.db import connection, transaction

from minsheng.core import jobs
from minsheng.core.models import LivelihoodTag, Unit
from minsheng.hotline import importing, services
from minsheng.hotline.importing import GENERATED_HEADER
from minsheng.hotline.models import Ticket

from .test_services import BAD, GOOD, MAPPED, row

pytestmark = pytest.mark.django_db

VARIANTS = [
    row(number="V01", received_at="2025-11-03T09:15:00+00:00"),  # an offset: converted to Beijing time
    row(number="V02", received_at="2025/12/31 23:59:59.250000"),
    row(number="V03", received_at="2025-11-30 16:30:00+08:00"),
    row(number="V04", channel="APP", deadline_class="2H", responded_in_time="Yes", resolved="N"),
    row(number="V05", channel="", status="", resolved="", satisfaction="", unit=""),
    row(number="V06", status="", resolved="", satisfaction="不满意"),
    row(number="V07", category1="公共服务", category2="", category3="", tags="宜居性、安全性"),
    row(number="V08", district="", street="建外街道", community=""),
    row(number="V09", received_at="2025-11-03 09:15:00", unit="一个全新的承办单位有限公司"),
    row(number="V10", received_at="1999-12-31 23:59:59"),  # out of range: rejected by both
    row(number="V11", received_at="2025-11-03 09:15:00+08:00", excluded="是", exclusion_reason="重复"),
]


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_fast_validator_agrees_with_the_reference_one(places, tmp_path, vendor):
    path = tmp_path / "v.csv"
    path.write_text(",".join(GENERATED_HEADER) + "\n", encoding="utf-8")
    plan = importing.inspect(path)
    job = uuid.uuid4()
    reference = importing.RowValidator(plan, job, vendor=vendor)
    fast = importing.RowValidator(plan, job, vendor=vendor)
    rows = [*GOOD, *VARIANTS, *(values for values, _field in BAD), *(values for values, *_m in MAPPED)]
    for values in rows * 2:  # the second time round every cache is warm
        try:
            expected = ("ok", reference.validate_slow(list(values)))
        except importing.RowError as exc:
            expected = ("error", exc.column, exc.reason)
        try:
            got = ("ok", fast.validate(list(values)))
        except importing.RowError as exc:
            got = ("error", exc.column, exc.reason)
        assert got == expected, values[0]
    ok = fast.validate(list(VARIANTS[0]))[0]
    # 09:15 UTC is 17:15 in Beijing; SQLite keeps naive UTC text, PostgreSQL gets the offset.
    assert ok[9] == ("2025-11-03 09:15:00" if vendor == "sqlite" else "2025-11-03 17:15:00+08:00")
    assert ok[10] == "2025-11-01"
    assert fast.validate(list(VARIANTS[1]))[0][10] == "2025-12-01"


def test_new_units_are_created_once_per_batch_and_their_ids_filled_in(places, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(",".join(GENERATED_HEADER) + "\n", encoding="utf-8")
    validator = importing.RowValidator(importing.inspect(path), uuid.uuid4())
    batch = [validator.validate(row(number=f"U{i}", unit=f"新单位{i % 3}有限公司")) for i in range(7)]
    assert {r[0][11] for r in batch} == {"新单位0有限公司", "新单位1有限公司", "新单位2有限公司"}  # stand-ins
    validator.resolve_units(batch)
    units = dict(Unit.objects.filter(name__startswith="新单位").values_list("name", "pk"))
    assert len(units) == 3 and {units[f"新单位{i % 3}有限公司"] for i in range(7)} == {r[0][11] for r in batch}
    assert Unit.objects.get(name="新单位0有限公司").kind == "enterprise"
    assert validator.validate(row(number="U9", unit="新单位1有限公司"))[0][11] == units["新单位1有限公司"]


def _validated(tmp_path, rows):
    path = tmp_path / "w.csv"
    path.write_text(",".join(GENERATED_HEADER) + "\n", encoding="utf-8")
    validator = importing.RowValidator(importing.inspect(path), uuid.uuid4())
    batch = [validator.validate(values) for values in rows]
    validator.resolve_units(batch)
    return batch


def test_writer_skips_present_and_repeated_numbers_and_links_tags_to_the_right_tickets(places, tmp_path):
    writer = importing.writer_for_connection()
    first = _validated(tmp_path, [row(number="W1", tags="住有所居"), row(number="W2", tags="")])
    with transaction.atomic():
        assert writer.write(first) == 2
    batch = _validated(tmp_path, [
        row(number="W1", tags="安全性"),  # present: skipped, its tags ignored
        row(number="W3", tags="宜居性", text="制表符\t反斜杠\\ 回车\r换行\n结束"),
        row(number="W3", tags="安全性"),  # repeated in the batch: the first one wins
        row(number="W4", tags="住有所居;安全性"),
    ])
    with transaction.atomic():
        assert writer.write(batch) == 2
    tags = {t.number: sorted(x.name for x in t.tags.all()) for t in Ticket.objects.all()}
    assert tags == {"W1": ["住有所居"], "W2": [], "W3": ["宜居性"], "W4": ["住有所居", "安全性"]}
    assert Ticket.objects.get(number="W3").text == "制表符\t反斜杠\\ 回车\r换行\n结束"
    assert Ticket.objects.get(number="W3").received_at == dt.datetime(2025, 11, 3, 1, 15, tzinfo=dt.UTC)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_number_inserted_between_look_up_and_copy_falls_back_to_the_staging_table(places, tmp_path, monkeypatch):
    writer = importing.writer_for_connection()
    with transaction.atomic():
        writer.write(_validated(tmp_path, [row(number="R1", tags="住有所居")]))
    # As if another import inserted R1 after this batch looked its numbers up: the look-up finds nothing.
    monkeypatch.setattr(writer, "existing_text", writer.existing_text.replace("WHERE", "WHERE false AND"))
    batch = _validated(tmp_path, [row(number="R1", tags="安全性"), row(number="R2", tags="宜居性")])
    with transaction.atomic():
        assert writer.write(batch) == 1
    assert sorted(Ticket.objects.values_list("number", flat=True)) == ["R1", "R2"]
    assert [t.name for t in Ticket.objects.get(number="R1").tags.all()] == ["住有所居"]
    assert [t.name for t in Ticket.objects.get(number="R2").tags.all()] == ["宜居性"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_present_number_outside_the_probe_rolls_the_copy_back_and_copies_the_others(places, tmp_path):
    writer = importing.writer_for_connection()
    with transaction.atomic():
        assert writer.write(_validated(tmp_path, [row(number="Q0001", tags="住有所居")])) == 1
    # 100 numbers: the probe looks up every third (Q0000, Q0003, …) and misses Q0001, so the direct COPY
    # meets the unique constraint, is rolled back to its savepoint, and the batch is looked up and copied again.
    batch = _validated(tmp_path, [row(number=f"Q{i:04d}", tags="安全性") for i in range(100)])
    with transaction.atomic():
        assert writer.write(batch) == 99
    assert Ticket.objects.count() == 100
    assert [t.name for t in Ticket.objects.get(number="Q0001").tags.all()] == ["住有所居"]
    assert Ticket.tags.through.objects.count() == 100
    assert LivelihoodTag.objects.get(name="安全性").tickets.count() == 99


@pytest.mark.django_db(transaction=True)
def test_a_pipelined_import_with_new_units_bad_rows_and_a_rerun(tmp_path, monkeypatch):
    """A real run (no surrounding transaction): units created by the reading thread while batches are
    written, rejected rows reported in order, the rerun skips everything."""
    from .factories import geo

    geo()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GENERATED_HEADER)
    for i in range(45):
        if i % 10 == 9:
            writer.writerow(row(number=f"P{i:03d}", kind=""))
        else:
            writer.writerow(row(number=f"P{i:03d}", unit=f"第{i // 7}单位有限公司", tags="宜居性" if i % 2 else ""))
    path = tmp_path / "p.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    interval = sys.getswitchinterval()
    during = []
    monkeypatch.setattr(importing, "after_batch", lambda counts: during.append(sys.getswitchinterval()))
    job = jobs.job_run(str(services.ticket_import_start(actor=None, path=path, enqueue=False, batch_size=8).pk))
    assert job.status == "succeeded", job.error
    assert (job.result["imported"], job.result["rejected"]) == (41, 4)
    # The GIL switch interval is short while the reading and writing threads run (not on the in-memory
    # SQLite database of the tests: no second thread there), and restored after.
    pipelined = not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    expected = min(interval, importing.SWITCH_INTERVAL) if pipelined else interval
    assert during == [pytest.approx(expected, rel=0.01)] * 6
    assert sys.getswitchinterval() == interval
    assert Ticket.objects.count() == 41
    assert Ticket.objects.filter(unit__name="第0单位有限公司").count() == 7
    assert Ticket.tags.through.objects.count() == sum(1 for i in range(45) if i % 10 != 9 and i % 2)
    assert LivelihoodTag.objects.get(name="宜居性").tickets.count() == Ticket.tags.through.objects.count()
    report = importing.report_path(job.pk).read_text(encoding="utf-8-sig").splitlines()[1:]
    assert [int(line.split(",")[0]) for line in report] == [11, 21, 31, 41]

    again = jobs.job_run(str(services.ticket_import_start(actor=None, path=path, enqueue=False, batch_size=8).pk))
    assert (again.result["imported"], again.result["skipped"], again.result["rejected"]) == (0, 41, 4)
    assert Ticket.objects.count() == 41
