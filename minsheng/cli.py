"""The `minsheng` command line.

    minsheng serve [--port N] [--no-worker]   the platform at http://127.0.0.1:8000 and the task worker
    minsheng worker                           the task worker alone
    minsheng demo [--size small|large] [--reset] [--if-empty]
    minsheng check                            configuration, database, worker, assets, fonts
    minsheng job ID                           run a queued or failed job in the foreground
    minsheng text …                           the Chinese text engine on CSV files (no database)
    minsheng assets                           copy npm-installed assets into static/vendor
    minsheng <django command> …               any Django management command (migrate, createsuperuser…)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence


def _django(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minsheng", *argv])
    return 0


def _serve(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="minsheng serve", description="Run the web server and the task worker.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    parser.add_argument("--no-worker", action="store_true", help="do not start the task worker beside the server")
    args = parser.parse_args(argv)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minsheng.settings"}
    children: list[subprocess.Popen] = []
    if not args.no_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "minsheng.cli", "worker"], env=env))
    web = subprocess.Popen([
        sys.executable, "-m", "gunicorn", "minsheng.wsgi:application", "--bind", f"{args.host}:{args.port}",
        "--workers", str(args.workers), "--access-logfile", "-", "--timeout", "120",
    ], env=env)
    children.append(web)
    print(f"Minsheng is running at http://{args.host}:{args.port}/ (Ctrl-C stops it)", flush=True)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def _job(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="minsheng job", description="Run a job in the foreground.")
    parser.add_argument("job_id")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    django.setup()
    from minsheng.core.jobs import job_run
    from minsheng.core.progress import progress_bar

    with progress_bar("job") as update:
        job = job_run(args.job_id, on_progress=lambda j: update(j.progress_done, j.progress_total))
    print(f"{job.title}: {job.get_status_display()} {job.result or job.error}")
    return 0 if job.status == "succeeded" else 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"help", "--help", "-h"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return _serve(rest)
    if command == "worker":
        return _django(["db_worker", *rest])
    if command == "check":
        return _django(["doctor", *rest])
    if command == "job":
        return _job(rest)
    if command == "text":
        from minsheng.textmining.cli import main as text_main

        return text_main(rest)
    if command == "assets":
        from minsheng.assets import copy_assets

        try:
            copied = copy_assets()
        except FileNotFoundError as exc:
            print(f"minsheng assets: {exc}", file=sys.stderr)
            return 2
        print(f"copied {len(copied)} asset files into minsheng/static/vendor/")
        return 0
    return _django(argv)


if __name__ == "__main__":
    sys.exit(main())
