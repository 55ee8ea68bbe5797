"""Hotline pages: who may open them, fixed query counts, the import page to the job page and its report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login
from minsheng.core import jobs
from minsheng.core.models import Job
from minsheng.hotline.importing import GENERATED_HEADER

from .factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def some(users, places):
    return [TicketFactory(unit=users["unit_obj"], street=places["jianwai"], district=places["chaoyang"],
                          duplicate_group="D1") for _ in range(2)] + [TicketFactory(unit=users["other_unit_obj"])]


def test_pages_for_staff(client, users, some):
    login(client, users["staff"])
    for url in ("/hotline/tickets/", f"/hotline/tickets/{some[0].pk}/", "/hotline/rates/",
                "/hotline/rates/?month=2025-11&by=unit", "/hotline/ranking/", "/hotline/import/",
                "/hotline/rates/?month=2025-11&by=street&key=1"):
        assert client.get(url).status_code == 200, url
    response = client.get("/hotline/rates/export.xlsx?month=2025-11&by=street")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:4] == ["建外街道", "street", 2, 2]


def test_who_may_not_see_pages(client, users, some):
    login(client, users["member"])
    assert client.get("/hotline/tickets/").status_code == 403
    assert client.get(f"/hotline/tickets/{some[0].pk}/").status_code == 404
    assert client.get("/hotline/import/").status_code == 403
    assert client.get("/hotline/rates/").status_code == 200
    login(client, users["unit"])
    assert client.get(f"/hotline/tickets/{some[2].pk}/").status_code == 404
    page = client.get("/hotline/tickets/")
    assert page.context["page"].count == 2
    assert client.get("/hotline/import/").status_code == 403
    client.logout()
    assert client.get("/hotline/rates/").status_code == 302


def test_ticket_list_page_has_a_fixed_query_count(client, users, places):
    login(client, users["staff"])
    TicketFactory(unit=users["unit_obj"], street=places["jianwai"], district=places["chaoyang"])
    client.get("/hotline/tickets/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/hotline/tickets/?district={places['chaoyang'].pk}")
    for _ in range(25):
        TicketFactory(unit=users["other_unit_obj"], street=places["sanlitun"], district=places["chaoyang"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/hotline/tickets/?district={places['chaoyang'].pk}")
    assert response.context["page"].count == 26
    assert len(many) == len(few)


def test_detail_shows_timeline_and_staff_can_exclude(client, users, some):
    login(client, users["staff"])
    response = client.post(f"/hotline/tickets/{some[0].pk}/", {"excluded": "1", "reason": "无理诉求"})
    assert response.status_code == 302
    page = client.get(f"/hotline/tickets/{some[0].pk}/")
    labels = [s.label for s in page.context["steps"]]
    assert labels[0] in ("Received", "受理")
    assert labels[-1] == "excluded"
    assert [d.pk for d in page.context["duplicates"]] == [some[1].pk]
    login(client, users["unit"])
    assert client.post(f"/hotline/tickets/{some[1].pk}/", {"excluded": "1", "reason": "x"}).status_code == 403


def test_upload_page_to_job_page_and_report(client, users, places, django_capture_on_commit_callbacks):
    login(client, users["staff"])
    bad = client.post("/hotline/import/", {"file": SimpleUploadedFile("t.csv", b"x,y\n1,2\n")})
    assert bad.status_code == 200
    assert bad.context["form"].errors["file"]
    assert Job.objects.count() == 0
    lines = [",".join(GENERATED_HEADER),
             "A1,电话,投诉,公共服务,供暖,暖气不热,朝阳区,建外街道,,地址,2025-11-03 09:00:00,北京市热力集团有限责任公司,"
             "24小时,是,是,满意,否,,,,结案,摘要,内容",
             "A2,电话,,,,,,,,,2025-11-03 09:00:00,,,,,,,,,,,,"]
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/hotline/import/", {"file": SimpleUploadedFile("t.csv", "\n".join(lines).encode("gbk"))})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hotline/import/{job.pk}/"
    jobs.job_run(str(job.pk))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert (page.context["job"].result["imported"], page.context["job"].result["rejected"]) == (1, 1)
    assert client.get(response["Location"], HTTP_HX_REQUEST="true").templates[0].name == "hotline/_import_progress.html"
    report = client.get(f"/hotline/import/{job.pk}/report.csv")
    assert report.status_code == 200
    assert b"".join(report.streaming_content).decode("utf-8-sig").splitlines()[1].startswith("3,诉求类型,")
    login(client, users["member"])
    assert client.get(f"/hotline/import/{job.pk}/report.csv").status_code == 403


def _urls(items):
    return [c["url"] for i in items for c in (i.get("children") or [i])]


def test_navigation_and_dashboard(client, users, some):
    login(client, users["staff"])
    home = client.get("/")
    labels = _urls(home.context["nav_items"])
    assert "/hotline/tickets/" in labels and "/hotline/rates/" in labels
    cards = {c.label: c.value for c in home.context["dashboard"].cards}
    assert any(v == 3 for k, v in cards.items() if "12345" in str(k))
    login(client, users["member"])
    labels = _urls(client.get("/").context["nav_items"])
    assert "/hotline/tickets/" not in labels and "/hotline/rates/" in labels
    assert "/hotline/import/" not in labels


def test_editing_a_rule_set_in_admin_makes_a_new_version(client, users):
    from minsheng.core.tests.factories import UserFactory
    from minsheng.hotline.models import RateRuleSet

    admin = UserFactory(username="root", role="staff", is_staff=True, is_superuser=True)
    login(client, admin)
    base = RateRuleSet.objects.get()
    page = client.get(f"/admin/hotline/rateruleset/{base.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"weight_basic": "0.6", "assessed_kinds": "[]", "score_weights": '{"default": {"response": 0.2, '
                 '"resolution": 0.4, "satisfaction": 0.4}}', "active": "on", "dispatched_only": "on"})
    response = client.post(f"/admin/hotline/rateruleset/{base.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    versions = list(RateRuleSet.objects.order_by("version").values_list("version", "weight_basic"))
    assert [(v, str(w)) for v, w in versions] == [(1, "0.8000"), (2, "0.6000")]


def test_rates_page_is_cached_until_the_next_import(client, users, places):
    from minsheng.core.jobs import job_create
    from minsheng.core.models import Job

    TicketFactory(unit=users["unit_obj"], street=places["jianwai"], district=places["chaoyang"])
    login(client, users["staff"])
    assert client.get("/hotline/rates/?month=2025-11&by=street").context["rows"][0].total == 1
    TicketFactory(unit=users["unit_obj"], street=places["jianwai"], district=places["chaoyang"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/hotline/rates/?month=2025-11&by=street")
    assert page.context["rows"][0].total == 1  # served from the cache
    assert not any("COUNT" in q["sql"].upper() and "hotline_ticket" in q["sql"] for q in queries)
    job = job_create(kind="hotline.import", params={}, enqueue=False)
    from django.utils import timezone

    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now())
    assert client.get("/hotline/rates/?month=2025-11&by=street").context["rows"][0].total == 2


def test_rates_of_a_month_no_rule_set_covers_say_so_instead_of_failing(client, users):
    login(client, users["staff"])
    response = client.get("/hotline/rates/?month=2000-01&by=street")
    assert response.status_code == 200
    assert "2000-01" in response.content.decode()
    response = client.get("/hotline/rates/export.xlsx?month=2000-01&by=street")
    assert response.status_code == 302
