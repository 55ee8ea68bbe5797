import numpy as np
import pytest

from minsheng.textmining.dedupe import Deduper

BASE = "A1区望月湖街道某小区地下车库长期积水，电梯也经常故障，物业收费却年年上涨，请有关部门督促整改。"


def test_near_duplicates_share_a_group_and_the_first_is_representative():
    texts = [BASE, "教育局关于学区划分的问题咨询，孩子明年入学。", BASE.replace("整改", "处理"), "Ａ１区" + BASE[3:]]
    result = Deduper(threshold=0.8).groups(texts)
    assert result.group.tolist() == [1, 2, 1, 1]
    assert result.representative.tolist() == [0, 1, 0, 0]
    assert result.n_groups == 2


def test_threshold_decides_whether_a_looser_copy_joins():
    looser = BASE[:30] + "另外小区绿化带被占用种菜，垃圾无人清理，夜间噪音扰民。"
    assert Deduper(threshold=0.9).groups([BASE, looser]).n_groups == 2
    assert Deduper(threshold=0.3).groups([BASE, looser]).n_groups == 1


def test_empty_texts_are_never_duplicates():
    assert Deduper().groups(["", "", BASE]).group.tolist() == [1, 2, 3]


def test_short_texts_match_only_when_equal_after_folding():
    assert Deduper().groups(["好", "好!", "坏"]).group.tolist() == [1, 1, 2]


def test_signatures_estimate_jaccard():
    deduper = Deduper(num_perm=256)
    signatures = deduper.signatures([BASE, BASE, "完全不同的一段文字，讲的是公交线路。"])
    assert np.array_equal(signatures[0], signatures[1])
    assert (signatures[0] == signatures[2]).mean() < 0.1


def test_invalid_threshold_is_refused():
    with pytest.raises(ValueError):
        Deduper(threshold=0.0)


def test_similarity_of_one_text_against_others():
    deduper = Deduper(num_perm=256)
    scores = deduper.similarity(BASE, [BASE, "Ａ１区" + BASE[3:], BASE[:30] + "另外小区绿化带被占用种菜。", "公交线路调整咨询。", ""])
    assert scores[0] == 1.0 and scores[1] >= 0.9
    assert 0.2 < scores[2] < 0.8
    assert scores[3] < 0.1 and scores[4] == 0.0
    assert deduper.similarity(BASE, []).shape == (0,)
