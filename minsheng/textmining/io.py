"""CSV helpers shared by every ``minsheng text`` command.

Reading detects the encoding (UTF-8, UTF-8 with BOM, GB18030/GBK — the encodings Chinese
spreadsheets are saved in —, Big5, UTF-16 with a byte-order mark) and checks the required
columns (names match without regard to surrounding spaces or the case of ASCII letters: ``Text``
is ``text``). Writing goes to a temporary file or directory beside the target that is renamed
into place only when complete, so a failed command never leaves a half-written output, and an
output is checked before any work: it may not be one of the inputs, and a model directory may
only replace an earlier model.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import os
import secrets
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

__all__ = [
    "Table",
    "TextMiningError",
    "atomic_directory",
    "atomic_path",
    "canonical_column",
    "cell_text",
    "check_model_target",
    "check_output",
    "columns_found",
    "is_blank",
    "make_room",
    "read_csv",
    "read_text",
    "write_csv",
]

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


def make_room(
    table: Table, added: Sequence[str]
) -> tuple[list[str], list[dict[str, object]], dict[str, str]]:
    """The header and rows of ``table`` made ready to take the columns ``added``.

    An input column that has one of those names is kept under a new name (``label`` becomes
    ``label_input``, then ``label_input2`` … if that is taken too) instead of being overwritten,
    so a command's output loses nothing it read. Returns the output header (the input's columns
    in their order, then ``added``), copies of the rows, and the renames (old name → new name).
    """
    taken = {*table.columns, *added}
    renames: dict[str, str] = {}
    for name in table.columns:
        if name in added:
            new, k = f"{name}_input", 2
            while new in taken:
                new, k = f"{name}_input{k}", k + 1
            taken.add(new)
            renames[name] = new
    columns = [renames.get(name, name) for name in table.columns] + list(added)
    rows = [{renames.get(name, name): value for name, value in row.items()} for row in table.rows]
    return columns, rows, renames


def columns_found(columns: Sequence[str]) -> str:
    """The header for an error message: names cut to 30 characters, at most 12 of them (a file
    with an unclosed quote in its header would otherwise print all of itself)."""
    shown = [name if len(name) <= 30 else name[:30] + "…" for name in columns[:12]]
    more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
    return (", ".join(shown) + more) or "none"


def canonical_column(name: str) -> str:
    """A column name as it is matched: surrounding spaces dropped, ASCII names in lower case."""
    name = name.strip()
    return name.lower() if name.isascii() else name


def is_blank(row: dict[str, str]) -> bool:
    """True when every cell of ``row`` is empty or spaces."""
    return not any(cell.strip() for cell in row.values())


def cell_text(value: object) -> str:
    """A cell as text: ``None``/missing becomes ``""``, surrounding whitespace is dropped."""
    if value is None:
        return ""
    return str(value).strip()


def _gb2312_share(text: str) -> float:
    """The share of the ideographs in (the first 200,000 characters of) ``text`` that GB2312, the
    common simplified characters, has: near 1 for Chinese read right, low for Big5 read as GBK."""
    ideographs = Counter(ch for ch in text[:200_000] if "\u4e00" <= ch <= "\u9fff")
    if not ideographs:
        return 1.0
    common = sum(count for ch, count in ideographs.items() if ch.encode("gb2312", errors="ignore"))
    return common / ideographs.total()


def _cp936_euro(error: UnicodeError, *, replace: bool = False) -> tuple[str, int]:
    """Decoding error handler: a lone byte 0x80 is € (code page 936); any other bad byte stays
    an error, or becomes U+FFFD with ``replace``."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    if error.end == error.start + 1 and error.object[error.start] == 0x80:
        return "€", error.end
    if replace:
        return "\ufffd", error.end
    raise error


_CP936_EURO = "minsheng-cp936-euro"
_CP936_EURO_REPLACE = "minsheng-cp936-euro-replace"
codecs.register_error(_CP936_EURO, _cp936_euro)
codecs.register_error(_CP936_EURO_REPLACE, functools.partial(_cp936_euro, replace=True))


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """``raw`` as text and the encoding found; a ``TextMiningError`` saying why when it is not text."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16: its mark starts the same
        try:
            return raw.decode("utf-32"), "utf-32"
        except UnicodeDecodeError as error:
            raise TextMiningError(f"{path}: not valid UTF-32 text ({error.reason} at byte {error.start})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise TextMiningError(f"{path}: not valid UTF-16 text ({error.reason} at byte {error.start})") from None
    if raw.startswith(b"PK\x03\x04"):
        raise TextMiningError(f"{path}: a ZIP archive (an Excel .xlsx workbook?), not CSV text; save it as CSV")
    if raw.startswith(b"\x1f\x8b"):
        raise TextMiningError(f"{path}: gzip-compressed, not CSV text; decompress it first")
    if b"\x00" in raw[:4096]:
        raise TextMiningError(f"{path}: binary content, not CSV text (UTF-16 needs a byte-order mark)")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, encoding = raw[3:], "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return raw.decode("utf-8"), encoding
    except UnicodeDecodeError as error:
        first_bad = error
    mostly = raw.decode("utf-8", errors="replace")
    bad = mostly.count("\ufffd")
    if encoding == "utf-8-sig" or sum(1 for ch in mostly if ord(ch) > 0x7F) - bad > bad:
        # More valid UTF-8 characters than bad bytes (GBK text read as UTF-8 has almost none):
        # a damaged UTF-8 file, not another encoding.
        line = raw[: first_bad.start].count(b"\n") + 1
        raise TextMiningError(
            f"{path}: line {line}: not valid UTF-8 (byte 0x{raw[first_bad.start]:02x} at offset {first_bad.start}); "
            "fix that line or save the file as UTF-8 again"
        )
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as gb_error:
        error = gb_error
        try:
            # Windows' code page 936 (Excel's "ANSI" CSV on Chinese Windows) writes € as the one
            # byte 0x80, which GBK and GB18030 lack.
            text = raw.decode("gb18030", errors=_CP936_EURO)
            if _gb2312_share(text) >= 0.8:
                return text, "cp936"
        except UnicodeDecodeError as cp936_error:
            error = cp936_error  # the first byte that is wrong in code page 936 too
        mostly = raw.decode("gb18030", errors=_CP936_EURO_REPLACE)
        ideographs = sum(1 for ch in mostly if "\u4e00" <= ch <= "\u9fff")
        if _gb2312_share(mostly) >= 0.8 and ideographs > 10 * mostly.count("\ufffd"):
            # Simplified Chinese in GBK but for a few bytes: a damaged GBK file; say where.
            line = raw[: error.start].count(b"\n") + 1
            raise TextMiningError(
                f"{path}: line {line}: not valid GBK/GB18030 (byte 0x{raw[error.start]:02x} at offset "
                f"{error.start}); fix that line or save the file as UTF-8 again"
            ) from None
    else:
        if _gb2312_share(text) >= 0.8:
            return text, "gb18030"
        try:  # Big5 read as GB18030 gives rare characters; traditional-Chinese files are Big5
            return raw.decode("big5"), "big5"
        except UnicodeDecodeError:
            return text, "gb18030"
    best = charset_normalizer.from_bytes(raw).best()
    if best is None or best.encoding is None:
        raise TextMiningError(f"{path}: cannot tell the text encoding; save it as UTF-8 and try again")
    return str(best), best.encoding


def _splits_alike(text: str, separator: str) -> bool:
    """Whether the header and the first record of ``text`` have the same number (≥ 2) of cells
    with ``separator``: a one-column file whose column name holds a semicolon (备注;说明) is
    not re-split."""
    records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header, first = next(records, []), next(records, None)
    return len(header) >= 2 and (first is None or len(first) == len(header))


def read_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """A text file's contents and the encoding found (as ``read_csv`` detects it); a
    ``TextMiningError`` when it is missing, unreadable or not text."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TextMiningError(f"{path}: no such file") from None
    except OSError as error:
        raise TextMiningError(f"{path}: cannot read ({error.strerror})") from None
    return _decode(raw, path)


def read_csv(path: str | os.PathLike[str], *, required: Sequence[str] = ()) -> Table:
    """Read ``path`` with encoding detection and check that the ``required`` columns exist.

    Raises ``TextMiningError`` naming the file and every missing column, or when the file is
    missing, empty or not text.
    """
    path = Path(path)
    text, encoding = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        # A tab- or semicolon-separated file (a spreadsheet's other "CSV" formats) reads as one
        # column whose name holds the separators: read it again with that separator.
        separator = next((sep for sep in "\t;" if len(header) == 1 and sep in header[0]), None)
        if separator is not None and not _splits_alike(text, separator):
            separator = None
        if separator is not None:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
            header = next(reader)
    except StopIteration:
        raise TextMiningError(f"{path}: the file is empty (no header row)") from None
    except csv.Error as error:
        raise TextMiningError(f"{path}: not a readable CSV file ({error})") from None
    # An unnamed column (a spreadsheet's index, a trailing comma) is named by its position, so
    # that two of them cannot overwrite each other's cells.
    columns = [canonical_column(name) or f"unnamed_{k}" for k, name in enumerate(header, start=1)]
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        raise TextMiningError(
            f"{path}: the header names {', '.join(repeated)} more than once; rename or remove the copies"
        )
    missing = [name for name in map(canonical_column, required) if name not in columns]
    if missing:
        raise TextMiningError(
            f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(found: {columns_found(columns)})"
        )
    rows: list[dict[str, str]] = []
    width = len(columns)
    try:
        for record in reader:
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                extra = next(cell for cell in record[width:] if cell.strip())
                shown = extra if len(extra) <= 30 else extra[:30] + "…"
                raise TextMiningError(
                    f"{path}: row {len(rows) + 2} has {len(record)} cells but the header names "
                    f"{width} columns (the first cell beyond them: {shown!r}); a comma inside a "
                    "cell needs the cell in double quotes"
                )
            rows.append({name: (record[i] if i < len(record) else "") for i, name in enumerate(columns)})
    except csv.Error as error:
        raise TextMiningError(f"{path}: row {len(rows) + 2}: not readable as CSV ({error})") from None
    while rows and is_blank(rows[-1]):  # blank lines at the end; blank rows inside keep their place
        rows.pop()
    return Table(path=path, columns=columns, rows=rows, encoding=encoding)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_output(target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Check an output file's path before any work: its directory exists, it is not a directory
    and not one of the ``inputs``."""
    target = Path(target)
    if target.is_dir():
        raise TextMiningError(f"{target}: is a directory; give a file name for the output")
    if not target.parent.is_dir():
        raise TextMiningError(f"{target}: the directory {target.parent} does not exist")
    for source in inputs:
        if _same_file(target, Path(source)):
            raise TextMiningError(f"{target}: is also an input; write the output to another file")
    return target


def _temporary_beside(target: Path, *, directory: bool, suffix: str = ".tmp") -> Path:
    """A new, uniquely named file or directory beside ``target``, created with the usual mode
    (``0666``/``0777`` less the umask, as any new file; ``mkstemp`` would make it owner-only)."""
    for _ in range(100):
        path = target.parent / f".{target.name}.{secrets.token_hex(6)}{'' if directory else suffix}"
        try:
            if directory:
                path.mkdir(mode=0o777)
            else:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as error:
            raise TextMiningError(f"{target}: cannot write in {target.parent} ({error.strerror})") from None
        return path
    raise TextMiningError(f"{target}: cannot create a temporary name in {target.parent}")


#: What a model directory may hold: a directory holding anything else is not overwritten.
MODEL_ENTRIES = frozenset({"model.json", "weights.npz", "offensive"})


def check_model_target(
    target: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str]] = (),
    *,
    model_format: str | None = None,
    model_kind: str | None = None,
) -> None:
    """Check a model directory to write before any work: new, or an earlier model's directory
    (nothing but ``MODEL_ENTRIES`` in it; with ``model_format``, a model of that format, and with
    ``model_kind`` one of that ``kind``), not below a file, and not holding any of the ``inputs``."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise TextMiningError(f"{target}: exists and is not a directory; give a directory for the model")
    above = next((parent for parent in target.parents if parent.exists()), None)
    if above is not None and not above.is_dir():
        raise TextMiningError(f"{target}: {above} is a file, not a directory; give a directory for the model")
    for source in inputs:
        source = Path(source).resolve()
        if source == target.resolve() or target.resolve() in source.parents:
            raise TextMiningError(f"{target}: holds the input {source}; write the model to another directory")
    if target.is_dir():
        others = sorted(entry.name for entry in target.iterdir() if entry.name not in MODEL_ENTRIES)
        if others:
            shown = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
            raise TextMiningError(
                f"{target}: exists and holds files that are not a model ({shown}); "
                "give a new directory or an earlier model's directory to replace"
            )
        found_format, found_kind = _model_identity(target / "model.json")
        found, wanted = found_format, model_format
        if model_kind is not None and found_format == model_format and found_kind is not None:
            found, wanted = found_kind, model_kind  # the same format: the kind tells them apart
        if wanted is not None and found is not None and found != wanted:
            raise TextMiningError(
                f"{target}: holds a model of another kind ({found}, not {wanted}); write this "
                "one to another directory, or remove that one first"
            )


def _model_identity(description: Path) -> tuple[str | None, str | None]:
    """The ``format`` and ``kind`` named in a model's ``model.json`` (``None`` for each that
    cannot be read: a damaged earlier model may be replaced)."""
    try:
        meta = json.loads(description.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None, None
    if not isinstance(meta, dict):
        return None, None
    found_format, found_kind = meta.get("format"), meta.get("kind")
    return (
        found_format if isinstance(found_format, str) else None,
        found_kind if isinstance(found_kind, str) else None,
    )


@contextmanager
def atomic_directory(target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()) -> Iterator[Path]:
    """Yield an empty temporary directory beside ``target``; on success it replaces ``target``.

    Checked first: ``target`` is a new directory or an earlier model's (only ``MODEL_ENTRIES``),
    and holds none of the ``inputs``. Missing parent directories are created (and removed again
    on failure). The old model is moved aside before the new one is renamed into place and
    deleted after, so a failure at any point leaves the old model or the new one, never neither.
    """
    target = Path(target)
    inputs = list(inputs)
    check_model_target(target, inputs)
    created: list[Path] = []
    parent = target.parent
    while not parent.exists():
        created.append(parent)
        parent = parent.parent
    try:
        for directory in reversed(created):
            directory.mkdir()
    except OSError as error:
        raise TextMiningError(f"{target}: cannot create {error.filename} ({error.strerror})") from None
    try:
        temporary = _temporary_beside(target, directory=True)
    except TextMiningError:
        _remove_empty(created)
        raise
    try:
        try:
            yield temporary
            check_model_target(target, inputs)  # the same checks again: it may have changed meanwhile
            if target.exists():
                old = _temporary_beside(target, directory=True)
                try:
                    os.replace(target, old)  # onto an empty directory
                except BaseException:  # Ctrl-C included: the old model stays where it was
                    if old.exists() and not target.exists():
                        os.replace(old, target)
                    else:
                        old.rmdir()
                    raise
                try:
                    os.replace(temporary, target)
                except BaseException:  # Ctrl-C included
                    if not target.exists():
                        os.replace(old, target)  # the old model back in place
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(temporary, target)
        except OSError as error:
            raise TextMiningError(f"{target}: cannot write the model ({error.strerror or error})") from None
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        _remove_empty(created)
        raise


def _remove_empty(directories: list[Path]) -> None:
    """Remove the directories ``atomic_directory`` created (deepest first), where still empty."""
    for directory in directories:
        with suppress(OSError):
            directory.rmdir()


@contextmanager
def atomic_path(target: str | os.PathLike[str], *, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``.

    On any exception the temporary file is removed and ``target`` is untouched; a failure to
    write (no permission, disk full) is a ``TextMiningError`` naming the file.
    """
    target = check_output(target)
    temporary = _temporary_beside(target, directory=False, suffix=suffix or ".tmp")
    try:
        try:
            yield temporary
            os.replace(temporary, target)
        except OSError as error:
            raise TextMiningError(f"{target}: cannot write it ({error.strerror or error})") from None
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
