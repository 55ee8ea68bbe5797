"""Refresh the zh_Hans catalogue: run makemessages, fill translations from tools/zh_hans.py, report gaps.

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

from zh_hans import ZH  # noqa: E402


def main() -> int:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "zh_Hans", "--no-obsolete",
                    "--ignore", "textmining/*", "--ignore", "static/*", "--no-location"],
                   cwd=ROOT / "minsheng", check=True, capture_output=True)
    po = polib.pofile(str(PO))
    po.metadata.update({"Language": "zh_Hans", "Content-Type": "text/plain; charset=UTF-8",
                        "Plural-Forms": "nplurals=1; plural=0;"})
    missing = []
    for entry in po:
        if entry.msgid_plural:
            text = ZH.get(entry.msgid_plural) or ZH.get(entry.msgid)
            if text:
                entry.msgstr_plural = {0: text}
        else:
            text = ZH.get(entry.msgid)
            if text:
                entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
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
