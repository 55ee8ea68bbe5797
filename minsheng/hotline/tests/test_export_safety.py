"""Hotline exports (`rates --out`, `candidates --out`, /hotline/rates/export.xlsx) write formula payloads
as text; the import refuses a ticket number that a spreadsheet would run or that holds control characters."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from conftest import login
from minsheng.core import jobs
from minsheng.core.models import Area, Unit
from minsheng.hotline import importing, services
from minsheng.hotline.importing import GENERATED_HEADER
from minsheng.hotline.models import Ticket

from .factories import BEIJING, CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db

CMD = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://x","y")'
DISTRICT = "+SUM(1+1)*cmd|' /C calc'!A0"
UNIT = "@SUM(1+1)*cmd|' /C calc'!A0"
SUMMARY = "-2+3+cmd|' /C calc'!A0"


@pytest.fixture
def payloads():
    district = Area.objects.create(code="110199", name=DISTRICT, level="district")
    street = Area.objects.create(code="110199001", name=CMD, level="street", parent=district)
    unit = Unit.objects.create(name=UNIT, kind="government")
    category = CategoryFactory(name=LINK)
    for month in range(1, 13):
        for i in range(3):
            TicketFactory(district=district, street=street, unit=unit, category=category, resolved=i != 0,
                          summary=SUMMARY, received_at=dt.datetime(2025, month, 3 + i, 9, tzinfo=BEIJING))


def _formulas(workbook) -> list[str]:
    return [f"{sheet.title}!{c.coordinate}" for sheet in workbook for row in sheet.iter_rows() for c in row
            if c.data_type == "f"]


def _xlsx_rows(source) -> list[list]:
    workbook = load_workbook(source)
    assert _formulas(workbook) == []
    return [list(r) for r in workbook.active.iter_rows(values_only=True)]


def _csv_rows(path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8-sig", newline="")))


@pytest.mark.parametrize(("by", "name"), [("street", CMD), ("district", DISTRICT), ("unit", UNIT),
                                          ("category", LINK)])
def test_rates_out_writes_payloads_as_text(payloads, tmp_path, by, name):
    call_command("hotline", "rates", "--month", "2025-11", "--by", by, "--out", str(tmp_path / "r.xlsx"),
                 stdout=io.StringIO())
    rows = _xlsx_rows(tmp_path / "r.xlsx")
    assert rows[1][0] == "'" + name
    assert rows[1][2:4] == [3, 3]  # numbers stay numbers
    call_command("hotline", "rates", "--month", "2025-11", "--by", by, "--out", str(tmp_path / "r.csv"),
                 stdout=io.StringIO())
    rows = _csv_rows(tmp_path / "r.csv")
    assert rows[1][0] == "'" + name
    assert rows[1][2:4] == ["3", "3"]


def test_candidates_out_writes_payloads_as_text(payloads, tmp_path):
    call_command("hotline", "candidates", "--year", "2025", "--out", str(tmp_path / "c.xlsx"), stdout=io.StringIO())
    header, first = _xlsx_rows(tmp_path / "c.xlsx")[:2]
    assert first[header.index("category")] == "'" + LINK
    assert first[header.index("top_district")] == "'" + DISTRICT
    assert first[header.index("volume")] == 36
    call_command("hotline", "candidates", "--year", "2025", "--out", str(tmp_path / "c.csv"), stdout=io.StringIO())
    header, first = _csv_rows(tmp_path / "c.csv")[:2]
    assert (first[header.index("category")], first[header.index("top_district")]) == ("'" + LINK, "'" + DISTRICT)
    assert first[header.index("volume")] == "36"


def test_rates_export_page_writes_payloads_as_text(client, users, payloads):
    login(client, users["staff"])
    response = client.get("/hotline/rates/export.xlsx?month=2025-11&by=street")
    assert response.status_code == 200
    rows = _xlsx_rows(io.BytesIO(response.content))
    assert rows[1][:4] == ["'" + CMD, None, 3, 3]  # no 街道 / 镇 suffix: no rank group


BAD_NUMBERS = ["=1+1", CMD, "+86123", "-5", "@SUM(A1)", "A\x0bB", "A\x01B", "A\x7fB"]


def _row(number) -> list:
    base = {"number": number, "channel": "电话", "kind": "投诉", "district": "朝阳区", "street": "建外街道",
            "received_at": "2025-11-03 09:15:00", "deadline_class": "24小时", "responded_in_time": "是",
            "resolved": "是", "satisfaction": "满意", "excluded": "否"}
    return [base.get(f.name, "") for f in importing.IMPORT_FIELDS]


def _run(path):
    job = services.ticket_import_start(actor=None, path=path, enqueue=False)
    with translation.override("en"):
        job = jobs.job_run(str(job.pk))
    assert job.status == "succeeded", job.error
    report = importing.report_path(job.pk).read_text(encoding="utf-8-sig")
    return job, list(csv.reader(io.StringIO(report)))[1:]


def _expected_reasons() -> list[str]:
    starts = [f"The ticket number starts with “{n[0]}”, which a spreadsheet runs as a formula." for n in BAD_NUMBERS[:5]]
    return starts + ["The ticket number contains a control character."] * 3


def test_import_refuses_formula_and_control_character_ticket_numbers_in_csv(places, tmp_path):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GENERATED_HEADER)
    writer.writerow(_row("OK-1"))
    for number in BAD_NUMBERS:
        writer.writerow(_row(number))
    writer.writerow(_row("OK-2"))
    path = tmp_path / "t.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))

    job, report = _run(path)

    assert (job.result["imported"], job.result["rejected"]) == (2, len(BAD_NUMBERS))
    assert sorted(Ticket.objects.values_list("number", flat=True)) == ["OK-1", "OK-2"]
    number_column = next(f.headers[0] for f in importing.IMPORT_FIELDS if f.name == "number")
    assert [(r[0], r[1]) for r in report] == [(str(i), number_column) for i in range(3, 3 + len(BAD_NUMBERS))]
    assert [r[2] for r in report] == _expected_reasons()


def test_import_refuses_formula_ticket_numbers_in_excel(places, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(GENERATED_HEADER)
    sheet.append(_row("OK-1"))
    negative = _row("")
    negative[0] = -5  # a number cell: "-5" as text
    sheet.append(negative)
    sheet.append(_row("@SUM(A1)"))  # a text cell
    path = tmp_path / "t.xlsx"
    workbook.save(path)

    job, report = _run(path)

    assert (job.result["imported"], job.result["rejected"]) == (1, 2)
    assert [r[0] for r in report] == ["3", "4"]
    assert [r[2] for r in report] == ["The ticket number starts with “-”, which a spreadsheet runs as a formula.",
                                      "The ticket number starts with “@”, which a spreadsheet runs as a formula."]
