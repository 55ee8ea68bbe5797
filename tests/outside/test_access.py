"""The access matrix: every page and API operation × every role, as the outside sees it.

`access.txt` holds the expected answer of every cell. A page or an API operation that has no row fails
`test_every_page_and_operation_has_a_row`, so a new endpoint cannot land without saying who may use it.
Each row is checked in one world (`world.build`), every role's request inside a savepoint rolled back
afterwards, so a write by one role does not change what the next one meets.

`ACCESS_RECORD=1` writes what was observed to `test-artifacts/access-observed.txt` (same format) instead of
failing, to review and copy rows from when endpoints change.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import URLResolver, get_resolver, resolve

from .matrix import Row, client_for, fill, read_table, send
from .world import ROLES, build, names

pytestmark = pytest.mark.django_db

ROWS = read_table()
RECORD = os.environ.get("ACCESS_RECORD") == "1"
OBSERVED = Path(__file__).resolve().parents[2] / "test-artifacts" / "access-observed.txt"

# Pages that no role's permission decides: Django's own machinery.
UNCHECKED_PAGES = {"javascript-catalog", "set_language"}


def _page_names() -> set[str]:
    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                route = str(entry.pattern)
                if route.startswith(("api/", "admin/")):
                    continue
                yield from walk(entry, prefix + (entry.namespace + ":" if entry.namespace else ""))
            elif entry.name:
                yield prefix + entry.name

    return set(walk(get_resolver())) - UNCHECKED_PAGES


def _operations() -> set[tuple[str, str]]:
    from minsheng.api import api

    return {(method.upper(), path) for path, ops in api.get_openapi_schema()["paths"].items() for method in ops}


def _concrete(path: str) -> str:
    """The path with its placeholders replaced by ids of the right shape (job ids are UUIDs)."""
    path = re.sub(r"\{(job|uuid)\}", "00000000-0000-0000-0000-000000000001", path)
    return re.sub(r"\{\w+\}", "1", path).split("?")[0]


def _operation_of(row: Row) -> tuple[str, str] | None:
    concrete = _concrete(row.path)
    # Literal segments win over parameters (/api/notifications/counts is not /api/notifications/{id}).
    for method, template in sorted(_operations(), key=lambda op: (op[1].count("{"), op[1])):
        if method == row.method and re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), concrete):
            return method, template
    return None


def _page_of(row: Row) -> str | None:
    match = resolve(_concrete(row.path))
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def test_every_page_and_operation_has_a_row():
    pages, operations = set(), set()
    for row in ROWS:
        if row.is_api:
            operations.add(_operation_of(row))
        elif row.path.startswith("/admin/"):
            continue
        else:
            pages.add(_page_of(row))
    assert sorted(_operations() - operations) == []
    assert sorted(_page_names() - pages) == []


def test_rows_name_real_endpoints():
    unknown = [r.label for r in ROWS if r.is_api and _operation_of(r) is None]
    assert unknown == []


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


def _observe(world, row: Row) -> list[str]:
    from django.core.cache import cache

    got = []
    for role in ROLES:
        with transaction.atomic():
            cache.clear()
            client = client_for(role, world.users[role], api=row.is_api)
            response = send(client, row, names(world))
            got.append(str(response.status_code))
            if response.status_code >= 500:
                got[-1] += "!"
            transaction.set_rollback(True)
    return got


@pytest.mark.parametrize("row", ROWS, ids=[f"L{r.line} {r.label}" for r in ROWS])
def test_row(world, row):
    got = _observe(world, row)
    if RECORD:
        OBSERVED.parent.mkdir(exist_ok=True)
        with OBSERVED.open("a") as handle:
            handle.write(f"{row.method:<6} {row.path:<60} {' '.join(f'{s:<4}' for s in got)} {row.body}".rstrip() + "\n")
        return
    assert not any(s.endswith("!") for s in got), f"server error: {dict(zip(ROLES, got, strict=True))}"
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, row.expected, strict=True))


def test_placeholders_name_objects_of_the_world(world):
    known = names(world)
    for row in ROWS:
        fill(row.path, known, sigil="{")
        fill(row.body, known, sigil="$")
