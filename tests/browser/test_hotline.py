"""Staff upload a small CSV of 12345 tickets through the page, wait for the import job, and read the rates."""

import pytest

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ("工单编号,渠道,诉求类型,一级分类,二级分类,三级分类,区,街乡镇,社区,地址,受理时间,承办单位,办理时限,按时响应,"
          "是否解决,满意度,不纳入考评,不纳入考评原因,重复工单组,七有五性,状态,摘要,诉求内容")


def _csv() -> bytes:
    lines = [HEADER]
    for i in range(24):
        street = "建外街道" if i % 2 else "三里屯街道"
        resolved, rating = ("是", "满意") if i % 5 else ("否", "不满意")
        lines.append(f"W{i:04d},电话,投诉,公共服务,供暖,暖气不热,朝阳区,{street},,朝阳区{street}某小区{i}号楼,"
                     f"2025-11-{1 + i:02d} 09:00:00,北京市热力集团有限责任公司,24小时,是,{resolved},{rating},否,,,"
                     f"住有所居,结案,供暖：暖气不热,来电人反映家中暖气不热。")
    # An unknown kind costs nothing: kept as 其他 with the file's word beside it.
    lines.append("W9998,电话,抱怨,,,,朝阳区,,,,2025-11-03 09:00:00,,,,,,,,,,,,")
    lines.append("W9999,电话,投诉,,,,朝阳区,,,,不是日期,,,,,,,,,,,,")  # rejected: no readable received time
    return "\r\n".join(lines).encode("gbk")


def test_upload_import_and_rates(browser, live_server, shots, tmp_path, settings):
    from django.core.cache import cache

    from minsheng.core.jobs import job_run
    from minsheng.core.models import Job
    from minsheng.core.tests.factories import UserFactory
    from minsheng.hotline.tests.factories import geo

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    geo()
    UserFactory(username="hotline-staff", role="staff", is_staff=True, password="pw-for-tests-1")
    upload = tmp_path / "12345-2025-11.csv"
    upload.write_bytes(_csv())

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "hotline-staff", "pw-for-tests-1")
    page.goto(live_server.url + "/hotline/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.screenshot(path=str(shots / "hotline-import.png"), full_page=True)
    page.click("[data-testid=import-submit]")
    page.wait_for_selector("[data-testid=job-progress]")
    assert "/hotline/import/" in page.url
    # No worker runs beside the live server: run the queued job here; the page polls and shows the result.
    job_run(str(Job.objects.get(kind="hotline.import").pk))
    page.wait_for_selector("[data-testid=job-progress][data-status=succeeded]", timeout=15_000)
    assert page.inner_text("[data-testid=imported]") == "25"
    assert page.inner_text("[data-testid=rejected]") == "1"
    assert page.locator("[data-testid=report-link]").count() == 1
    page.screenshot(path=str(shots / "hotline-import-done.png"), full_page=True)

    page.goto(live_server.url + "/hotline/rates/?month=2025-11&by=street")
    page.wait_for_selector("#trend[data-ready='1']")
    table = page.inner_text("[data-testid=rates-table]")
    assert "建外街道" in table and "三里屯街道" in table
    page.screenshot(path=str(shots / "hotline-rates.png"), full_page=True)
    page.goto(live_server.url + "/hotline/ranking/?month=2025-11")
    assert "三里屯街道" in page.inner_text("[data-testid=red-list-street]")
    page.screenshot(path=str(shots / "hotline-ranking.png"), full_page=True)
    context.close()

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "hotline-staff", "pw-for-tests-1")
    page.goto(live_server.url + "/hotline/tickets/?month=2025-11")
    assert page.inner_text("[data-testid=ticket-count]") == "25"
    page.screenshot(path=str(shots / "hotline-tickets-phone.png"), full_page=True)
    context.close()
