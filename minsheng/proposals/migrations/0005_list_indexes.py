"""Indexes for the proposal list's filters at 100,000 proposals (bench/proposals_scale.py,
docs/benchmarks-proposals.md): session + status, key + session, kind + timing; the unit and overdue
semi-joins on handling records read covering indexes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("proposals", "0004_face_to_face")]

    operations = [
        migrations.AddIndex("proposal", models.Index(fields=["session", "status"], name="proposal_session_status")),
        migrations.AddIndex("proposal", models.Index(fields=["is_key", "session"], name="proposal_key_session")),
        migrations.AddIndex("proposal", models.Index(fields=["kind", "timing"], name="proposal_kind_timing")),
        migrations.RemoveIndex("handling", "proposals_h_unit_id_238382_idx"),
        migrations.AddIndex("handling", models.Index(fields=["unit", "status", "proposal"],
                                                     name="handling_unit_status_proposal")),
        migrations.AddIndex("handling", models.Index(fields=["status", "overdue_since", "proposal"],
                                                     name="handling_status_overdue")),
    ]
