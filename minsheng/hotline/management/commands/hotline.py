"""`minsheng hotline generate | import | remap | rates | candidates | classify` — the 12345 hotline from the shell.

    minsheng hotline generate --tickets N --months M --out FILE [--start YYYY-MM] [--seed S] [--encoding gbk]
    minsheng hotline import FILE [--mapping NAME] [--batch-size N]
    minsheng hotline remap JOB --source NAME FIELD=HEADER …
    minsheng hotline rates --month YYYY-MM --by unit|street|district|category [--out FILE]
    minsheng hotline candidates --year YYYY [--top N] [--out FILE]
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.core.errors import DomainError
from minsheng.core.lookups import is_uuid
from minsheng.core.progress import progress_bar


class Command(BaseCommand):
    help = "12345 hotline: generate synthetic tickets, import a CSV/Excel file, compute the three rates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="write Beijing-like synthetic tickets to a CSV file")
        gen.add_argument("--tickets", type=int, required=True)
        gen.add_argument("--months", type=int, default=12)
        gen.add_argument("--out", required=True)
        gen.add_argument("--start", default="", help="first month, YYYY-MM (default: so that the last month is last month)")
        gen.add_argument("--seed", type=int, default=2026)
        gen.add_argument("--encoding", choices=["utf-8", "gbk"], default="utf-8")
        imp = sub.add_parser("import", help="import tickets from a CSV or Excel file")
        imp.add_argument("file")
        imp.add_argument("--mapping", default=None, help="name of a saved import source (column mapping)")
        imp.add_argument("--batch-size", type=int, default=None)
        rates = sub.add_parser("rates", help="the three rates of a month by unit, street, district or category")
        rates.add_argument("--month", required=True)
        rates.add_argument("--by", choices=["unit", "street", "district", "category"], required=True)
        rates.add_argument("--out", default="", help="write CSV (or .xlsx) instead of printing")
        remap = sub.add_parser("remap", help="map columns an import did not recognise and import the file again")
        remap.add_argument("job", help="the import job (printed by `import`)")
        remap.add_argument("--source", required=True, help="import source to save the mapping in (created if new)")
        remap.add_argument("pairs", nargs="+", metavar="FIELD=HEADER")
        sub.add_parser("classify", help="fill missing categories with the registered text classifier")
        cand = sub.add_parser("candidates", help="hot problems of a year as 每月一题 candidates, with evidence")
        cand.add_argument("--year", type=int, required=True)
        cand.add_argument("--top", type=int, default=20)
        cand.add_argument("--out", default="", help="write CSV (or .xlsx) instead of printing")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def _generate(self, *, tickets: int, months: int, out: str, start: str, seed: int, encoding: str, **_) -> None:
        from minsheng.hotline import synthetic
        from minsheng.hotline.selectors import add_months, parse_month

        if tickets < 0 or months < 1:
            raise CommandError("--tickets must be ≥ 0 and --months ≥ 1")
        first = parse_month(start) if start else add_months(dt.date.today().replace(day=1), -months)
        began = time.monotonic()
        with progress_bar("generate") as update:
            count = synthetic.generate_file(out, tickets=tickets, months=months, start=first, seed=seed,
                                            encoding=encoding, progress=update)
        seconds = time.monotonic() - began
        self.stdout.write(f"wrote {count} tickets ({first:%Y-%m}, {months} months) to {out} "
                          f"in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f}/s)")

    def _import(self, *, file: str, mapping: str | None, batch_size: int | None, **_) -> None:
        from minsheng.core.jobs import job_run
        from minsheng.hotline.services import ticket_import_start

        job = ticket_import_start(actor=None, path=file, source=mapping, enqueue=False, batch_size=batch_size)
        done_before = int(job.state.get("counts", {}).get("rows", 0))
        if done_before:
            self.stdout.write(f"resuming interrupted import {job.pk} after {done_before} rows")
        began = time.monotonic()
        with progress_bar("import") as update:
            job = job_run(str(job.pk), on_progress=lambda j: update(j.progress_done, j.progress_total))
        seconds = time.monotonic() - began
        if job.status != "succeeded":
            raise CommandError(f"import failed (job {job.pk}): {job.error}; run the same command again to resume")
        r = job.result
        self.stdout.write(f"imported {r['imported']}, skipped as already present {r['skipped']}, "
                          f"rejected {r['rejected']} ({r['rows']} rows, {r['encoding']}, {seconds:.1f} s, "
                          f"{(r['rows'] - done_before) / max(seconds, 1e-9):,.0f} rows/s)")
        self.stdout.write(f"error report: {r['report']}" if r["report"] else "error report: none (no rejected rows)")
        self._explain(job)

    def _explain(self, job) -> None:
        """The columns an import did not recognise (and how to map them), the values it mapped, the job id."""
        r = job.result
        for item in r.get("mapped_values", []):
            self.stdout.write(f"mapped: {item['column']} “{item['value']}” → {item['to'] or '(unknown)'} "
                              f"({item['rows']} rows; the file's value is kept on each ticket)")
        if r.get("unknown_columns"):
            self.stdout.write("columns not imported (not recognised): " + "、".join(r["unknown_columns"]))
            self.stdout.write(f"  map them and import again: minsheng hotline remap {job.pk} --source NAME "
                              "FIELD=HEADER …  (fields: " + ", ".join(self._fields()) + ")")
        self.stdout.write(f"job: {job.pk}")

    @staticmethod
    def _fields() -> list[str]:
        from minsheng.hotline.importing import FIELD_NAMES

        return list(FIELD_NAMES)

    def _remap(self, *, job: str, source: str, pairs: list[str], **_) -> None:
        from minsheng.core.jobs import job_run
        from minsheng.core.models import Job
        from minsheng.hotline.services import ticket_import_remap

        earlier = Job.objects.filter(pk=job, kind="hotline.import").first() if is_uuid(job) else None
        if earlier is None:
            raise CommandError(f"no import job {job}")
        mapping = {}
        for pair in pairs:
            name, sep, header = pair.partition("=")
            if not sep or not name.strip() or not header.strip():
                raise CommandError(f"“{pair}” is not FIELD=HEADER")
            mapping[name.strip()] = header.strip()
        new = ticket_import_remap(actor=None, job=earlier, mapping=mapping, source=source, enqueue=False)
        self.stdout.write(f"mapping saved as import source “{source}”; removed the {earlier.result.get('removed', 0)} "
                          f"tickets of import {earlier.pk}; importing again")
        began = time.monotonic()
        with progress_bar("import") as update:
            new = job_run(str(new.pk), on_progress=lambda j: update(j.progress_done, j.progress_total))
        if new.status != "succeeded":
            raise CommandError(f"import failed (job {new.pk}): {new.error}; run `minsheng hotline import "
                               f"{new.params['path']} --mapping {source}` to resume")
        r = new.result
        self.stdout.write(f"imported {r['imported']}, skipped as already present {r['skipped']}, "
                          f"rejected {r['rejected']} ({r['rows']} rows, {time.monotonic() - began:.1f} s)")
        self.stdout.write(f"error report: {r['report']}" if r["report"] else "error report: none (no rejected rows)")
        self._explain(new)

    def _rates(self, *, month: str, by: str, out: str, **_) -> None:
        from minsheng.hotline.selectors import rate_export_rows, rates

        began = time.monotonic()
        rows = rates(month=month, by=by)
        seconds = time.monotonic() - began
        table = list(rate_export_rows(rows, by))
        if out:
            _write_table(Path(out), f"{month} {by}", table[0], table[1:])
            self.stdout.write(f"{len(rows)} rows by {by} for {month} written to {out} ({seconds:.2f} s)")
            return
        widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
        for line in table:
            self.stdout.write("  ".join(str("" if v is None else v).ljust(w) for v, w in zip(line, widths, strict=True)))
        self.stdout.write(f"{len(rows)} rows by {by} for {month} ({seconds:.2f} s)")

    def _candidates(self, *, year: int, top: int, out: str, **_) -> None:
        from minsheng.hotline.candidates import HEADERS, candidate_rows, topic_candidates

        began = time.monotonic()
        rows = candidate_rows(topic_candidates(year=year, top=top))
        seconds = time.monotonic() - began
        if out:
            _write_table(Path(out), f"{year} candidates", HEADERS, rows)
            self.stdout.write(f"{len(rows)} candidates for {year} written to {out} ({seconds:.2f} s)")
            return
        for row in rows:
            self.stdout.write(f"{row[0]:>3}  {row[1]:>6}  {row[2]}  {row[3]} tickets, {row[5]} districts, "
                              f"resolution {_pct(row[8])}, satisfaction {_pct(row[9])}, "
                              f"growth {'no data' if row[10] is None else f'{100 * row[10]:+.1f}%'}")
        self.stdout.write(f"{len(rows)} candidates for {year} ({seconds:.2f} s)")

    def _classify(self, **_) -> None:
        from minsheng.hotline.services import ticket_classify_missing

        with progress_bar("classify") as update:
            done = ticket_classify_missing(progress=update)
        self.stdout.write(f"classified {done} tickets")


def _pct(value: float | None) -> str:
    return "no data" if value is None else f"{value}%"




def _write_table(path: Path, title: str, headers: list, rows: list) -> None:
    """`--out`: Excel (streamed) for a .xlsx name, else CSV — both through the safe writers of core."""
    from minsheng.core.exports import write_csv, write_xlsx

    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, [(title, headers, rows)], streaming=True)
    else:
        write_csv(path, headers, rows)
