"""Reading the access matrix (`access.txt`) and driving one row of it as each role would.

A row: ``METHOD PATH STATUS×8 [BODY]``. PATH and BODY name the world's objects as ``{name}`` in the path and
``$name`` in the body. The body of an API row is JSON; the body of a page row is ``form:a=1&b=2``. The eight
statuses are the answers expected for the roles of `world.ROLES`, in order.

API rows are sent as a program sends them (a bearer token, CSRF enforced, no session); page rows as a
browser does (the session cookie, CSRF enforced, the token in the X-CSRFToken header).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from .world import ROLES

TABLE = Path(__file__).with_name("access.txt")


@dataclass(frozen=True)
class Row:
    line: int
    method: str
    path: str
    expected: tuple[str, ...]
    body: str = ""

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}" + (" +body" if self.body else "")


def read_table(path: Path = TABLE) -> list[Row]:
    rows = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(None, 2 + len(ROLES))
        if len(parts) < 2 + len(ROLES):
            raise ValueError(f"{path.name}:{number}: expected METHOD PATH and {len(ROLES)} statuses: {raw!r}")
        method, route, *rest = parts
        expected, body = tuple(rest[: len(ROLES)]), (rest[len(ROLES)] if len(rest) > len(ROLES) else "")
        bad = [s for s in expected if not re.fullmatch(r"\d{3}", s)]
        if bad:
            raise ValueError(f"{path.name}:{number}: statuses must be three digits, not {bad}")
        rows.append(Row(number, method.upper(), route, expected, body))
    return rows


def fill(text: str, names: dict[str, object], *, sigil: str) -> str:
    def one(match: re.Match) -> str:
        key = match.group(1)
        if key not in names:
            raise KeyError(f"the world has no object named {key!r}")
        return str(names[key])

    pattern = r"\{(\w+)\}" if sigil == "{" else r"\$(\w+)"
    return re.sub(pattern, one, text)


def send(client, row: Row, names: dict[str, object]):
    path = fill(row.path, names, sigil="{")
    method = row.method.lower()
    body = fill(row.body, names, sigil="$") if row.body else ""
    if body.startswith("form:"):
        return getattr(client, method)(path, data=dict(parse_qsl(body[5:], keep_blank_values=True)))
    if method in ("get", "head"):
        return getattr(client, method)(path)
    payload = json.dumps(json.loads(body)) if body else ("{}" if row.is_api else "")
    if row.is_api:
        return getattr(client, method)(path, data=payload, content_type="application/json")
    return getattr(client, method)(path, data={})


def client_for(role: str, user, *, api: bool):
    """A fresh client for one request: a bearer-token program for the API, a CSRF-enforcing browser for pages."""
    from conftest import login, outside_client

    client = outside_client("token" if api else "csrf")
    if user is not None:
        login(client, user)
    return client
