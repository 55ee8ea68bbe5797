"""Measure the screening models on ``../shared/data`` (developer tool, not part of the product).

    python -m minsheng.textmining._screen_eval spam [--data DIR] [--seed 0] [--unscaled]
    python -m minsheng.textmining._screen_eval spam-cv [--data DIR] [--seed 0] [--unscaled]
    python -m minsheng.textmining._screen_eval offensive [--data DIR]
    python -m minsheng.textmining._screen_eval hot [--data DIR]

``spam``: advertising SMS split 75/25 (stratified), citizens' messages and replies split 70/30;
trains on the 75% + 70% and reports F1 on the held-out SMS and the false-positive rate on the
held-out legitimate texts, for rules alone, model alone and both; then the seed article.
``spam-cv``: 5-fold cross-validation on the SMS (rules + model at the model's threshold).
``--unscaled``: the spam model before the naive-Bayes scaling (C = 32, no scaling), to compare.
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


def eval_spam_cv(data: Path, seed: int, folds: int = 5, **options: object) -> dict[str, object]:
    """Stratified ``folds``-fold cross-validation on the advertising SMS. Every fold trains on
    the other folds plus the same 70% of the legitimate texts and is measured (rules + model at
    the model's own threshold, what ``minsheng text spam`` runs) on its SMS fold and on the
    held-out 30% of the legitimate texts."""
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
    cpu = time.process_time()
    model = None
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, y):
        model = spam.train_spam(
            [texts[i] for i in train], [int(y[i]) for i in train], legitimate=legit[:cut_l], **options
        )
        pred = np.array([v.spam for v in spam.screen_many([texts[i] for i in test], model)])
        f1s.append(round(_f1(y[test], pred), 4))
        fps.append(int(sum(v.spam for v in spam.screen_many(legit[cut_l:], model))))
        thresholds.append(model.threshold)
    assert model is not None
    lines = _seed_lines(data)
    verdicts = spam.screen_many(lines, model)
    return {
        "folds": folds,
        "f1_per_fold": f1s,
        "f1_mean": round(float(np.mean(f1s)), 4),
        "f1_std": round(float(np.std(f1s)), 4),
        "false_positives_per_fold": fps,
        "n_legit_test": len(legit) - cut_l,
        "fp_rate_max": round(max(fps) / (len(legit) - cut_l), 5),
        "thresholds": thresholds,
        "seed_last_two_caught": all(v.spam for v in verdicts[-2:]),
        "seed_body_passed": not any(v.spam for v in verdicts[:-2]),
        "cpu_s": round(time.process_time() - cpu, 1),
    }


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
    parser = argparse.ArgumentParser(prog="python -m minsheng.textmining._screen_eval")
    parser.add_argument("what", choices=["spam", "spam-cv", "offensive", "hot"])
    parser.add_argument("--data")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument(
        "--unscaled", action="store_true", help="the spam model before the naive-Bayes scaling"
    )
    args = parser.parse_args(argv)
    data = shared_data(args.data)
    if not data.is_dir():
        print(f"shared data not found at {data}", file=sys.stderr)
        return 2
    if args.what == "spam":
        out: object = eval_spam(data, args.seed, **(UNSCALED if args.unscaled else {}))
    elif args.what == "spam-cv":
        out = eval_spam_cv(data, args.seed, **(UNSCALED if args.unscaled else {}))
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
