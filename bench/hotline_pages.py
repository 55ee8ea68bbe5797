"""Benchmark: the hotline pages with a year of tickets loaded (PostgreSQL). Target: p95 ≤ 200 ms.

    .venv/bin/python bench/hotline_pages.py [--per-month 200000] [--runs 20] [--reuse]

Loads twelve months (2024-12 … 2025-11) of `--per-month` tickets each straight into PostgreSQL with the
INSERT … SELECT over generate_series of bench/hotline_rates.py (streets, units, categories, kinds, responses
and ratings drawn with realistic shares), VACUUM ANALYZEs, then requests each page as a signed-in staff
member through Django's test client (the whole stack: middleware, permissions, queries, templates): once
cold (caches cleared: what the first visitor after an import pays) and `--runs` times warm, and prints
p50 / p95 / max and the query count beside the target. The database is `hotline_bench_pages` (dropped and
recreated unless --reuse).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB = "hotline_bench_pages"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
TARGET_MS = 200.0
MONTHS = [f"{2024 + (m + 11) // 12}-{(m + 11) % 12 + 1:02d}" for m in range(12)]  # 2024-12 … 2025-11


def load(per_month: int) -> None:
    from hotline_rates import LOAD, fresh_database, psql

    fresh_database(DB, URL)
    from django.db import connection

    from minsheng.core.models import Unit, User

    if not Unit.objects.exists():
        Unit.objects.bulk_create([Unit(name=f"承办单位{i:03d}", kind="street") for i in range(400)])
    User.objects.create_user(username="staff", password="bench-only", role="staff", is_staff=True)
    for key in MONTHS:
        began = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(LOAD, {"month_key": key.replace("-", ""), "start": f"{key}-01 00:00:00+08",
                                  "month": f"{key}-01", "n": per_month})
        print(f"loaded {per_month:,} tickets for {key} in {time.monotonic() - began:.1f} s", flush=True)
    connection.close()
    psql("VACUUM ANALYZE", db=DB)


def cases() -> list[tuple[str, str]]:
    from minsheng.core.models import Area
    from minsheng.hotline.models import Category, Ticket

    district = Area.objects.filter(level="district").order_by("code").values_list("pk", flat=True)[4]
    street = Area.objects.filter(level="street", parent_id=district).order_by("code").values_list("pk", flat=True).first()
    category = Category.objects.filter(level=1).order_by("order", "name").values_list("pk", flat=True).first()
    ticket = Ticket.objects.order_by("-id").values_list("pk", flat=True).first()
    month = MONTHS[-1]
    return [
        ("ticket list", "/hotline/tickets/"),
        ("ticket list, month", f"/hotline/tickets/?month={month}"),
        ("ticket list, district + month", f"/hotline/tickets/?district={district}&month={month}"),
        ("ticket list, street, page 5", f"/hotline/tickets/?district={district}&street={street}&page=5"),
        ("ticket list, category + month", f"/hotline/tickets/?category={category}&month={month}"),
        ("ticket list, kind + satisfaction", f"/hotline/tickets/?kind=complaint&satisfaction=unsatisfied&month={month}"),
        ("ticket list, number", f"/hotline/tickets/?q=B{month.replace('-', '')}00000042"),
        ("ticket detail", f"/hotline/tickets/{ticket}/"),
        ("rates by street", f"/hotline/rates/?month={month}&by=street"),
        ("rates by unit", f"/hotline/rates/?month={month}&by=unit"),
        ("rates by district", f"/hotline/rates/?month={month}&by=district"),
        ("rates by category", f"/hotline/rates/?month={month}&by=category"),
        ("street ranking", f"/hotline/ranking/?month={month}"),
        ("topic candidates, year", "/hotline/candidates/?year=2025"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-month", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="measure the database loaded by an earlier run")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    if not args.reuse:
        load(args.per_month)
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from minsheng.core.models import User
    from minsheng.hotline.models import Ticket

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    total = Ticket.objects.count()
    print(f"table: {total:,} tickets over {len(MONTHS)} months; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    client = Client()
    client.force_login(User.objects.get(username="staff"))
    print(f"{'page':<34} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>7}  target p95 ≤ {TARGET_MS:.0f} ms")
    missed = 0
    for label, url in cases():
        cache.clear()
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        began = time.perf_counter()
        with connection.execute_wrapper(count):
            response = client.get(url)
        cold = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        verdict = "ok" if p95 <= TARGET_MS else "MISSED"
        missed += verdict != "ok"
        print(f"{label:<34} {cold:>8.0f} {statistics.median(times):>8.0f} {p95:>8.0f} {times[-1]:>8.0f} "
              f"{len(executed):>7}  {verdict}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}; {missed} page(s) over the target")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
