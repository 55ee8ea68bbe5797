from django.core.management.base import BaseCommand

from minsheng.core.calendar import calendar_load, ensure_default_rules


class Command(BaseCommand):
    help = "Add missing statutory holidays, make-up workdays and default deadline rules (edits are kept)."

    def handle(self, *args, **options):
        days = calendar_load()
        rules = ensure_default_rules()
        self.stdout.write(f"Calendar days added: {days}; deadline rules added: {rules}")
