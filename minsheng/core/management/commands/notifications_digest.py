"""Cron entry point: `minsheng notifications_digest` once a day (e.g. 07:30, after proposals_check_deadlines)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minsheng.core.jobs import job_create, job_run


class Command(BaseCommand):
    help = "Group each person's follow and info notifications waiting for the daily digest into one (once per day)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="make the digest of YYYY-MM-DD instead of today's")

    def handle(self, *args, date=None, **options):
        try:
            day = (dt.date.fromisoformat(date) if date else timezone.localdate()).isoformat()
        except ValueError as exc:
            raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD)") from exc
        job = job_create(kind="core.notifications_digest", params={"date": day}, key=f"core.notifications_digest:{day}",
                         enqueue=False)
        job = job_run(job.pk)
        self.stdout.write(f"{job.get_status_display()}: {job.result or job.error}")
