"""Writes of the core app: events, side effects after commit, notifications, attachments, API tokens.

Every public function takes keyword-only arguments and an `actor` where a person acts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import errors
from .models import ApiToken, Attachment, Event, Notification, NotificationPreference, User

log = logging.getLogger(__name__)

TOKEN_MAX_DAYS = 365

# Error codes of the notification settings.


def after_commit(func: Callable[[], Any]) -> None:
    """Run a side effect (mail, task enqueue) only once the current transaction has committed."""
    transaction.on_commit(func, robust=True)


def event_record(*, actor: User | None, verb: str, target: models.Model, from_state: str = "", to_state: str = "",
                 note: str = "", data: dict[str, Any] | None = None) -> Event:
    """Write one timeline entry. Call inside the transaction that makes the change."""
    return Event.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        note=note,
        data=data or {},
    )


def notify(*, recipients: Iterable[User | None], title: str, body: str = "", url: str = "", email: bool = False,
           kind: str = Notification.Kind.INFO, action_for: Iterable[User | None] = ()) -> list[Notification]:
    """Put a message of `kind` in each recipient's inbox as their preferences say (at once, for the daily
    digest, or not at all); with `email`, also mail it after commit to those who keep e-mail on for its kind.

    `action_for` names who among the recipients must act: they get it as a to-do (ACTION), the others as
    `kind` — the office is told of a request, the staff member who assigned the proposal decides it. When
    none of those named is a recipient any more (they left), every recipient gets the to-do, so it is not lost.
    """
    if kind not in NotificationPreference.KINDS:  # a digest is made only by notification_digest_make
        raise ValueError(f"unknown notification kind {kind!r}")
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    ids = {u.pk for u in users}
    named = {u.pk for u in action_for if u is not None}
    doers = (named & ids or ids) if named else set()
    kinds = {u.pk: Notification.Kind.ACTION if u.pk in doers else kind for u in users}
    chosen = {(p.user_id, p.kind): (p.delivery, p.email) for p in NotificationPreference.objects.filter(
        user__in=ids, kind__in=set(kinds.values()))} if users else {}
    notes, addresses = [], []
    for u in users:
        delivery, mail = chosen.get((u.pk, kinds[u.pk]), NotificationPreference.DEFAULTS[kinds[u.pk]])
        if delivery == Notification.Delivery.OFF:
            continue
        notes.append(Notification(recipient=u, kind=kinds[u.pk], delivery=delivery, title=title[:200], body=body, url=url))
        if email and mail and u.email:
            addresses.append(u.email)
    notes = Notification.objects.bulk_create(notes)
    if addresses:
        after_commit(lambda: _send_mail(title, body, url, addresses))
    return notes


def _send_mail(title: str, body: str, url: str, addresses: list[str]) -> None:
    link = f"{settings.SITE_URL}{url}" if url.startswith("/") else url
    text = "\n\n".join(part for part in (body or title, link) if part)
    try:
        send_mail(title, text, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
    except OSError:
        # The inbox copy is already stored; a mail server being down must not undo the change.
        log.exception("could not send mail %r to %d recipients", title, len(addresses))


def notification_mark_read(*, actor: User, ids: Iterable[int] | None = None, kinds: Iterable[str] | None = None) -> int:
    """Mark the actor's unread notifications read: those of `ids`, or all (of `kinds`, when given) that show
    in the inbox. A digest takes the items it groups with it. Another person's ids are ignored. Returns how
    many were marked."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    qs = qs.filter(id__in=list(ids)) if ids is not None else qs.filter(digest__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    now = timezone.now()
    with transaction.atomic():
        digests = list(qs.filter(kind=Notification.Kind.DIGEST).values_list("pk", flat=True))
        count = qs.update(read_at=now)
        if digests:
            Notification.objects.filter(recipient=actor, digest__in=digests, read_at__isnull=True).update(read_at=now)
    return count


@transaction.atomic
def notification_preference_set(*, actor: User, kind: str, delivery: str, email: bool) -> NotificationPreference:
    """Set how the actor receives notifications of one kind. A to-do is always delivered at once."""
    if kind not in NotificationPreference.KINDS:
        raise errors.Invalid(_("Unknown kind of notification."), code=errors.NOTIFICATION_KIND_UNKNOWN,
                             fields={"kind": "unknown"})
    if delivery not in Notification.Delivery.values:
        raise errors.Invalid(_("Choose at once, in the daily digest or off."), fields={"delivery": "unknown"})
    if kind == Notification.Kind.ACTION and delivery != Notification.Delivery.NOW:
        raise errors.Invalid(_("To-dos are always delivered at once; only their e-mail can be turned off."),
                             code=errors.ACTION_ALWAYS_DELIVERED, fields={"delivery": "action_at_once"})
    before = NotificationPreference.objects.select_for_update().filter(user=actor, kind=kind).first()
    was = (before.delivery, before.email) if before else NotificationPreference.DEFAULTS[kind]
    preference, _created = NotificationPreference.objects.update_or_create(
        user=actor, kind=kind, defaults={"delivery": delivery, "email": bool(email)})
    if was != (delivery, bool(email)):
        event_record(actor=actor, verb="notification_preference_set", target=actor, from_state=was[0], to_state=delivery,
                     note=kind, data={"kind": kind, "delivery": delivery, "email": bool(email)})
    return preference


# Lines of each kind written into a digest's text; all its items are listed on its page.
DIGEST_LINES_PER_KIND = 50


def notification_digest_make(*, recipient: User, day: dt.date) -> Notification | None:
    """Gather the recipient's follow and info items waiting for the daily digest, made before the end of `day`,
    into one digest notification of that day, its text listing them by kind; they then point to it. None when
    nothing waits or the recipient already has the digest of `day` (so a second run makes no second digest;
    what arrives after a day's digest waits for the next one)."""
    from django.urls import reverse

    from .selectors import notifications_awaiting_digest

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=recipient.pk).first()  # one digest maker per recipient at a time
        if Notification.objects.filter(recipient=recipient, digest_day=day).exists():
            return None
        items = list(notifications_awaiting_digest(day=day).filter(recipient=recipient)
                     .order_by("created_at", "id").only("id", "kind", "title", "created_at"))
        if not items:
            return None
        digest = Notification.objects.create(
            recipient=recipient, kind=Notification.Kind.DIGEST, digest_day=day,
            title=_("Today's updates (%(n)s)") % {"n": len(items)}, body=_digest_text(items),
        )
        digest.url = reverse("core:notification_detail", args=[digest.pk])
        digest.save(update_fields=["url"])
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(digest=digest)
    return digest


def _digest_text(items: list[Notification]) -> str:
    parts = []
    for kind in (Notification.Kind.FOLLOW, Notification.Kind.INFO):
        of_kind = [n for n in items if n.kind == kind]
        if not of_kind:
            continue
        lines = [_("%(kind)s (%(n)s)") % {"kind": kind.label, "n": len(of_kind)}]
        lines += [f"· {timezone.localtime(n.created_at):%m-%d %H:%M} {n.title}" for n in of_kind[:DIGEST_LINES_PER_KIND]]
        if len(of_kind) > DIGEST_LINES_PER_KIND:
            lines.append(_("… and %(n)s more") % {"n": len(of_kind) - DIGEST_LINES_PER_KIND})
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


# Magic numbers of the types we accept, so a renamed executable is not stored as a "pdf".
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".wps": (b"\xd0\xcf\x11\xe0",),
    ".ofd": (b"PK\x03\x04",),
}


def attachment_add(*, actor: User, target: models.Model, upload: UploadedFile) -> Attachment:
    """Store an uploaded file on `target` after checking permission, size and type; nothing is stored
    when a check fails."""
    perm = f"{target._meta.app_label}.attach_{target._meta.model_name}"
    from rules import perm_exists

    allowed = actor.has_perm(perm, target) if perm_exists(perm) else actor.has_perm("core.manage_reference")
    if not allowed:
        raise errors.Forbidden(_("You may not attach files to this item."))
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if upload.size == 0:
        raise errors.Invalid(_("The file %(name)s is empty.") % {"name": name}, code=errors.ATTACHMENT_EMPTY,
                             fields={"file": "empty"})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise errors.Invalid(
            _("The file %(name)s is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": name, "size": round(upload.size / 1048576, 1), "limit": settings.ATTACHMENT_MAX_BYTES // 1048576},
            code=errors.ATTACHMENT_TOO_LARGE, fields={"file": "too_large"},
        )
    head = upload.read(8)
    upload.seek(0)
    signatures = _SIGNATURES.get(suffix)
    if suffix not in settings.ATTACHMENT_EXTENSIONS or (signatures and not head.startswith(signatures)):
        raise errors.Invalid(
            _("Files of type %(suffix)s are not accepted, or the content does not match the name. Accepted: %(types)s.")
            % {"suffix": suffix or _("(none)"), "types": ", ".join(sorted(settings.ATTACHMENT_EXTENSIONS))},
            code=errors.ATTACHMENT_TYPE_REFUSED, fields={"file": "type_refused"},
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        attachment = Attachment(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk),
            original_name=name[:200], size=upload.size, content_type=getattr(upload, "content_type", "") or "",
            sha256=digest.hexdigest(), uploaded_by=actor,
        )
        attachment.file.save(name, upload, save=False)
        try:
            attachment.save()
            event_record(actor=actor, verb="attachment_added", target=target, note=name, data={"attachment": attachment.pk})
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def api_token_create(*, actor: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a bearer token for the actor, valid for `days` (settings.MINSHENG_TOKEN_DAYS by default, at most
    TOKEN_MAX_DAYS); returns the row and the key, which is shown only once."""
    name = (name or "").strip()
    if not name:
        raise errors.Invalid(_("Give the token a name."), fields={"name": "required"})
    days = settings.MINSHENG_TOKEN_DAYS if days is None else days
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise errors.Invalid(_("A token is valid for 1 to %(max)d days.") % {"max": TOKEN_MAX_DAYS},
                             fields={"days": "out_of_range"})
    key, now = ApiToken.new_key(), timezone.now()
    token = ApiToken.objects.create(user=actor, name=name[:80], prefix=key[3:11], key_hash=ApiToken.hash_key(key),
                                    created_at=now, expires_at=now + dt.timedelta(days=days))
    event_record(actor=actor, verb="api_token_created", target=actor, note=name, data={"days": days})
    return token, key


def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if token is None:
        raise errors.NotFound(_("No such active token."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    event_record(actor=actor, verb="api_token_revoked", target=actor, note=token.name)
    return token


def api_token_authenticate(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
