"""Benchmark: the three rates by street for one month of Beijing volume (1.8 M tickets) on PostgreSQL.

    .venv/bin/python bench/hotline_rates.py [--tickets 1800000] [--other-months 1] [--runs 5] [--reuse]

Loads the month straight into PostgreSQL with one INSERT … SELECT over generate_series (street, unit,
category, kind, responses and ratings drawn at random with realistic shares; texts of realistic length), plus
`--other-months` months of the same size so that the month filter has work to do, then VACUUM ANALYZE, then
times `selectors.rates(month=…, by=…)` — the same function the pages, the API and the CLI call. The database
is `hotline_bench_rates` (dropped and recreated unless --reuse). Target: by street ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "hotline_bench_rates"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
TARGET_S = 2.0


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qc", sql], check=True)


LOAD = """
WITH s AS (SELECT array_agg(id ORDER BY code) ids, array_agg(parent_id ORDER BY code) parents
           FROM core_area WHERE level = 'street'),
     u AS (SELECT array_agg(id ORDER BY id) ids FROM core_unit),
     c AS (SELECT array_agg(id ORDER BY id) ids FROM hotline_category WHERE level >= 2)
INSERT INTO hotline_ticket (number, channel, kind, status, category_id, district_id, street_id, community_id,
    address, received_at, month, unit_id, deadline_class, responded_in_time, resolved, satisfaction, excluded,
    exclusion_reason, duplicate_group, summary, text, import_job, created_at)
SELECT 'B' || %(month_key)s || lpad(g::text, 8, '0'),
       'phone',
       (ARRAY['consult','help','complaint','report','suggestion'])[1 + (g * 7 %% 5)],
       'closed',
       c.ids[1 + (g * 13 %% array_length(c.ids, 1))],
       s.parents[1 + ((g * 31 + g / 7) %% array_length(s.ids, 1))],
       s.ids[1 + ((g * 31 + g / 7) %% array_length(s.ids, 1))],
       NULL,
       '北京市朝阳区建外街道建国门外大街1号院2号楼',
       %(start)s::timestamptz + (g %% 2592000) * interval '1 second',
       %(month)s::date,
       CASE WHEN random() < 0.3 THEN NULL ELSE u.ids[1 + (g * 17 %% array_length(u.ids, 1))] END,
       '7d',
       random() < 0.99,
       CASE WHEN random() < 0.94 THEN random() < 0.95 END,
       (ARRAY['satisfied','satisfied','satisfied','satisfied','satisfied','satisfied','satisfied','satisfied',
              'satisfied','basic','unsatisfied','not_rated'])[1 + floor(random() * 12)::int],
       random() < 0.02, '', '', '物业管理：物业服务',
       '来电人反映小区物业服务不到位，垃圾清运不及时，楼道堆物长期无人清理，要求街道督促物业公司尽快整改。',
       NULL, now()
FROM generate_series(1, %(n)s) g, s, u, c
"""


def fresh_database(db: str, url: str) -> dict[str, str]:
    """Drop and create `db`, migrate it and load the areas; returns the environment that points at it (the
    hotline benchmarks share this)."""
    psql(f"DROP DATABASE IF EXISTS {db}")
    psql(f"CREATE DATABASE {db}")
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "load_areas"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def load(tickets: int, other_months: int) -> None:
    fresh_database(DB, URL)
    from django.db import connection

    from minsheng.core.models import Unit

    if not Unit.objects.exists():  # units the tickets are dispatched to (the demo's names do not matter here)
        Unit.objects.bulk_create([Unit(name=f"承办单位{i:03d}", kind="street") for i in range(400)])
    months = [("2025-11", "2025-11-01")] + [(f"2025-{10 - i:02d}", f"2025-{10 - i:02d}-01") for i in range(other_months)]
    for key, first in months:
        began = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(LOAD, {"month_key": key.replace("-", ""), "start": f"{first} 00:00:00+08",
                                  "month": first, "n": tickets})
        print(f"loaded {tickets:,} tickets for {key} in {time.monotonic() - began:.1f} s", flush=True)
    connection.close()
    psql("VACUUM ANALYZE hotline_ticket", db=DB)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_800_000)
    parser.add_argument("--other-months", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database from a previous run")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    if not args.reuse:
        django.setup()
        load(args.tickets, args.other_months)
    else:
        django.setup()
    from minsheng.hotline import selectors
    from minsheng.hotline.models import Ticket

    in_month = Ticket.objects.filter(month="2025-11-01").count()
    total = Ticket.objects.count()
    print(f"table: {total:,} tickets, {in_month:,} in 2025-11; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"{'by':<10} {'groups':>7} {'best s':>8} {'median s':>9}  target")
    ok = True
    for by in ("street", "unit", "district", "category"):
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            rows = selectors.rates(month="2025-11", by=by)
            times.append(time.perf_counter() - began)
        best, median = min(times), statistics.median(times)
        target = f"≤ {TARGET_S:.0f} s {'OK' if median <= TARGET_S else 'MISSED'}" if by == "street" else ""
        ok = ok and (by != "street" or median <= TARGET_S)
        print(f"{by:<10} {len(rows):>7} {best:>8.2f} {median:>9.2f}  {target}")
    ranking_began = time.perf_counter()
    selectors.street_ranking(month="2025-11")
    print(f"street ranking with red/black lists: {time.perf_counter() - ranking_began:.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
