"""Add each search entry's title bigrams to its terms (what core.search.entry_terms now indexes).

"The title contains q" is then answered from the index instead of a LIKE over every title (the proposal
list's search at 100,000 proposals: bench/proposals_scale.py). Entries keep their title, so the bigrams are
derived from it here, with no need of the indexed models. The SQLite FTS5 table follows through its update
trigger; PostgreSQL's stored tsvector is regenerated.
"""

from django.db import migrations


def add_bigrams(apps, schema_editor):
    from minsheng.core.search import title_grams

    SearchEntry = apps.get_model("core", "SearchEntry")
    batch = []
    for entry in SearchEntry.objects.order_by("pk").only("pk", "title", "terms").iterator(chunk_size=2000):
        words = set(entry.terms.split())
        grams = [g for g in title_grams(entry.title) if g not in words]
        if grams:
            entry.terms = f"{entry.terms} {' '.join(grams)}".strip()
            batch.append(entry)
        if len(batch) >= 2000:
            SearchEntry.objects.bulk_update(batch, ["terms"])
            batch = []
    SearchEntry.objects.bulk_update(batch, ["terms"])


class Migration(migrations.Migration):
    dependencies = [("core", "0005_search_vector")]

    operations = [migrations.RunPython(add_bigrams, migrations.RunPython.noop)]
