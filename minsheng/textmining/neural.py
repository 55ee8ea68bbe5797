"""A small neural network over the classifier's features, consulted where the SVM is unsure.

The network reads the same TF-IDF rows as the linear SVM (``features.HashedTfidf``), restricted to
the columns most tied to the labels (chi-squared over the training rows, among the columns seen in
at least ``MIN_DF`` of them), through one ReLU hidden layer to a softmax over the labels. It is
trained with scikit-learn's ``MLPClassifier`` (Adam, a fixed seed, a fixed number of epochs) and
kept as plain arrays: predicting is two matrix products in numpy, and the saved model is arrays
in ``weights.npz`` like the rest (no pickle).

Why: the SVM and the network err on different messages. Averaging their probabilities raised
the cross-validated macro-F1 on the citizen-message data by about 0.003–0.004 (the figures and the
protocol are in ``docs/textmining.md``). Only texts whose two best SVM scores lie within
``margin`` of each other are passed through the network — the others keep the SVM's answer, which
the average would not change — so the classify path stays fast.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["HiddenLayer", "MIN_DF", "fit_hidden_layer"]

#: A feature column is a candidate for the network when at least this many training rows have it.
MIN_DF = 3
#: Adam's mini-batch size and learning rate, and the L2 penalty.
BATCH_SIZE = 256
LEARNING_RATE = 2e-3
L2 = 1e-4
#: The dtype kinds (``numpy.dtype.kind``) a saved network's arrays may have.
_KINDS = {"columns": "iu", "w1": "f", "b1": "f", "w2": "f", "b2": "f"}
_KIND_NAMES = {"iu": "integers", "f": "floating-point numbers"}


def columns_problem(columns: np.ndarray, n_features: int, name: str, unit: str = "columns") -> str | None:
    """Why saved column numbers cannot index a model of ``n_features`` ``unit`` (not strictly
    increasing, or outside it), the array named; ``None`` when they can."""
    if not np.all(columns[1:] > columns[:-1]):
        return f"{name} are not in increasing order"
    if len(columns) and (int(columns[0]) < 0 or int(columns[-1]) >= n_features):
        return f"{name} reach outside the model's {n_features} {unit}"
    return None


@dataclass(frozen=True, slots=True)
class HiddenLayer:
    """``softmax(relu(x[:, columns] @ w1 + b1) @ w2 + b2)``; ``columns`` sorted feature columns."""

    columns: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def check(self, n_features: int, n_labels: int) -> bool:
        """Whether the arrays fit together and a model of ``n_features`` columns and ``n_labels`` labels."""
        return self.problem(n_features, n_labels) is None

    def problem(self, n_features: int, n_labels: int, prefix: str = "") -> str | None:
        """What keeps the arrays from fitting together and a model of ``n_features`` columns and
        ``n_labels`` labels, the array named (with ``prefix``, as saved by ``arrays``) and why; ``None``
        when they fit: shapes, columns increasing and inside the model, weights finite."""
        if self.w1.ndim != 2 or not all(self.w1.shape):
            return f"{prefix}w1 has shape {self.w1.shape}, not (columns, hidden units) of at least one each"
        k, hidden = self.w1.shape
        for name, shape in {"columns": (k,), "b1": (hidden,), "w2": (hidden, n_labels), "b2": (n_labels,)}.items():
            if getattr(self, name).shape != shape:
                return f"{prefix}{name} has shape {getattr(self, name).shape}, not {shape}"
        if (problem := columns_problem(self.columns, n_features, f"{prefix}columns")) is not None:
            return problem
        for name in ("w1", "b1", "w2", "b2"):
            # summed in float64, float32 values give a finite total exactly when all are finite
            if not np.isfinite(getattr(self, name).sum(dtype=np.float64)):
                return f"{prefix}{name} holds a value that is not finite (nan, infinite, or too large for float32)"
        return None

    def select(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """The rows of ``x`` (full width) on the network's columns only."""
        position = np.searchsorted(self.columns, x.indices)
        position = np.minimum(position, len(self.columns) - 1)
        keep = self.columns[position] == x.indices
        kept = np.concatenate(([0], np.cumsum(keep)))
        return sp.csr_matrix((x.data[keep], position[keep], kept[x.indptr]), shape=(x.shape[0], len(self.columns)))

    def probabilities(self, x: sp.csr_matrix) -> np.ndarray:
        """Label probabilities for full-width feature rows ``x``, shape (rows, labels)."""
        hidden = np.asarray(self.select(x) @ self.w1) + self.b1
        np.maximum(hidden, 0, out=hidden)
        z = hidden @ self.w2 + self.b2
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}columns": self.columns, f"{prefix}w1": self.w1, f"{prefix}b1": self.b1,
                f"{prefix}w2": self.w2, f"{prefix}b2": self.b2}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> HiddenLayer:
        """Read back what ``arrays`` wrote; ``KeyError`` when one is missing, ``ValueError`` (the
        array named) when one holds another kind of number (the columns integers, the rest floats);
        ``problem`` checks the rest."""
        for name, kinds in _KINDS.items():
            dtype = arrays[f"{prefix}{name}"].dtype
            if dtype.kind not in kinds:
                raise ValueError(f"{prefix}{name} holds {dtype} values, not {_KIND_NAMES[kinds]}")
        with np.errstate(over="ignore", invalid="ignore"):  # a float64 beyond float32 becomes inf: ``problem``
            return cls(
                columns=np.asarray(arrays[f"{prefix}columns"], dtype=np.int64),
                w1=np.asarray(arrays[f"{prefix}w1"], dtype=np.float32),
                b1=np.asarray(arrays[f"{prefix}b1"], dtype=np.float32),
                w2=np.asarray(arrays[f"{prefix}w2"], dtype=np.float32),
                b2=np.asarray(arrays[f"{prefix}b2"], dtype=np.float32),
            )


def fit_hidden_layer(
    x: sp.csr_matrix, y: np.ndarray, n_labels: int, *, hidden: int, features: int, epochs: int, seed: int = 0
) -> HiddenLayer | None:
    """Train the network on TF-IDF rows ``x`` (no repeated columns) with labels ``y`` in
    ``0 … n_labels-1``; ``None`` when fewer than two columns are frequent enough to select."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_selection import chi2
    from sklearn.neural_network import MLPClassifier

    frequent = np.flatnonzero(np.bincount(x.indices, minlength=x.shape[1]) >= MIN_DF)
    if len(frequent) < 2:
        return None
    candidates = x[:, frequent]
    with np.errstate(invalid="ignore", divide="ignore"):
        strength = np.nan_to_num(chi2(candidates, y)[0])
    # The strongest ``features`` columns; ties broken by column, so the choice is reproducible.
    order = np.lexsort((frequent, -strength))[:features]
    chosen = np.sort(order)
    columns = frequent[chosen]
    network = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=L2, batch_size=min(BATCH_SIZE, x.shape[0]),
                            learning_rate_init=LEARNING_RATE, max_iter=epochs, random_state=seed,
                            early_stopping=False, shuffle=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs, as measured
        network.fit(candidates[:, chosen].astype(np.float32), y)
    w2 = np.zeros((hidden, n_labels), dtype=np.float32)
    b2 = np.full(n_labels, -1e4, dtype=np.float32)  # a label absent from ``y`` is never chosen
    seen = network.classes_.astype(np.int64)
    if len(seen) == 2:  # scikit-learn keeps one logistic output for two classes: logits 0 and z
        w2[:, seen[1]] = network.coefs_[1][:, 0]
        b2[seen] = (0.0, float(network.intercepts_[1][0]))
    else:
        w2[:, seen] = network.coefs_[1]
        b2[seen] = network.intercepts_[1]
    return HiddenLayer(
        columns=columns.astype(np.int64),
        w1=network.coefs_[0].astype(np.float32),
        b1=network.intercepts_[0].astype(np.float32),
        w2=w2,
        b2=b2,
    )
