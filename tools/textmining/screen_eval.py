"""Measure the screening models on ``../shared/data`` (developer tool, not part of the product).

    python -m tools.textmining.screen_eval spam [--data DIR] [--seed 0] [--unscaled]
    python -m tools.textmining.screen_eval spam-cv [--data DIR] [--seed 0] [--folds 5] [--unscaled] [--grid]
    python -m tools.textmining.screen_eval offensive [--data DIR]
    python -m tools.textmining.screen_eval hot [--data DIR]

``spam``: advertising SMS split 75/25 (stratified), citizens' messages and replies split 70/30;
trains on the 75% + 70% and reports F1 on the held-out SMS and the false-positive rate on the
held-out legitimate texts, for rules alone, model alone and both; then the seed article.
``spam-cv``: 5-fold cross-validation on the SMS (rules + model at the model's threshold); ``--folds``
another number of folds (10 trains each model on 90% of the SMS, nearer what ``spam-train`` sees).
``f1_pooled`` is the F1 of all folds' verdicts together.
``--unscaled``: the spam model before the naive-Bayes scaling (C = 32, no scaling), to compare.
``--grid`` (with ``spam-cv``): the same folds' models also scored with other second-level caps and
thresholds (``GRID_CAPS`` × ``GRID_THRESHOLDS``): F1, the most false positives in a fold, and the
seed article's wrong verdicts summed over the five fold models.
``offensive``: trains on ``offensive_train.csv`` and reports accuracy on ``offensive_dev.csv``.
``hot``: prints the top hot issues of ``hot_issue_messages.csv``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from minsheng.textmining import spam


def shared_data(arg: str | None) -> Path:
    """The shared data directory: ``--data``, ``$MINSHENG_SHARED_DATA`` or ``../shared/data``."""
    if arg:
        return Path(arg)
    env = os.environ.get("MINSHENG_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def legitimate_texts(data: Path) -> list[str]:
    """Every message and reply under ``messages/``: all legitimate."""
    out: list[str] = []
    for row in read_rows(data / "messages" / "labelled_dev.csv"):
        out.append(row["text"])
    for row in read_rows(data / "messages" / "hot_issue_messages.csv"):
        out.append(f"{row['subject']} {row['detail']}")
    for row in read_rows(data / "messages" / "replies.csv"):
        out.append(f"{row['subject']} {row['detail']}")
        out.append(row["reply"])
    return out


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = int((y & p).sum())
    fp = int((~y & p).sum())
    fn = int((y & ~p).sum())
    return 2 * tp / max(1, 2 * tp + fp + fn)


#: ``train_spam`` options of the spam model before the naive-Bayes scaling (``--unscaled``).
UNSCALED = {"c": 32.0, "nb_scale": False}


def eval_spam(data: Path, seed: int, **options: object) -> dict[str, object]:
    rows = read_rows(data / "spam" / "sms_train.csv")
    rng = random.Random(seed)
    pos = [r for r in rows if r["label"] == "1"]
    neg = [r for r in rows if r["label"] != "1"]
    rng.shuffle(pos)
    rng.shuffle(neg)
    cut_p, cut_n = int(len(pos) * 0.75), int(len(neg) * 0.75)
    train = pos[:cut_p] + neg[:cut_n]
    test = pos[cut_p:] + neg[cut_n:]
    legit = legitimate_texts(data)
    rng.shuffle(legit)
    cut_l = int(len(legit) * 0.7)
    started = time.perf_counter()
    model = spam.train_spam(
        [r["text"] for r in train], [int(r["label"]) for r in train], legitimate=legit[:cut_l], **options
    )
    train_s = time.perf_counter() - started
    y = np.array([r["label"] == "1" for r in test])
    result: dict[str, object] = {
        "n_sms_test": len(test),
        "n_legit_test": len(legit) - cut_l,
        "train_s": round(train_s, 1),
        "threshold": model.threshold,
    }
    for th in (0.3, 0.4, 0.5, 0.6):
        s = model.score([r["text"] for r in test]) >= th
        f = model.score(legit[cut_l:]) >= th
        result[f"model@{th}"] = {"f1": round(_f1(y, s), 4), "fp": int(f.sum())}
    for name, mdl, rules in (("rules", None, True), ("model", model, False), ("both", model, True)):
        if mdl is None:
            pred = np.array([v.spam for v in spam.screen_many([r["text"] for r in test])])
            fp = np.array([v.spam for v in spam.screen_many(legit[cut_l:])])
        elif not rules:
            pred = mdl.score([r["text"] for r in test]) >= mdl.threshold
            fp = mdl.score(legit[cut_l:]) >= mdl.threshold
        else:
            pred = np.array([v.spam for v in spam.screen_many([r["text"] for r in test], mdl)])
            fp = np.array([v.spam for v in spam.screen_many(legit[cut_l:], mdl)])
        result[name] = {
            "f1": round(_f1(y, pred), 4),
            "fp_rate": round(float(fp.mean()), 5),
            "fp": int(fp.sum()),
        }
    seed_dir = data.parent / "seed"
    lines = [
        ln.strip()
        for p in sorted(seed_dir.glob("*.txt"))
        for ln in p.read_text(encoding="utf-8").splitlines()
    ]
    lines = [ln for ln in lines if ln]
    verdicts = spam.screen_many(lines, model)
    result["seed"] = {
        "lines": len(lines),
        "flagged": [i for i, v in enumerate(verdicts) if v.spam],
        "last_two_caught": all(v.spam for v in verdicts[-2:]),
        "body_passed": not any(v.spam for v in verdicts[:-2]),
    }
    return result


def _seed_lines(data: Path) -> list[str]:
    lines = [
        ln.strip()
        for p in sorted((data.parent / "seed").glob("*.txt"))
        for ln in p.read_text(encoding="utf-8").splitlines()
    ]
    return [ln for ln in lines if ln]


#: Second-level caps and thresholds ``spam-cv --grid`` scores the folds' models with.
GRID_CAPS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)
GRID_THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6)


def _scores_by_cap(model: spam.SpamModel, texts: list[str], caps: Sequence[float]) -> dict[float, np.ndarray]:
    """The ``spam_score`` (rules + model, as ``screen_many`` gives it) of each text, the model's
    second level capped at each of ``caps`` in turn."""
    return {
        cap: np.array([v.score for v in spam.screen_many(texts, replace(model, cap=cap))]) for cap in caps
    }


def grid_rows(
    folds: Sequence[dict[str, object]], caps: Sequence[float], thresholds: Sequence[float]
) -> list[dict[str, object]]:
    """One row per cap and threshold over the folds' scores. Each fold holds ``y`` (its SMS
    labels) and, by cap, the scores of its SMS (``sms``), of the held-out legitimate texts
    (``legit``) and of the seed article's lines (``seed``, the last two of them spam). A row
    gives the mean F1 over the folds, the most false positives on legitimate texts in a fold
    and the seed lines judged wrongly, summed over the folds."""
    rows: list[dict[str, object]] = []
    for cap in caps:
        for th in thresholds:
            f1s, fps, seed_wrong = [], [], 0
            for fold in folds:
                y = np.asarray(fold["y"], dtype=bool)
                f1s.append(_f1(y, fold["sms"][cap] >= th))  # type: ignore[index]
                fps.append(int((fold["legit"][cap] >= th).sum()))  # type: ignore[index]
                flagged = fold["seed"][cap] >= th  # type: ignore[index]
                seed_wrong += int(flagged[:-2].sum()) + int((~flagged[-2:]).sum())
            rows.append(
                {
                    "cap": cap,
                    "threshold": th,
                    "f1_mean": round(float(np.mean(f1s)), 4),
                    "fp_max": max(fps),
                    "seed_wrong": seed_wrong,
                }
            )
    return rows


def eval_spam_cv(
    data: Path, seed: int, folds: int = 5, *, grid: bool = False, **options: object
) -> dict[str, object]:
    """Stratified ``folds``-fold cross-validation on the advertising SMS. Every fold trains on
    the other folds plus the same 70% of the legitimate texts and is measured (rules + model at
    the model's own threshold, what ``minsheng text spam`` runs) on its SMS fold and on the
    held-out 30% of the legitimate texts. With ``grid`` also ``grid_rows`` (``GRID_CAPS`` ×
    ``GRID_THRESHOLDS``)."""
    from sklearn.model_selection import StratifiedKFold

    rows = read_rows(data / "spam" / "sms_train.csv")
    texts = [r["text"] for r in rows]
    y = np.array([r["label"] == "1" for r in rows])
    legit = legitimate_texts(data)
    random.Random(seed).shuffle(legit)
    cut_l = int(len(legit) * 0.7)
    f1s: list[float] = []
    fps: list[int] = []
    thresholds: list[float] = []
    lines = _seed_lines(data)
    grid_folds: list[dict[str, object]] = []
    cpu = time.process_time()
    model = None
    pooled = np.zeros(len(texts), dtype=bool)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, y):
        model = spam.train_spam(
            [texts[i] for i in train], [int(y[i]) for i in train], legitimate=legit[:cut_l], **options
        )
        pred = np.array([v.spam for v in spam.screen_many([texts[i] for i in test], model)])
        pooled[test] = pred
        f1s.append(round(_f1(y[test], pred), 4))
        fps.append(int(sum(v.spam for v in spam.screen_many(legit[cut_l:], model))))
        thresholds.append(model.threshold)
        if grid:
            grid_folds.append(
                {
                    "y": y[test],
                    "sms": _scores_by_cap(model, [texts[i] for i in test], GRID_CAPS),
                    "legit": _scores_by_cap(model, legit[cut_l:], GRID_CAPS),
                    "seed": _scores_by_cap(model, lines, GRID_CAPS),
                }
            )
    assert model is not None
    verdicts = spam.screen_many(lines, model)
    result: dict[str, object] = {
        "folds": folds,
        "f1_per_fold": f1s,
        "f1_mean": round(float(np.mean(f1s)), 4),
        "f1_std": round(float(np.std(f1s)), 4),
        "f1_pooled": round(_f1(y, pooled), 4),
        "false_positives_per_fold": fps,
        "n_legit_test": len(legit) - cut_l,
        "fp_rate_max": round(max(fps) / (len(legit) - cut_l), 5),
        "thresholds": thresholds,
        "seed_last_two_caught": all(v.spam for v in verdicts[-2:]),
        "seed_body_passed": not any(v.spam for v in verdicts[:-2]),
        "cpu_s": round(time.process_time() - cpu, 1),
    }
    if grid:
        result["grid"] = grid_rows(grid_folds, GRID_CAPS, GRID_THRESHOLDS)
    return result


def eval_offensive(data: Path) -> dict[str, object]:
    train = read_rows(data / "spam" / "offensive_train.csv")
    dev = read_rows(data / "spam" / "offensive_dev.csv")
    started = time.perf_counter()
    model = spam.train_offensive([r["text"] for r in train], [int(r["label"]) for r in train])
    train_s = time.perf_counter() - started
    y = np.array([r["label"] == "1" for r in dev])
    pred = model.score([r["text"] for r in dev]) >= 0.5
    return {
        "n_train": len(train),
        "n_dev": len(dev),
        "accuracy": round(float((pred == y).mean()), 4),
        "f1": round(_f1(y, pred), 4),
        "train_s": round(train_s, 1),
    }


def eval_hot(data: Path, top: int) -> list[dict[str, object]]:
    from minsheng.textmining import hot_issues

    rows = read_rows(data / "messages" / "hot_issue_messages.csv")
    issues = hot_issues.find_hot_issues(hot_issues.messages_from_rows(rows), top=top)
    return [
        {
            "rank": i.rank,
            "heat": i.heat,
            "n": len(i.message_ids),
            "users": i.people,
            "place": i.place,
            "period": f"{i.period_start}..{i.period_end}",
            "description": i.description,
        }
        for i in issues
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.textmining.screen_eval")
    parser.add_argument("what", choices=["spam", "spam-cv", "offensive", "hot"])
    parser.add_argument("--data")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--folds", type=int, default=5, help="spam-cv: the number of folds (at least 2)")
    parser.add_argument(
        "--unscaled", action="store_true", help="the spam model before the naive-Bayes scaling"
    )
    parser.add_argument(
        "--grid", action="store_true", help="spam-cv: also score other second-level caps and thresholds"
    )
    args = parser.parse_args(argv)
    if args.grid and args.what != "spam-cv":
        parser.error(f"--grid works with spam-cv only, not with {args.what}")
    if args.folds < 2:
        parser.error(f"--folds must be at least 2, not {args.folds}")
    data = shared_data(args.data)
    if not data.is_dir():
        print(f"shared data not found at {data}", file=sys.stderr)
        return 2
    if args.what == "spam":
        out: object = eval_spam(data, args.seed, **(UNSCALED if args.unscaled else {}))
    elif args.what == "spam-cv":
        out = eval_spam_cv(data, args.seed, args.folds, grid=args.grid, **(UNSCALED if args.unscaled else {}))
    elif args.what == "offensive":
        out = eval_offensive(data)
    else:
        for item in eval_hot(data, args.top):
            print(json.dumps(item, ensure_ascii=False))
        return 0
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
