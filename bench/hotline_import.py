"""Benchmark: importing 12345 tickets from CSV into SQLite and PostgreSQL, and memory against file size.

    .venv/bin/python bench/hotline_import.py [--sizes 100000 400000] [--db sqlite postgres]

For each size a synthetic file is generated once (`minsheng hotline generate`, 12 months, seed 2026), then
each import runs in a fresh process against a fresh database (SQLite in a temporary folder; PostgreSQL
database `hotline_bench_import`, created anew and followed by a CHECKPOINT before the run), through the same service and job runner as `minsheng hotline import`.
Printed per run: rows, seconds, tickets/s, the importing process's CPU seconds (all threads, plus any child
processes), the CPU seconds of the PostgreSQL backends serving it, tickets per CPU-second of both together (what an idle machine
would do on one core), peak RSS and the load average at the start and end. The machine is shared: judge
wall-clock rates together with the load. Memory is flat in file size when the peak RSS of the larger file is
about that of the smaller one. Targets: ≥ 20,000/s into SQLite, ≥ 50,000/s into PostgreSQL.
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
    from django.db import connection

    sampler = BackendSampler(PG_DB) if connection.vendor == "postgresql" else None
    before = resource.getrusage(resource.RUSAGE_SELF)
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    batch_size = int(os.environ.get("HOTLINE_BENCH_BATCH_SIZE") or 0) or None
    job = ticket_import_start(actor=None, path=path, enqueue=False, batch_size=batch_size)
    job = job_run(str(job.pk))
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"status": job.status, "result": job.result, "seconds": seconds,
                      "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
                      "children_cpu": children.ru_utime + children.ru_stime,
                      "server_cpu": sampler.stop() if sampler else None,
                      "load": [load_before, os.getloadavg()[0]],
                      "peak_rss_mb": after.ru_maxrss / 1024, "children_peak_rss_mb": children.ru_maxrss / 1024}))


class BackendSampler:
    """CPU seconds of the PostgreSQL backends serving database `name` (found by their process title),
    sampled every 0.1 s until stop(): the server side of the import, without other databases' work."""

    def __init__(self, name: str) -> None:
        import threading

        self.needle = f" {name} ".encode()
        self.seen: dict[int, float] = {}
        self.start = self._sample()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _sample(self) -> dict[int, float]:
        tick = os.sysconf("SC_CLK_TCK")
        found = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if self.needle not in f.read():
                        continue
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
        return found

    def _loop(self) -> None:
        while not self.done.wait(0.1):
            self.seen.update(self._sample())

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        self.seen.update(self._sample())
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items())


def run(db: str, path: Path, batch_size: int | None = None) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minsheng.settings",
           "HOTLINE_BENCH_BATCH_SIZE": str(batch_size or "")}
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as var:
        if db == "sqlite":
            env.pop("DATABASE_URL", None)
            env["MINSHENG_VAR_DIR"] = var
        else:
            # CHECKPOINT last: the previous run's dirty pages and WAL are written out before this run starts,
            # so back-to-back runs do not pay for each other's writes (that cost up to 20 % per run).
            for sql in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}", "CHECKPOINT"):
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
    parser.add_argument("--repeat", type=int, default=1, help="runs per database and size")
    parser.add_argument("--batch-size", type=int, default=None, help="rows per batch (default: the importer's)")
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
    print("CPU s: the importing process (all its threads); server: CPU s of the PostgreSQL "
          "backends serving the import; load: 1-minute load average at the start and the end of the import")
    print(f"{'database':<9} {'rows':>9} {'seconds':>8} {'tickets/s':>10} {'CPU s':>7} {'server':>7} "
          f"{'rows/CPU-s':>10} {'peak RSS':>9} {'load':>10}  target")
    ok = True
    for db in args.db:
        for path in files.values():
            for _attempt in range(args.repeat):
                r = run(db, path, args.batch_size)
                imported = r["result"]["imported"]
                rate = imported / r["seconds"]
                good = rate >= TARGETS[db]
                ok = ok and good
                cpu = r["cpu"] + r["children_cpu"] + (r["server_cpu"] or 0)
                server = f"{r['server_cpu']:.1f}" if r["server_cpu"] is not None else "-"
                rss = max(r["peak_rss_mb"], r["children_peak_rss_mb"])
                load = f"{r['load'][0]:.1f}–{r['load'][1]:.1f}"
                print(f"{db:<9} {imported:>9,} {r['seconds']:>8.1f} {rate:>10,.0f} "
                      f"{r['cpu'] + r['children_cpu']:>7.1f} {server:>7} {imported / cpu:>10,.0f} {rss:>7.0f}MB "
                      f"{load:>10}  ≥ {TARGETS[db]:,}/s {'OK' if good else 'MISSED'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
