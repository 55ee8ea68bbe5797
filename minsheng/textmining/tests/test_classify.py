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


def test_training_refuses_a_threshold_that_load_would_refuse():
    rows = labelled_rows(6)
    with pytest.raises(ValueError, match=r"threshold must be between 0 and 1 \(got 1.5\)"):
        TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows], threshold=1.5, calibrate=False)


@pytest.fixture(scope="module")
def full_model_dir(tmp_path_factory):
    """A model with every part ``load`` reads: a lexicon (from token rows) and a small network
    (written by hand: two columns, four hidden units)."""
    rows = labelled_rows(6)
    model = TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows],
                                 extra_tokens=[["公交", "线路"]] * 2, extra_labels=["交通运输"] * 2, calibrate=False)
    directory = tmp_path_factory.mktemp("models") / "full"
    model.save(directory)
    description = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    description["network"] = {"hidden": 4, "features": 2}
    (directory / "model.json").write_text(json.dumps(description), encoding="utf-8")
    with np.load(directory / "weights.npz", allow_pickle=False) as weights:
        arrays = {name: weights[name] for name in weights.files}
    arrays |= {
        "network_columns": np.array([1, 7], dtype=np.int64),
        "network_w1": np.ones((2, 4), dtype=np.float32),
        "network_b1": np.zeros(4, dtype=np.float32),
        "network_w2": np.ones((4, 3), dtype=np.float32),
        "network_b2": np.zeros(3, dtype=np.float32),
    }
    np.savez_compressed(directory / "weights.npz", **arrays)
    return directory


def _damaged(source, target, description=None, arrays=None):
    """A copy of the model at ``source`` in ``target``, its model.json passed through
    ``description`` and its weights.npz arrays through ``arrays`` (each edits in place)."""
    target.mkdir()
    model = json.loads((source / "model.json").read_text(encoding="utf-8"))
    if description is not None:
        description(model)
    (target / "model.json").write_text(json.dumps(model), encoding="utf-8")
    with np.load(source / "weights.npz", allow_pickle=False) as weights:
        saved = {name: weights[name] for name in weights.files}
    if arrays is not None:
        arrays(saved)
    np.savez_compressed(target / "weights.npz", **saved)
    return target


def _set(key, value, part=None):
    return lambda model: (model if part is None else model[part]).__setitem__(key, value)


def _change(name, change):
    return lambda arrays: arrays.__setitem__(name, change(arrays[name]))


def test_the_full_model_of_the_damage_tests_loads_and_predicts(full_model_dir):
    model = TextClassifier.load(full_model_dir)
    assert model.network is not None and len(model.vectorizer.lexicon) == 2
    assert all(0.0 < p.confidence <= 1.0 for p in model.predict(["公交线路撤销出行不便", "学校补课"]))


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_set("char_ngrams", [0, 50], "features"),
         "features.char_ngrams [0, 50]: must be a list of distinct sizes from 1 to 8"),
        (_set("char_ngrams", [1, 9], "features"), "features.char_ngrams [1, 9]: must be a list of distinct sizes from 1 to 8"),
        (_set("char_ngrams", [2, 2], "features"), "features.char_ngrams [2, 2]: must be a list of distinct sizes from 1 to 8"),
        (_set("char_ngrams", "123", "features"), "features.char_ngrams '123': must be a list of distinct sizes from 1 to 8"),
        (_set("word_ngrams", [3], "features"), "features.word_ngrams [3]: must be a list of distinct sizes from 1 to 2"),
        (_set("lexicon_sizes", [0, 2], "features"),
         "features.lexicon_sizes [0, 2]: must be a list of distinct sizes from 1 to 8"),
        (_set("bits", 0, "features"), "features.bits 0: must be a whole number from 1 to 28"),
        (_set("bits", 29, "features"), "features.bits 29: must be a whole number from 1 to 28"),
        (_set("bits", 20.5, "features"), "features.bits 20.5: must be a whole number from 1 to 28"),
        (_set("head_chars", -1, "features"), "features.head_chars -1: must be a whole number ≥ 0"),
        (_set("head_weight", float("nan"), "features"), "features.head_weight nan: must be a finite number ≥ 0"),
        (_set("lexicon_weight", -0.5, "features"), "features.lexicon_weight -0.5: must be a finite number ≥ 0"),
        (_set("word_weight", float("inf"), "features"), "features.word_weight inf: must be a finite number ≥ 0"),
        (_set("temperature", float("nan")), "temperature nan: must be a finite number above 0"),
        (_set("temperature", 0), "temperature 0: must be a finite number above 0"),
        (_set("temperature", -2.0), "temperature -2.0: must be a finite number above 0"),
        (_set("temperature", float("inf")), "temperature inf: must be a finite number above 0"),
        (_set("temperature", "warm"), "temperature 'warm': must be a finite number above 0"),
        (_set("threshold", float("nan")), "threshold nan: must be a number from 0 to 1"),
        (_set("threshold", 1.5), "threshold 1.5: must be a number from 0 to 1"),
        (_set("labels", ["交通运输", "交通运输", "环境保护"]),
         "labels: 3, 2 of them distinct; a model has at least two labels, each once"),
        (_set("labels", "交通运输"), "labels: a str, not a list"),
        (_set("user_words", "公交"), "user_words: a str, not a list"),
    ],
)
def test_a_damaged_model_description_is_refused_naming_the_field(full_model_dir, tmp_path, damage, problem):
    copy = _damaged(full_model_dir, tmp_path / "damaged", description=damage)
    with pytest.raises(TextMiningError) as refused:
        TextClassifier.load(copy)
    assert str(refused.value) == f"{copy / 'model.json'}: invalid model description ({problem}); retrain the model"


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_change("columns", lambda a: a.astype(np.float64)), "columns holds float64 values, not integers"),
        (_change("columns", lambda a: a > 0), "columns holds bool values, not integers"),
        (_change("columns", lambda a: a[None]), "columns has shape (1, {columns}), not (columns,)"),
        (_change("columns", lambda a: a[::-1]), "columns are not in increasing order"),
        (_change("columns", lambda a: a - a[0] - 1), "columns reach outside the model's 3145728 feature columns"),
        (_change("columns", lambda a: a + 3145728), "columns reach outside the model's 3145728 feature columns"),
        (_change("coef", lambda a: a.astype(np.int64)), "coef holds int64 values, not floating-point numbers"),
        (_change("coef", lambda a: a[:2]), "coef has shape (2, {columns}), not (3, {columns}) (labels × columns)"),
        (_change("coef", lambda a: np.where(a == a.max(), np.nan, a)),
         "coef holds a value that is not finite (nan, infinite, or too large for float32)"),
        (_change("coef", lambda a: a.astype(np.float64) * 1e300),
         "coef holds a value that is not finite (nan, infinite, or too large for float32)"),
        (_change("coef", lambda a: a / np.abs(a).max() * np.float32(1e38)),
         "coef holds values so large that coef × idf overflows float32"),
        (_change("intercept", lambda a: a[:2]), "intercept has shape (2,), not (3,) (labels)"),
        (_change("intercept", lambda a: a - np.inf), "intercept holds a value that is not finite (nan, infinite, or too large for float32)"),
        (_change("intercept", lambda a: a.astype(str)), "intercept holds <U32 values, not floating-point numbers"),
        (_change("idf", lambda a: a[:-1]), "idf has shape (3145727,), not (3145728,) (the model's feature columns)"),
        (_change("idf", lambda a: a * 0), "idf holds a value ≤ 0 (inverse document frequencies are at least 1)"),
        (_change("idf", lambda a: a * 1e20), "idf holds values so large that their squares overflow float32"),
        (_change("lexicon", lambda a: a[::-1]), "lexicon keys are not in increasing order"),
        (_change("lexicon", lambda a: a.astype(np.int64)),
         "lexicon holds int64 values of shape (2,), not a list of uint64 keys"),
        (lambda arrays: arrays.pop("lexicon"), "lexicon is missing or empty while features.lexicon_sizes is set"),
        (_change("network_columns", lambda a: a.astype(np.float32)),
         "network_columns holds float32 values, not integers"),
        (_change("network_columns", lambda a: a[::-1]), "network_columns are not in increasing order"),
        (_change("network_columns", lambda a: a + 3145721),
         "network_columns reach outside the model's 3145728 columns"),
        (_change("network_w1", lambda a: a[:0]),
         "network_w1 has shape (0, 4), not (columns, hidden units) of at least one each"),
        (_change("network_w1", lambda a: a * np.inf),
         "network_w1 holds a value that is not finite (nan, infinite, or too large for float32)"),
        (_change("network_b1", lambda a: a.astype(np.int32)), "network_b1 holds int32 values, not floating-point numbers"),
        (_change("network_w2", lambda a: a[:, :2]), "network_w2 has shape (4, 2), not (4, 3)"),
        (_change("network_b2", lambda a: a * np.nan),
         "network_b2 holds a value that is not finite (nan, infinite, or too large for float32)"),
    ],
)
def test_damaged_weights_are_refused_naming_the_array(full_model_dir, tmp_path, damage, problem):
    copy = _damaged(full_model_dir, tmp_path / "damaged", arrays=damage)
    with np.load(full_model_dir / "weights.npz", allow_pickle=False) as weights:
        problem = problem.format(columns=len(weights["columns"]))
    with pytest.raises(TextMiningError) as refused:
        TextClassifier.load(copy)
    assert str(refused.value) == f"{copy}: weights do not match the model description ({problem}); retrain the model"


def test_a_network_unlike_its_description_is_refused(full_model_dir, tmp_path):
    copy = _damaged(full_model_dir, tmp_path / "damaged", description=_set("hidden", 64, "network"))
    with pytest.raises(TextMiningError, match=r"\(network_w1 has 4 hidden units, model.json's network.hidden says 64\)"):
        TextClassifier.load(copy)
