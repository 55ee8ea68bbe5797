"""Chinese search through the segmented search column (SQLite FTS5 / PostgreSQL tsvector)."""

import pytest

from minsheng.core.models import Member, Unit
from minsheng.core.search import search, search_ids, search_index, search_rebuild, search_remove, search_terms
from minsheng.core.tests.factories import MemberFactory, SectorFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_search_terms_segment_and_normalise():
    terms = search_terms("北京市朝陽區望京街道")
    assert "朝阳" in terms.split() and "朝阳区" in terms.split() and "望京" in terms.split()
    assert search_terms("ＡＢＣ１２３") == "abc123"
    assert search_terms("") == ""


@pytest.fixture
def indexed():
    health = SectorFactory(name="医药卫生界")
    edu = SectorFactory(name="教育界")
    a = MemberFactory(name="王建华", sector=health, workplace="北京儿童医院主任医师")
    b = MemberFactory(name="刘思远", sector=edu, workplace="北京市第四中学校长")
    u = UnitFactory(name="北京市朝阳区人民政府")
    assert search_rebuild() == 3
    return a, b, u


def test_search_finds_by_words_inside_longer_names(indexed):
    a, b, u = indexed
    assert search_ids("儿童医院", model=Member) == [str(a.pk)]
    assert search_ids("中学", model=Member) == [str(b.pk)]
    assert search_ids("朝阳", model=Unit) == [str(u.pk)]
    assert sorted(search_ids("北京", model=Member)) == sorted([str(a.pk), str(b.pk)])


def test_search_accepts_traditional_and_needs_every_word(indexed):
    a, b, _ = indexed
    assert search_ids("兒童醫院", model=Member) == [str(a.pk)]
    assert search_ids("儿童 中学", model=Member) == []
    assert search_ids("!!!") == []


def test_index_update_and_remove(indexed):
    a, _, _ = indexed
    a.workplace = "北京大学教授"
    a.save()
    search_index(a)
    assert search_ids("儿童医院", model=Member) == []
    assert search_ids("北京大学", model=Member) == [str(a.pk)]
    search_remove(a)
    assert search_ids("北京大学", model=Member) == []


def test_mixed_search_returns_titles(indexed):
    _, _, u = indexed
    hits = search("朝阳区")
    assert [(h[1], h[2]) for h in hits] == [(str(u.pk), "北京市朝阳区人民政府")]
