"""The proposal form: searchable selects, fields in error marked for the page, and after saving a message
that says what happens next (and submitting straight from the form)."""

from __future__ import annotations

import re

import pytest

from conftest import login
from minsheng.proposals.models import Proposal

from .factories import TEXT, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _messages(page: str) -> list[str]:
    return re.findall(r'<div class="alert alert-\w+" role="alert">([^<]*)</div>', page)


def test_the_form_offers_searchable_selects_and_loads_their_assets(client, world):
    login(client, world.first.user)
    page = client.get("/proposals/new/").content.decode()
    for name in ("suggested_units", "cosigners"):
        assert (f'<select name="{name}" data-searchable="" data-placeholder="输入名称中的几个字搜索" '
                f'data-no-results="没有匹配项" class="form-select" id="id_{name}" multiple>') in page
    assert '<link rel="stylesheet" href="/static/vendor/tom-select/tom-select.bootstrap5.min.css">' in page
    assert '<script src="/static/vendor/tom-select/tom-select.complete.min.js" defer></script>' in page
    assert f'<option value="{world.lead_unit.pk}">北京市民政局</option>' in page
    # No inline script or handler: the Content Security Policy allows neither.
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", page) == []
    assert re.findall(r"\son[a-z]+=", page) == []


def test_a_field_in_error_is_marked_and_nothing_is_saved(client, world):
    login(client, world.first.user)
    response = client.post("/proposals/new/", {**TEXT, "situation": "", "suggested_units": [world.lead_unit.pk]})
    page = response.content.decode()
    assert response.status_code == 200
    assert Proposal.objects.count() == 0
    assert ('<textarea name="situation" cols="40" rows="4" maxlength="8000" class="form-control is-invalid" required '
            'aria-invalid="true" aria-describedby="id_situation_error" id="id_situation">') in page
    assert '<div class="invalid-feedback d-block" id="id_situation_error" data-field-error>这个字段是必填项。</div>' in page
    assert page.count("data-field-error") == 1
    assert '<div class="mb-3" data-field="situation">' in page
    # What was filled in stays, the chosen unit included.
    assert f'<option value="{world.lead_unit.pk}" selected>北京市民政局</option>' in page


def test_a_draft_with_cosigners_says_they_must_confirm_first(client, world):
    login(client, world.first.user)
    response = client.post("/proposals/new/", {**TEXT, "cosigners": [world.cosigner.pk]}, follow=True)
    proposal = Proposal.objects.get()
    assert response.redirect_chain == [(f"/proposals/{proposal.pk}/", 302)]
    assert proposal.status == "draft"
    assert _messages(response.content.decode()) == ["草稿已保存。邀请的联名委员确认后即可提交。"]


def test_a_draft_without_cosigners_says_how_to_submit(client, world):
    login(client, world.first.user)
    response = client.post("/proposals/new/", TEXT, follow=True)
    assert Proposal.objects.get().status == "draft"
    assert _messages(response.content.decode()) == ["草稿已保存。确认无误后点击“提交”，提案即获得编号并进入初审。"]


def test_save_and_submit_gives_the_number_and_what_comes_next(client, world):
    login(client, world.first.user)
    response = client.post("/proposals/new/", {**TEXT, "then": "submit"}, follow=True)
    proposal = Proposal.objects.get()
    assert proposal.status == "submitted"
    assert proposal.number
    assert _messages(response.content.decode()) == [f"提案已提交，编号 {proposal.number}，等待初审；审查结果会通知您。"]


def test_save_and_submit_with_unconfirmed_cosigners_keeps_the_draft_and_says_why(client, world):
    login(client, world.first.user)
    response = client.post("/proposals/new/", {**TEXT, "cosigners": [world.cosigner.pk], "then": "submit"}, follow=True)
    proposal = Proposal.objects.get()
    assert proposal.status == "draft"
    assert proposal.serial is None
    assert _messages(response.content.decode()) == ["草稿已保存，但尚未提交：以下联名委员尚未确认：李秀英。"]


def test_editing_says_what_comes_next(client, world):
    login(client, world.first.user)
    client.post("/proposals/new/", TEXT, follow=True)
    proposal = Proposal.objects.get()
    response = client.post(f"/proposals/{proposal.pk}/edit/", {**TEXT, "title": "关于老旧小区加装电梯的提案"}, follow=True)
    assert _messages(response.content.decode()) == ["草稿已保存。确认无误后点击“提交”，提案即获得编号并进入初审。"]
    response = client.post(f"/proposals/{proposal.pk}/edit/", {**TEXT, "then": "submit"}, follow=True)
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    assert _messages(response.content.decode()) == [f"提案已提交，编号 {proposal.number}，等待初审；审查结果会通知您。"]
