"""``minsheng text`` subcommands for screening: ``hot-issues``, ``spam-train``, ``spam``, ``replies``.

``register(subparsers)`` adds them to the ``minsheng text`` parser; each sets ``handler`` (and ``func``) to a
handler ``(args) -> int``. Handlers raise ``TextMiningError`` for bad input (the caller prints
the message and exits with 2) and write their outputs atomically, so nothing is half-written.
``main(argv)`` runs them stand-alone (used by the tests).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from minsheng.textmining.cli_common import output_table, progress, warn, warn_rows
from minsheng.textmining.io import (
    Table,
    TextMiningError,
    atomic_directory,
    canonical_column,
    cell_text,
    check_model_target,
    check_output,
    columns_found,
    is_blank,
    read_csv,
    write_csv,
)

__all__ = ["main", "register"]

HOT_COLUMNS = ["rank", "heat", "period_start", "period_end", "place_or_group", "description", "message_ids"]


# --- hot-issues --------------------------------------------------------------------------------


def _hot_issues(args: argparse.Namespace) -> int:
    from minsheng.textmining import hot_issues

    if args.top < 1:
        raise TextMiningError(f"--top must be at least 1 (got {args.top})")
    check_output(args.out, [args.data])
    table = read_csv(args.data, required=hot_issues.REQUIRED_COLUMNS)
    if not table.rows:
        raise TextMiningError(f"{args.data}: no messages")
    try:
        messages = hot_issues.messages_from_rows(table.rows)
    except ValueError as error:
        raise TextMiningError(f"{args.data}: {error}") from None
    # A message without a subject or a detail says nothing about a problem: it joins no issue.
    blank = [i for i, row in enumerate(table.rows) if not is_blank(row) and not _has_text(row)]
    if len(blank) == len(messages):
        raise TextMiningError(f"{args.data}: no message has a subject or a detail")
    warn_rows(table, blank, "without a subject or a detail: left out")
    messages = [m for m in messages if (m.subject + m.detail).strip()]
    with progress("hot issues", len(messages)) as advance:
        issues = hot_issues.find_hot_issues(messages, top=args.top, progress=advance)
    rows = [
        {
            "rank": issue.rank,
            "heat": issue.heat,
            "period_start": issue.period_start.isoformat(),
            "period_end": issue.period_end.isoformat(),
            "place_or_group": issue.place,
            "description": issue.description,
            "keywords": " ".join(issue.keywords),
            "people": issue.people,
            "message_ids": ";".join(issue.message_ids),
        }
        for issue in issues
    ]
    columns = [*HOT_COLUMNS[:-1], "keywords", "people", HOT_COLUMNS[-1]] if args.details else HOT_COLUMNS
    write_csv(args.out, columns, rows)
    print(f"{len(rows)} hot issues from {len(messages)} messages → {args.out}", file=sys.stderr)
    return 0


def _has_text(row: dict[str, str]) -> bool:
    return bool(cell_text(row.get("subject")) or cell_text(row.get("detail")))


# --- spam --------------------------------------------------------------------------------------


def _labelled(path: str) -> tuple[list[str], list[int]]:
    table = read_csv(path, required=("label", "text"))
    texts: list[str] = []
    labels: list[int] = []
    for number, row in enumerate(table.rows, start=2):
        if is_blank(row):
            continue
        raw = cell_text(row.get("label"))
        if raw not in ("0", "1"):
            raise TextMiningError(f"{path}: row {number}: label must be 0 or 1 (got {raw!r})")
        text = cell_text(row.get("text"))
        if text:
            texts.append(text)
            labels.append(int(raw))
    return texts, labels


def _legitimate(path: str) -> list[str]:
    """Every text cell of a CSV of legitimate messages: ``text``, or ``subject``+``detail``, and
    ``reply`` when present."""
    table = read_csv(path)
    columns = set(table.columns)
    if not columns & {"text", "subject", "detail", "reply"}:
        raise TextMiningError(
            f"{path}: needs a text, subject/detail or reply column (found: {columns_found(table.columns)})"
        )
    out: list[str] = []
    for row in table.rows:
        if "label" in columns and cell_text(row.get("label")) == "1":
            continue
        body = (
            cell_text(row.get("text"))
            or f"{cell_text(row.get('subject'))} {cell_text(row.get('detail'))}".strip()
        )
        if body:
            out.append(body)
        if cell_text(row.get("reply")):
            out.append(cell_text(row.get("reply")))
    return out


# The public input this filter guards is citizens' messages; SMS spam corpora contain none, so the
# model also needs legitimate messages as negatives. Without --legitimate we use the institution's
# own message exports named by MINSHENG_LEGITIMATE (paths separated by os.pathsep), else the public
# citizen-message set beside the checkout (MINSHENG_SHARED_DATA/messages), when present.
_DEFAULT_LEGITIMATE_FILES = ("labelled_dev.csv", "hot_issue_messages.csv", "replies.csv")


def _default_legitimate() -> list[Path]:
    named = [Path(p) for p in os.environ.get("MINSHENG_LEGITIMATE", "").split(os.pathsep) if p]
    if named:
        return named
    shared = Path(
        os.environ.get("MINSHENG_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data")
    )
    found = [
        shared / "messages" / name
        for name in _DEFAULT_LEGITIMATE_FILES
        if (shared / "messages" / name).is_file()
    ]
    if found:
        print(f"using legitimate messages from {shared / 'messages'} as negatives", file=sys.stderr)
    return found


def _spam_train(args: argparse.Namespace) -> int:
    from minsheng.textmining import spam

    inputs = [args.data, *(args.extra or ()), *(args.legitimate or ()), *([args.offensive] if args.offensive else [])]
    check_model_target(args.out, inputs, model_format=spam.FORMAT, model_kind=spam.SPAM_KIND)
    texts, labels = _labelled(args.data)
    for extra in args.extra or ():
        more_texts, more_labels = _labelled(extra)
        texts += more_texts
        labels += more_labels
    legitimate: list[str] = []
    for path in args.legitimate or _default_legitimate():
        legitimate += _legitimate(str(path))
    if len(set(labels)) < 2:
        raise TextMiningError(f"{args.data}: training needs both spam (1) and non-spam (0) rows")
    if not legitimate:
        warn(
            "no --legitimate texts; a model trained on SMS alone flags most citizens' "
            "messages (give the platform's own messages with --legitimate)"
        )
    offensive: tuple[list[str], list[int]] | None = _labelled(args.offensive) if args.offensive else None
    steps = spam.training_steps(labels)
    with progress("training", steps + (1 if offensive else 0)) as advance:
        model = spam.train_spam(texts, labels, legitimate=legitimate, progress=advance)
        model.metrics = {
            **model.metrics,
            "n_spam": sum(labels),
            "n_ham": len(labels) - sum(labels),
            "n_legitimate": len(legitimate),
        }
        off_model = None
        if offensive is not None:
            off_model = spam.train_offensive(*offensive)
            off_model.metrics = {"n": len(offensive[0])}
            advance(1)
    with atomic_directory(args.out, inputs) as temporary:
        model.save(temporary)
        if off_model is not None:
            off_model.save(temporary / "offensive")
    print(f"spam model ({len(texts)} labelled, {len(legitimate)} legitimate) → {args.out}", file=sys.stderr)
    return 0


def _texts_of(table: Table, column: str | None, path: str) -> list[str]:
    """The texts to screen: ``column``; by default ``text``, else subject + detail, else reply."""
    if column:
        return table.column(canonical_column(column))
    names = set(table.columns)
    if "text" in names:
        return table.column("text")
    if names & {"subject", "detail"}:
        return [f"{cell_text(r.get('subject'))} {cell_text(r.get('detail'))}".strip() for r in table.rows]
    if "reply" in names:
        return table.column("reply")
    raise TextMiningError(
        f"{path}: missing column text (or subject/detail, or reply); found: {columns_found(table.columns)}"
    )


def _spam(args: argparse.Namespace) -> int:
    from minsheng.textmining import spam

    check_output(args.out, [args.data])
    model = off_model = None
    if args.model:
        try:
            model = spam.load_spam_model(args.model)
            if (Path(args.model) / "offensive").exists():  # a damaged part is refused, not skipped
                off_model = spam.load_offensive_model(Path(args.model) / "offensive")
        except spam.ModelFormatError as error:
            raise TextMiningError(str(error)) from None
        if model.metrics.get("n_legitimate") == 0:
            warn(
                f"{args.model} was trained without legitimate messages (spam-train without "
                "--legitimate): it flags most citizens' messages; retrain it with the platform's own"
            )
    table = read_csv(args.data, required=(args.text_col,) if args.text_col else ())
    texts = _texts_of(table, args.text_col, args.data)
    warn_rows(table, [i for i, text in enumerate(texts) if not cell_text(text)], "without text: not flagged")
    verdicts: list[spam.SpamVerdict] = []
    offensive: list[float] = []
    with progress("screening", len(texts)) as advance:
        for start in range(0, len(texts), 2000):
            chunk = texts[start : start + 2000]
            verdicts += spam.screen_many(chunk, model)
            if off_model is not None:
                offensive += [round(float(p), 4) for p in off_model.score(chunk)]
            advance(len(chunk))
    extra = ["spam_score", "spam", "reason"] + (["offensive_score"] if off_model is not None else [])
    columns, rows = output_table(table, extra)
    for i, (out, verdict) in enumerate(zip(rows, verdicts, strict=True)):
        out.update(spam_score=verdict.score, spam=int(verdict.spam), reason=verdict.reason)
        if off_model is not None:
            out["offensive_score"] = offensive[i]
    write_csv(args.out, columns, rows)
    print(f"{sum(v.spam for v in verdicts)} of {len(verdicts)} flagged → {args.out}", file=sys.stderr)
    return 0


# --- replies -----------------------------------------------------------------------------------


def _replies(args: argparse.Namespace) -> int:
    from minsheng.textmining import replies

    if args.deadline_days < 1:
        raise TextMiningError(f"--deadline-days must be at least 1 (got {args.deadline_days})")
    check_output(args.out, [args.data])
    table = read_csv(args.data, required=replies.REQUIRED_COLUMNS)
    rule = replies.DeadlineRule(days=args.deadline_days, working=not args.calendar_days)
    empty = [i for i, row in enumerate(table.rows) if not replies.has_reply(row.get("reply"))]
    warn_rows(table, empty, "without a reply: scored 0 (note 'no reply')")
    with progress("scoring replies", len(table.rows)) as advance:
        scores = replies.score_replies(table.rows, rule=rule, progress=advance)
    extra = [
        "relevance",
        "completeness",
        "interpretability",
        "timeliness",
        "lag_days",
        "reply_score",
        "notes",
    ]
    columns, rows = output_table(table, extra)
    for out, s in zip(rows, scores, strict=True):
        out.update(
            relevance=s.relevance,
            completeness=s.completeness,
            interpretability=s.interpretability,
            timeliness="" if s.timeliness is None else s.timeliness,
            lag_days="" if s.lag_days is None else s.lag_days,
            reply_score=s.overall,
            notes=s.notes,
        )
    write_csv(args.out, columns, rows)
    print(f"{len(rows)} replies scored → {args.out}", file=sys.stderr)
    return 0


# --- registration ------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``hot-issues``, ``spam-train``, ``spam`` and ``replies`` to ``minsheng text``."""
    p = subparsers.add_parser("hot-issues", help="group messages into hot issues and rank them by heat")
    p.add_argument("--data", required=True, help="CSV with the columns of hot_issue_messages.csv")
    p.add_argument("--top", type=int, default=10, help="how many issues to write (default 10)")
    p.add_argument("--out", required=True, help="output CSV")
    p.add_argument("--details", action="store_true", help="also write keywords and people columns")
    p.set_defaults(handler=_hot_issues, func=_hot_issues)

    p = subparsers.add_parser("spam-train", help="train the spam model (and optionally the offensive model)")
    p.add_argument("--data", required=True, help="CSV with label (1 = spam) and text")
    p.add_argument("--extra", nargs="*", default=[], help="more label,text CSVs, e.g. moderation decisions")
    p.add_argument(
        "--legitimate",
        nargs="*",
        default=[],
        help="CSVs of legitimate messages (text, or subject/detail, and reply columns)",
    )
    p.add_argument("--offensive", help="label,text CSV of offensive language (1 = offensive)")
    p.add_argument("--out", required=True, help="model directory")
    p.set_defaults(handler=_spam_train, func=_spam_train)

    p = subparsers.add_parser("spam", help="screen texts: adds spam_score, spam, reason")
    p.add_argument("--model", help="model directory from spam-train (without it: the rules alone)")
    p.add_argument("--data", required=True, help="CSV with a text column")
    p.add_argument("--text-col", help="the column to screen (default: text, else subject+detail, else reply)")
    p.add_argument("--out", required=True, help="output CSV")
    p.set_defaults(handler=_spam, func=_spam)

    p = subparsers.add_parser("replies", help="score government replies against the messages")
    p.add_argument("--data", required=True, help="CSV with the columns of replies.csv")
    p.add_argument("--deadline-days", type=int, default=15, help="reply deadline (default 15 working days)")
    p.add_argument("--calendar-days", action="store_true", help="count the deadline in calendar days")
    p.add_argument("--out", required=True, help="output CSV")
    p.set_defaults(handler=_replies, func=_replies)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of these subcommands stand-alone: bad input → message on stderr, exit code 2."""
    parser = argparse.ArgumentParser(prog="minsheng text")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except TextMiningError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # outputs are written atomically: nothing is left half-way
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
