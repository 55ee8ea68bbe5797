"""The search column's index: an FTS5 table kept in step by triggers on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE core_search_fts USING fts5(terms, content='core_searchentry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER core_search_ai AFTER INSERT ON core_searchentry BEGIN "
    "INSERT INTO core_search_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER core_search_ad AFTER DELETE ON core_searchentry BEGIN "
    "INSERT INTO core_search_fts(core_search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER core_search_au AFTER UPDATE ON core_searchentry BEGIN "
    "INSERT INTO core_search_fts(core_search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO core_search_fts(rowid, terms) VALUES (new.id, new.terms); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_search_au",
    "DROP TRIGGER IF EXISTS core_search_ad",
    "DROP TRIGGER IF EXISTS core_search_ai",
    "DROP TABLE IF EXISTS core_search_fts",
]
POSTGRES_FORWARD = ["CREATE INDEX core_search_terms_gin ON core_searchentry USING gin (to_tsvector('simple', terms))"]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS core_search_terms_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
