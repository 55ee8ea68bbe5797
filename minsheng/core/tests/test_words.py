"""Every word a person reads is Chinese and meant for them: job results as labelled lines, the 每月一题 progress
button, result categories by name, no pointer into the source tree, search hits that can be told apart, and
a back office without English labels."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from conftest import login
from minsheng.core import jobs
from minsheng.core.models import Job
from minsheng.core.search import highlight, highlight_words, search_rebuild, snippet
from minsheng.core.templatetags.jobs import RESULT_LINES, result_lines
from minsheng.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]")

# The result keys of each job kind, as its runner returns them.
KIND_KEYS = {
    "core.search_rebuild": {"indexed"},
    "core.notifications_digest": {"date", "digests", "items"},
    "hotline.import": {"rows", "imported", "skipped", "rejected", "report", "encoding"},
    "hotline.warm_caches": {"warmed"},
    "hotline.classify_missing": {"classified"},
    "proposals.check_deadlines": {"reminded", "overdue", "escalated"},
}


# --- job results ----------------------------------------------------------------------------------------


def test_a_job_result_reads_as_labelled_chinese_lines():
    with translation.override("zh-hans"):
        assert result_lines({"warmed": 8}) == ["预热缓存：8 项"]
        assert result_lines({"rows": 1200, "imported": 1150, "skipped": 30, "rejected": 20,
                             "report": "/var/media/hotline/import-reports/x.csv", "encoding": "GBK"}) == [
            "读取行数：1,200 行", "导入工单：1,150 件", "已存在而跳过：30 件", "拒收行数：20 行",
            "已生成错误报告，可在导入页面下载。", "文件编码：GBK"]
        assert result_lines({"rows": 3, "imported": 3, "skipped": 0, "rejected": 0, "report": ""}) == [
            "读取行数：3 行", "导入工单：3 件", "已存在而跳过：0 件", "拒收行数：0 行"]
        assert result_lines({"reminded": 2, "overdue": 1, "escalated": 1}) == [
            "发送到期提醒：2 条", "标记逾期：1 件", "上报机关督办：1 件"]
        assert result_lines({}) == []


def test_every_job_kind_has_a_line_for_each_result_key():
    assert set(KIND_KEYS) == {kind for kind, runner in jobs.REGISTRY.items() if ".tests." not in runner.__module__}
    keys = set().union(*KIND_KEYS.values()) - {"report"}  # the report is a sentence of its own
    assert keys <= set(RESULT_LINES)
    with translation.override("zh-hans"):
        for key in keys:
            assert CJK.search(result_lines({key: 1})[0]), key


def test_the_runners_return_those_keys():
    for kind in ("core.search_rebuild", "proposals.check_deadlines"):
        job = jobs.job_run(str(jobs.job_create(kind=kind, enqueue=False).pk))
        assert job.status == "succeeded"
        assert set(job.result) == KIND_KEYS[kind]


def test_the_job_page_shows_the_lines_not_the_dict(client):
    staff = UserFactory(username="staff", role="staff", is_staff=True)
    job = Job.objects.create(kind="hotline.warm_caches", title="12345统计预计算", status="succeeded",
                             result={"warmed": 8}, created_by=staff)
    login(client, staff)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert '<ul class="list-unstyled mb-2" data-testid="job-result"><li>预热缓存：8 项</li></ul>' in page
    assert "warmed" not in page


# --- words on the pages ---------------------------------------------------------------------------------


def test_the_progress_button_says_report_progress_not_denounce(client):
    from minsheng.supervision import services
    from minsheng.supervision.tests.factories import make_world

    w = make_world()
    services.list_item_create(actor=w.staff, problem=w.problem, kind="task", text="我的任务", owner=w.lead_unit)
    login(client, w.lead_handler)
    page = client.get("/supervision/desk/").content.decode()
    assert '<button class="btn btn-sm btn-primary">报告进展</button>' in page
    assert "举报" not in page


def test_the_candidates_page_explains_the_score_without_pointing_into_the_source(client):
    login(client, UserFactory(username="staff", role="staff", is_staff=True))
    page = client.get("/hotline/candidates/").content.decode()
    assert "得分（满分 100）= 100 ×（0.30 × 高频" in page
    assert "docs/" not in page


def test_result_categories_show_by_name_on_the_public_and_the_proposal_page(client):
    from minsheng.proposals import services
    from minsheng.proposals.models import ResultCategory
    from minsheng.proposals.tests.factories import filed_proposal, make_world

    world = make_world()
    proposal = filed_proposal(world)
    services.proposal_assign(actor=world.staff, proposal=proposal, mode="single", units=[world.lead_unit])
    handling = proposal.handlings.get()
    services.handling_sign(actor=world.lead_handler, handling=handling)
    services.handling_contact(actor=world.lead_handler, handling=handling, method="phone", contacted_on=dt.date(2026, 3, 5))
    services.handling_draft_reply(actor=world.lead_handler, handling=handling, category=ResultCategory.objects.get(code="A"),
                                  text="已解决")
    services.reply_review(actor=world.staff, handling=handling, approve=True)
    login(client, world.first.user)
    public = client.get(f"/proposals/public/{proposal.pk}/").content.decode()
    assert ('北京市民政局 · <span data-testid="reply-category">A类：所提问题已经解决或基本解决（采纳）</span>'
            in public)
    detail = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "A类：所提问题已经解决或基本解决（采纳）" in detail


# --- search ---------------------------------------------------------------------------------------------


def test_highlight_marks_the_words_and_escapes_everything_else():
    assert highlight('关于<b>养老</b>服务&"设施"', ["养老"]) == (
        "关于&lt;b&gt;<mark>养老</mark>&lt;/b&gt;服务&amp;&quot;设施&quot;")
    assert highlight("Beijing beijing", ["BEIJING"]) == "<mark>Beijing</mark> <mark>beijing</mark>"
    assert highlight("<i>无</i>", []) == "&lt;i&gt;无&lt;/i&gt;"
    assert highlight_words("老旧小区加装电梯") == ["老旧小区加装电梯", "老旧", "小区", "加装", "电梯"]
    assert highlight_words("的") == ["的"]


def test_snippet_is_cut_around_the_first_match():
    text = "甲" * 100 + "加装电梯" + "乙" * 200
    assert snippet(text, ["电梯"], before=5, width=12) == "…甲甲甲加装<mark>电梯</mark>乙乙乙乙乙…"
    assert snippet("短文  无匹配", ["电梯"]) == "短文 无匹配"


def _search_world(n: int):
    from minsheng.proposals.tests.factories import filed_proposal, make_world

    world = make_world()
    for _ in range(n):
        filed_proposal(world)
    search_rebuild()
    return world


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_search_hits_with_the_same_title_show_what_tells_them_apart(client):
    from minsheng.proposals.models import Proposal

    world = _search_world(3)
    login(client, world.staff)
    page = client.get("/search/?q=电梯").content.decode()
    hits = page.split('data-testid="search-hit"')[1:]
    numbers = sorted(re.search(r'data-testid="hit-number">([^<]+)<', h).group(1) for h in hits)
    assert numbers == sorted(p.number for p in Proposal.objects.all())
    assert len(set(numbers)) == 3
    for hit in hits:
        assert '<span class="badge text-bg-light border" data-testid="hit-kind">提案</span>' in hit
        assert '<span class="badge text-bg-secondary" data-testid="hit-status">已立案</span>' in hit
        assert f'<span data-testid="hit-date">{timezone.localdate():%Y-%m-%d}</span>' in hit
        assert "关于加快老旧小区加装<mark>电梯</mark>的提案" in hit
        assert "多层住宅没有<mark>电梯</mark>" in hit


def test_search_page_queries_do_not_grow_with_the_hits(client):
    from minsheng.proposals.tests.factories import filed_proposal

    world = _search_world(2)
    login(client, world.staff)
    url = "/search/?q=电梯"
    small = _count(client, url)
    for _ in range(8):
        filed_proposal(world)
    assert client.get(url).content.decode().count('data-testid="search-hit"') == 10
    assert _count(client, url) == small


# --- the back office --------------------------------------------------------------------------------------

PROPER_NAMES = {"ID"}


def _admin_models():
    """Every model the back office shows: registered ones, and those of their inlines (without the foreign
    key to the parent, which an inline hides)."""
    shown: dict[type, set[str]] = {}
    for model, model_admin in admin.site._registry.items():
        shown.setdefault(model, set())
        for inline in model_admin.inlines:
            hidden = {f.name for f in inline.model._meta.concrete_fields if f.many_to_one and f.related_model is model}
            shown.setdefault(inline.model, set()).update(hidden)
    return shown


def _labels(model, hidden: set[str]) -> list:
    meta = model._meta
    fields = [f for f in [*meta.concrete_fields, *meta.many_to_many] if f.name not in hidden and not f.primary_key]
    return [meta.verbose_name, meta.verbose_name_plural, meta.app_config.verbose_name,
            *(f.verbose_name for f in fields)]


def test_every_back_office_label_is_chinese():
    english = {}
    with translation.override("zh-hans"):
        for model, hidden in _admin_models().items():
            left = [str(label) for label in _labels(model, hidden)
                    if not CJK.search(str(label)) and str(label) not in PROPER_NAMES]
            if left:
                english[model._meta.label] = left
    assert english == {}


def _text_nodes(page: str) -> set[str]:
    page = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", page)
    return {html.unescape(t).strip().rstrip(":：").strip() for t in re.findall(r">([^<]+)<", page)}


def test_back_office_pages_show_no_english_label(client):
    root = UserFactory(username="root", role="staff", is_staff=True, is_superuser=True)
    login(client, root)
    with translation.override("en"):
        english = {str(x) for model, hidden in _admin_models().items() for label in _labels(model, hidden)
                   for x in (label, capfirst(label)) if str(label) not in PROPER_NAMES}
    request = type("Request", (), {"user": root})()
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    left = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        found = _text_nodes(response.content.decode()) & english
        if found:
            left[url] = sorted(found)
    assert left == {}
