"""schemathesis over the whole OpenAPI, in process (WSGI), as three roles with bearer tokens: no server
error, every status declared, every answer in its declared content type and schema.

Bounded for CI: `SCHEMATHESIS_EXAMPLES` examples per operation (8 by default; each sent as all three roles). Operations excluded, with
the reason:
- none.
A failure prints the request to reproduce it (`case.as_curl_command()`).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from minsheng.api import api

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

pytestmark = pytest.mark.django_db


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI app closes the database connection at each request's end (`close_old_connections`), which on
    PostgreSQL ends the test's transaction; Django's own test client disconnects it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(settings, tmp_path, _keep_the_test_connection):
    """A bearer token for a member, a unit handler and staff, in the access matrix's world (so that ids the
    fuzzer tries, 1, 2, 3 …, hit real objects of every kind)."""
    from minsheng.core.services import api_token_create

    from .world import build

    settings.MEDIA_ROOT = tmp_path / "media"
    world = build()
    return {role: api_token_create(actor=world.users[role], name="fuzz")[1] for role in ("member", "unit", "staff")}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api(case, tokens):
    for key in tokens.values():
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
