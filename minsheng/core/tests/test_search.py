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


def test_title_bigrams_are_indexed_beside_the_words():
    from minsheng.core.search import entry_terms, title_grams

    assert title_grams("老旧小区改造") == ["老旧", "旧小", "小区", "区改", "改造"]
    assert title_grams("5G 基站、ＡＢ") == ["5g", "基站", "ab"]
    assert title_grams("水") == []
    terms = entry_terms("老旧小区改造", "加装电梯").split()
    assert {"老旧", "小区", "改造", "旧小", "区改", "电梯"} <= set(terms) and len(terms) == len(set(terms))


def test_title_contains_is_found_through_the_index(indexed):
    from minsheng.core.search import search_filter

    _, _, u = indexed
    other = UnitFactory(name="政府人民区阳")  # some of the query's bigrams, not all, and not as one run
    search_index(other)
    for flag in (False, True):
        assert list(Unit.objects.filter(search_filter("阳区人民", Unit, or_title_contains=flag)).values_list("pk", flat=True)) == [u.pk]
    # One character: no bigram, every title is compared.
    assert sorted(Unit.objects.filter(search_filter("阳", Unit, or_title_contains=True)).values_list("pk", flat=True)) == sorted([u.pk, other.pk])
    # LIKE's wildcards in the query are taken literally.
    ab = UnitFactory(name="甲乙ab")
    search_index(ab)
    assert list(Unit.objects.filter(search_filter("a%b", Unit, or_title_contains=True)).values_list("pk", flat=True)) == []
    assert list(Unit.objects.filter(search_filter("乙a", Unit, or_title_contains=True)).values_list("pk", flat=True)) == [ab.pk]
    assert list(Unit.objects.filter(search_filter("", Unit, or_title_contains=True))) == []
