"""In the browser: the Content Security Policy is satisfied by every main page (no violation, no console
error), and the API docs render their operations from the platform's own files, with no outside request."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from minsheng.core.demo import DEMO_PASSWORD

from .conftest import DESKTOP, sign_in
from .test_foundation import demo_world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/proposals/", "/proposals/statistics/", "/hotline/rates/", "/hotline/tickets/", "/supervision/",
         "/members/", "/search/?q=养老", "/jobs/", "/admin/", "/admin/core/user/"]


def _watch(page) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and not r.url.startswith(("data:", "blob:"))
            else None)
    # Violations are reported to the page as events as well as on the console.
    page.add_init_script("""document.addEventListener('securitypolicyviolation', e =>
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));""")
    return problems, outside


def test_main_pages_satisfy_the_csp(browser, live_server, demo_world):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    problems, outside = _watch(page)
    sign_in(page, live_server.url, "admin", DEMO_PASSWORD)
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        # The nonce is named only on pages whose inline scripts use it.
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    # The charts drew (their inline scripts ran under the nonce).
    page.goto(live_server.url + "/proposals/statistics/")
    page.wait_for_selector("#chart-status canvas")
    # The year select submits itself (a listener in minsheng.js, not an inline handler).
    page.goto(live_server.url + "/supervision/")
    assert problems == []
    assert outside == []
    context.close()


def test_api_docs_render_offline(browser, live_server, demo_world):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    problems, outside = _watch(page)
    sign_in(page, live_server.url, "staff", DEMO_PASSWORD)
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() >= 80
    assert "Minsheng API" in page.inner_text(".info")
    assert outside == []
    assert problems == []
    context.close()
