"""Copy the statuses observed by `ACCESS_RECORD=1 pytest tests/outside` into tests/outside/access.txt.

    ACCESS_RECORD=1 .venv/bin/python -m pytest -q tests/outside
    .venv/bin/python tools/access_matrix.py          # prints the cells that would change
    .venv/bin/python tools/access_matrix.py --write  # writes them

Every changed cell is a change of who may do what: read each one before writing.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "outside" / "access.txt"
OBSERVED = ROOT / "test-artifacts" / "access-observed.txt"
ROLES = ["anon", "member", "member2", "unit", "unit2", "district", "staff", "leader"]


def _key(parts: list[str]) -> tuple[str, str, str]:
    return parts[0], parts[1], " ".join(parts[2 + len(ROLES):])


def main(argv: list[str]) -> int:
    observed = {}
    for line in OBSERVED.read_text().splitlines():
        parts = line.split()
        observed[_key(parts)] = parts[2:2 + len(ROLES)]
    out, changes = [], 0
    for line in TABLE.read_text().splitlines():
        parts = line.split()
        if not parts or line.lstrip().startswith("#") or _key(parts) not in observed:
            out.append(line)
            continue
        old, new = parts[2:2 + len(ROLES)], observed[_key(parts)]
        for role, a, b in zip(ROLES, old, new, strict=True):
            if a != b:
                changes += 1
                print(f"{parts[0]} {parts[1]} {role}: {a} -> {b}")
        body = " ".join(parts[2 + len(ROLES):])
        out.append(f"{parts[0]:<6} {parts[1]:<50} {'  '.join(new)}" + (f"  {body}" if body else ""))
    print(f"{changes} cells differ")
    if "--write" in argv:
        TABLE.write_text("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
