"""The screening evaluation's cap × threshold grid (``tools.textmining.screen_eval``)."""

from __future__ import annotations

import numpy as np
import pytest

from minsheng.textmining import spam
from tools.textmining import screen_eval


def _fold(y, sms, legit, seed):
    return {"y": np.array(y, dtype=bool), "sms": sms, "legit": legit, "seed": seed}


def test_grid_rows_count_f1_false_positives_and_seed_verdicts_per_cap_and_threshold():
    a = np.array
    folds = [
        _fold(
            [1, 1, 0, 0],
            {0.0: a([0.9, 0.45, 0.3, 0.1]), 1.0: a([0.9, 0.55, 0.52, 0.1])},
            {0.0: a([0.1, 0.2]), 1.0: a([0.6, 0.2])},
            # three body lines, then the two spam lines
            {0.0: a([0.1, 0.2, 0.3, 0.95, 0.95]), 1.0: a([0.1, 0.55, 0.3, 0.95, 0.4])},
        ),
        _fold(
            [1, 0],
            {0.0: a([0.6, 0.1]), 1.0: a([0.6, 0.7])},
            {0.0: a([0.0, 0.0]), 1.0: a([0.51, 0.52])},
            {0.0: a([0.1, 0.1, 0.1, 0.9, 0.9]), 1.0: a([0.1, 0.1, 0.1, 0.9, 0.9])},
        ),
    ]
    rows = screen_eval.grid_rows(folds, (0.0, 1.0), (0.5,))
    assert rows == [
        # cap 0: fold 1 one hit of two spam, no false alarm (F1 2/3); fold 2 perfect (1)
        {"cap": 0.0, "threshold": 0.5, "f1_mean": round((2 / 3 + 1) / 2, 4), "fp_max": 0, "seed_wrong": 0},
        # cap 1: fold 1 both spam and one ham flagged (F1 0.8); fold 2 F1 2/3; one body line
        # flagged and one spam line missed in fold 1
        {"cap": 1.0, "threshold": 0.5, "f1_mean": round((0.8 + 2 / 3) / 2, 4), "fp_max": 2, "seed_wrong": 2},
    ]
    lower = screen_eval.grid_rows(folds, (0.0,), (0.4,))
    assert lower == [{"cap": 0.0, "threshold": 0.4, "f1_mean": 1.0, "fp_max": 0, "seed_wrong": 0}]


def test_scores_by_cap_rescores_the_same_model_with_each_cap_and_leaves_it_unchanged():
    texts = [
        "五一特惠，全场5折起，进店即送精美礼品，回复TD退订【某某商城】",
        "兼职刷单，日赚300元，加微信abc123456了解详情",
        "急用钱，找宜信。无抵押，无担保，信用贷款。咨询电话：18657495775【杜经理】",
        "新楼盘开盘特价，首付5万起，户型95-130平，VIP热线0731-88889999",
    ] * 60 + [
        "晚上一起吃饭吗？我六点下班",
        "您尾号7544卡11日11:03ATM支出2,000元，手续费2元。【工商银行】",
        "孩子今年上小学，划片学校说学位已满，教育局能否统筹解决？",
        "明天的会改到下午三点，记得带上材料",
    ] * 60
    labels = [1] * 240 + [0] * 240
    model = spam.train_spam(texts, labels, second_level=True)
    probe = ["全场5折起，回复TD退订", "明天下午三点开会", "加微信了解详情，日赚300元"]
    by_cap = screen_eval._scores_by_cap(model, probe, (0.0, model.cap, 5.0))
    assert model.cap == 0.5
    kept = np.array([v.score for v in spam.screen_many(probe, model)])
    assert np.array_equal(by_cap[model.cap], kept)
    # A higher cap can only let the trees raise a score, never lower it.
    assert np.all(by_cap[0.0] <= by_cap[model.cap])
    assert np.all(by_cap[model.cap] <= by_cap[5.0])
    # and on this model it does: the advert's score moves with the cap (0.75 / 0.80 / 0.94)
    assert by_cap[0.0][0] < by_cap[model.cap][0] < by_cap[5.0][0]


def test_grid_is_refused_outside_cross_validation(capsys):
    with pytest.raises(SystemExit) as exited:
        screen_eval.main(["spam", "--grid"])
    assert exited.value.code == 2
    assert "--grid works with spam-cv only, not with spam" in capsys.readouterr().err
