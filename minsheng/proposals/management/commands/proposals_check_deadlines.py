"""Cron entry point: `minsheng proposals_check_deadlines` once a day (e.g. 07:00)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from minsheng.core.jobs import job_create, job_run


class Command(BaseCommand):
    help = "Send reminders before due dates, mark overdue handling records and escalate them (once per day)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as if today were YYYY-MM-DD")

    def handle(self, *args, date=None, **options):
        day = date or timezone.localdate().isoformat()
        job = job_create(kind="proposals.check_deadlines", params={"date": day}, key=f"proposals.check_deadlines:{day}",
                         enqueue=False)
        job = job_run(job.pk)
        self.stdout.write(f"{job.get_status_display()}: {job.result or job.error}")
