"""Benchmark: importing 12345 tickets from CSV into SQLite and PostgreSQL, and memory against file size.

    .venv/bin/python bench/hotline_import.py [--sizes 100000 400000] [--db sqlite postgres]

For each size a synthetic file is generated once (`minsheng hotline generate`, 12 months, seed 2026), then
each import runs in a fresh process against a fresh database (SQLite in a temporary folder; PostgreSQL
database `hotline_bench_import`), through the same service and job runner as `minsheng hotline import`.
Printed per run: rows, seconds, tickets/s, the importing process's CPU seconds and peak RSS. Memory is flat
in file size when the peak RSS of the larger file is about that of the smaller one. Targets: ≥ 20,000/s into
SQLite, ≥ 50,000/s into PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_DB = "hotline_bench_import"
TARGETS = {"sqlite": 20_000, "postgres": 50_000}


def child(path: str) -> None:
    """Run in a fresh process: migrate, load areas (not timed), import (timed), print JSON."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from minsheng.core.areas import areas_load
    from minsheng.core.jobs import job_run
    from minsheng.hotline.services import ticket_import_start

    areas_load()
    before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    job = ticket_import_start(actor=None, path=path, enqueue=False)
    job = job_run(str(job.pk))
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"status": job.status, "result": job.result, "seconds": seconds,
                      "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
                      "peak_rss_mb": after.ru_maxrss / 1024}))


def run(db: str, path: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minsheng.settings"}
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as var:
        if db == "sqlite":
            env.pop("DATABASE_URL", None)
            env["MINSHENG_VAR_DIR"] = var
        else:
            for sql in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}"):
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True,
                               stderr=subprocess.DEVNULL)
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
            env["MINSHENG_VAR_DIR"] = var
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], env=env, cwd=ROOT, check=True,
                             capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--folder", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    django.setup()
    from minsheng.hotline import synthetic

    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    streets = [s for s in synthetic._streets_from_csv("11") if s.name.endswith(synthetic.STREET_SUFFIXES)]
    files = {}
    for size in args.sizes:
        path = folder / f"hotline-{size}.csv"
        if not path.exists():
            began = time.perf_counter()
            synthetic.generate_file(path, tickets=size, months=12, start=dt.date(2025, 1, 1), seed=2026,
                                    streets=streets)
            took = time.perf_counter() - began
            print(f"generated {size:,} tickets ({path.stat().st_size / 1e6:.0f} MB) in {took:.1f} s "
                  f"({size / took:,.0f}/s)", flush=True)
        files[size] = path
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'database':<9} {'rows':>9} {'seconds':>8} {'tickets/s':>10} {'CPU s':>7} {'peak RSS':>9}  target")
    ok = True
    for db in args.db:
        for path in files.values():
            r = run(db, path)
            rate = r["result"]["imported"] / r["seconds"]
            good = rate >= TARGETS[db]
            ok = ok and good
            print(f"{db:<9} {r['result']['imported']:>9,} {r['seconds']:>8.1f} {rate:>10,.0f} {r['cpu']:>7.1f} "
                  f"{r['peak_rss_mb']:>7.0f}MB  ≥ {TARGETS[db]:,}/s {'OK' if good else 'MISSED'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
