"""What every ``minsheng text`` command shares: the stderr console, the progress bar, the
closing summary and the warnings about input rows and renamed output columns.

``cli`` (the classification commands and the parser) and ``cli_more`` (the screening commands)
both import from here; neither imports the other's helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from minsheng.textmining.io import Table, make_room

__all__ = ["done", "output_table", "progress", "stderr", "warn", "warn_rows"]

#: Summaries, warnings, errors and progress go to stderr: stdout carries only ``evaluate``'s report.
stderr = Console(stderr=True)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields ``advance(n)``."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def done(message: str) -> None:
    """A command's closing summary, on stderr: stdout carries only ``evaluate``'s report."""
    stderr.print(message, markup=False, highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    stderr.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)


def warn_rows(table: Table, rows: list[int], what: str) -> None:
    """Warn about the rows at the 0-based indices ``rows`` of ``table``, named as a spreadsheet
    numbers them (the header is row 1): ``what`` says what they lack and what happens to them."""
    if not rows:
        return
    shown = ", ".join(str(i + 2) for i in rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
    warn(f"{table.path}: {len(rows)} {'row' if len(rows) == 1 else 'rows'} ({shown}) {what}")


def output_table(table: Table, added: list[str]) -> tuple[list[str], list[dict[str, object]]]:
    """``io.make_room`` for a command's output, with a warning for each input column it renames."""
    columns, rows, renames = make_room(table, added)
    if not table.rows:
        warn(f"{table.path}: no rows after the header; the output has only its header")
    for old, new in renames.items():
        warn(f"{table.path} already has a column {old}; the output keeps it as {new}")
    return columns, rows
