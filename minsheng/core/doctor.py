"""`minsheng check`: configuration, database, migrations, worker, assets and fonts, each named."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

from django.conf import settings
from django.core import checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from minsheng import assets


def run_checks() -> list[tuple[str, bool, str]]:
    results: list[tuple[str, bool, str]] = []
    issues = [m for m in checks.run_checks() if m.level >= checks.ERROR]
    results.append(("django system checks", not issues, "; ".join(str(m) for m in issues) or "no errors"))
    if settings.PRODUCTION:
        weak = settings.DEBUG or not settings.ALLOWED_HOSTS
        results.append(("production settings", not weak, "DEBUG must be off and ALLOWED_HOSTS set" if weak else "ok"))
    db = settings.DATABASES["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        results.append(("database", True, f"{connection.vendor} {db.get('NAME')}"))
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        results.append(("database", False, f"cannot connect ({type(exc).__name__}: {exc}); check DATABASE_URL"))
        return results
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    results.append(("migrations", not pending, f"{len(pending)} pending: run `minsheng migrate`" if pending else "up to date"))
    from django_tasks_db.models import DBTaskResult

    stuck = DBTaskResult.objects.filter(status="READY", enqueued_at__lt=timezone.now() - dt.timedelta(minutes=5)).count()
    results.append(("worker", stuck == 0,
                    f"{stuck} task(s) waiting over 5 minutes: is `minsheng worker` running?" if stuck else "queue is moving"))
    absent = assets.missing()
    results.append(("front-end assets", not absent, f"missing {', '.join(absent)}: run `make setup`" if absent else "installed"))
    results.append(("CJK font", _has_cjk_font(), "for charts in Word reports" if _has_cjk_font() else
                    "no CJK font: install fonts-wqy-microhei (make setup does it as root)"))
    return results


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())
