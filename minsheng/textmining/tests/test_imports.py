"""The text engine's imports: no Django, no other app, and no cycle among its own modules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
MODULES = {path.stem: path for path in PACKAGE.glob("*.py")}


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at module level or inside a function, as dotted names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _edges() -> dict[str, set[str]]:
    """For each module of the package, the package's modules it imports."""
    prefix = "minsheng.textmining."
    return {
        name: {n[len(prefix) :].split(".")[0] for n in _imports(path) if n.startswith(prefix)} & set(MODULES) - {name}
        for name, path in MODULES.items()
    }


def test_the_engine_imports_neither_django_nor_another_app():
    outside = {
        name: sorted(n for n in _imports(path) if n.split(".")[0] == "django" or (
            n.startswith("minsheng.") and not n.startswith("minsheng.textmining")))
        for name, path in MODULES.items()
    }
    assert {name: found for name, found in outside.items() if found} == {}


def test_the_engine_s_modules_import_each_other_without_a_cycle():
    edges = _edges()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' → '.join((*path[path.index(name):], name))}"
        if name not in done:
            for other in sorted(edges[name]):
                visit(other, (*path, name))
            done.add(name)

    for name in sorted(edges):
        visit(name, ())
