"""Production defaults and headers: `check --deploy` clean, a CSP the pages satisfy, Permissions-Policy,
signed-in pages not cached, private files, and sign-in limits per username and per client."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from conftest import login
from minsheng.core.security import client_ip

pytestmark = pytest.mark.django_db

PRODUCTION = {"MINSHENG_ENV": "production", "SECRET_KEY": "s3cr3t-Minsheng-test-key-" + "0123456789abcdefXYZ" * 2, "ALLOWED_HOSTS": "zx.example.gov.cn"}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "MINSHENG_ENV", "EMAIL_BACKEND"}}
    return subprocess.run([sys.executable, *args], env={**clean, **env}, capture_output=True, text=True,
                          cwd=settings.BASE_DIR, check=False, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                  {**PRODUCTION, "MINSHENG_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_behind_a_tls_proxy():
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, "
            "s.MAILERS['default']['BACKEND'], s.MINSHENG_PROXY_COUNT)")
    result = _run(["-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='minsheng.settings'; "
                   f"django.setup(); {code}"], PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')",
                                     "django.core.mail.backends.smtp.EmailBackend", "1"]


def test_development_keeps_plain_http():
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False
    assert settings.MINSHENG_PROXY_COUNT == 0


def test_key_and_database_are_private(tmp_path):
    var = tmp_path / "var"
    result = _run(["-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='minsheng.settings'; "
                   "django.setup(); from django.db import connection; "
                   "c = connection.cursor(); c.execute('CREATE TABLE t (x int)'); c.execute('INSERT INTO t VALUES (1)')"],
                  {"MINSHENG_VAR_DIR": str(var), "DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "minsheng.sqlite3").stat().st_mode) == 0o600
    # A key file left world-readable by an older version is tightened at start.
    (var / "secret_key").chmod(0o644)
    assert _run(["-c", "import minsheng.settings"], {"MINSHENG_VAR_DIR": str(var)}).returncode == 0
    assert stat.S_IMODE((var / "secret_key").stat().st_mode) == 0o600


# --- headers ----------------------------------------------------------------------------------------------


def test_pages_carry_a_csp_with_a_nonce_that_their_inline_scripts_use(users):
    client = login(Client(), users["staff"])
    response = client.get("/proposals/statistics/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == f"'self' 'nonce-{nonce}'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html)
    assert inline, "the statistics page has an inline chart script"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert not re.search(r"\son[a-z]+=\"", html)  # no inline event handlers (the CSP would block them)


@pytest.mark.parametrize("path", ["/", "/proposals/", "/hotline/rates/", "/supervision/"])
def test_signed_in_pages_are_not_cached_and_carry_permissions_policy(users, path):
    response = login(Client(), users["staff"]).get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert "camera=()" in response["Permissions-Policy"]
    assert "Content-Security-Policy" in response


def test_api_answers_signed_in_are_not_cached(users):
    response = login(Client(), users["staff"]).get("/api/me")
    assert response["Cache-Control"] == "no-store, private"


def test_no_template_has_inline_handlers_or_unnonced_scripts():
    offenders = []
    for root in [settings.PACKAGE_DIR]:
        for path in root.rglob("templates/**/*.html"):
            text = path.read_text()
            if re.search(r"\son(click|change|submit|load|input)=", text):
                offenders.append(f"{path}: inline handler")
            for attrs in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
                if "application/json" not in attrs and "csp_nonce" not in attrs:
                    offenders.append(f"{path}: inline script without nonce")
    assert offenders == []


# --- sign-in limits ----------------------------------------------------------------------------------------


def test_one_password_across_many_usernames_is_limited_per_client(users, settings):
    settings.AXES_CLIENT_FAILURE_LIMIT = 8
    client = Client(REMOTE_ADDR="10.1.2.3")
    # One wrong password each on eight names: no single name reaches its limit of 5, the client does.
    answers = [client.post("/login/", {"username": f"user{i}", "password": "Passw0rd!"}).status_code for i in range(8)]
    assert answers == [200] * 7 + [429]
    response = client.post("/login/", {"username": "staff", "password": "pw-for-tests-1"})
    assert response.status_code == 429
    # Another client is not affected.
    assert Client(REMOTE_ADDR="10.9.9.9").post("/login/", {"username": "staff", "password": "pw-for-tests-1"}).status_code == 302


def test_signing_in_to_ones_own_account_does_not_lift_the_client_limit(users, settings):
    settings.AXES_CLIENT_FAILURE_LIMIT = 6
    client = Client(REMOTE_ADDR="10.1.2.4")
    for i in range(4):
        client.post("/login/", {"username": f"victim{i}", "password": "guess"})
    assert client.post("/login/", {"username": "member", "password": "pw-for-tests-1"}).status_code == 302
    client.logout()
    for i in range(4, 6):
        client.post("/login/", {"username": f"victim{i}", "password": "guess"})
    assert client.post("/login/", {"username": "member", "password": "pw-for-tests-1"}).status_code == 429


def test_forwarded_for_is_trusted_only_behind_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.MINSHENG_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.MINSHENG_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our one proxy saw; 6.6.6.6 was written by the client
    settings.MINSHENG_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.MINSHENG_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.1"  # fewer entries than proxies: the header is not trusted
    junk = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    settings.MINSHENG_PROXY_COUNT = 1
    assert client_ip(junk) == "10.0.0.1"


def test_spoofed_forwarded_for_does_not_escape_the_limit(users, settings):
    settings.MINSHENG_PROXY_COUNT = 0
    settings.AXES_CLIENT_FAILURE_LIMIT = 5
    client = Client(REMOTE_ADDR="10.1.2.5")
    for i in range(5):
        client.post("/login/", {"username": f"n{i}", "password": "x"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    response = client.post("/login/", {"username": "staff", "password": "pw-for-tests-1"},
                           HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
