"""Fixtures shared by every app's tests: one user per role, an API client, the shared-data path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts"


def shared_data_dir() -> Path:
    return Path(os.environ.get("MINSHENG_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Figures are cached under keys made of ids and data stamps, which repeat from one test to the next
    (rolled-back ids are reused): every test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the real hasher (asserted in test_settings); tests hash many passwords, so use MD5 here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests flush the database, which removes what the data migrations seeded (calendar,
    deadline rules, tags, vocabularies); put it back before each of them."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from minsheng.core.seeding import reseed

        reseed()


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set MINSHENG_SHARED_DATA)")
    return path


@pytest.fixture
def users(db):
    """One user for each role, plus a second unit handler of another unit."""
    from minsheng.core.tests.factories import AreaFactory, MemberFactory, UnitFactory, UserFactory

    unit, other_unit = UnitFactory(name="北京市民政局"), UnitFactory(name="北京市交通委员会")
    district = AreaFactory(level="district", name="朝阳区", code="110105")
    member_user = UserFactory(username="member", role="member")
    member = MemberFactory(user=member_user, name="林晓")
    return {
        "staff": UserFactory(username="staff", role="staff", is_staff=True),
        "leader": UserFactory(username="leader", role="leader"),
        "member": member_user,
        "member_record": member,
        "unit": UserFactory(username="unit", role="unit_handler", unit=unit),
        "other_unit": UserFactory(username="unit2", role="unit_handler", unit=other_unit),
        "district": UserFactory(username="district", role="district_staff", district=district),
        "unit_obj": unit,
        "other_unit_obj": other_unit,
        "district_obj": district,
    }


@pytest.fixture
def api_client():
    from django.test import Client

    return Client()


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- Clients as the outside sees the platform ------------------------------------------------------------
# Django's test client skips CSRF. These two enforce it, like a browser and like a program.


def _outside_client_classes():
    from django.conf import settings
    from django.test import Client
    from django.utils.crypto import get_random_string

    class CsrfSessionClient(Client):
        """A browser: CSRF enforced; once signed in it sends the CSRF cookie and the X-CSRFToken header, as
        the pages' HTMX and forms do."""

        def __init__(self, **kwargs):
            super().__init__(enforce_csrf_checks=True, **kwargs)

        def force_login(self, user, backend=None):
            super().force_login(user, backend=backend)
            secret = get_random_string(32)
            self.cookies[settings.CSRF_COOKIE_NAME] = secret
            self.defaults["HTTP_X_CSRFTOKEN"] = secret

    class TokenClient(Client):
        """A program: CSRF enforced, no session cookie; signing in makes an API token for the user and sends
        it as `Authorization: Bearer …`."""

        def __init__(self, **kwargs):
            super().__init__(enforce_csrf_checks=True, **kwargs)

        def force_login(self, user, backend=None):
            from minsheng.core.services import api_token_create

            self.logout()
            _token, key = api_token_create(actor=user, name="test client")
            self.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"

    return CsrfSessionClient, TokenClient


def outside_client(kind: str):
    """`session` (Django's test client), `csrf` (a browser enforcing CSRF) or `token` (a bearer-token program)."""
    from django.test import Client

    if kind == "session":
        return Client()
    csrf_client, token_client = _outside_client_classes()
    return {"csrf": csrf_client, "token": token_client}[kind]()
