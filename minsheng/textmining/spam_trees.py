"""Gradient-boosted trees kept as plain arrays: the spam model's second level.

The trees are fitted with scikit-learn's ``HistGradientBoostingClassifier`` and then copied into
flat numpy arrays (one row per node of every tree), which a model directory stores in its
``weights.npz`` and reads back with ``allow_pickle=False``; ``BoostedTrees.logits`` walks all the
trees at once, one level per step, in numpy. Loading a model never executes code.

``text_measures`` are the simple measurements of a raw text the trees see beside the linear
model's score: its length, digits and numbers, the months and years it names, a 【…】 signature
at its start or end, links, service and mobile numbers, punctuation widths. A linear model adds
them up; the trees combine them (an advert-like text written the way the corpus's notices are
written is not an advert), which a linear model cannot express.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
from scipy.special import expit
from threadpoolctl import threadpool_limits

from minsheng.textmining.spam_linear import _DIGITS as _NUMBER
from minsheng.textmining.spam_linear import _MONTH, _SIGNATURE_END, _SIGNATURE_START, _YEAR

__all__ = ["MEASURES", "BoostedTrees", "TreeFormatError", "text_measures"]


class TreeFormatError(ValueError):
    """Stored tree arrays are missing or inconsistent."""


_CONTENT = re.compile(r"\w")
_LATIN = re.compile(r"[A-Za-z]")
_FULL_WIDTH_PUNCTUATION = re.compile(r"[，。！？：；（）【】、“”]")
_HALF_WIDTH_PUNCTUATION = re.compile(r"[,.!?:;()\[\]\"]")
_SERVICE_NUMBER = re.compile(r"(?<![0-9])(?:400|800|95|96|100|106|125)[0-9]{2,}")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")

#: The columns of ``text_measures``, in order.
MEASURES = (
    "length",
    "content_chars",
    "digit_share",
    "distinct_numbers",
    "longest_number",
    "latest_month",
    "earliest_month",
    "latest_year",
    "signature_at_start",
    "signature_at_end",
    "brackets",
    "link",
    "short_link",
    "unsubscribe",
    "exclamations",
    "full_width_punctuation_share",
    "half_width_punctuation_share",
    "latin_share",
    "service_number",
    "mobile_number",
    "space_share",
    "tilde",
    "first_bracket_position",
)


def _measures(text: str) -> list[float]:
    n = max(1, len(text))
    numbers = _NUMBER.findall(text)
    months = [int(m) for m in _MONTH.findall(text)]
    years = [int(y) for y in _YEAR.findall(text)]
    brackets = [p for p in (text.find("【"), text.find("[")) if p >= 0]
    return [
        len(text),
        len(_CONTENT.findall(text)),
        sum(map(len, numbers)) / n,
        len(set(numbers)),
        max(map(len, numbers), default=0),
        max(months, default=0),
        min(months, default=0),
        max(years, default=0),
        float(_SIGNATURE_START.search(text) is not None),
        float(_SIGNATURE_END.search(text) is not None),
        text.count("【") + text.count("["),
        float("http" in text or "www" in text),
        float("t.cn" in text),
        float("退订" in text),
        text.count("！") + text.count("!"),
        len(_FULL_WIDTH_PUNCTUATION.findall(text)) / n,
        len(_HALF_WIDTH_PUNCTUATION.findall(text)) / n,
        len(_LATIN.findall(text)) / n,
        float(_SERVICE_NUMBER.search(text) is not None),
        float(_MOBILE.search(text) is not None),
        text.count(" ") / n,
        float("～" in text or "~" in text),
        min(brackets) / n if brackets else -1.0,
    ]


def text_measures(texts: Iterable[str]) -> np.ndarray:
    """One row of ``MEASURES`` per raw text (an empty or non-text value measures as "")."""
    rows = [_measures(t if isinstance(t, str) else "") for t in texts]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(MEASURES))


#: The arrays of ``BoostedTrees`` as stored (each prefixed with ``tree_``), with the numpy kinds
#: each may have (integers; booleans or 0/1 integers; floats).
_ARRAY_KINDS = {
    "feature": "iu",
    "threshold": "f",
    "left": "iu",
    "right": "iu",
    "missing_left": "biu",
    "leaf": "biu",
    "value": "f",
    "roots": "iu",
}
_ARRAYS = tuple(_ARRAY_KINDS)
_KIND_NAMES = {"iu": "integers", "f": "floats", "biu": "booleans"}


@dataclass
class BoostedTrees:
    """Binary gradient-boosted trees: ``logits(x) = baseline + Σ`` the leaf each tree sends a row
    to. Node ``i`` of the flat arrays sends a row with ``x[feature[i]] <= threshold[i]`` (or a
    missing value when ``missing_left[i]``) to ``left[i]``, else to ``right[i]``; a leaf points
    to itself. ``roots`` are the trees' first nodes."""

    baseline: float
    n_features: int
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    missing_left: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    roots: np.ndarray

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        y: Sequence[int] | np.ndarray,
        *,
        weights: Sequence[float] | np.ndarray | None = None,
        monotone: Sequence[int] | None = None,
        learning_rate: float = 0.05,
        max_iter: int = 200,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 20,
        l2_regularization: float = 1.0,
    ) -> Self:
        """Fit on the rows of ``x`` with 0/1 labels ``y``; ``monotone`` constrains each column
        (1: the logit may only rise with it, −1: only fall, 0: free). Deterministic."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        booster = HistGradientBoostingClassifier(
            learning_rate=learning_rate,
            max_iter=max_iter,
            max_leaf_nodes=max_leaf_nodes,
            min_samples_leaf=min_samples_leaf,
            l2_regularization=l2_regularization,
            # Above 10,000 rows a tenth (drawn with random_state) is held out to stop early.
            early_stopping="auto",
            monotonic_cst=None if monotone is None else list(monotone),
            random_state=0,
        )
        # One OpenMP thread: with 20,000 rows of 24 columns the threads' overhead outweighs their
        # work (1.9 s against 2.7 s with two threads on an idle 2-core machine), and on a machine
        # busy with other work the threads' spin-waiting made the fit 8–19 times slower (31 s).
        with threadpool_limits(limits=1, user_api="openmp"):
            booster.fit(
                x, np.asarray(y, dtype=np.int8), sample_weight=None if weights is None else np.asarray(weights)
            )
        return cls.from_booster(booster, n_features=x.shape[1])

    @classmethod
    def from_booster(cls, booster: object, *, n_features: int) -> Self:
        """Copy a fitted binary ``HistGradientBoostingClassifier`` into flat arrays."""
        parts: dict[str, list[np.ndarray]] = {name: [] for name in _ARRAYS}
        offset = 0
        for (predictor,) in booster._predictors:  # type: ignore[attr-defined]  # one tree per iteration
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise TreeFormatError("categorical splits are not supported")
            here = np.arange(len(nodes), dtype=np.int32) + offset
            leaf = nodes["is_leaf"].astype(bool)
            parts["feature"].append(np.where(leaf, 0, nodes["feature_idx"]).astype(np.int32))
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["left"].append(
                np.where(leaf, here, nodes["left"].astype(np.int32) + offset).astype(np.int32)
            )
            parts["right"].append(
                np.where(leaf, here, nodes["right"].astype(np.int32) + offset).astype(np.int32)
            )
            parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
            parts["leaf"].append(leaf)
            parts["value"].append(np.where(leaf, nodes["value"], 0.0).astype(np.float64))
            parts["roots"].append(np.array([offset], dtype=np.int32))
            offset += len(nodes)
        arrays = {name: np.concatenate(chunks) for name, chunks in parts.items()}
        baseline = float(np.ravel(booster._baseline_prediction)[0])  # type: ignore[attr-defined]
        return cls(baseline=baseline, n_features=n_features, **arrays)

    def logits(self, x: np.ndarray, *, rows_at_once: int = 4096) -> np.ndarray:
        """The log-odds of each row of ``x`` (``n_features`` columns), ``rows_at_once`` rows at a
        time (the walk holds rows × trees node numbers)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} columns, got shape {x.shape}")
        if not len(x) or not len(self.roots):
            return np.full(len(x), self.baseline)
        return np.concatenate(
            [self._walk(x[start : start + rows_at_once]) for start in range(0, len(x), rows_at_once)]
        )

    def _walk(self, x: np.ndarray) -> np.ndarray:
        rows = np.arange(len(x))[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        # Children come after their parents (checked on load), so no walk is longer than the nodes.
        for _ in range(len(self.leaf)):
            if self.leaf[node].all():
                break
            values = x[rows, self.feature[node]]
            go_left = np.where(np.isnan(values), self.missing_left[node], values <= self.threshold[node])
            node = np.where(go_left, self.left[node], self.right[node])
        else:
            raise TreeFormatError("a walk through the trees did not reach a leaf")
        return self.baseline + self.value[node].sum(axis=1)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row of ``x``."""
        return expit(self.logits(x))

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to store (``tree_`` + name), for ``numpy.savez``."""
        return {f"tree_{name}": getattr(self, name) for name in _ARRAYS}

    def meta(self) -> dict[str, object]:
        """The scalars to store in ``model.json``."""
        return {"baseline": self.baseline, "n_features": self.n_features, "n_trees": int(len(self.roots))}

    @classmethod
    def from_stored(cls, meta: Mapping[str, object], arrays: Mapping[str, np.ndarray]) -> Self:
        """Rebuild from ``meta()`` and ``arrays()``; ``TreeFormatError`` when anything is missing,
        of the wrong kind or inconsistent (so that a walk always ends at a leaf)."""
        try:
            parts = {name: np.asarray(arrays[f"tree_{name}"]) for name in _ARRAYS}
            baseline = float(meta["baseline"])  # type: ignore[arg-type]
            n_features = int(meta["n_features"])  # type: ignore[call-overload]
            n_trees = int(meta["n_trees"])  # type: ignore[call-overload]
        except (KeyError, TypeError, ValueError) as exc:
            raise TreeFormatError(f"second level incomplete: {exc}") from exc
        for name, part in parts.items():
            if part.ndim != 1:
                raise TreeFormatError(f"second level: {name} has {part.ndim} dimensions, not 1")
            kinds = _ARRAY_KINDS[name]
            if part.dtype.kind not in kinds:
                raise TreeFormatError(
                    f"second level: {name} is of type {part.dtype}, not {_KIND_NAMES[kinds]}"
                )
        if not np.isfinite(baseline) or n_features < 1:
            raise TreeFormatError(f"second level: baseline {baseline} or {n_features} columns out of range")
        if not np.isfinite(parts["value"]).all():
            raise TreeFormatError("second level: a leaf value is not finite")
        if len(parts["roots"]) != n_trees:
            raise TreeFormatError(f"second level: {len(parts['roots'])} trees stored, {n_trees} recorded")
        size = len(parts["feature"])
        if any(len(parts[name]) != size for name in _ARRAYS if name != "roots"):
            raise TreeFormatError("second level: node arrays of different lengths")
        for name in ("left", "right", "roots"):
            if len(parts[name]) and (parts[name].min() < 0 or parts[name].max() >= size):
                raise TreeFormatError(f"second level: {name} points outside the {size} nodes")
        if size and (parts["feature"].min() < 0 or parts["feature"].max() >= n_features):
            raise TreeFormatError(f"second level: a split on a column outside the {n_features}")
        leaf = parts["leaf"].astype(bool)
        index = np.arange(size)
        # Children come after their parent (scikit-learn's numbering), so every walk ends at a leaf.
        if (parts["left"][~leaf] <= index[~leaf]).any() or (parts["right"][~leaf] <= index[~leaf]).any():
            raise TreeFormatError("second level: a node points back to itself or an earlier node")
        return cls(
            baseline=baseline,
            n_features=n_features,
            feature=parts["feature"].astype(np.int32),
            threshold=parts["threshold"].astype(np.float64),
            left=parts["left"].astype(np.int32),
            right=parts["right"].astype(np.int32),
            missing_left=parts["missing_left"].astype(bool),
            leaf=leaf,
            value=parts["value"].astype(np.float64),
            roots=parts["roots"].astype(np.int32),
        )
