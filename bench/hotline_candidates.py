"""Benchmark: 每月一题 candidates over a year of tickets (PostgreSQL), at two sizes, with the slope.

    .venv/bin/python bench/hotline_candidates.py [--sizes 1000000 5000000] [--runs 3]

Target (issue 5): candidates over a year of Beijing's volume (21 million tickets) in ≤ 30 minutes with
≤ 4 GB of memory — measured on 1 and 5 million and extrapolated along the slope. For each size the year 2025
is loaded (twelve equal months, INSERT … SELECT over generate_series as in bench/hotline_rates.py) into the
database `hotline_bench_candidates`, VACUUM ANALYZEd, then `minsheng hotline candidates --year 2025` runs in
a fresh process `--runs` times (what staff run; the page shows the same figures through the cache), timed
with its peak RSS. The server's own memory is PostgreSQL's shared buffers and work_mem, unchanged.
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
sys.path.insert(0, str(ROOT / "bench"))
DB = "hotline_bench_candidates"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
TARGET_S, TARGET_GB, YEAR_VOLUME = 30 * 60, 4.0, 21_000_000


def load(total: int) -> None:
    from hotline_rates import LOAD, fresh_database, psql

    env = fresh_database(DB, URL)
    script = (
        "import sys; from django.db import connection; from minsheng.core.models import Unit\n"
        "Unit.objects.bulk_create([Unit(name=f'承办单位{i:03d}', kind='street') for i in range(400)])\n"
        "sql, per = sys.argv[1], int(sys.argv[2])\n"
        "for m in range(1, 13):\n"
        "    key = f'2025-{m:02d}'\n"
        "    with connection.cursor() as c:\n"
        "        c.execute(sql, {'month_key': key.replace('-', ''), 'start': f'{key}-01 00:00:00+08',"
        " 'month': f'{key}-01', 'n': per})\n"
    )
    began = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "shell", "-c",
                    f"import sys; sys.argv = ['x', {LOAD!r}, '{total // 12}']\n{script}"],
                   cwd=ROOT, env=env, check=True)
    psql("VACUUM ANALYZE hotline_ticket", db=DB)
    print(f"loaded {total // 12 * 12:,} tickets (2025, twelve months) in {time.monotonic() - began:.0f} s", flush=True)


def run_once() -> tuple[float, float]:
    env = {**os.environ, "DATABASE_URL": URL}
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "minsheng.cli", "hotline", "candidates", "--year", "2025", "--top",
                              "20", "--out", "/tmp/hotline_bench_candidates.csv"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"candidates failed with status {status}")
    return time.perf_counter() - began, usage.ru_maxrss / 1024 / 1024  # this run's peak RSS, KiB → GiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    points = []
    for size in args.sizes:
        load(size)
        runs = [run_once() for _ in range(args.runs)]
        median = statistics.median(s for s, _ in runs)
        peak = max(gb for _, gb in runs)
        points.append((size, median))
        print(f"{size:>11,} tickets: median {median:6.1f} s over {args.runs} runs, peak RSS {peak:.2f} GB, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    ok = True
    if len(points) >= 2:
        (n1, t1), (n2, t2) = points[0], points[-1]
        slope = (t2 - t1) / (n2 - n1)
        projected = t2 + slope * (YEAR_VOLUME - n2)
        ok = projected <= TARGET_S
        print(f"slope {slope * 1e6:.2f} s per million tickets; projected for {YEAR_VOLUME:,}: {projected:.0f} s "
              f"(target ≤ {TARGET_S} s: {'met' if ok else 'MISSED'}); memory target ≤ {TARGET_GB:.0f} GB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
