"""Demo step: a year of synthetic 12345 tickets, generated to a CSV file and imported (core.demo step).

`--size small` (the default) loads 200,000 tickets (generating and importing them takes about half a minute
on SQLite); `--size large` loads 2,000,000. The file is kept in the var folder, so the import can also be
tried by hand.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from minsheng.core.demo import register_step

SIZES = {"small": 200_000, "large": 2_000_000}


def reset() -> None:
    """Remove every ticket (they point at demo units), with plain DELETEs: a year of tickets is millions."""
    from django.db import connection

    from .models import Ticket

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Ticket.tags.through._meta.db_table}")
        cursor.execute(f"DELETE FROM {Ticket._meta.db_table}")


@register_step("12345 hotline tickets", reset=reset)
def load_tickets(size: str, rng: random.Random, say: Callable[[str], None]) -> None:
    from minsheng.core.jobs import job_run

    from . import synthetic
    from .selectors import add_months
    from .services import ticket_import_start

    count = SIZES.get(size, SIZES["small"])
    start = add_months(dt.date.today().replace(day=1), -12)
    path = Path(settings.VAR_DIR) / "demo" / f"hotline-{size}.csv"
    synthetic.generate_file(path, tickets=count, months=12, start=start, seed=rng.randrange(1 << 30))
    say(f"  generated {count} tickets ({start:%Y-%m}, 12 months) into {path}")
    job = ticket_import_start(actor=None, path=path, enqueue=False)
    job = job_run(str(job.pk))
    say(f"  imported: {job.result or job.error}")
