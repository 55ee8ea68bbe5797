"""The messages hot issues are found in: ``Message``, read from CSV rows by ``messages_from_rows``
(the columns of ``hot_issue_messages.csv``), and ``parse_time`` for their dates."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

__all__ = ["REQUIRED_COLUMNS", "Message", "messages_from_rows", "parse_time"]

REQUIRED_COLUMNS = ("message_id", "subject", "posted_at", "detail")

_TIME_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\D+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?"
)


def parse_time(value: str) -> datetime | None:
    """Parse ``2019/2/28 11:25:05``, ``2019-07-21 10:29:36``, ``2019年7月21日`` …; ``None`` if not."""
    match = _TIME_RE.search(value or "")
    if not match:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


@dataclass(slots=True)
class Message:
    """One message for hot-issue discovery (``resolved`` / ``satisfaction`` only for tickets)."""

    message_id: str
    subject: str
    detail: str
    posted_at: datetime
    user: str = ""
    likes: int = 0
    dislikes: int = 0
    resolved: float | None = None
    satisfaction: float | None = None


def _int(value: object) -> int:
    """A count cell (``likes``, ``dislikes``): empty, not a number, negative, infinite or beyond
    ``_MAX_COUNT`` (a sum of such counts would overflow a float) → 0."""
    number = _float_or_none(value)
    return int(number) if number is not None and 0 < number <= _MAX_COUNT else 0


#: The largest like or dislike count read as such (2⁵³: exact in float64).
_MAX_COUNT = float(2**53)


def _float_or_none(value: object) -> float | None:
    """A number cell: empty, not a number, NaN or infinite → ``None`` (unknown)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def messages_from_rows(rows: Iterable[Mapping[str, str]]) -> list[Message]:
    """Build messages from CSV rows with the columns of ``hot_issue_messages.csv``.

    Rows whose cells are all empty are skipped. Raises ``ValueError`` naming the row when
    ``posted_at`` cannot be read, or when ``message_id`` is empty, contains ``;`` (the separator
    of an issue's ids) or repeats an earlier row's. ``user``, ``likes``, ``dislikes``,
    ``resolved`` and ``satisfaction`` are optional.
    """
    out: list[Message] = []
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(str(cell or "").strip() for cell in row.values()):
            continue
        message_id = str(row.get("message_id") or "").strip()
        if not message_id:
            raise ValueError(f"row {number}: message_id is empty")
        if ";" in message_id:
            raise ValueError(f"row {number}: message_id {message_id!r} contains ';', which separates the ids of an issue")
        if message_id in first_row:
            raise ValueError(f"row {number}: message_id {message_id!r} repeats row {first_row[message_id]}")
        first_row[message_id] = number
        posted = parse_time(row.get("posted_at") or "")
        if posted is None:
            raise ValueError(f"row {number}: posted_at {row.get('posted_at')!r} is not a date")
        out.append(
            Message(
                message_id=message_id,
                subject=str(row.get("subject") or ""),
                detail=str(row.get("detail") or ""),
                posted_at=posted,
                user=str(row.get("user") or "").strip(),
                likes=_int(row.get("likes")),
                dislikes=_int(row.get("dislikes")),
                resolved=_float_or_none(row.get("resolved")),
                satisfaction=_float_or_none(row.get("satisfaction")),
            )
        )
    return out
