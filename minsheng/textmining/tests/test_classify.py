import json

import numpy as np
import pytest

from minsheng.textmining import ENGINE_VERSION
from minsheng.textmining.classify import LEVEL_SEPARATOR, TextClassifier, evaluate
from minsheng.textmining.io import TextMiningError
from minsheng.textmining.tests.conftest import labelled_rows


def test_predicts_the_category_of_new_messages(trained_model_dir):
    model = TextClassifier.load(trained_model_dir)
    predictions = model.predict(["B市公交线路调整后出行很不方便", "化工厂偷排废水污染河道"])
    assert [p.label for p in predictions] == ["交通运输", "环境保护"]
    assert all(0.0 < p.confidence <= 1.0 for p in predictions)


def test_needs_person_when_confidence_below_threshold(trained_model_dir):
    model = TextClassifier.load(trained_model_dir)
    model.threshold = 1.01
    assert model.predict(["公交线路"])[0].needs_person is True
    model.threshold = 0.0
    assert model.predict(["公交线路"])[0].needs_person is False


def test_saved_model_is_json_and_arrays_without_pickle(trained_model_dir):
    description = json.loads((trained_model_dir / "model.json").read_text(encoding="utf-8"))
    assert description["engine_version"] == ENGINE_VERSION
    assert description["labels"] == ["交通运输", "教育文体", "环境保护"]
    with np.load(trained_model_dir / "weights.npz", allow_pickle=False) as weights:
        assert sorted(weights.files) == ["coef", "columns", "idf", "intercept"]


def test_loaded_model_predicts_exactly_like_the_trained_one(tmp_path):
    rows = labelled_rows(9)
    model = TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows], calibrate=False)
    model.save(tmp_path / "m")
    again = TextClassifier.load(tmp_path / "m")
    texts = ["学校补课", "工地噪音"]
    assert np.array_equal(model.probabilities(texts), again.probabilities(texts))


def test_model_of_another_major_version_is_refused(trained_model_dir, tmp_path):
    copy = tmp_path / "old"
    copy.mkdir()
    description = json.loads((trained_model_dir / "model.json").read_text(encoding="utf-8"))
    description["engine_version"] = "0.9"
    (copy / "model.json").write_text(json.dumps(description), encoding="utf-8")
    (copy / "weights.npz").write_bytes((trained_model_dir / "weights.npz").read_bytes())
    with pytest.raises(TextMiningError, match=f"text engine 0.9, this is {ENGINE_VERSION}"):
        TextClassifier.load(copy)


def test_directory_without_model_is_refused(tmp_path):
    with pytest.raises(TextMiningError, match="not a model directory"):
        TextClassifier.load(tmp_path)


def test_hierarchical_labels_report_each_level_with_summed_confidence():
    texts, labels = [], []
    for row in labelled_rows(12):
        top = "民生" if row["label"] != "环境保护" else "环境"
        texts.append(row["text"])
        labels.append(LEVEL_SEPARATOR.join([top, row["label"]]))
    model = TextClassifier.train(texts, labels, calibrate=False)
    prediction = model.predict(["学校学区划分不合理"])[0]
    assert prediction.levels == ("民生", "教育文体")
    assert prediction.level_confidences[0] >= prediction.level_confidences[1] == prediction.confidence


def test_extra_token_rows_are_used_for_training():
    rows = labelled_rows(6)
    model = TextClassifier.train(
        [r["text"] for r in rows],
        [r["label"] for r in rows],
        extra_tokens=[["医院", "挂号", "排队"]] * 5,
        extra_labels=["卫生计生"] * 5,
        calibrate=False,
    )
    assert model.labels == ["交通运输", "卫生计生", "教育文体", "环境保护"]
    assert model.predict(["医院挂号排队太久"])[0].label == "卫生计生"


def test_single_label_training_is_refused():
    with pytest.raises(TextMiningError, match="at least two different labels"):
        TextClassifier.train(["a", "b"], ["x", "x"])


def test_evaluation_report_counts(trained_model_dir):
    model = TextClassifier.load(trained_model_dir)
    report = evaluate(model, ["公交线路撤销出行不便", "学校补课负担重", "化工厂偷排废水"], ["交通运输", "教育文体", "交通运输"])
    assert report.n == 3
    assert report.accuracy == round(2 / 3, 4)
    assert report.confusion == [[1, 0, 1], [0, 1, 0], [0, 0, 0]]
    assert report.per_class["交通运输"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert report.macro_f1 == round((2 / 3 + 1.0 + 0.0) / 3, 4)


def test_saved_model_has_format_version_and_character_features_only(trained_model_dir):
    description = json.loads((trained_model_dir / "model.json").read_text(encoding="utf-8"))
    assert description["format_version"] == 4
    assert description["features"] == {
        "bits": 20,
        "char_ngrams": [1, 2, 3],
        "word_ngrams": [],
        "word_weight": 1.0,
        "head_chars": 30,
        "head_weight": 0.5,
        "lexicon_sizes": [],  # no token rows, so no lexicon: the block is left out
        "lexicon_weight": 0.5,
    }
    model = TextClassifier.load(trained_model_dir)
    assert model._segmenter is None  # the default features need no word segmentation


@pytest.mark.parametrize("old_format", [None, 1, 5])
def test_model_of_another_format_is_refused(trained_model_dir, tmp_path, old_format):
    copy = tmp_path / "old"
    copy.mkdir()
    description = json.loads((trained_model_dir / "model.json").read_text(encoding="utf-8"))
    if old_format is None:
        del description["format_version"]  # models written before format 2 have no such field
    else:
        description["format_version"] = old_format
    (copy / "model.json").write_text(json.dumps(description), encoding="utf-8")
    (copy / "weights.npz").write_bytes((trained_model_dir / "weights.npz").read_bytes())
    with pytest.raises(TextMiningError, match=f"model format {old_format or 1} .*this engine reads format 2, 3 or 4; retrain"):
        TextClassifier.load(copy)


def test_model_of_format_2_loads_and_predicts_as_before(trained_model_dir, tmp_path):
    # format 2 had no lexicon block and no lexicon fields; its columns are those of format 3
    copy = tmp_path / "v2"
    copy.mkdir()
    description = json.loads((trained_model_dir / "model.json").read_text(encoding="utf-8"))
    description["format_version"] = 2
    del description["features"]["lexicon_sizes"], description["features"]["lexicon_weight"]
    (copy / "model.json").write_text(json.dumps(description), encoding="utf-8")
    (copy / "weights.npz").write_bytes((trained_model_dir / "weights.npz").read_bytes())
    texts = ["公交线路撤销出行不便", "学校补课负担重"]
    old, new = TextClassifier.load(copy), TextClassifier.load(trained_model_dir)
    assert np.array_equal(old.probabilities(texts), new.probabilities(texts))


def test_model_with_a_lexicon_block_but_no_lexicon_is_refused(tmp_path):
    rows = labelled_rows(6)
    model = TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows],
                                 extra_tokens=[["公交", "线路"]] * 2, extra_labels=["交通运输"] * 2, calibrate=False)
    model.save(tmp_path / "m")
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as weights:
        arrays = {name: weights[name] for name in weights.files if name != "lexicon"}
    np.savez_compressed(tmp_path / "m" / "weights.npz", **arrays)
    with pytest.raises(TextMiningError, match="weights do not match"):
        TextClassifier.load(tmp_path / "m")


def test_lexicon_words_come_from_token_rows_and_user_words():
    from minsheng.textmining.classify import lexicon_words

    tokens = [["医院", "挂号", "排队", "B1"], ["医院", "挂号", "ab", "ab"], ["医院", "一次"]]
    # at least twice, 2–4 characters, with an ideograph; user words of those lengths too
    assert lexicon_words(tokens, ["门诊大楼", "太长的一个用户词"], (2, 3, 4)) == ["医院", "挂号", "门诊大楼"]
    assert lexicon_words(tokens, [], (3,)) == []


def test_token_rows_make_a_lexicon_that_is_saved_and_loaded(tmp_path):
    rows = labelled_rows(6)
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    extra = [["医院", "挂号", "排队"], ["医院", "看病", "挂号"], ["公交", "线路", "撤销"], ["公交", "线路", "恢复"]]
    extra_labels = ["卫生计生", "卫生计生", "交通运输", "交通运输"]
    model = TextClassifier.train(texts, labels, extra_tokens=extra, extra_labels=extra_labels, calibrate=False)
    assert [name for name, _, _ in model.vectorizer.config.blocks()] == ["chars", "head", "lexicon"]
    assert model.metadata["n_lexicon"] == 4  # 医院, 挂号, 公交, 线路
    model.save(tmp_path / "m")
    description = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert description["features"]["lexicon_sizes"] == [2, 3, 4]
    again = TextClassifier.load(tmp_path / "m")
    assert np.array_equal(again.vectorizer.lexicon, model.vectorizer.lexicon)
    texts = ["医院挂号排队太久", "公交线路撤销出行不便", "学校补课"]
    assert np.array_equal(model.probabilities(texts), again.probabilities(texts))
    assert model.predict(["医院挂号排队太久"])[0].label == "卫生计生"


def test_word_features_can_still_be_configured(tmp_path):
    from minsheng.textmining.features import HashingConfig

    rows = labelled_rows(9)
    config = HashingConfig(bits=16, word_ngrams=(1, 2))
    model = TextClassifier.train(
        [r["text"] for r in rows], [r["label"] for r in rows], config=config, calibrate=False
    )
    assert model._segmenter is not None
    model.save(tmp_path / "m")
    again = TextClassifier.load(tmp_path / "m")
    assert again.vectorizer.config == config
    texts = ["学校补课负担重", "化工厂偷排废水"]
    assert [p.label for p in again.predict(texts)] == ["教育文体", "环境保护"]
    assert np.array_equal(model.probabilities(texts), again.probabilities(texts))


def test_flat_predictions_have_one_level():
    rows = labelled_rows(6)
    model = TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows], calibrate=False)
    prediction = model.predict(["学校补课"])[0]
    assert prediction.levels == (prediction.label,)
    assert prediction.level_confidences == (prediction.confidence,)
    assert isinstance(prediction.confidence, float)
    assert model.predict([]) == []


def test_the_same_data_trains_the_same_model():
    rows = labelled_rows(9)
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    first = TextClassifier.train(texts, labels)
    second = TextClassifier.train(texts, labels)
    probe = ["小区暖气不热", "公交车晚点", "学校收费不合理"]
    assert np.array_equal(first.scores(probe), second.scores(probe))
    assert first.temperature == second.temperature
