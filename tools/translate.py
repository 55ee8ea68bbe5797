"""Refresh the zh_Hans catalogue: run makemessages, fill translations from tools/zh_hans*.py, report gaps.

    .venv/bin/python tools/translate.py        # exit 1 and list the strings still untranslated
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "minsheng" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
sys.path.insert(0, str(ROOT / "tools"))


def _table() -> dict[str, str]:
    """tools/zh_hans.py plus every tools/zh_hans_<app>.py (one per app, so parallel work does not collide)."""
    import importlib

    table: dict[str, str] = {}
    for path in sorted((ROOT / "tools").glob("zh_hans*.py")):
        table.update(importlib.import_module(path.stem).ZH)
    return table


ZH = _table()


def main() -> int:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "zh_Hans", "--no-obsolete",
                    "--ignore", "textmining/*", "--ignore", "static/*", "--no-location"],
                   cwd=ROOT / "minsheng", check=True, capture_output=True)
    po = polib.pofile(str(PO))
    po.metadata.update({"Language": "zh_Hans", "Content-Type": "text/plain; charset=UTF-8",
                        "Plural-Forms": "nplurals=1; plural=0;"})
    missing = []
    for entry in po:
        text = (ZH.get(entry.msgid_plural) or ZH.get(entry.msgid)) if entry.msgid_plural else ZH.get(entry.msgid)
        # makemessages guesses ("fuzzy") from similar strings; only the table is trusted.
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text or ""}
        else:
            entry.msgstr = text or ""
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = None
        if not text:
            missing.append(entry.msgid)
    po.save()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "compilemessages", "--verbosity", "0"],
                   cwd=ROOT / "minsheng", check=True)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
