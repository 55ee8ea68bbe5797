"""CSV helpers shared by every ``minsheng text`` command.

Reading detects the encoding (UTF-8, UTF-8 with BOM, GB18030/GBK — the encodings Chinese
spreadsheets are saved in) and checks the required columns; writing goes to a temporary file in
the target directory that is renamed into place only when complete, so a failed command never
leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

__all__ = ["Table", "TextMiningError", "atomic_path", "cell_text", "read_csv", "write_csv"]

csv.field_size_limit(1 << 26)


class TextMiningError(Exception):
    """A problem with the user's input (file, column, model); the CLI prints it and exits with 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file read into memory: header, rows as dicts of strings, and the encoding found."""

    path: Path
    columns: list[str]
    rows: list[dict[str, str]]
    encoding: str

    def column(self, name: str) -> list[str]:
        """The cells of one column as text (``cell_text``), in row order."""
        return [cell_text(row.get(name)) for row in self.rows]


def cell_text(value: object) -> str:
    """A cell as text: ``None``/missing becomes ``""``, surrounding whitespace is dropped."""
    if value is None:
        return ""
    return str(value).strip()


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(raw).best()
    if best is None or best.encoding is None:
        raise TextMiningError(f"{path}: cannot tell the text encoding; save it as UTF-8 and try again")
    return str(best), best.encoding


def read_csv(path: str | os.PathLike[str], *, required: Sequence[str] = ()) -> Table:
    """Read ``path`` with encoding detection and check that the ``required`` columns exist.

    Raises ``TextMiningError`` naming the file and every missing column, or when the file is
    missing, empty or not text.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TextMiningError(f"{path}: no such file") from None
    except OSError as error:
        raise TextMiningError(f"{path}: cannot read ({error.strerror})") from None
    if b"\x00" in raw[:4096]:
        raise TextMiningError(f"{path}: this is not a CSV text file (binary content; UTF-16 is not supported)")
    text, encoding = _decode(raw, path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise TextMiningError(f"{path}: the file is empty (no header row)") from None
    except csv.Error as error:
        raise TextMiningError(f"{path}: not a readable CSV file ({error})") from None
    columns = [name.strip() for name in header]
    missing = [name for name in required if name not in columns]
    if missing:
        raise TextMiningError(
            f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(found: {', '.join(columns) or 'none'})"
        )
    rows: list[dict[str, str]] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            rows.append({name: (record[i] if i < len(record) else "") for i, name in enumerate(columns)})
    except csv.Error as error:
        raise TextMiningError(f"{path}: not a readable CSV file ({error})") from None
    return Table(path=path, columns=columns, rows=rows, encoding=encoding)


@contextmanager
def atomic_path(target: str | os.PathLike[str], *, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``.

    On any exception the temporary file or directory is removed and ``target`` is untouched.
    """
    target = Path(target)
    parent = target.parent
    if not parent.is_dir():
        raise TextMiningError(f"{target}: the directory {parent} does not exist")
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=parent)
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_csv(
    path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[dict[str, object]]
) -> None:
    """Write rows (dicts) as UTF-8 CSV with ``columns`` as the header, atomically."""
    with atomic_path(path, suffix=".csv") as temporary:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
