"""``minsheng text …``: the text engine on CSV files.

Every command reads CSV with ``io.read_csv`` (encoding detection, required columns), writes its
output atomically, shows a progress bar on stderr for long work, and turns a ``TextMiningError``
into one clear line on stderr and exit code 2. Summaries and warnings go to stderr too: stdout
carries only ``evaluate``'s report (its last line the JSON object).
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter

from minsheng.textmining import ENGINE_VERSION, cli_more
from minsheng.textmining.classify import LEVEL_SEPARATOR, MODEL_FORMAT, Prediction, TextClassifier, evaluate
from minsheng.textmining.cli_common import done, output_table, progress, stderr, warn, warn_rows
from minsheng.textmining.dedupe import Deduper
from minsheng.textmining.io import (
    Table,
    TextMiningError,
    canonical_column,
    cell_text,
    check_model_target,
    check_output,
    columns_found,
    read_csv,
    read_text,
    write_csv,
)

__all__ = ["build_parser", "main"]

_BATCH = 2048


def _texts(table: Table, column: str) -> list[str]:
    """The text column; ``text`` falls back to ``subject`` + ``detail`` when those exist instead."""
    column = canonical_column(column)
    if column in table.columns:
        return table.column(column)
    if column == "text" and {"subject", "detail"} <= set(table.columns):
        return [f"{s} {d}".strip() for s, d in zip(table.column("subject"), table.column("detail"), strict=True)]
    raise TextMiningError(f"{table.path}: missing column {column} (found: {columns_found(table.columns)})")


def _text_required(column: str) -> list[str]:
    """Columns to insist on at read time (``text`` may fall back to subject + detail)."""
    return [] if canonical_column(column) == "text" else [column]


def _labels(table: Table, spec: str) -> list[str]:
    """Labels from one column, or a path from several (``level1,level2,level3``)."""
    columns = [canonical_column(name) for name in spec.split(",") if name.strip()]
    missing = [name for name in columns if name not in table.columns]
    if missing:
        raise TextMiningError(f"{table.path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    values = [table.column(name) for name in columns]
    return [LEVEL_SEPARATOR.join(part for part in parts if part) for parts in zip(*values, strict=True)]


def _read_words(path: str | None) -> list[str]:
    if not path:
        return []
    text, _ = read_text(path)  # GBK and the other encodings of read_csv
    return [line.strip() for line in text.splitlines() if line.strip()]


def _cmd_train(args: argparse.Namespace) -> int:
    if not math.isfinite(args.c) or args.c <= 0:
        raise TextMiningError(f"--c must be a positive number (got {args.c})")
    if not 0.0 <= args.threshold <= 1.0:
        raise TextMiningError(f"--threshold must be between 0 and 1 (got {args.threshold})")
    inputs = [args.data, *args.extra, *([args.user_words] if args.user_words else [])]
    check_model_target(args.out, inputs, model_format=MODEL_FORMAT)
    table = read_csv(args.data, required=_text_required(args.text_col))
    texts, labels = _texts(table, args.text_col), _labels(table, args.label_col)
    pairs = [(t, y) for t, y in zip(texts, labels, strict=True) if t and y]
    warn_rows(table, _without(texts, labels), "without a text or a label: not trained on")
    extra_tokens: list[list[str]] = []
    extra_labels: list[str] = []
    for path in args.extra:
        extra = read_csv(path, required=["tokens"])
        for tokens, label in zip(extra.column("tokens"), _labels(extra, args.label_col), strict=True):
            if tokens and label:
                extra_tokens.append(tokens.split())
                extra_labels.append(label)
    if not pairs:
        raise TextMiningError(f"{args.data}: no row has both a text and a label")
    _warn_single_labels(labels, [y for _, y in pairs])
    with stderr.status("training") as status:
        model = TextClassifier.train(
            [t for t, _ in pairs],
            [y for _, y in pairs],
            extra_tokens=extra_tokens,
            extra_labels=extra_labels,
            user_words=_read_words(args.user_words),
            c=args.c,
            threshold=args.threshold,
            progress=lambda message: status.update(message),
        )
    model.save(args.out)
    network = "" if model.network is None else f", with a network of {model.network.w1.shape[1]} hidden units"
    done(f"trained on {len(pairs)} texts + {len(extra_tokens)} token rows, {len(model.labels)} labels{network} → {args.out}")
    return 0


def _without(*columns: list[str]) -> list[int]:
    """The indices of the rows with an empty cell in any of ``columns``."""
    return [i for i, cells in enumerate(zip(*columns, strict=True)) if not all(cells)]


def _warn_single_labels(column: list[str], used: list[str]) -> None:
    """Warn about labels given to one row only: often a text cut by a stray quote, not a category."""
    single = sorted((column.index(name) + 2, name) for name, count in Counter(used).items() if count == 1)
    for row, label in single[:3]:
        shown = label if len(label) <= 30 else label[:30] + "…"
        warn(f"label {shown!r} is on one row only (row {row}); if it is not a category, check the "
             "quotes in the rows above it")
    if len(single) > 3:
        warn(f"{len(single) - 3} more labels are on one row only")


def _predict_all(model: TextClassifier, texts: list[str], description: str) -> list[Prediction]:
    """Predictions in batches, advancing a progress bar."""
    results: list[Prediction] = []
    with progress(description, len(texts)) as advance:
        for start in range(0, len(texts), _BATCH):
            batch = texts[start : start + _BATCH]
            results.extend(model.predict(batch))
            advance(len(batch))
    return results


def _cmd_evaluate(args: argparse.Namespace) -> int:
    model = TextClassifier.load(args.model)
    table = read_csv(args.data, required=_text_required(args.text_col))
    texts, labels = _texts(table, args.text_col), _labels(table, args.label_col)
    pairs = [(t, y) for t, y in zip(texts, labels, strict=True) if t and y]
    if not pairs:
        raise TextMiningError(f"{args.data}: no row has both a text and a label")
    warn_rows(table, _without(texts, labels), "without a text or a label: not counted in n")
    unknown = sorted({y for _, y in pairs} - set(model.labels))
    if unknown:
        rows = sum(1 for _, y in pairs if y not in model.labels)
        warn(f"{rows} row(s) have labels the model was not trained on ({', '.join(unknown)}): "
             "they count as errors")
    with progress("evaluating", None):
        report = evaluate(model, [t for t, _ in pairs], [y for _, y in pairs])
    width = max(len(name) for name in report.labels)
    print(f"{'label':<{width}}  precision  recall     f1  support")
    for name, row in report.per_class.items():
        print(f"{name:<{width}}  {row['precision']:9.4f}  {row['recall']:6.4f}  {row['f1']:.4f}  {row['support']:7d}")
    print(f"n={report.n}  accuracy={report.accuracy:.4f}  macro_f1={report.macro_f1:.4f}  "
          f"needs_person={report.needs_person} (threshold {model.threshold})")
    print("confusion (rows: truth, columns: prediction, order as above):")
    for name, row in zip(report.labels, report.confusion, strict=True):
        print(f"{name:<{width}}  " + " ".join(f"{v:4d}" for v in row))
    print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    check_output(args.out, [args.data])
    model = TextClassifier.load(args.model)
    table = read_csv(args.data, required=_text_required(args.text_col))
    texts = _texts(table, args.text_col)
    present = [i for i, text in enumerate(texts) if text]
    warn_rows(table, _without(texts), "without text: label left empty, needs_person 1")
    predictions = dict(zip(present, _predict_all(model, [texts[i] for i in present], "classifying"), strict=True))
    depth = max(len(label.split(LEVEL_SEPARATOR)) for label in model.labels)
    level_columns = [f"level{k + 1}" for k in range(depth)] if depth > 1 else []
    columns, rows = output_table(table, ["label", "confidence", "needs_person", *level_columns])
    for i, out in enumerate(rows):
        prediction = predictions.get(i)
        out["label"] = prediction.label if prediction else ""
        out["confidence"] = f"{prediction.confidence:.4f}" if prediction else "0.0000"
        out["needs_person"] = int(prediction.needs_person) if prediction else 1
        for k, name in enumerate(level_columns):
            out[name] = prediction.levels[k] if prediction and k < len(prediction.levels) else ""
    write_csv(args.out, columns, rows)
    flagged = sum(1 for p in predictions.values() if p.needs_person) + len(texts) - len(present)
    done(f"classified {len(present)} texts ({flagged} need a person) → {args.out}")
    return 0


def _cmd_dedupe(args: argparse.Namespace) -> int:
    if not 0.0 < args.threshold <= 1.0:
        raise TextMiningError(f"--threshold must be in (0, 1], got {args.threshold}")
    check_output(args.out, [args.data])
    table = read_csv(args.data, required=_text_required(args.text_col))
    texts = [cell_text(t) for t in _texts(table, args.text_col)]
    warn_rows(table, _without(texts), "without text: each is a group of its own")
    with progress("deduplicating", len(texts)) as advance:
        result = Deduper(threshold=args.threshold).groups(texts, progress=advance)
    columns, rows = output_table(table, ["group", "representative"])
    for i, out in enumerate(rows):
        out.update(group=result.group[i], representative=int(result.representative[i] == i))
    write_csv(args.out, columns, rows)
    duplicates = len(texts) - result.n_groups
    done(f"{len(texts)} texts, {result.n_groups} groups, {duplicates} near-duplicates → {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``text`` argument parser (its subcommands include the screening commands)."""
    parser = argparse.ArgumentParser(prog="minsheng text", description="Minsheng's Chinese text engine")
    parser.add_argument("--version", action="version", version=f"text engine {ENGINE_VERSION}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = subparsers.add_parser("train", help="train a classifier from labelled texts")
    train.add_argument("--data", required=True, help="CSV with a text and a label column")
    train.add_argument("--extra", action="extend", nargs="+", default=[], help="token-level CSVs (column tokens, label)")
    train.add_argument("--text-col", default="text")
    train.add_argument("--label-col", default="label", help="one column, or level1,level2,level3")
    train.add_argument("--user-words", help="file with the platform's names, one per line")
    train.add_argument("--threshold", type=float, default=0.5, help="confidence below which a person decides")
    train.add_argument("--c", type=float, default=1.0, help="SVM regularisation (larger: fit closer)")
    train.add_argument("--out", required=True, help="model directory to write")
    train.set_defaults(handler=_cmd_train)

    evaluate = subparsers.add_parser("evaluate", help="score a model on labelled texts")
    evaluate.add_argument("--model", required=True)
    evaluate.add_argument("--data", required=True)
    evaluate.add_argument("--text-col", default="text")
    evaluate.add_argument("--label-col", default="label")
    evaluate.set_defaults(handler=_cmd_evaluate)

    classify = subparsers.add_parser("classify", help="add label and confidence to each row")
    classify.add_argument("--model", required=True)
    classify.add_argument("--data", required=True)
    classify.add_argument("--text-col", default="text")
    classify.add_argument("--out", required=True)
    classify.set_defaults(handler=_cmd_classify)

    dedupe = subparsers.add_parser("dedupe", help="add a near-duplicate group to each row")
    dedupe.add_argument("--data", required=True)
    dedupe.add_argument("--text-col", default="text")
    dedupe.add_argument("--threshold", type=float, default=0.8, help="estimated Jaccard similarity to merge")
    dedupe.add_argument("--out", required=True)
    dedupe.set_defaults(handler=_cmd_dedupe)

    cli_more.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``minsheng text`` with ``argv`` (without the leading ``text``); return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except TextMiningError as error:
        stderr.print(f"error: {error.message}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:  # outputs are written atomically: nothing is left half-way
        stderr.print("interrupted: nothing was written", markup=False, highlight=False)
        return 130
