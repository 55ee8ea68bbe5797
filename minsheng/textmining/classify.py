"""Text classification for routing messages, tickets and proposals to a category.

Method: each text is normalised (``normalize``) and turned into hashed TF-IDF features
(``features``: character 1–3-grams of the text and of its first characters, and the words of the
training token rows found in those first characters; optionally rjieba word uni/bigrams); a linear SVM
(one-vs-rest) scores every label. Scores become a confidence by a softmax whose temperature is
fitted on a held-out part of the training data; a prediction whose confidence is below the
model's threshold is flagged ``needs_person``.

Hierarchical taxonomies: a label may be a path ``"城乡建设 / 住房 / 物业"``; the model learns the
leaves and reports each level with the summed confidence of the leaves below it.

A model is a directory: ``model.json`` (engine version, labels, feature configuration, threshold,
temperature) and ``weights.npz`` (arrays only, loaded with ``allow_pickle=False``), so loading a
model never executes code from the file.
"""

from __future__ import annotations

import json
import math
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from minsheng.textmining import ENGINE_VERSION
from minsheng.textmining.features import HashedTfidf, HashingConfig, lexicon_keys
from minsheng.textmining.io import TextMiningError, atomic_directory
from minsheng.textmining.neural import HiddenLayer, columns_problem, fit_hidden_layer
from minsheng.textmining.normalize import normalize_many
from minsheng.textmining.segment import TOKEN_SEPARATOR, Segmenter

__all__ = [
    "LEVEL_SEPARATOR",
    "EvaluationReport",
    "Prediction",
    "TextClassifier",
    "evaluate",
    "prepare",
]

LEVEL_SEPARATOR = " / "
_MODEL_FILE = "model.json"
_WEIGHTS_FILE = "weights.npz"
MODEL_FORMAT = "minsheng-textclassifier"  # model.json's "format"
_NETWORK_PREFIX = "network_"
#: Version of the model layout and feature hashing; a model of a version not in
#: ``READABLE_FORMATS`` is refused.
#: 1: character n-grams hashed with splitmix64, two blocks of 2**bits columns (characters and
#: rjieba words) always; 2: multiply–shift character hashes, only the blocks the model uses;
#: 3: a lexicon block (the words of the token rows found in the first characters) after the head;
#: 4: optionally a hidden-layer network (``neural``) consulted where the SVM is unsure.
FORMAT_VERSION = 4
#: Formats this engine reads: a format-2 model is a format-3 model without a lexicon block (same
#: character hashes, same columns), and a format-3 model a format-4 one without a network, so
#: they load and predict as they did.
READABLE_FORMATS = (2, 3, 4)
#: The network (``neural``): hidden units, selected feature columns, training epochs; trained when
#: there are at least ``NETWORK_MIN_EXAMPLES`` examples (fewer give it nothing to add to the SVM).
NETWORK_HIDDEN = 64
NETWORK_FEATURES = 20_000
NETWORK_EPOCHS = 10
NETWORK_MIN_EXAMPLES = 500
#: Where the network is consulted: a text whose two best SVM scores differ by less than this
#: (about a sixth of the citizen messages); its probabilities are then
#: ``(1 - NETWORK_WEIGHT) × SVM + NETWORK_WEIGHT × network``. Texts with a wider margin keep the
#: SVM's answer: in cross-validation the average changed none of them.
NETWORK_MARGIN = 0.5
NETWORK_WEIGHT = 0.3
#: The default features: character 1–3-grams (rjieba word uni/bigrams added nothing in
#: cross-validation, and segmentation was 40% of the classification time), the same over the first
#: 30 characters, and the 2–4-character words of the training token rows found in those 30
#: characters (no segmentation: a hash look-up per substring).
DEFAULT_CONFIG = HashingConfig(
    bits=20, char_ngrams=(1, 2, 3), word_ngrams=(), head_chars=30, head_weight=0.5,
    lexicon_sizes=(2, 3, 4), lexicon_weight=0.5,
)
#: A token-row word enters the lexicon when it occurs this often and has an ideograph.
LEXICON_MIN_COUNT = 2

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Prediction:
    """One classified text: the leaf label, its confidence, and the taxonomy levels."""

    label: str
    confidence: float
    needs_person: bool
    levels: tuple[str, ...]
    level_confidences: tuple[float, ...]


@dataclass(slots=True)
class EvaluationReport:
    """Per-class precision/recall/F1, confusion matrix (rows: truth, columns: prediction)."""

    labels: list[str]
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion: list[list[int]]
    needs_person: int = 0
    accuracy_confident: float | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return asdict(self)


def _segmenter(user_words: Sequence[str]) -> Segmenter:
    return Segmenter(user_words, stop_words=())


def _has_ideograph(word: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in word)


def lexicon_words(extra_tokens: Sequence[Sequence[str]], user_words: Sequence[str], sizes: tuple[int, ...]) -> list[str]:
    """The lexicon of a model: the words of ``sizes`` characters with an ideograph that occur at
    least ``LEXICON_MIN_COUNT`` times in the token rows, and such user words; normalised as texts are."""
    counts = Counter(token for tokens in extra_tokens for token in tokens)
    chosen = {word for word, count in counts.items() if count >= LEXICON_MIN_COUNT and len(word) in sizes}
    chosen.update(word for word in user_words if len(word) in sizes)
    words = sorted(word for word in chosen if _has_ideograph(word))
    return [word for word in normalize_many(words) if len(word) in sizes]


def prepare(texts: Sequence[str], segmenter: Segmenter | None) -> tuple[list[str], list[str] | None]:
    """Normalised texts and their words joined by ``TOKEN_SEPARATOR``, for ``HashedTfidf``.

    With ``segmenter=None`` (features without words) nothing is segmented and the words are
    ``None``.
    """
    normalised = normalize_many(texts)
    if segmenter is None:
        return normalised, None
    joined = segmenter.joined
    return normalised, [joined(text) for text in normalised]


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores * temperature
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that minimises the log-loss of held-out scores (grid search)."""
    best, best_loss = 1.0, math.inf
    for temperature in np.geomspace(0.25, 64.0, 41):
        p = _softmax(scores.copy(), float(temperature))[np.arange(len(truth)), truth]
        loss = float(-np.log(np.maximum(p, 1e-12)).mean())
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def _fit_linear(x: sp.csr_matrix, y: np.ndarray, n_classes: int, c: float, *, passes: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest linear SVM; classes weighted inversely to their size (macro-F1 counts each).

    liblinear's dual coordinate descent is stopped after ``passes`` passes over the data: on the
    message data the held-out macro-F1 is the same after 25 passes as after full convergence
    (about 240 passes), at a fifth of the time, so its convergence warning is expected.
    """
    # random_state: liblinear visits the examples in a random order; fixed, the same data gives the same model.
    svm = LinearSVC(C=c, class_weight="balanced", dual=True, max_iter=passes, tol=1e-3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        svm.fit(x, y)
    coef = svm.coef_.astype(np.float32)
    intercept = svm.intercept_.astype(np.float32)
    if n_classes == 2:  # scikit-learn keeps one row for two classes: score = ±row
        coef = np.vstack([-coef, coef])
        intercept = np.concatenate([-intercept, intercept])
    return coef, intercept


class _Invalid(Exception):
    """A field of a saved model that is there but unusable (its message names the field and says why)."""


#: The largest ``bits`` a model may have: the feature code numbers columns in int32, and a model has
#: at most four blocks of ``2**bits`` columns and a null column (``features``).
_MAX_BITS = 28
#: The n-gram sizes the feature code hashes: characters 1–8, words 1–2 (``features``), lexicon words 1–8.
_MAX_CHAR_NGRAM, _MAX_WORD_NGRAM, _MAX_LEXICON_SIZE = 8, 2, 8
_NETWORK_ARRAYS = tuple(f"{_NETWORK_PREFIX}{array.name}" for array in fields(HiddenLayer))
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _shown(value: object) -> str:
    """``repr(value)``, cut short: a damaged field may hold anything."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _whole(value: object, name: str, low: int, high: int | None) -> int:
    """``value`` when it is a whole number from ``low`` to ``high`` (``None``: no bound)."""
    if type(value) is not int or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"≥ {low}"
        raise _Invalid(f"{name} {_shown(value)}: must be a whole number {bound}")
    return value


def _sizes(value: object, name: str, largest: int) -> tuple[int, ...]:
    """``value`` as a tuple when it is a list of distinct n-gram sizes from 1 to ``largest``."""
    if (not isinstance(value, list) or any(type(size) is not int or not 1 <= size <= largest for size in value)
            or len(set(value)) != len(value)):
        raise _Invalid(f"{name} {_shown(value)}: must be a list of distinct sizes from 1 to {largest}")
    return tuple(value)


def _real(value: object, name: str, rule: str, ok: Callable[[float], bool]) -> float:
    """``value`` as a float when it is a finite number and ``ok``."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number) or not ok(number):
        raise _Invalid(f"{name} {_shown(value)}: must be {rule}")
    return number


def _at_least_0(number: float) -> bool:
    return number >= 0.0


def _float32(name: str, array: np.ndarray) -> np.ndarray:
    """A saved array of floats as float32; ``_Invalid`` when it holds another kind of value."""
    if array.dtype.kind != "f":
        raise _Invalid(f"{name} holds {array.dtype} values, not floating-point numbers")
    with np.errstate(over="ignore", invalid="ignore"):  # beyond float32: infinite, refused by ``_largest``
        return array.astype(np.float32, copy=False)


def _largest(name: str, array: np.ndarray) -> float:
    """The largest magnitude in ``array`` (0 when empty); ``_Invalid`` when a value is nan or infinite.
    (``min`` and ``max`` propagate nan and allocate nothing, unlike ``isfinite``.)"""
    if not array.size:
        return 0.0
    low, high = float(array.min()), float(array.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        raise _Invalid(f"{name} holds a value that is not finite (nan, infinite, or too large for float32)")
    return max(-low, high)


def _checked_weights(
    config: HashingConfig, n_labels: int, columns: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
    idf: np.ndarray, lexicon: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``coef``, ``intercept`` and ``idf`` as float32 once the saved arrays are checked against the
    description: kinds of number, shapes (labels × columns), columns increasing and inside the
    model, finite values, positive idf, a sorted lexicon when the features use one; ``_Invalid``
    naming the array and what is wrong otherwise. Vectorised: no copy beyond the float32 casts."""
    n_features = config.n_features
    if columns.dtype.kind not in "iu":
        raise _Invalid(f"columns holds {columns.dtype} values, not integers")
    coef, intercept, idf = _float32("coef", coef), _float32("intercept", intercept), _float32("idf", idf)
    if columns.ndim != 1:
        raise _Invalid(f"columns has shape {columns.shape}, not (columns,)")
    for name, array, shape, meaning in (
        ("coef", coef, (n_labels, len(columns)), "labels × columns"),
        ("intercept", intercept, (n_labels,), "labels"),
        ("idf", idf, (n_features,), "the model's feature columns"),
    ):
        if array.shape != shape:
            raise _Invalid(f"{name} has shape {array.shape}, not {shape} ({meaning})")
    if (problem := columns_problem(columns, n_features, "columns", "feature columns")) is not None:
        raise _Invalid(problem)
    largest_coef = _largest("coef", coef)
    _largest("intercept", intercept)
    largest_idf = _largest("idf", idf)
    if float(idf.min()) <= 0.0:
        raise _Invalid("idf holds a value ≤ 0 (inverse document frequencies are at least 1)")
    # ``HashedTfidf.pack`` multiplies coef by idf and squares idf in float32
    if largest_idf * largest_idf > _FLOAT32_MAX:
        raise _Invalid("idf holds values so large that their squares overflow float32")
    if largest_coef * largest_idf > _FLOAT32_MAX:
        raise _Invalid("coef holds values so large that coef × idf overflows float32")
    if lexicon.dtype != np.uint64 or lexicon.ndim != 1:
        raise _Invalid(f"lexicon holds {lexicon.dtype} values of shape {lexicon.shape}, not a list of uint64 keys")
    if config.lexicon_sizes and not len(lexicon):
        raise _Invalid("lexicon is missing or empty while features.lexicon_sizes is set")
    if not np.all(lexicon[1:] > lexicon[:-1]):
        raise _Invalid("lexicon keys are not in increasing order")
    return coef, intercept, idf


def _check_network(network: HiddenLayer, description: object, n_features: int, n_labels: int) -> None:
    """``_Invalid`` when the network's arrays do not fit together, the model, or model.json's ``network``."""
    problem = network.problem(n_features, n_labels, _NETWORK_PREFIX)
    if problem is not None:
        raise _Invalid(problem)
    if isinstance(description, dict):
        for key, value, meaning in (("features", network.w1.shape[0], "columns"),
                                    ("hidden", network.w1.shape[1], "hidden units")):
            if key in description and description[key] != value:
                raise _Invalid(f"{_NETWORK_PREFIX}w1 has {value} {meaning}, model.json's network.{key} says "
                               f"{_shown(description[key])}")


class TextClassifier:
    """A trained classifier; build with ``train`` or ``load``, use with ``predict``."""

    def __init__(
        self,
        *,
        labels: list[str],
        config: HashingConfig,
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        threshold: float,
        temperature: float,
        user_words: Sequence[str] = (),
        metadata: dict[str, object] | None = None,
        lexicon: np.ndarray | None = None,
        network: HiddenLayer | None = None,
    ) -> None:
        self.labels = labels
        self.network = network
        self.vectorizer = HashedTfidf(config, idf, lexicon)
        self.coef = coef
        self.intercept = intercept
        self.threshold = threshold
        self.temperature = temperature
        self.user_words = list(user_words)
        self.metadata = metadata or {}
        # Words are only segmented when the features use them (not with ``DEFAULT_CONFIG``).
        self._segmenter = _segmenter(self.user_words) if config.word_ngrams else None
        self._packed = self.vectorizer.pack(coef)

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        extra_tokens: Sequence[Sequence[str]] = (),
        extra_labels: Sequence[str] = (),
        user_words: Sequence[str] = (),
        config: HashingConfig | None = None,
        c: float = 1.0,
        threshold: float = 0.5,
        calibrate: bool = True,
        network: bool = True,
        progress: Progress | None = None,
    ) -> TextClassifier:
        """Train on ``texts`` with ``labels`` (a label may be a path joined by ``LEVEL_SEPARATOR``).

        ``extra_tokens``/``extra_labels`` are already-segmented examples (e.g. a historical export
        with only tokens); their characters are taken from the joined tokens, and their words
        (with ``user_words``) make the lexicon when the configuration has a lexicon block (without
        any such word the block is left out). With ``calibrate`` a fifth of the data is held out
        once to fit the confidence temperature. With ``network`` (and at least
        ``NETWORK_MIN_EXAMPLES`` examples) a hidden-layer network is trained on the same rows too.
        """
        if len(texts) != len(labels) or len(extra_tokens) != len(extra_labels):
            raise ValueError("texts and labels differ in length")
        if not 0.0 <= threshold <= 1.0:  # what ``load`` accepts
            raise ValueError(f"threshold must be between 0 and 1 (got {threshold})")
        config = config or DEFAULT_CONFIG
        report = progress or (lambda _message: None)
        lexicon = None
        if config.lexicon_sizes:
            lexicon = lexicon_keys(lexicon_words(extra_tokens, user_words, config.lexicon_sizes), config.lexicon_sizes)
            if not len(lexicon):
                config, lexicon = replace(config, lexicon_sizes=()), None
        segmenter = _segmenter(user_words) if config.word_ngrams else None
        report("normalising and segmenting" if segmenter else "normalising")
        normalised, token_lists = prepare(texts, segmenter)
        normalised += ["".join(tokens) for tokens in extra_tokens]
        if token_lists is not None:
            token_lists += [TOKEN_SEPARATOR.join(tokens) for tokens in extra_tokens]

        def rows(values: list[str] | None, which: np.ndarray) -> list[str] | None:
            return None if values is None else [values[i] for i in which]

        all_labels = list(labels) + list(extra_labels)
        label_names = sorted(set(all_labels))
        if len(label_names) < 2:
            raise TextMiningError("training needs at least two different labels")
        index = {name: i for i, name in enumerate(label_names)}
        y = np.array([index[label] for label in all_labels])
        temperature = 1.0
        if calibrate and len(y) >= 50:
            report("fitting the confidence scale on a held-out fifth")
            rng = np.random.default_rng(0)
            held = rng.random(len(y)) < 0.2
            train_rows, held_rows = np.flatnonzero(~held), np.flatnonzero(held)
            vectorizer = HashedTfidf(config, lexicon=lexicon).fit(rows(normalised, train_rows), rows(token_lists, train_rows))
            x = vectorizer.transform(rows(normalised, train_rows), rows(token_lists, train_rows))
            x.sum_duplicates()
            if np.all(np.bincount(y[train_rows], minlength=len(label_names)) > 0):
                # Only the scale of the scores is wanted here, so fewer passes are enough.
                coef, intercept = _fit_linear(x, y[train_rows], len(label_names), c, passes=15)
                held_x = vectorizer.transform(rows(normalised, held_rows), rows(token_lists, held_rows))
                temperature = _fit_temperature(held_x @ coef.T + intercept, y[held_rows])
        report("training on all examples")
        vectorizer = HashedTfidf(config, lexicon=lexicon).fit(normalised, token_lists)
        x = vectorizer.transform(normalised, token_lists)
        x.sum_duplicates()
        coef, intercept = _fit_linear(x, y, len(label_names), c)
        hidden_layer = None
        if network and len(y) >= NETWORK_MIN_EXAMPLES:
            report("training the network")
            hidden_layer = fit_hidden_layer(x, y, len(label_names), hidden=NETWORK_HIDDEN,
                                            features=NETWORK_FEATURES, epochs=NETWORK_EPOCHS)
        return cls(
            labels=label_names,
            config=config,
            idf=vectorizer.idf,
            coef=coef,
            intercept=intercept,
            threshold=threshold,
            temperature=temperature,
            user_words=user_words,
            metadata={"n_train": len(texts), "n_extra": len(extra_tokens), "c": c,
                      "n_lexicon": 0 if lexicon is None else len(lexicon)},
            lexicon=lexicon,
            network=hidden_layer,
        )

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Raw linear (SVM) scores, shape (len(texts), len(labels))."""
        normalised, token_texts = prepare(texts, self._segmenter)
        return self._scores(normalised, token_texts)

    def _scores(self, normalised: list[str], token_texts: list[str] | None) -> np.ndarray:
        return self.vectorizer.decision(normalised, token_texts, self._packed) + self.intercept

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Label probabilities, shape (len(texts), len(labels)): the SVM's calibrated ones, averaged
        with the network's where the SVM's two best scores are closer than ``NETWORK_MARGIN``."""
        if not texts:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        normalised, token_texts = prepare(texts, self._segmenter)
        scores = self._scores(normalised, token_texts)
        probabilities = _softmax(scores.copy(), self.temperature)
        if self.network is not None and len(self.labels) > 1:
            best_two = np.partition(scores, -2, axis=1)[:, -2:]
            unsure = np.flatnonzero(np.abs(best_two[:, 1] - best_two[:, 0]) < NETWORK_MARGIN)
            if len(unsure):
                x = self.vectorizer.transform([normalised[i] for i in unsure],
                                              None if token_texts is None else [token_texts[i] for i in unsure])
                x.sum_duplicates()
                probabilities[unsure] = ((1 - NETWORK_WEIGHT) * probabilities[unsure]
                                         + NETWORK_WEIGHT * self.network.probabilities(x))
        return probabilities

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Label, confidence and ``needs_person`` for each text: the confidence is below the
        threshold, or the text has no letter at all (``12.5``, ``????``: nothing to classify)."""
        probabilities = self.probabilities(texts)
        # str.isalpha is true for ideographs and letters of any script; stops at the first one.
        wordless = [not any(ch.isalpha() for ch in text) for text in texts]
        paths = [label.split(LEVEL_SEPARATOR) for label in self.labels]
        depth = max(len(path) for path in paths)
        if depth == 1:  # flat taxonomy: no per-level sums
            best_of = probabilities.argmax(axis=1)
            confidences = probabilities[np.arange(len(best_of)), best_of].astype(np.float64).tolist()
            threshold = self.threshold
            return [
                Prediction(self.labels[best], confidence, confidence < threshold or empty, (self.labels[best],), (confidence,))
                for best, confidence, empty in zip(best_of.tolist(), confidences, wordless, strict=True)
            ]
        results: list[Prediction] = []
        for row, empty in zip(probabilities, wordless, strict=True):
            best = int(row.argmax())
            levels = tuple(paths[best])
            level_confidences = tuple(
                float(sum(p for p, path in zip(row, paths, strict=True) if path[: k + 1] == paths[best][: k + 1]))
                for k in range(len(levels))
            ) if depth > 1 else (float(row[best]),)
            confidence = float(row[best])
            needs_person = confidence < self.threshold or empty
            results.append(Prediction(self.labels[best], confidence, needs_person, levels, level_confidences))
        return results

    def save(self, directory: str | Path) -> None:
        """Write ``model.json`` and ``weights.npz`` into ``directory``, atomically: a new directory
        or an earlier model's (``io.atomic_directory``; a directory holding other files is refused)."""
        used = np.flatnonzero(np.any(self.coef != 0, axis=0)).astype(np.int64)
        description = {
            "format": MODEL_FORMAT,
            "format_version": FORMAT_VERSION,
            "engine_version": ENGINE_VERSION,
            "labels": self.labels,
            "level_separator": LEVEL_SEPARATOR,
            "threshold": self.threshold,
            "temperature": self.temperature,
            "features": {
                "bits": self.vectorizer.config.bits,
                "char_ngrams": list(self.vectorizer.config.char_ngrams),
                "word_ngrams": list(self.vectorizer.config.word_ngrams),
                "word_weight": self.vectorizer.config.word_weight,
                "head_chars": self.vectorizer.config.head_chars,
                "head_weight": self.vectorizer.config.head_weight,
                "lexicon_sizes": list(self.vectorizer.config.lexicon_sizes),
                "lexicon_weight": self.vectorizer.config.lexicon_weight,
            },
            "user_words": self.user_words,
            "metadata": self.metadata,
            "network": None if self.network is None else {
                "hidden": int(self.network.w1.shape[1]), "features": len(self.network.columns),
            },
        }
        with atomic_directory(directory) as staging:
            (staging / _MODEL_FILE).write_text(json.dumps(description, ensure_ascii=False, indent=2), encoding="utf-8")
            lexicon = {"lexicon": self.vectorizer.lexicon} if self.vectorizer.config.lexicon_sizes else {}
            if self.network is not None:
                lexicon |= self.network.arrays(_NETWORK_PREFIX)
            np.savez_compressed(
                staging / _WEIGHTS_FILE,
                columns=used,
                coef=self.coef[:, used],
                intercept=self.intercept,
                idf=self.vectorizer.idf,
                **lexicon,
            )

    @classmethod
    def load(cls, directory: str | Path) -> TextClassifier:
        """Load a model directory; refuses models of another engine major version, and damaged
        or incomplete ones, with a ``TextMiningError`` saying why: a field of model.json out of its
        range (n-gram sizes, bits, weights, threshold, temperature, labels), or an array of
        weights.npz of another kind of number, of a shape unlike the labels and columns, with
        columns out of order or outside the model, or with values that are not finite."""
        directory = Path(directory)
        if directory.is_file():
            raise TextMiningError(f"{directory}: is a file; give the model's directory (the one holding {_MODEL_FILE})")
        try:
            description = json.loads((directory / _MODEL_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TextMiningError(f"{directory}: not a model directory (no {_MODEL_FILE})") from None
        except (OSError, ValueError) as error:
            raise TextMiningError(f"{directory / _MODEL_FILE}: unreadable model description ({error})") from None
        if not isinstance(description, dict) or description.get("format") != MODEL_FORMAT:
            raise TextMiningError(f"{directory}: not a Minsheng text classifier model")
        version = str(description.get("engine_version", ""))
        if version.split(".")[0] != ENGINE_VERSION.split(".")[0]:
            raise TextMiningError(
                f"{directory}: model was made by text engine {version or 'unknown'}, this is "
                f"{ENGINE_VERSION}; retrain it with `minsheng text train`"
            )
        format_version = description.get("format_version", 1)
        if type(format_version) is not int or format_version not in READABLE_FORMATS:
            raise TextMiningError(
                f"{directory}: model format {format_version!r} (its features are hashed differently), this "
                f"engine reads format {', '.join(map(str, READABLE_FORMATS[:-1]))} or {READABLE_FORMATS[-1]}; retrain it with `minsheng text train`"
            )
        try:
            with np.load(directory / _WEIGHTS_FILE, allow_pickle=False) as weights:
                columns, used_coef = weights["columns"], weights["coef"]
                intercept, idf = weights["intercept"], weights["idf"]
                lexicon = weights["lexicon"] if "lexicon" in weights.files else np.zeros(0, dtype=np.uint64)
                network_arrays = None
                if format_version >= 4 and description.get("network"):
                    network_arrays = {name: weights[name] for name in _NETWORK_ARRAYS}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise TextMiningError(f"{directory / _WEIGHTS_FILE}: unreadable weights ({error}); retrain the model") from None
        try:
            features = description["features"]
            config = HashingConfig(
                bits=_whole(features["bits"], "features.bits", 1, _MAX_BITS),
                char_ngrams=_sizes(features["char_ngrams"], "features.char_ngrams", _MAX_CHAR_NGRAM),
                word_ngrams=_sizes(features["word_ngrams"], "features.word_ngrams", _MAX_WORD_NGRAM),
                word_weight=_real(features["word_weight"], "features.word_weight", "a finite number ≥ 0", _at_least_0),
                head_chars=_whole(features.get("head_chars", 0), "features.head_chars", 0, None),
                head_weight=_real(features.get("head_weight", 0.5), "features.head_weight", "a finite number ≥ 0",
                                  _at_least_0),
                lexicon_sizes=(_sizes(features.get("lexicon_sizes", []), "features.lexicon_sizes", _MAX_LEXICON_SIZE)
                               if format_version >= 3 else ()),
                lexicon_weight=_real(features.get("lexicon_weight", 0.5), "features.lexicon_weight",
                                     "a finite number ≥ 0", _at_least_0),
            )
            labels = description["labels"]
            if not isinstance(labels, list):
                raise _Invalid(f"labels: a {type(labels).__name__}, not a list")
            labels = [str(label) for label in labels]
            if len(labels) < 2 or len(set(labels)) != len(labels):
                raise _Invalid(f"labels: {len(labels)}, {len(set(labels))} of them distinct; a model has at least "
                               "two labels, each once")
            threshold = _real(description["threshold"], "threshold", "a number from 0 to 1", lambda t: 0.0 <= t <= 1.0)
            temperature = _real(description["temperature"], "temperature", "a finite number above 0", lambda t: t > 0.0)
            user_words = description.get("user_words", [])
            if not isinstance(user_words, list):
                raise _Invalid(f"user_words: a {type(user_words).__name__}, not a list")
            user_words = [str(word) for word in user_words]
            metadata = dict(description.get("metadata", {}))
            network_description = description.get("network")
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
            raise TextMiningError(
                f"{directory / _MODEL_FILE}: incomplete model description ({type(error).__name__}: {error})"
            ) from None
        except _Invalid as error:
            raise TextMiningError(f"{directory / _MODEL_FILE}: invalid model description ({error}); retrain the model") from None
        try:
            used_coef, intercept, idf = _checked_weights(config, len(labels), columns, used_coef, intercept, idf, lexicon)
            network = None
            if network_arrays is not None:
                network = HiddenLayer.from_arrays(network_arrays, _NETWORK_PREFIX)
                _check_network(network, network_description, config.n_features, len(labels))
        except (_Invalid, ValueError) as error:
            raise TextMiningError(
                f"{directory}: weights do not match the model description ({error}); retrain the model"
            ) from None
        coef = np.zeros((len(labels), config.n_features), dtype=np.float32)
        coef[:, columns] = used_coef
        return cls(
            labels=labels,
            config=config,
            idf=idf,
            coef=coef,
            intercept=intercept,
            threshold=threshold,
            temperature=temperature,
            user_words=user_words,
            metadata=metadata,
            lexicon=lexicon,
            network=network,
        )


def evaluate(model: TextClassifier, texts: Sequence[str], labels: Sequence[str]) -> EvaluationReport:
    """Compare ``model``'s predictions with the true ``labels``."""
    predictions = model.predict(texts)
    names = sorted(set(model.labels) | set(labels))
    index = {name: i for i, name in enumerate(names)}
    confusion = np.zeros((len(names), len(names)), dtype=np.int64)
    for truth, prediction in zip(labels, predictions, strict=True):
        confusion[index[truth], index[prediction.label]] += 1
    per_class: dict[str, dict[str, float]] = {}
    f1s = []
    for name, i in index.items():
        tp = confusion[i, i]
        predicted, actual = confusion[:, i].sum(), confusion[i, :].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {"precision": round(float(precision), 4), "recall": round(float(recall), 4),
                           "f1": round(float(f1), 4), "support": int(actual)}
        if actual or predicted:  # as scikit-learn: classes seen in the truth or the predictions
            f1s.append(f1)
    n = len(labels)
    correct = int(np.trace(confusion))
    confident = [(p.label == t) for p, t in zip(predictions, labels, strict=True) if not p.needs_person]
    return EvaluationReport(
        labels=names,
        n=n,
        accuracy=round(correct / n, 4) if n else 0.0,
        macro_f1=round(float(np.mean(f1s)), 4) if f1s else 0.0,
        per_class=per_class,
        confusion=confusion.tolist(),
        needs_person=sum(p.needs_person for p in predictions),
        accuracy_confident=round(sum(confident) / len(confident), 4) if confident else None,
    )
