"""The hidden-layer network of the classifier (``neural``) and how the classifier consults it."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import scipy.sparse as sp

from minsheng.textmining import classify
from minsheng.textmining.classify import TextClassifier, _softmax
from minsheng.textmining.cli import main
from minsheng.textmining.io import TextMiningError
from minsheng.textmining.neural import HiddenLayer, fit_hidden_layer
from minsheng.textmining.tests.conftest import labelled_rows, write_rows

_QUERIES = [
    "公交线路撤销出行不便",
    "学校补课负担重",
    "化工厂偷排废水",
    "公交站点旁的学校门口扬尘噪音",  # mixes the three topics: the SVM is unsure
    "希望有关部门尽快处理",
    "A2区体育馆施工噪音扰民，公交绕行",
]


@pytest.fixture(scope="module")
def big_model() -> TextClassifier:
    """Enough examples (3 × 170 ≥ ``NETWORK_MIN_EXAMPLES``) for the network to be trained."""
    rows = labelled_rows(per_label=170)
    return TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows])


def _layer() -> HiddenLayer:
    return HiddenLayer(
        columns=np.array([2, 5, 9], dtype=np.int64),
        w1=np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], dtype=np.float32),
        b1=np.array([0.0, -1.0], dtype=np.float32),
        w2=np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32),
        b2=np.array([0.0, 0.0], dtype=np.float32),
    )


def test_select_keeps_only_the_networks_columns_renumbered():
    x = sp.csr_matrix((np.array([1.0, 7.0, 3.0, 4.0, 5.0]), np.array([2, 3, 9, 0, 5]), np.array([0, 3, 3, 5])),
                      shape=(3, 12))
    selected = _layer().select(x).toarray()
    assert selected.tolist() == [[1.0, 0.0, 3.0], [0.0, 0.0, 0.0], [0.0, 5.0, 0.0]]


def test_probabilities_are_two_products_and_a_softmax():
    x = sp.csr_matrix((np.array([1.0, 1.0]), np.array([2, 5]), np.array([0, 2])), shape=(1, 12))
    # hidden = relu([1, 2] + [0, -1]) = [1, 1]; logits [1, 1] → one half each
    assert _layer().probabilities(x).tolist() == [[0.5, 0.5]]
    x = sp.csr_matrix((np.array([3.0]), np.array([9]), np.array([0, 1])), shape=(1, 12))
    # hidden = relu([3, 3 - 1]) = [3, 2]; softmax([3, 2])
    expected = np.exp([3.0, 2.0]) / np.exp([3.0, 2.0]).sum()
    assert np.allclose(_layer().probabilities(x), [expected], atol=1e-6)


def test_check_refuses_arrays_that_do_not_fit():
    layer = _layer()
    assert layer.check(n_features=12, n_labels=2)
    assert not layer.check(n_features=9, n_labels=2)  # column 9 outside the model
    assert not layer.check(n_features=12, n_labels=3)
    unsorted = HiddenLayer(np.array([5, 2, 9]), layer.w1, layer.b1, layer.w2, layer.b2)
    assert not unsorted.check(n_features=12, n_labels=2)


def test_two_labels_give_the_logistic_probabilities_the_right_way_round():
    # scikit-learn keeps one logistic output for two labels; label 1 is its positive class
    y = np.arange(200) % 2
    noise = sp.random(200, 30, density=0.2, format="csr", random_state=1, dtype=np.float64)
    signal = sp.csr_matrix((np.ones(200), y, np.arange(201)), shape=(200, 2))  # column 0 or 1 tells
    x = sp.hstack([signal, noise], format="csr")
    layer = fit_hidden_layer(x, y, 2, hidden=8, features=32, epochs=200)
    assert layer is not None and layer.w2.shape == (8, 2)
    probabilities = layer.probabilities(x)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities.argmax(axis=1) == y).all()


def test_a_label_missing_from_the_rows_is_never_predicted():
    x = sp.random(120, 40, density=0.3, format="csr", random_state=2, dtype=np.float64)
    y = np.arange(120) % 3  # labels 0, 1, 2 of four: label 3 has no row
    layer = fit_hidden_layer(x, y, 4, hidden=8, features=40, epochs=5)
    assert layer is not None
    assert np.all(layer.probabilities(x)[:, 3] < 1e-6)


def test_too_few_frequent_columns_give_no_network():
    x = sp.csr_matrix(np.eye(6))  # each column in one row only (below MIN_DF)
    assert fit_hidden_layer(x, np.arange(6) % 2, 2, hidden=4, features=10, epochs=1) is None


def test_small_training_sets_and_network_false_train_no_network():
    rows = labelled_rows()  # 72 examples
    assert TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows], calibrate=False).network is None
    rows = labelled_rows(per_label=170)
    model = TextClassifier.train([r["text"] for r in rows], [r["label"] for r in rows], calibrate=False, network=False)
    assert model.network is None


def test_network_is_consulted_only_where_the_svm_is_unsure(big_model):
    assert big_model.network is not None
    scores = big_model.scores(_QUERIES)
    svm = _softmax(scores.copy(), big_model.temperature)
    top_two = np.sort(scores, axis=1)[:, -2:]
    unsure = (top_two[:, 1] - top_two[:, 0]) < classify.NETWORK_MARGIN
    assert unsure.any() and not unsure.all()
    normalised, _ = classify.prepare(_QUERIES, None)
    x = big_model.vectorizer.transform(normalised)
    x.sum_duplicates()
    network = big_model.network.probabilities(x)
    expected = np.where(unsure[:, None], (1 - classify.NETWORK_WEIGHT) * svm + classify.NETWORK_WEIGHT * network, svm)
    assert np.allclose(big_model.probabilities(_QUERIES), expected, atol=1e-6)


def test_saved_network_loads_and_predicts_exactly_alike(big_model, tmp_path):
    big_model.save(tmp_path / "model")
    description = json.loads((tmp_path / "model" / "model.json").read_text(encoding="utf-8"))
    assert description["format_version"] == 4
    assert description["network"] == {"hidden": classify.NETWORK_HIDDEN, "features": len(big_model.network.columns)}
    with np.load(tmp_path / "model" / "weights.npz", allow_pickle=False) as weights:
        assert {"network_columns", "network_w1", "network_b1", "network_w2", "network_b2"} <= set(weights.files)
    loaded = TextClassifier.load(tmp_path / "model")
    assert np.array_equal(loaded.probabilities(_QUERIES), big_model.probabilities(_QUERIES))


def test_a_model_without_network_predicts_with_the_svm_alone(big_model, tmp_path):
    big_model.save(tmp_path / "model")
    description = json.loads((tmp_path / "model" / "model.json").read_text(encoding="utf-8"))
    description["format_version"] = 3  # written by the previous engine: no network
    del description["network"]
    (tmp_path / "model" / "model.json").write_text(json.dumps(description), encoding="utf-8")
    old = TextClassifier.load(tmp_path / "model")
    assert old.network is None
    assert np.array_equal(old.probabilities(_QUERIES), _softmax(big_model.scores(_QUERIES), big_model.temperature))


def test_network_arrays_that_do_not_fit_are_refused(big_model, tmp_path):
    big_model.save(tmp_path / "model")
    path = tmp_path / "model" / "weights.npz"
    with np.load(path, allow_pickle=False) as weights:
        arrays = {name: weights[name] for name in weights.files}
    arrays["network_w2"] = arrays["network_w2"][:, :2]  # two labels where the model has three
    np.savez_compressed(path, **arrays)
    with pytest.raises(TextMiningError, match="weights do not match the model description"):
        TextClassifier.load(tmp_path / "model")
    del arrays["network_w2"]
    np.savez_compressed(path, **arrays)
    with pytest.raises(TextMiningError, match="unreadable weights"):
        TextClassifier.load(tmp_path / "model")


def test_the_same_data_trains_the_same_network():
    rows = labelled_rows(per_label=170)
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    first = TextClassifier.train(texts, labels, calibrate=False)
    second = TextClassifier.train(texts, labels, calibrate=False)
    assert np.array_equal(first.network.columns, second.network.columns)
    assert np.array_equal(first.network.w1, second.network.w1)
    assert np.array_equal(first.probabilities(_QUERIES), second.probabilities(_QUERIES))


def test_train_command_reports_the_network_and_classify_uses_it(tmp_path, capsys):
    data = write_rows(tmp_path / "labelled.csv", labelled_rows(per_label=170))
    model = tmp_path / "model"
    assert main(["train", "--data", str(data), "--out", str(model)]) == 0
    err = capsys.readouterr().err.strip()
    assert err == f"trained on 510 texts + 0 token rows, 3 labels, with a network of 64 hidden units → {model}"
    queries = write_rows(tmp_path / "queries.csv", [{"text": text} for text in _QUERIES])
    out = tmp_path / "out.csv"
    assert main(["classify", "--model", str(model), "--data", str(queries), "--out", str(out)]) == 0
    loaded = TextClassifier.load(model)
    expected = loaded.predict(_QUERIES)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["label"] for row in rows] == [p.label for p in expected]
    assert [float(row["confidence"]) for row in rows] == pytest.approx([p.confidence for p in expected], abs=1e-4)
