"""Re-run the reference-data seeds of Minsheng's data migrations (functions named `seed`).

The seeds only add what is missing, so this is safe at any time. Tests that flush the database
(transactional tests) call it to get back the calendar, deadline rules, tags and vocabularies that the
migrations put there; an operator can call it (`minsheng reseed`) after deleting reference rows by mistake.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython


def reseed() -> list[str]:
    """Run every `seed` function of the project's migrations, in migration order. Returns their names."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    done = []
    for key in loader.graph.leaf_nodes():
        for app_label, name in loader.graph.forwards_plan(key):
            if not loader.graph.nodes[(app_label, name)].__module__.startswith("minsheng."):
                continue
            migration = loader.graph.nodes[(app_label, name)]
            for operation in migration.operations:
                if isinstance(operation, RunPython) and operation.code.__name__ == "seed":
                    label = f"{app_label}.{name}"
                    if label not in done:
                        operation.code(global_apps, None)
                        done.append(label)
    return done
