"""The zh_Hans catalogue is complete; settings refuse unsafe production; Argon2 hashes passwords."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import override_settings

PACKAGE = Path(settings.PACKAGE_DIR)
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_committed_catalogue_has_no_gaps():
    po = polib.pofile(str(PO))
    assert len(po) > 200
    assert [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags] == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext (xgettext) is not installed")
def test_every_interface_string_is_translated(tmp_path, monkeypatch):
    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO, target / "django.po")
    monkeypatch.chdir(PACKAGE)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=["textmining/*", "static/*"],
                     no_obsolete=True, no_location=True, verbosity=0)
    po = polib.pofile(str(target / "django.po"))
    assert [e.msgid for e in po if not e.translated()] == [], "run: .venv/bin/python tools/translate.py"


def test_chinese_is_the_default_language():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def _settings_exit(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run([sys.executable, "-c", "import minsheng.settings"], env={**clean, **env},
                          capture_output=True, text=True, cwd=settings.BASE_DIR, check=False)


def test_production_refuses_to_start_without_secret_key():
    result = _settings_exit({"MINSHENG_ENV": "production", "ALLOWED_HOSTS": "zx.example.gov.cn"})
    assert result.returncode == 1
    assert "SECRET_KEY must be set when MINSHENG_ENV=production." in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _settings_exit({"MINSHENG_ENV": "production", "SECRET_KEY": "x" * 50})
    assert result.returncode == 1
    assert "ALLOWED_HOSTS must be set when MINSHENG_ENV=production." in result.stderr


def test_production_starts_with_both_and_debug_is_off():
    result = _settings_exit({"MINSHENG_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a.example"})
    assert result.returncode == 0, result.stderr
    assert settings.DEBUG is False  # the test run itself, with no DEBUG set


def test_unknown_environment_is_refused():
    result = _settings_exit({"MINSHENG_ENV": "staging"})
    assert "MINSHENG_ENV must be development, test or production" in result.stderr


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.MD5PasswordHasher"  # the tests' override
    from minsheng import settings as project_settings

    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        assert make_password("秘密").startswith("argon2$")


def test_django_own_empty_choice_is_in_chinese():
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"
