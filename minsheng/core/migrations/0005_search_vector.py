"""PostgreSQL: keep each search entry's tsvector in a stored generated column with the GIN index on it.

Ranking (`ts_rank`) and the recheck of prefix matches otherwise re-parse `terms` for every matching row:
~0.1 ms a row, most of a second for a common word at 100,000 proposals (bench/proposals_scale.py).
SQLite is unchanged (its FTS5 table already stores the index).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE core_searchentry ADD COLUMN terms_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED",
    "CREATE INDEX core_search_vector_gin ON core_searchentry USING gin (terms_vector)",
    "DROP INDEX IF EXISTS core_search_terms_gin",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS core_search_terms_gin ON core_searchentry USING gin (to_tsvector('simple', terms))",
    "DROP INDEX IF EXISTS core_search_vector_gin",
    "ALTER TABLE core_searchentry DROP COLUMN IF EXISTS terms_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0004_unit_letterhead")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
