"""In the browser: the proposal form's searchable selects, a field's error going once it is corrected, the
next-step message after saving; search hits that can be told apart, with the match marked; no console error
and no Content Security Policy violation on the way."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count

from minsheng.core.demo import DEMO_PASSWORD
from minsheng.core.models import Member, Term, Unit, User
from minsheng.proposals import services
from minsheng.proposals.models import Proposal

from .conftest import DESKTOP, sign_in
from .test_foundation import demo_world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.add_init_script("""document.addEventListener('securitypolicyviolation', e =>
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));""")
    return problems


def _pick(page, select_id: str, typed: str, option: str) -> None:
    """Type part of a name into a searchable select and click the option named `option`."""
    page.click(f"#{select_id}-ts-control")
    page.keyboard.type(typed)
    # The typed part is wrapped in <span class="highlight">, so the option is found by its whole text.
    page.locator(f"#{select_id}-ts-dropdown .option").filter(has_text=re.compile(f"^{re.escape(option)}$")).click()
    page.click("main h1")  # the user moves on: the list closes


def _chosen(page, select_id: str) -> list[str]:
    return page.eval_on_selector(f"#{select_id}", "s => [...s.selectedOptions].map(o => o.textContent)")


def test_form_with_searchable_selects_errors_that_clear_and_the_next_step(browser, live_server, demo_world, shots):  # noqa: F811
    unique = Member.objects.filter(status="active").exclude(user__username="member").values("name").annotate(
        n=Count("id")).filter(n=1).order_by("name")
    cosigner = unique[0]["name"]
    assert Unit.objects.filter(name="北京市民政局", active=True).exists()
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    problems = _watch(page)
    sign_in(page, live_server.url, "member", DEMO_PASSWORD)
    page.goto(live_server.url + "/proposals/new/")
    page.wait_for_selector("#id_suggested_units-ts-control")
    page.fill("#id_title", "关于完善社区养老驿站运营补贴的提案")
    page.fill("#id_analysis", "补贴标准不一，驿站运营成本高。")
    page.fill("#id_suggestions", "一、统一补贴标准；二、按服务人次补贴。")
    _pick(page, "id_suggested_units", "民政", "北京市民政局")
    _pick(page, "id_cosigners", cosigner, cosigner)
    assert _chosen(page, "id_suggested_units") == ["北京市民政局"]
    assert _chosen(page, "id_cosigners") == [cosigner]

    # The situation is missing: the page comes back with the error, what was chosen still chosen.
    with page.expect_navigation():
        page.click("[data-testid=proposal-form] button[type=submit]:not([name])")
    error = page.locator("[data-field=situation] [data-field-error]")
    assert error.inner_text() == "这个字段是必填项。"
    assert "is-invalid" in page.get_attribute("#id_situation", "class")
    assert _chosen(page, "id_suggested_units") == ["北京市民政局"]
    assert _chosen(page, "id_cosigners") == [cosigner]
    assert Proposal.objects.count() == 0
    page.screenshot(path=str(shots / "proposal-form-error-desktop.png"), full_page=True)

    # Correcting the field takes the error away at once, before saving.
    page.fill("#id_situation", "全市养老驿站一千余家，部分因补贴不足停业。")
    assert error.count() == 0
    assert "is-invalid" not in page.get_attribute("#id_situation", "class")
    assert page.get_attribute("#id_situation", "aria-invalid") is None

    with page.expect_navigation():
        page.click("[data-testid=proposal-form] button[type=submit]:not([name])")
    assert page.inner_text("main .alert-success") == "草稿已保存。邀请的联名委员确认后即可提交。"
    proposal = Proposal.objects.get()
    assert [u.name for u in proposal.suggested_units.all()] == ["北京市民政局"]
    assert [p.member.name for p in proposal.proposers.filter(is_first=False)] == [cosigner]
    page.screenshot(path=str(shots / "proposal-saved-desktop.png"), full_page=True)
    assert problems == []


def test_search_hits_are_told_apart_and_the_match_is_marked(browser, live_server, demo_world, shots):  # noqa: F811
    member = User.objects.get(username="member").member
    term = Term.objects.order_by("-number").first()
    numbers = []
    for _ in range(2):
        proposal = services.proposal_create(actor=member.user, term=term, title="关于完善社区养老驿站服务的提案",
                                            situation="养老驿站覆盖不足。", analysis="运营成本高。", suggestions="加大补贴。")
        numbers.append(services.proposal_submit(actor=member.user, proposal=proposal).number)
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    problems = _watch(page)
    sign_in(page, live_server.url, "member", DEMO_PASSWORD)
    page.goto(live_server.url + "/search/?q=养老驿站")
    hits = page.locator("[data-testid=search-hit][data-type=proposal]")
    assert hits.count() == 2
    assert sorted(hits.locator("[data-testid=hit-number]").all_inner_texts()) == sorted(numbers)
    assert hits.locator("[data-testid=hit-status]").all_inner_texts() == ["已提交", "已提交"]
    assert hits.locator("[data-testid=hit-kind]").all_inner_texts() == ["提案", "提案"]
    assert hits.nth(0).locator("a mark").all_inner_texts() == ["养老驿站"]
    assert hits.nth(0).locator("[data-testid=hit-snippet] mark").all_inner_texts() == ["养老驿站"]
    page.screenshot(path=str(shots / "search-hits-desktop.png"), full_page=True)
    assert problems == []
