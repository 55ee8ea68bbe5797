from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from minsheng.core import demo


class Command(BaseCommand):
    help = "Load (or with --reset, reload) the demo world and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument("--reset", action="store_true", help="remove the existing demo world first")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when data is already there")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--steps", default=None,
                            help="comma-separated app steps to load after the core world (default: all; '' for none)")

    def handle(self, *args, size, reset, if_empty, seed, steps, **options):
        if not demo.is_empty():
            if if_empty:
                self.stdout.write("Data already present: demo not loaded.")
                self._accounts()
                return
            if not reset:
                raise CommandError("Demo data is already loaded. Use --reset to reload it.")
            self.stdout.write("Removing the existing demo world …")
            with transaction.atomic():
                demo.demo_reset()
        chosen = None if steps is None else [s for s in steps.split(",") if s]
        counts = demo.demo_load(size=size, seed=seed, say=self.stdout.write, steps=chosen)
        self.stdout.write(self.style.SUCCESS("Demo loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items())))
        self._accounts()

    def _accounts(self):
        self.stdout.write(f"\nDemo accounts (password: {demo.DEMO_PASSWORD}):")
        for username, role, what in demo.demo_accounts():
            self.stdout.write(f"  {username:<10} {role:<15} {what}")
