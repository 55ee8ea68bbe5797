"""Exports of the proposals app: formula payloads come out as text, a control character breaks nothing;
the proposal form strips control characters."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import login
from minsheng.proposals import services
from minsheng.proposals.forms import ProposalForm
from minsheng.proposals.models import Proposal, ResultCategory, SubjectArea

from .factories import TEXT, filed_proposal, make_world

pytestmark = pytest.mark.django_db

CMD = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://x","y")'


@pytest.fixture
def world():
    return make_world()


def _formulas(workbook) -> list[str]:
    return [f"{sheet.title}!{c.coordinate}" for sheet in workbook for row in sheet.iter_rows() for c in row
            if c.data_type == "f"]


def _column(sheet, header: str) -> list:
    headers = [c.value for c in sheet[1]]
    return [row[headers.index(header)] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_proposal_list_exports_write_payloads_as_text_and_survive_a_control_character(client, world):
    area = SubjectArea.objects.create(name="@SUM(1+1)*cmd|' /C calc'!A0")
    for title in (CMD, LINK, "+1+1", "-2+3", "@SUM(A1)"):
        filed_proposal(world, title=title, subject_area=area)
    world.lead_unit.name = LINK
    world.lead_unit.save()
    p = filed_proposal(world)
    services.proposal_assign(actor=world.staff, proposal=p, mode="single", units=[world.lead_unit])
    # A control character already in the database (stored before input was cleaned) must not break the export.
    stored = services.proposal_create(actor=world.first.user, term=world.session.term, **TEXT)
    services.proposal_submit(actor=world.first.user, proposal=stored)
    Proposal.objects.filter(pk=stored.pk).update(title="关于\x0b加装电梯的提案")

    login(client, world.staff)
    for url in ("/proposals/export.xlsx", "/api/proposals-export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        workbook = load_workbook(io.BytesIO(response.content))
        assert _formulas(workbook) == []
        sheet = workbook["提案"]
        assert sorted(_column(sheet, "案由")) == sorted(
            ["'" + CMD, "'" + LINK, "'+1+1", "'-2+3", "'@SUM(A1)", TEXT["title"], "关于加装电梯的提案"])
        assert "'" + LINK + "（单办）" in _column(sheet, "承办单位")


def test_statistics_export_writes_payloads_as_text(client, world):
    area = SubjectArea.objects.create(name="@SUM(1+1)*cmd|' /C calc'!A0")
    world.lead_unit.name = CMD
    world.lead_unit.save()
    p = filed_proposal(world, subject_area=area)
    services.proposal_assign(actor=world.staff, proposal=p, mode="single", units=[world.lead_unit])

    login(client, world.staff)
    response = client.get("/proposals/statistics.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert _formulas(workbook) == []
    assert _column(workbook["承办单位"], "单位") == ["'" + CMD]
    assert _column(workbook["按类别"], "分组") == ["'@SUM(1+1)*cmd|' /C calc'!A0"]
    assert {r[0]: r[1] for r in workbook["总体"].iter_rows(values_only=True)}["收到提案"] == 1


def test_statistics_export_and_report_survive_a_control_character_in_a_unit_name(client, world):
    world.lead_unit.name = "北京市\x0b民政局"
    world.lead_unit.save()
    p = filed_proposal(world, title="关于\x0b加装电梯的提案")
    services.proposal_assign(actor=world.staff, proposal=p, mode="single", units=[world.lead_unit])
    login(client, world.staff)
    response = client.get("/proposals/statistics.xlsx")
    assert response.status_code == 200
    assert _column(load_workbook(io.BytesIO(response.content))["承办单位"], "单位") == ["北京市民政局"]
    report = client.get("/proposals/report.docx")
    assert report.status_code == 200
    assert "北京市民政局" in [c.text for t in Document(io.BytesIO(report.content)).tables for r in t.rows for c in r.cells]


def test_reply_letter_survives_control_characters(client, world):
    p = filed_proposal(world, title="关于\x0b加装电梯的提案")
    services.proposal_assign(actor=world.staff, proposal=p, mode="single", units=[world.lead_unit])
    h = p.handlings.get()
    services.handling_sign(actor=world.lead_handler, handling=h)
    services.handling_contact(actor=world.lead_handler, handling=h, method="phone", contacted_on=dt.date(2026, 3, 5))
    services.handling_draft_reply(actor=world.lead_handler, handling=h, category=ResultCategory.objects.get(code="A"),
                                  text="第一段\x0c\n第二段\x01")
    login(client, world.staff)
    response = client.get(f"/proposals/handlings/{h.pk}/letter.docx")
    assert response.status_code == 200
    text = [paragraph.text for paragraph in Document(io.BytesIO(response.content)).paragraphs]
    assert "您提出的《关于加装电梯的提案》的提案收悉。现答复如下：" in text
    assert "第一段" in text and "第二段" in text


def test_proposal_form_strips_control_characters(db):
    data = {"title": "关于\x0b加装\x00电梯\t的提案\x7f", "situation": "第一段\x0b\n第二段\t完\r\n",
            "analysis": "分析\x1f", "suggestions": "建议\x0c一", "consent_publish": "on"}
    form = ProposalForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "关于加装电梯的提案"
    assert form.cleaned_data["situation"] == "第一段\n第二段\t完"
    assert (form.cleaned_data["analysis"], form.cleaned_data["suggestions"]) == ("分析", "建议一")
    form = ProposalForm({**data, "title": "\x0b\x0c"})
    assert not form.is_valid() and list(form.errors) == ["title"]
