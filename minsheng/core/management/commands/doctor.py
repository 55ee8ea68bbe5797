from django.core.management.base import BaseCommand, CommandError

from minsheng.core.doctor import run_checks


class Command(BaseCommand):
    help = "Check configuration, database, migrations, worker, assets and fonts; name each problem."

    def handle(self, *args, **options):
        problems = 0
        for name, ok, detail in run_checks():
            mark = self.style.SUCCESS("ok  ") if ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {name}: {detail}")
            problems += not ok
        if problems:
            raise CommandError(f"{problems} problem(s) found")
