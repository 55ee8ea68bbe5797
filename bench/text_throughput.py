"""Text engine throughput, side by side with the peer pipeline, on the same messages.

    .venv/bin/python bench/text_throughput.py [--quick] [--data DIR] [--skip-dedupe] [--cv [--seed N] [--no-network]]

Prints, in one run: messages/s (best of three interleaved runs, by wall-clock and by CPU time) of
the engine's classify path (normalize → features → predict; the default model has no word
features, so nothing is segmented; one process, batches of 2,048) and of the peer pipeline (jieba + scikit-learn
TfidfVectorizer + LinearSVC) on the same messages (``labelled_dev.csv`` texts, repeated as
needed), the ratio, training time on 10,000 messages, and near-duplicate detection over
1,000,000 synthetic 100–400-character messages (time, peak RSS). Skips cleanly when the shared
data is absent. ``--cv`` instead runs the 5-fold cross-validation of the classifier on
``labelled_dev.csv`` plus the token-level ``segmented_train.csv``, two ways: *strict* leaves
out of a fold's training every token row that repeats one of its validation messages (its own
row and those of the same text posted again under another id), *held-back protocol* only each
validation message's own row, as the held-back messages were removed from the shared data.
``--seed`` draws other folds (0: the ones recorded in ``docs/benchmarks.md``); ``--no-network``
trains the SVM alone, without the hidden-layer network.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # one core per process: the figures are per core

import argparse  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minsheng.textmining.classify import TextClassifier  # noqa: E402
from minsheng.textmining.dedupe import Deduper  # noqa: E402
from minsheng.textmining.io import read_csv  # noqa: E402


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _repeat(texts: list[str], n: int) -> list[str]:
    return [texts[i % len(texts)] for i in range(n)]


def _token_rows(extra: Path) -> tuple[list[list[str]], list[str]]:
    if not extra.is_file():
        return [], []
    table = read_csv(extra, required=["tokens", "label"])
    return [tokens.split() for tokens in table.column("tokens")], table.column("label")


def bench_classify(texts: list[str], labels: list[str], extra: Path, n: int) -> None:
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    messages = _repeat(texts, n)
    print(f"classify: {n:,} messages (labelled_dev texts repeated), mean {np.mean([len(t) for t in messages]):.0f} chars")

    # As `minsheng text train --extra`: the token rows also make the lexicon of the model.
    extra_tokens, extra_labels = _token_rows(extra)
    model = TextClassifier.train(texts, labels, extra_tokens=extra_tokens, extra_labels=extra_labels)
    print(f"  engine model: {len(texts):,} texts + {len(extra_tokens):,} token rows, "
          f"lexicon of {model.metadata.get('n_lexicon', 0):,} words")
    model.predict(messages[:16])  # warm caches (width table, t2s table, dictionary)

    def engine_run() -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, n, 2048):
            model.predict(messages[i : i + 2048])
        return n / (time.perf_counter() - start), n / (time.process_time() - cpu)

    vectorizer = TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None, lowercase=False)
    svm = LinearSVC().fit(vectorizer.fit_transform(texts), labels)

    def peer_run() -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, n, 2048):
            svm.predict(vectorizer.transform(messages[i : i + 2048]))
        return n / (time.perf_counter() - start), n / (time.process_time() - cpu)

    # Interleaved, best of three each: other jobs on the machine slow a run down, never up.
    engine_timed, peer_timed = [], []
    for _ in range(3):
        engine_timed.append(engine_run())
        peer_timed.append(peer_run())
    engine_runs, peer_runs = [wall for wall, _ in engine_timed], [wall for wall, _ in peer_timed]
    engine, peer = max(engine_runs), max(peer_runs)
    engine_cpu, peer_cpu = max(cpu for _, cpu in engine_timed), max(cpu for _, cpu in peer_timed)

    print(f"  engine (normalize → char n-grams → hashed tf-idf → SVM, network where unsure): {engine:10,.0f} msgs/s (1 process, 1 core)")
    print(f"  peer   (jieba → TfidfVectorizer → LinearSVC):              {peer:10,.0f} msgs/s (1 process, 1 core)")
    print(f"  ratio engine/peer: {engine / peer:.1f}×   engine per core: {engine:,.0f} msgs/s   "
          f"(best of 3 interleaved runs; all engine runs {', '.join(f'{r:,.0f}' for r in engine_runs)}, "
          f"peer {', '.join(f'{r:,.0f}' for r in peer_runs)})")
    print(f"  by CPU time (process_time, best of 3): engine {engine_cpu:,.0f} msgs/s, peer {peer_cpu:,.0f} msgs/s, "
          f"ratio {engine_cpu / peer_cpu:.1f}×")


def bench_training(texts: list[str], labels: list[str], extra: Path, n: int) -> None:
    pool_texts, pool_labels = list(texts), list(labels)
    if extra.is_file():
        table = read_csv(extra, required=["tokens", "label"])
        pool_texts += ["".join(tokens.split()) for tokens in table.column("tokens")]
        pool_labels += table.column("label")
    train_texts, train_labels = _repeat(pool_texts, n), _repeat(pool_labels, n)
    start, cpu = time.perf_counter(), time.process_time()
    TextClassifier.train(train_texts, train_labels)
    print(f"training on {n:,} messages (raw text path, with confidence calibration): {time.perf_counter() - start:.1f} s "
          f"({time.process_time() - cpu:.1f} s CPU); load average {os.getloadavg()[0]:.1f}")
    extra_tokens, extra_labels = _token_rows(extra)
    if extra_tokens:  # as `minsheng text train --extra`: texts and token rows in the data's proportion, and the lexicon
        k = min(len(texts), round(n * len(texts) / (len(texts) + len(extra_tokens))))
        start, cpu = time.perf_counter(), time.process_time()
        model = TextClassifier.train(texts[:k], labels[:k], extra_tokens=_repeat(extra_tokens, n - k),
                                     extra_labels=_repeat(extra_labels, n - k))
        print(f"training on {k:,} texts + {n - k:,} token rows (lexicon of {model.metadata['n_lexicon']:,} words, "
              f"confidence calibration): {time.perf_counter() - start:.1f} s ({time.process_time() - cpu:.1f} s CPU)")


def _overlapping_extra(texts: list[str], extra_tokens: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """For each extra row, the index of the labelled text it repeats (token Jaccard ≥ 0.5), or -1;
    and for each labelled text, its own extra row (the most similar one, Jaccard ≥ 0.5), or -1."""
    import scipy.sparse as sp

    from minsheng.textmining.segment import Segmenter

    segmenter = Segmenter()
    vocabulary: dict[str, int] = {}

    def rows(token_lists: list[list[str]]) -> sp.csr_matrix:
        indices, indptr = [], [0]
        for tokens in token_lists:
            indices.extend(sorted({vocabulary.setdefault(t, len(vocabulary)) for t in tokens}))
            indptr.append(len(indices))
        return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(token_lists), 1 << 22))

    extra = rows(extra_tokens)
    labelled = rows([segmenter.tokens(text) for text in texts])
    common = (labelled @ extra.T).toarray()
    sizes_l, sizes_e = np.diff(labelled.indptr), np.diff(extra.indptr)
    jaccard = common / np.maximum(sizes_l[:, None] + sizes_e[None, :] - common, 1)
    repeats = np.where(jaccard.max(axis=0) >= 0.5, jaccard.argmax(axis=0), -1)
    own = np.where(jaccard.max(axis=1) >= 0.5, jaccard.argmax(axis=1), -1)
    return repeats, own


def cross_validate(texts: list[str], labels: list[str], extra: Path, folds: int = 5, *, seed: int = 0,
                   network: bool = True) -> None:
    from minsheng.textmining.classify import evaluate

    table = read_csv(extra, required=["tokens", "label"])
    extra_tokens = [tokens.split() for tokens in table.column("tokens")]
    extra_labels = table.column("label")
    repeats, own = _overlapping_extra(texts, extra_tokens)
    print(f"cross-validation: {len(texts):,} labelled texts + {len(extra_tokens):,} token rows "
          f"({int((repeats >= 0).sum()):,} of which repeat a labelled text; {int((own >= 0).sum()):,} texts have their own row)")
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(texts), dtype=np.int64)
    for label in sorted(set(labels)):  # stratified
        members = rng.permutation([i for i, y in enumerate(labels) if y == label])
        fold_of[members] = np.arange(len(members)) % folds
    scores: dict[str, list[float]] = {"strict": [], "held-back protocol": []}
    for fold in range(folds):
        train = [i for i in range(len(texts)) if fold_of[i] != fold]
        test = [i for i in range(len(texts)) if fold_of[i] == fold]
        own_rows = {int(own[i]) for i in test if own[i] >= 0}
        keeps = {
            "strict": [j for j in range(len(extra_tokens)) if repeats[j] < 0 or fold_of[repeats[j]] != fold],
            "held-back protocol": [j for j in range(len(extra_tokens)) if j not in own_rows],
        }
        for protocol, keep in keeps.items():
            start = time.perf_counter()
            model = TextClassifier.train(
                [texts[i] for i in train], [labels[i] for i in train],
                extra_tokens=[extra_tokens[j] for j in keep], extra_labels=[extra_labels[j] for j in keep],
                network=network,
            )
            report = evaluate(model, [texts[i] for i in test], [labels[i] for i in test])
            scores[protocol].append(report.macro_f1)
            print(f"  fold {fold + 1} ({protocol}, {len(keep):,} token rows): macro_f1 {report.macro_f1:.4f}  "
                  f"accuracy {report.accuracy:.4f}  n {report.n}  ({time.perf_counter() - start:.0f} s)")
    for protocol, values in scores.items():
        print(f"cross-validated macro_f1 ({protocol}): {np.mean(values):.4f} (± {np.std(values):.4f})")


def synthetic_messages(texts: list[str], n: int, *, seed: int = 0) -> list[str]:
    """``n`` messages of 100–400 characters, each a random run of sentences from ``texts``;
    every tenth is an edited copy (one character changed) of an earlier one."""
    import re

    sentences = np.array([s for text in texts for s in re.split(r"(?<=[。！？!?；;])", text) if len(s) >= 8])
    rng = np.random.default_rng(seed)
    targets = rng.integers(100, 401, n)
    picks = rng.integers(0, len(sentences), (n, 40))
    messages: list[str] = []
    for i in range(n):
        if i % 10 == 0 and i:
            source = messages[int(rng.integers(0, i))]
            cut = int(rng.integers(0, len(source)))
            messages.append(source[:cut] + "的" + source[cut + 1 :])
            continue
        parts, length = [], 0
        for index in picks[i]:
            parts.append(sentences[index])
            length += len(sentences[index])
            if length >= targets[i]:
                break
        messages.append("".join(parts)[: targets[i]])
    return messages


def bench_dedupe(texts: list[str], n: int) -> None:
    start = time.perf_counter()
    messages = synthetic_messages(texts, n)
    made = time.perf_counter() - start
    before = _peak_rss_mb()
    start = time.perf_counter()
    result = Deduper(threshold=0.8).groups(messages)
    elapsed = time.perf_counter() - start
    copies = n // 10 - (1 if n % 10 == 0 else 0)
    print(f"dedupe: {n:,} synthetic messages (made in {made:.1f} s; {copies:,} are edited copies), threshold 0.8: "
          f"{elapsed:.1f} s, {result.n_groups:,} groups, peak RSS {_peak_rss_mb():,.0f} MB "
          f"(before dedupe {before:,.0f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("MINSHENG_SHARED_DATA", ROOT.parent / "shared" / "data")))
    parser.add_argument("--skip-dedupe", action="store_true")
    parser.add_argument("--cv", action="store_true", help="5-fold cross-validation of the classifier instead")
    parser.add_argument("--seed", type=int, default=0, help="with --cv: the draw of the folds")
    parser.add_argument("--no-network", action="store_true", help="with --cv: the SVM alone")
    args = parser.parse_args()
    dev = args.data / "messages" / "labelled_dev.csv"
    if not dev.is_file():
        print(f"skipped: shared data not found at {args.data} (set MINSHENG_SHARED_DATA)")
        return 0
    table = read_csv(dev, required=["text", "label"])
    texts, labels = table.column("text"), table.column("label")
    print(f"cpu cores: {os.cpu_count()}; python {sys.version.split()[0]}; numpy {np.__version__}; "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.cv:
        cross_validate(texts, labels, args.data / "messages" / "segmented_train.csv", seed=args.seed,
                       network=not args.no_network)
        return 0
    bench_classify(texts, labels, args.data / "messages" / "segmented_train.csv", 1_000 if args.quick else 2 * len(texts))
    print(f"  load average after the classify runs: {os.getloadavg()[0]:.1f}")
    bench_training(texts, labels, args.data / "messages" / "segmented_train.csv", 2_000 if args.quick else 10_000)
    if not args.skip_dedupe:
        bench_dedupe(texts, 50_000 if args.quick else 1_000_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
