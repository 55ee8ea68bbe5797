"""Spam rules, the spam and offensive models, moderation decisions (``minsheng.textmining.spam``)."""

from __future__ import annotations

import csv
import json
import os
import random
from pathlib import Path

import numpy as np
import pytest

from minsheng.textmining import spam

REPO_ROOT = Path(__file__).resolve().parents[3]
SEO_PORN = (
    "久草日韩精品暖暖的在线视频,精品国产综合色在线,极品少妇粉嫩小泬精品视频,青青热久免费精品视频在线播放"
)
SEO_PORN_2 = (
    "亚洲欧美一区二区不卡精品 | 好吊妞在线免费观看 | 婷婷色高清在线观看 | 亚洲国产日韩一级精品视频网站"
)
GAMBLING = "澳门葡京娱乐城|百家乐真人视讯|注册送彩金|首存返水|时时彩投注平台"
CITIZEN = "A3区东方红路嘉顺苑超市后面有老虎机，很多人在赌博，请公安部门依法查处。"
CITIZEN_PHONE = "我家小区路灯坏了一个月，物业电话13812345678一直没人接，请尽快维修，谢谢。"

SPAM_TEXTS = [
    "急用钱，找宜信。无抵押，无担保，信用贷款。资料简单，2~3天放款。咨询电话：18657495775【杜经理】",
    "本公司常年代开各种正规机打发票，税点低，保真，详情请致电13811112222，打扰请见谅！",
    "五一特惠，全场5折起，进店即送精美礼品，回复TD退订【某某商城】",
    "兼职刷单，日赚300元，加微信abc123456了解详情",
    "恭喜您中奖了！请登录 http://win-prize.cn 领取iPhone，详询4008001234",
    "新楼盘开盘特价，首付5万起，户型95-130平，VIP热线0731-88889999",
]
HAM_TEXTS = [
    "您尾号7544卡11日11:03ATM支出2,000元，手续费2元。【工商银行】",
    "晚上一起吃饭吗？我六点下班",
    "A2区桂花坪街道小区停车收费不合理，业委会没有开业主大会就定了方案，请住建局调查。",
    "孩子今年上小学，划片学校说学位已满，教育局能否统筹解决？",
    "小区旁边工地夜间施工噪音太大，十二点还在打桩，严重影响休息。",
    "公积金贷款审批太慢，已经两个月了，请问什么原因？",
]


def test_rules_catch_the_seed_spam_lines():
    hits = spam.rule_hits(SEO_PORN)
    assert hits[0].rule == "seo_porn"
    assert hits[0].score == 0.95
    assert spam.screen(SEO_PORN_2).spam is True
    assert "pornographic SEO terms" in spam.screen(SEO_PORN_2).reason


def test_rules_catch_gambling_keyword_stuffing():
    verdict = spam.screen(GAMBLING)
    assert verdict.spam is True
    assert verdict.reason.startswith("gambling SEO terms")


def test_rules_pass_a_citizen_reporting_gambling_and_one_giving_a_phone():
    assert spam.rule_hits(CITIZEN) == []
    assert spam.screen(CITIZEN).spam is False
    assert spam.screen(CITIZEN_PHONE).spam is False


def test_contact_lure_needs_a_contact_and_a_lure_phrase():
    lure = spam.rule_hits("代开发票，税点低，联系13811112222")
    assert [h.rule for h in lure] == ["contact_lure"]
    assert lure[0].score == 0.9
    assert spam.rule_hits("代开发票是违法的，请税务局查处") == []


def test_adding_an_official_account_named_in_quotes_is_not_a_lure():
    # An insurer's notice (labelled not spam in the SMS data; the rule flagged it at 0.9).
    notice = "已安排定损员为您服务，电话18910755836，添加微信“平安产险”为好友，随时查询案件进展。【中国平安】"
    assert spam.rule_hits(notice) == []
    assert spam.rule_hits("请加微信公众号「A市发布」了解，咨询电话0731-88889999") == []
    # An id, quoted or not, or no name at all is still the lure it was.
    for lure in ("兼职日结，加微信“xy12345”详聊 13812345678", "加微信 13812345678 详聊", "加微信abc123456了解详情"):
        assert [(h.rule, h.score) for h in spam.rule_hits(lure)] == [("contact_lure", 0.9)], lure


def test_an_opt_out_formula_is_an_advertising_word_not_a_lure():
    notice = spam.rule_hits("【顺丰速运】您有快件预计2小时内派送，如需更改请电13810785987。退订回复CC")
    assert [(h.rule, h.score) for h in notice] == []  # one advertising word: not even a reason
    advert = spam.rule_hits("五一特惠全场5折，详询13810785987，回复TD退订")
    assert [(h.rule, h.score) for h in advert] == [("contact_lure", 0.3)]
    assert "回复td" in advert[0].reason


def test_link_farm_needs_links_to_be_most_of_the_text():
    farm = "http://a1.cn http://b2.cn http://c3.cn 看看"
    assert spam.rule_hits(farm)[0].rule == "link_farm"
    long_citizen = (
        "建议参考外地做法："
        + "，".join(["详见https://baidu.com/"] * 3)
        + "。"
        + "我市应当加快轨道交通规划建设。" * 10
    )
    assert spam.rule_hits(long_citizen) == []


def test_empty_and_non_text_input_is_not_spam():
    assert spam.screen("").spam is False
    assert spam.screen_many([None, ""])[0].score == 0.0  # type: ignore[list-item]


@pytest.fixture(scope="module")
def small_model() -> spam.SpamModel:
    texts = SPAM_TEXTS * 3 + HAM_TEXTS * 3
    labels = [1] * len(SPAM_TEXTS) * 3 + [0] * len(HAM_TEXTS) * 3
    return spam.train_spam(texts, labels, legitimate=[CITIZEN, CITIZEN_PHONE])


def test_model_scores_spam_above_ham(small_model):
    spam_scores = small_model.score(SPAM_TEXTS)
    ham_scores = small_model.score(HAM_TEXTS)
    assert spam_scores.min() > ham_scores.max()


def test_short_texts_are_shrunk_towards_the_prior(small_model):
    assert small_model.score(["薛海春"])[0] < 0.3


def test_model_round_trips_without_pickle(small_model, tmp_path):
    small_model.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "spam"
    assert meta["engine_version"].split(".")[0] == "1"
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["coef_index", "coef_value", "idf_index", "idf_value"]
    loaded = spam.load_spam_model(tmp_path / "m")
    assert np.allclose(loaded.score(SPAM_TEXTS), small_model.score(SPAM_TEXTS))


def test_model_from_another_major_version_is_refused(small_model, tmp_path):
    small_model.save(tmp_path / "m")
    path = tmp_path / "m" / "model.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["engine_version"] = "2.0"
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(spam.ModelFormatError, match="engine version 2.0"):
        spam.load_spam_model(tmp_path / "m")


def test_offensive_model_is_not_loaded_as_spam(tmp_path):
    model = spam.train_offensive(
        ["你真是个废物垃圾", "今天天气不错", "滚出去蠢货", "谢谢你的帮助"], [1, 0, 1, 0]
    )
    model.save(tmp_path / "off")
    with pytest.raises(spam.ModelFormatError, match="'offensive' model"):
        spam.load_spam_model(tmp_path / "off")
    assert spam.load_offensive_model(tmp_path / "off").kind == "offensive"


def test_screen_combines_rules_and_model(small_model):
    verdict = spam.screen(SEO_PORN, small_model)
    assert verdict.spam is True
    assert verdict.rule_score == 0.95
    assert verdict.model_score is not None


def test_append_decision_writes_a_training_file(tmp_path):
    path = tmp_path / "decisions.csv"
    spam.append_decision(path, "加微信领红包", spam=True)
    spam.append_decision(path, "路灯坏了请修理", spam=False)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["label", "text"], ["1", "加微信领红包"], ["0", "路灯坏了请修理"]]


# --- shared data (skipped when absent) ---------------------------------------------------------


@pytest.fixture(scope="module")
def screening_data() -> Path:
    path = Path(os.environ.get("MINSHENG_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not (path / "spam" / "sms_train.csv").is_file():
        pytest.skip(f"shared data not found at {path} (set MINSHENG_SHARED_DATA)")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.shared_data
def test_shared_sms_and_citizen_messages_on_a_split(screening_data):
    rng = random.Random(3)
    sms = _rows(screening_data / "spam" / "sms_train.csv")
    rng.shuffle(sms)
    legit = [
        f"{r['subject']} {r['detail']}" for r in _rows(screening_data / "messages" / "hot_issue_messages.csv")
    ]
    rng.shuffle(legit)
    train, test = sms[:2000], sms[2000:3000]
    model = spam.train_spam(
        [r["text"] for r in train], [int(r["label"]) for r in train], legitimate=legit[:1500]
    )
    y = np.array([r["label"] == "1" for r in test])
    pred = np.array([v.spam for v in spam.screen_many([r["text"] for r in test], model)])
    tp, fp, fn = int((y & pred).sum()), int((~y & pred).sum()), int((y & ~pred).sum())
    assert 2 * tp / (2 * tp + fp + fn) >= 0.92
    false_positive = np.mean([v.spam for v in spam.screen_many(legit[1500:3000], model)])
    assert false_positive <= 0.005
    seed = [
        ln.strip()
        for p in sorted((screening_data.parent / "seed").glob("*.txt"))
        for ln in p.read_text(encoding="utf-8").splitlines()
        if ln.strip()
    ]
    if seed:
        verdicts = spam.screen_many(seed, model)
        assert [v.spam for v in verdicts[-2:]] == [True, True]
        assert not any(v.spam for v in verdicts[:-2])


# --- feature configuration -----------------------------------------------------------------------


def test_models_record_their_character_ngram_size(small_model, tmp_path):
    assert small_model.char_ngrams == 3
    assert small_model.metrics == {
        "loss": "logistic",
        "c": 16.0,
        "nb_scale": True,
        "legitimate_weight": 0.3,
        "second_level": None,  # 18 labelled texts: too few for the trees
    }
    small_model.save(tmp_path / "m")
    path = tmp_path / "m" / "model.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["char_ngrams"] == 3
    del meta["char_ngrams"]  # written before the size was recorded: 1–3-grams
    path.write_text(json.dumps(meta), encoding="utf-8")
    assert spam.load_spam_model(tmp_path / "m").char_ngrams == 3
    meta["char_ngrams"] = 4
    path.write_text(json.dumps(meta), encoding="utf-8")
    four = spam.load_spam_model(tmp_path / "m")
    assert four.char_ngrams == 4
    assert not np.allclose(four.score(SPAM_TEXTS), small_model.score(SPAM_TEXTS))
    meta["char_ngrams"] = "many"
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(spam.ModelFormatError, match="char_ngrams"):
        spam.load_spam_model(tmp_path / "m")


def test_models_record_whether_they_use_raw_ngrams(small_model, tmp_path):
    from minsheng.textmining.spam_linear import featurize

    assert small_model.raw_ngrams is True
    # Prepared text collapses digit runs and widths; the raw n-grams keep them apart.
    one, two = "请拨打10086查询", "请拨打12345查询"
    assert (featurize([one], raw_ngrams=False) != featurize([two], raw_ngrams=False)).nnz == 0
    assert (featurize([one]) != featurize([two])).nnz > 0
    small_model.save(tmp_path / "m")
    path = tmp_path / "m" / "model.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["raw_ngrams"] is True
    del meta["raw_ngrams"], meta["requires"]  # written before raw n-grams: prepared text only
    path.write_text(json.dumps(meta), encoding="utf-8")
    legacy = spam.load_spam_model(tmp_path / "m")
    assert legacy.raw_ngrams is False
    assert not np.allclose(legacy.score(SPAM_TEXTS), small_model.score(SPAM_TEXTS))
    meta["raw_ngrams"] = "yes"
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(spam.ModelFormatError, match="raw_ngrams 'yes' is not true or false"):
        spam.load_spam_model(tmp_path / "m")


def test_legitimate_texts_weigh_what_they_are_given():
    texts = SPAM_TEXTS * 3 + HAM_TEXTS * 3
    labels = [1] * len(SPAM_TEXTS) * 3 + [0] * len(HAM_TEXTS) * 3
    light = spam.train_spam(texts, labels, legitimate=[CITIZEN_PHONE], legitimate_weight=0.1)
    full = spam.train_spam(texts, labels, legitimate=[CITIZEN_PHONE], legitimate_weight=1.0)
    assert full.metrics["legitimate_weight"] == 1.0
    assert full.score([CITIZEN_PHONE])[0] < light.score([CITIZEN_PHONE])[0]
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="legitimate_weight must be in"):
            spam.train_spam(texts, labels, legitimate=[CITIZEN_PHONE], legitimate_weight=bad)


def test_fit_on_counts_equals_fit_on_texts():
    from minsheng.textmining.spam_linear import LinearTextModel, featurize

    texts = SPAM_TEXTS + HAM_TEXTS
    labels = [1] * len(SPAM_TEXTS) + [0] * len(HAM_TEXTS)
    a = LinearTextModel.train(texts, labels, kind="spam")
    b = LinearTextModel.fit_counts(featurize(texts), labels, kind="spam")
    assert np.allclose(a.margins(texts), b.margin_counts(featurize(texts)))
    assert np.allclose(a.score(texts), 1 / (1 + np.exp(-a.margins(texts))))


def test_naive_bayes_ratios_are_the_weighted_log_count_ratios():
    from scipy import sparse

    from minsheng.textmining.spam_linear import nb_ratios

    # Rows: two spam, one not spam weighing 0.5. Column 0 in both spam rows (counted twice in
    # one: presence, not count), column 1 in the first spam row and the other row, column 2 in
    # the other row only, column 3 nowhere.
    counts = sparse.csr_matrix(np.array([[2, 1, 0, 0], [1, 0, 0, 0], [0, 3, 1, 0]], dtype=np.float32))
    r = nb_ratios(counts, np.array([1, 1, 0]), np.array([1.0, 1.0, 0.5]))
    p, q = np.array([2.0, 1.0, 0.0, 0.0]), np.array([0.0, 0.5, 0.5, 0.0])  # sums 3 and 1
    assert r == pytest.approx(np.log(p / 3 + 1 / 4) - np.log(q / 1 + 1 / 4))
    assert r[0] > 0 > r[2]
    assert r[3] == 0.0  # in no row: no evidence either way, whatever the labels' sizes
    unweighted = nb_ratios(counts, np.array([1, 1, 0]))
    assert unweighted == pytest.approx(np.log(p / 3 + 1 / 5) - np.log(np.array([0, 1, 1, 0]) / 2 + 1 / 5))
    assert nb_ratios(counts, np.array([1, 1, 0]), alpha=0.5)[1] == pytest.approx(
        np.log(1 / 3 + 0.5 / 5) - np.log(1 / 2 + 0.5 / 5)
    )
    with pytest.raises(ValueError, match="no feature occurs in a row of label 0 with a positive weight"):
        nb_ratios(counts, np.array([1, 1, 0]), np.array([1.0, 1.0, 0.0]))


def test_naive_bayes_scaling_is_folded_into_the_stored_coefficients():
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from minsheng.textmining.spam_linear import LinearTextModel, _weigh, featurize, nb_ratios

    texts = SPAM_TEXTS + HAM_TEXTS + [CITIZEN_PHONE]
    labels = np.array([1] * len(SPAM_TEXTS) + [0] * len(HAM_TEXTS) + [0])
    weights = np.array([1.0] * (len(texts) - 1) + [0.3])
    counts = featurize(texts)
    scaled = LinearTextModel.fit_counts(counts, labels, kind="spam", c=16.0, weights=weights, nb_scale=True)
    plain = LinearTextModel.fit_counts(counts, labels, kind="spam", c=16.0, weights=weights)
    # The same regression fitted by hand on the rows scaled by the weighted ratios scores
    # exactly as the stored model.
    x = _weigh(counts, scaled.idf)
    used = np.unique(x.indices)
    r = nb_ratios(counts, labels, weights)[used].astype(np.float32)
    by_hand = LogisticRegression(C=16.0, max_iter=3000).fit(
        x[:, used] @ sparse.diags(r), labels, sample_weight=weights
    )
    assert not np.allclose(r, nb_ratios(counts, labels)[used])  # the weights count
    unseen = ["全场特惠，回复TD退订【商城】", "楼道灯坏了，请物业维修"]
    for probe in (texts, unseen):
        rows = _weigh(featurize(probe), scaled.idf)[:, used] @ sparse.diags(r)
        assert scaled.margins(probe) == pytest.approx(by_hand.decision_function(rows), abs=1e-4)
    # Only the coefficients differ, on the same columns.
    assert np.array_equal(scaled.idf, plain.idf)
    assert not np.allclose(scaled.coef, plain.coef)
    assert set(np.flatnonzero(scaled.coef)) <= set(np.flatnonzero(plain.coef))


def test_the_spam_model_is_trained_on_scaled_rows_unless_told_not_to():
    from minsheng.textmining.spam_linear import featurize

    texts, legit = SPAM_TEXTS + HAM_TEXTS, [CITIZEN, CITIZEN_PHONE]
    labels = [1] * len(SPAM_TEXTS) + [0] * len(HAM_TEXTS)
    counts = featurize(texts + legit, meta=True)
    y = np.array(labels + [0, 0])
    weights = np.array([1.0] * len(texts) + [0.3, 0.3])
    for nb_scale, c in ((True, spam.SPAM_C), (False, 32.0)):
        model = spam.train_spam(texts, labels, legitimate=legit, nb_scale=nb_scale, c=c, second_level=False)
        expected = spam.SpamModel.fit_counts(
            counts, y, kind="spam", c=c, weights=weights, meta=True, nb_scale=nb_scale
        )
        assert np.array_equal(model.coef, expected.coef)
        assert model.metrics["nb_scale"] is nb_scale
    assert spam.SPAM_C == 16.0 and spam.NB_SCALE is True


# --- meta tokens and the second level --------------------------------------------------------------


def test_meta_tokens_describe_how_a_text_is_put_together():
    from minsheng.textmining.spam_linear import meta_tokens

    tokens = sorted(
        t.removeprefix("m\x00")
        for t in meta_tokens("【招商银行】5月3日起还款2,000元 http://e95555.cn/a 详询！")
    )
    # Numbers 5, 3, 2, 000, 95555: five distinct, 11 digits of 42 characters.
    assert tokens == sorted(
        ["M5", "Ue95555.cn", "UTe95555", "SIGS", "SS招商银行", "LEN4", "NN5"]
        + ["DL1", "DL1", "DL1", "DL3", "DL5", "DS2", "EXC"]
    )
    assert sorted(t.removeprefix("m\x00") for t in meta_tokens("")) == ["DS0", "LEN0", "NN0"]


def test_models_record_whether_they_use_meta_tokens(small_model, tmp_path):
    assert small_model.meta is True
    small_model.save(tmp_path / "m")
    path = tmp_path / "m" / "model.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["meta_tokens"] is True
    del meta["meta_tokens"], meta["requires"]  # written before the meta tokens
    path.write_text(json.dumps(meta), encoding="utf-8")
    legacy = spam.load_spam_model(tmp_path / "m")
    assert legacy.meta is False
    assert not np.allclose(legacy.score(SPAM_TEXTS), small_model.score(SPAM_TEXTS))
    meta["meta_tokens"] = 1
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(spam.ModelFormatError, match="meta_tokens 1 is not true or false"):
        spam.load_spam_model(tmp_path / "m")


def test_boosted_trees_as_arrays_predict_what_scikit_learn_predicts():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from minsheng.textmining.spam_trees import BoostedTrees

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 4))
    y = ((x[:, 0] + x[:, 1] * x[:, 2] > 0) ^ (rng.random(600) < 0.1)).astype(int)
    x[rng.random(x.shape) < 0.05] = np.nan  # missing values take their learned side
    booster = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=7, random_state=0).fit(x, y)
    trees = BoostedTrees.from_booster(booster, n_features=4)
    assert len(trees.roots) == booster.n_iter_
    probe = rng.normal(size=(300, 4))
    probe[rng.random(probe.shape) < 0.05] = np.nan
    assert np.allclose(trees.probabilities(probe), booster.predict_proba(probe)[:, 1], rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="expected 4 columns"):
        trees.logits(probe[:, :3])


def test_boosted_trees_are_stored_as_checked_arrays():
    from minsheng.textmining.spam_trees import BoostedTrees, TreeFormatError

    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] > 0).astype(int)
    trees = BoostedTrees.fit(x, y, max_iter=10, monotone=[1, 0, 0])
    again = BoostedTrees.from_stored(trees.meta(), trees.arrays())
    assert np.array_equal(again.logits(x), trees.logits(x))
    # Monotone in the first column: raising it never lowers the score.
    lifted = x.copy()
    lifted[:, 0] += 1.0
    assert (trees.logits(lifted) >= trees.logits(x) - 1e-12).all()
    broken = trees.arrays()
    inner = np.flatnonzero(~broken["tree_leaf"])[0]
    broken["tree_left"] = broken["tree_left"].copy()
    broken["tree_left"][inner] = inner  # a loop
    with pytest.raises(TreeFormatError, match="points back"):
        BoostedTrees.from_stored(trees.meta(), broken)
    with pytest.raises(TreeFormatError, match="incomplete"):
        BoostedTrees.from_stored(trees.meta(), {k: v for k, v in trees.arrays().items() if k != "tree_value"})
    # Arrays of the wrong kind or shape, values that are not finite, a count that disagrees.
    for name, bad, message in (
        ("tree_left", trees.arrays()["tree_left"] + 0.5, "left is of type float64, not integers"),
        ("tree_value", trees.arrays()["tree_value"][:, None], "value has 2 dimensions"),
        ("tree_value", np.full_like(trees.arrays()["tree_value"], np.nan), "not finite"),
        ("tree_roots", trees.arrays()["tree_roots"][:-1], "stored, 10 recorded"),
    ):
        with pytest.raises(TreeFormatError, match=message):
            BoostedTrees.from_stored(trees.meta(), {**trees.arrays(), name: bad})
    # Many rows are walked in slices with the same result.
    assert np.array_equal(trees.logits(x, rows_at_once=7), trees.logits(x))


def _varied(templates: list[str], n: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(n):
        text = rng.choice(templates)
        out.append(f"{text}{rng.choice(['', '详询', '谢谢'])}{rng.randrange(10, 99999)}号{i % 7}")
    return out


@pytest.fixture(scope="module")
def stacked_model() -> spam.SpamModel:
    rng = random.Random(5)
    texts = _varied(SPAM_TEXTS, 240, rng) + _varied(HAM_TEXTS, 240, rng)
    labels = [1] * 240 + [0] * 240
    return spam.train_spam(texts, labels, legitimate=_varied([CITIZEN, CITIZEN_PHONE], 60, rng))


def test_training_reports_each_step():
    rng = random.Random(6)
    texts = _varied(SPAM_TEXTS, 200, rng) + _varied(HAM_TEXTS, 200, rng)
    labels = [1] * 200 + [0] * 200
    assert spam.training_steps(labels) == 2 + spam.SECOND_LEVEL_FOLDS + 1 == 7
    assert spam.training_steps(labels[:399]) == 2  # 199 non-spam: no second level
    assert spam.training_steps(labels, second_level=False) == 2
    done: list[int] = []
    spam.train_spam(texts, labels, progress=done.append)
    assert done == [1] * 7


def test_the_second_level_is_trained_with_enough_data(stacked_model):
    assert stacked_model.second is not None
    assert stacked_model.metrics["second_level"] == "boosted-trees"
    assert stacked_model.score(SPAM_TEXTS).min() > 0.5 > stacked_model.score(HAM_TEXTS + [CITIZEN]).max()
    # The trees never score above the capped linear probability.
    texts = SPAM_TEXTS + HAM_TEXTS + [CITIZEN, CITIZEN_PHONE, SEO_PORN]
    margins = stacked_model.margins(texts)
    capped = spam._shrink(1 / (1 + np.exp(-(margins + stacked_model.cap))), spam._content_sizes(texts))
    assert (stacked_model.score(texts) <= capped + 1e-12).all()
    plain = spam.train_spam(SPAM_TEXTS * 40, [1] * 240, legitimate=HAM_TEXTS * 40, second_level=False)
    assert plain.second is None
    with pytest.raises(ValueError, match="at least 4 labelled texts of each label .found 3 spam, 6 not spam"):
        spam.train_spam(SPAM_TEXTS[:3] + HAM_TEXTS, [1] * 3 + [0] * 6, second_level=True)


def test_a_stacked_model_round_trips_and_refuses_another_measurement(stacked_model, tmp_path):
    from minsheng.textmining.spam_trees import MEASURES

    stacked_model.save(tmp_path / "m")
    loaded = spam.load_spam_model(tmp_path / "m")
    texts = SPAM_TEXTS + HAM_TEXTS + [CITIZEN]
    assert np.array_equal(loaded.score(texts), stacked_model.score(texts))
    path = tmp_path / "m" / "model.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["second_level"]["kind"] == "boosted-trees"
    assert meta["second_level"]["cap"] == 0.5
    meta["second_level"]["measures"] = meta["second_level"]["measures"][:-1]
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(spam.ModelFormatError, match="retrain the model with this version"):
        spam.load_spam_model(tmp_path / "m")
    meta["second_level"]["measures"] = list(MEASURES)
    meta["second_level"]["cap"] = float("nan")
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(spam.ModelFormatError, match="cap nan is not a finite number"):
        spam.load_spam_model(tmp_path / "m")
    meta["second_level"] = {"kind": "forest"}
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(spam.ModelFormatError, match="unknown second level"):
        spam.load_spam_model(tmp_path / "m")


def test_a_model_lists_the_parts_it_needs_and_a_part_unknown_here_is_refused(stacked_model, tmp_path):
    stacked_model.save(tmp_path / "m")
    path = tmp_path / "m" / "model.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["requires"] == ["raw_ngrams", "meta_tokens", "second_level"]
    texts = SPAM_TEXTS + HAM_TEXTS + [CITIZEN]

    def rewrite(change) -> None:
        changed = json.loads(json.dumps(meta))
        change(changed)
        path.write_text(json.dumps(changed), encoding="utf-8")

    rewrite(lambda m: m["requires"].append("neural_third_level"))
    with pytest.raises(
        spam.ModelFormatError, match=r"needs neural_third_level, which this engine \(1\.1\) does not know"
    ):
        spam.load_spam_model(tmp_path / "m")
    rewrite(lambda m: m.pop("second_level"))
    with pytest.raises(spam.ModelFormatError, match="requires second_level but does not have it"):
        spam.load_spam_model(tmp_path / "m")
    rewrite(lambda m: m.update(requires="second_level"))
    with pytest.raises(spam.ModelFormatError, match="requires 'second_level' is not a list of part names"):
        spam.load_spam_model(tmp_path / "m")
    rewrite(lambda m: m.pop("requires"))  # written before engine 1.1: read as before
    assert np.array_equal(spam.load_spam_model(tmp_path / "m").score(texts), stacked_model.score(texts))


def test_a_plain_model_requires_only_what_it_uses(tmp_path):
    model = spam.train_offensive(
        ["你真是个废物垃圾", "今天天气不错", "滚出去蠢货", "谢谢你的帮助"], [1, 0, 1, 0]
    )
    model.save(tmp_path / "off")
    meta = json.loads((tmp_path / "off" / "model.json").read_text(encoding="utf-8"))
    assert meta["requires"] == (["raw_ngrams"] if model.raw_ngrams else [])
    assert spam.load_offensive_model(tmp_path / "off").kind == "offensive"
