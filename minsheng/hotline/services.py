"""Writes of the hotline app: starting imports, excluding and classifying tickets, rule-set versions.

Every public function takes keyword-only arguments; those a person triggers take an `actor`, check the
permission first and write a core.Event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import jobs
from minsheng.core.choices import JobStatus
from minsheng.core.errors import Conflict, Forbidden, Invalid
from minsheng.core.models import Job, User
from minsheng.core.services import event_record

from . import errors, importing
from .models import Category, ImportSource, RateRuleSet, Ticket

# A running import whose heartbeat is older than this is taken to have died (a batch takes seconds).
IMPORT_STALE_SECONDS = 120


def _fingerprint(path: Path) -> str:
    """Size plus a hash of the first and last MiB: cheap, and enough to recognise the same file again."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(1 << 20))
        if size > 2 << 20:
            handle.seek(size - (1 << 20))
            digest.update(handle.read())
    return digest.hexdigest()[:32]


def _owner_is_dead(job: Job) -> bool:
    """True when the job's last checkpoint came from a process on this host that no longer exists."""
    host, _sep, pid = str(job.state.get("owner", "")).rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def ticket_import_start(*, actor: User | None, path: str | Path, source: str | None = None, filename: str = "",
                        enqueue: bool = True, batch_size: int | None = None, fresh: bool = False) -> Job:
    """Check the file (refusing an unreadable one or one missing a required column, before anything is
    written) and return its import job: an interrupted import of the same file is resumed, otherwise a new
    job is created (`fresh`: always a new one, the interrupted one cancelled — its checkpoint describes
    tickets that are gone). `actor` None is the command line."""
    if actor is not None and not actor.has_perm("hotline.import_tickets"):
        raise Forbidden(_("Only staff may import tickets."))
    path = Path(path).resolve()
    plan = importing.inspect(path, source=importing.source_get(source))
    fingerprint = _fingerprint(path)
    stale = timezone.now() - dt.timedelta(seconds=IMPORT_STALE_SECONDS)
    previous = (Job.objects.filter(kind="hotline.import", params__fingerprint=fingerprint,
                                   params__source=source or "")
                .exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.CANCELLED]).order_by("-created_at").first())
    if previous is not None:
        if previous.status == JobStatus.RUNNING and (
            (previous.heartbeat_at and previous.heartbeat_at < stale) or _owner_is_dead(previous)
        ):
            # Its process was killed: mark it failed so that the runner takes it up from its checkpoint.
            Job.objects.filter(pk=previous.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, error="interrupted")
            previous.refresh_from_db()
        if previous.status == JobStatus.RUNNING:
            raise Conflict(_("This file is being imported now (job %(job)s).") % {"job": previous.pk},
                           code=errors.IMPORT_RUNNING, fields={"file": "running"})
        if fresh:
            Job.objects.filter(pk=previous.pk, status__in=[JobStatus.FAILED, JobStatus.QUEUED]).update(
                status=JobStatus.CANCELLED, finished_at=timezone.now())
        elif previous.status in (JobStatus.FAILED, JobStatus.QUEUED):
            if enqueue and previous.status == JobStatus.FAILED:
                jobs.job_enqueue(job=previous)
            return previous
    params: dict[str, Any] = {"path": str(path), "source": source or "", "filename": filename or path.name,
                              "fingerprint": fingerprint, "format": plan.format}
    if batch_size:
        params["batch_size"] = batch_size
    return jobs.job_create(kind="hotline.import", params=params, actor=actor,
                           title=_("Import tickets from %(name)s") % {"name": filename or path.name}, enqueue=enqueue)


def upload_save(*, actor: User, upload: UploadedFile, source: str | None = None) -> Job:
    """Store an uploaded file (streamed to disk in chunks) and start its import; a refused file is removed."""
    if not actor.has_perm("hotline.import_tickets"):
        raise Forbidden(_("Only staff may import tickets."))
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in {".csv", ".xlsx", ".txt"}:
        raise Invalid(_("Only CSV and Excel (.xlsx) files can be imported, not %(ext)s.") % {"ext": suffix or "?"},
                      code=errors.IMPORT_FORMAT, fields={"file": "format"})
    folder = Path(settings.MEDIA_ROOT) / "hotline" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        return ticket_import_start(actor=actor, path=path, source=source, filename=upload.name or path.name)
    except Exception:
        path.unlink(missing_ok=True)
        raise


def import_source_save(*, actor: User | None, name: str, mapping: dict[str, str], encoding: str = "auto",
                       create_units: bool = True, note: str = "") -> ImportSource:
    """Create or update a saved column mapping. Keys must be importable field names. `actor` None is the
    command line."""
    if actor is not None and not actor.has_perm("hotline.import_tickets"):
        raise Forbidden(_("Only staff may edit import sources."))
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise Invalid(_("An import source needs a name of at most 80 characters."), fields={"name": "invalid"})
    unknown = sorted(set(mapping) - set(importing.FIELD_NAMES))
    if unknown:
        raise Invalid(_("Unknown fields in the mapping: %(f)s.") % {"f": ", ".join(unknown)},
                      fields={k: "unknown" for k in unknown})
    with transaction.atomic():
        source, created = ImportSource.objects.update_or_create(
            name=name, defaults={"mapping": mapping, "encoding": encoding, "create_units": create_units, "note": note})
        event_record(actor=actor, verb="created" if created else "updated", target=source, data={"mapping": mapping})
    return source


def ticket_import_remap(*, actor: User | None, job: Job, mapping: dict[str, str], source: str,
                        enqueue: bool = True) -> Job:
    """Import a file again with more of its columns mapped: `mapping` ({field: header}) is added to the saved
    import source `source` (created when new; the mapping of the source the job used is its start), the tickets
    the earlier import wrote are removed, and the file is imported anew with that source (a new job, queued for
    the worker; `enqueue` False: for the caller to run). Tickets that were skipped as already present belong to other imports and stay.
    Refused, with nothing changed, for a running import, a file no longer there, a header the file lacks, or a
    mapping the file then still cannot be read with."""
    if actor is not None and not actor.has_perm("hotline.import_tickets"):
        raise Forbidden(_("Only staff may import tickets."))
    if job.kind != "hotline.import" or job.status not in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        raise Conflict(_("Only a finished import can be run again with a mapping."),
                       code=errors.IMPORT_NOT_RERUNNABLE, fields={"job": job.status})
    mapping = {k: v.strip() for k, v in mapping.items() if v and v.strip()}
    if not mapping:
        raise Invalid(_("Map at least one column to a field."), fields={"mapping": "empty"})
    unknown = sorted(set(mapping) - set(importing.FIELD_NAMES))
    if unknown:
        raise Invalid(_("Unknown fields in the mapping: %(f)s.") % {"f": ", ".join(unknown)},
                      fields={k: "unknown" for k in unknown})
    path = Path(job.params["path"])
    old_source = importing.source_get(job.params.get("source") or None)
    plan = importing.inspect(path, source=old_source)
    absent = sorted(h for h in mapping.values() if h not in plan.header)
    if absent:
        raise Invalid(_("The file has no column %(cols)s.") % {"cols": "、".join(absent)},
                      fields={"mapping": "absent"})
    existing = ImportSource.objects.filter(name=source.strip()).first()
    merged = {**(existing.mapping if existing else old_source.mapping if old_source else {}), **mapping}
    # Check the file reads with the new mapping before anything is removed.
    importing.inspect(path, source=ImportSource(name=source, mapping=merged,
                                                create_units=existing.create_units if existing else True))
    with transaction.atomic():
        saved = import_source_save(actor=actor, name=source, mapping=merged,
                                   encoding=existing.encoding if existing else "auto",
                                   create_units=existing.create_units if existing else True,
                                   note=existing.note if existing else _("Mapped on the import page"))
        removed = _tickets_of_import_delete(job)
        new = ticket_import_start(actor=actor, path=path, source=saved.name,
                                  filename=job.params.get("filename", ""), enqueue=False,
                                  batch_size=job.params.get("batch_size"), fresh=True)
        Job.objects.filter(pk=job.pk).update(result={**(job.result or {}), "replaced_by": str(new.pk),
                                                     "removed": removed})
        event_record(actor=actor, verb="import replaced", target=job, from_state=str(job.pk), to_state=str(new.pk),
                     data={"source": saved.name, "mapping": mapping, "removed": removed})
        if enqueue:
            jobs.job_enqueue(job=new)
    job.refresh_from_db()
    return new


def _tickets_of_import_delete(job: Job) -> int:
    """Remove the tickets an import wrote and their tag links (plain DELETEs: an import is up to millions)."""
    from django.db import connection

    value = Ticket._meta.get_field("import_job").get_db_prep_value(job.pk, connection)
    table, through = Ticket._meta.db_table, Ticket.tags.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {through} WHERE ticket_id IN (SELECT id FROM {table} WHERE import_job = %s)",
                       [value])
        cursor.execute(f"DELETE FROM {table} WHERE import_job = %s", [value])
        return cursor.rowcount


def ticket_exclude(*, actor: User, ticket: Ticket, excluded: bool = True, reason: str = "") -> Ticket:
    """Take a ticket out of (or back into) assessment: 分类处置 (domain.md §D). A reason is required."""
    if not actor.has_perm("hotline.manage_tickets"):
        raise Forbidden(_("Only staff may change whether a ticket is assessed."))
    reason = reason.strip()
    if excluded and not reason:
        raise Invalid(_("A ticket excluded from assessment needs a reason."), code=errors.EXCLUSION_REASON_REQUIRED,
                      fields={"reason": "required"})
    if len(reason) > 100:
        raise Invalid(_("This field is too long: %(field)s.") % {"field": "reason"}, fields={"reason": "max 100 characters"})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        before = "excluded" if ticket.excluded else "assessed"
        ticket.excluded, ticket.exclusion_reason = excluded, reason if excluded else ""
        ticket.save(update_fields=["excluded", "exclusion_reason"])
        event_record(actor=actor, verb="excluded" if excluded else "included", target=ticket, from_state=before,
                     to_state="excluded" if excluded else "assessed", note=reason)
    return ticket


def ticket_categorize(*, actor: User | None, ticket: Ticket, category: Category) -> Ticket:
    """Set a ticket's category (by a person, or by the classifier when `actor` is None)."""
    if actor is not None and not actor.has_perm("hotline.manage_tickets"):
        raise Forbidden(_("Only staff may change a ticket's category."))
    with transaction.atomic():
        before = ticket.category.name if ticket.category_id else ""
        Ticket.objects.filter(pk=ticket.pk).update(category=category)
        ticket.category = category
        event_record(actor=actor, verb="categorized", target=ticket, from_state=before, to_state=category.name)
    return ticket


# --- Classifier hook -----------------------------------------------------------------------------------

# The text engine (minsheng.textmining) registers a function here: texts → category paths such as
# "城乡建设/违法建设" (or None when unsure). Nothing in this app imports the engine.
Classifier = Callable[[Sequence[str]], Sequence[str | None]]
_classifier: Classifier | None = None


def register_classifier(classify: Classifier | None) -> None:
    global _classifier
    _classifier = classify


def ticket_classify_missing(*, classify: Classifier | None = None, batch: int = 2000,
                            progress: Callable[[int, int], None] | None = None) -> int:
    """Fill the category of tickets that have none, using `classify` or the registered classifier.
    Returns how many tickets got a category. Does nothing when no classifier is available."""
    classify = classify or _classifier
    if classify is None:
        return 0
    qs = Ticket.objects.filter(category__isnull=True)
    total, done, last_id = qs.count(), 0, 0
    nodes: dict[str, Category] = {}
    while True:
        chunk = list(qs.filter(pk__gt=last_id).order_by("pk").values_list("pk", "text")[:batch])
        if not chunk:
            break
        last_id = chunk[-1][0]
        labels = classify([text for _pk, text in chunk])
        by_category: dict[int, list[int]] = {}
        for (pk, _text), label in zip(chunk, labels, strict=True):
            if not label:
                continue
            node = nodes.get(label) or _category_path(label)
            nodes[label] = node
            by_category.setdefault(node.pk, []).append(pk)
        with transaction.atomic():
            for category_id, ids in by_category.items():
                done += Ticket.objects.filter(pk__in=ids, category__isnull=True).update(category_id=category_id)
        if progress:
            progress(done, total)
    return done


def _category_path(label: str) -> Category:
    node = None
    for name in [p for p in label.split("/") if p][:3]:
        node, _created = Category.objects.get_or_create(parent=node, name=name)
    if node is None:
        raise Invalid(_("Empty category label."))
    return node


# --- Rate rule sets ------------------------------------------------------------------------------------

RULESET_FIELDS = ("valid_from", "assessed_kinds", "dispatched_only", "resolution_denominator", "satisfaction_denominator",
                  "weight_satisfied", "weight_basic", "weight_unsatisfied", "score_weights", "min_tickets",
                  "list_size", "note", "active")


def ruleset_new_version(*, actor: User, base: RateRuleSet, **changes: Any) -> RateRuleSet:
    """Save an edited rule set as the next version of its name; the old version stays for the months it
    was used for."""
    if not actor.has_perm("hotline.manage_rules"):
        raise Forbidden(_("Only staff may edit rate rule sets."))
    unknown = sorted(set(changes) - set(RULESET_FIELDS))
    if unknown:
        raise Invalid(_("Unknown fields: %(f)s.") % {"f": ", ".join(unknown)}, fields={k: "unknown" for k in unknown})
    with transaction.atomic():
        latest = RateRuleSet.objects.select_for_update().filter(name=base.name).order_by("-version").first()
        new = RateRuleSet(name=base.name, version=(latest.version if latest else 0) + 1, created_by=actor,
                          **{f: getattr(base, f) for f in RULESET_FIELDS})
        for key, value in changes.items():
            setattr(new, key, value)
        new.full_clean()
        new.save()
        event_record(actor=actor, verb="new version", target=new, from_state=f"v{base.version}",
                     to_state=f"v{new.version}", data={k: str(v) for k, v in changes.items()})
    return new
