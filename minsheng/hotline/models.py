"""12345 hotline work orders (工单), their category tree, import sources and the rate rule sets."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices


class Category(models.Model):
    """A node of the editable 诉求 classification tree (level 1 → 2 → 3).

    The official 派单目录 (300余项) is [VERIFY] (domain.md §3.4); the seed follows the published top ten.
    Tickets imported without a category can be classified later (`services.ticket_classify_missing`).
    """

    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="hotline_category_parent_name"),
            models.UniqueConstraint(fields=["name"], condition=models.Q(parent__isnull=True),
                                    name="hotline_category_root_name"),
        ]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.level = (self.parent.level + 1) if self.parent_id else 1
        super().save(*args, **kwargs)


class ImportSource(models.Model):
    """A data source of tickets with its saved column mapping (`{field: column header}`).

    `mapping` keys are the importable fields of `services.IMPORT_FIELDS`; a field that is absent falls back
    to the built-in headers (Chinese or English). `encoding` is `auto` (detected), `utf-8` or `gbk`.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, default="auto")
    create_units = models.BooleanField(_("create unknown handling units"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """One 12345 work order (工单). `number` is the natural key: an import never stores it twice.

    The area, unit and category links carry no database constraint (`db_constraint=False`): this is a
    bulk fact table of millions of rows, the importer resolves every id from the reference tables
    before it writes, and Django's PROTECT still guards deletes. `month` (first day of the local month
    of `received_at`) is stored so that monthly aggregations group on an indexed column.
    """

    number = models.CharField(_("ticket number"), max_length=40)
    channel = models.CharField(_("channel"), max_length=16, choices=choices.Channel.choices,
                               default=choices.Channel.PHONE)
    kind = models.CharField(_("kind"), max_length=12, choices=choices.Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=choices.Status.choices,
                              default=choices.Status.CLOSED)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
                                 related_name="tickets", verbose_name=_("category"))
    tags = models.ManyToManyField("core.LivelihoodTag", blank=True, related_name="tickets", through="TicketTag",
                                  verbose_name=_("七有/五性 tags"))
    district = models.ForeignKey("core.Area", null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
                                 related_name="+", verbose_name=_("district"))
    street = models.ForeignKey("core.Area", null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
                               related_name="+", verbose_name=_("street or township"))
    community = models.ForeignKey("core.Area", null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
                                  db_index=False, related_name="+", verbose_name=_("community"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"))
    month = models.DateField(_("month"))
    unit = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
                             db_index=False, related_name="+", verbose_name=_("dispatched unit"))
    deadline_class = models.CharField(_("deadline class"), max_length=4, choices=choices.DeadlineClass.choices,
                                      default=choices.DeadlineClass.D7)
    responded_in_time = models.BooleanField(_("responded in time"), null=True, blank=True)
    resolved = models.BooleanField(_("resolved"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=choices.Satisfaction.choices,
                                    default=choices.Satisfaction.NOT_RATED)
    excluded = models.BooleanField(_("excluded from assessment"), default=False)
    exclusion_reason = models.CharField(_("reason for exclusion"), max_length=100, blank=True)
    duplicate_group = models.CharField(_("duplicate group"), max_length=40, blank=True)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    import_job = models.UUIDField(_("import job"), null=True, blank=True, editable=False)
    # The file's own words where the importer did not know them and mapped them to 其他 or the nearest code
    # (`aliases.FALLBACK`), by field: {"channel": "抖音"}. Null for the usual row (nothing to keep).
    raw_values = models.JSONField(_("values as in the file"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        # Few indexes on purpose: every one slows the bulk import (each costs ≈ 1 µs of server CPU a ticket).
        # A constraint rather than unique=True, so PostgreSQL gets no extra LIKE index. Rates of a month (by
        # any dimension) read the (month, street) index; a handler's list reads (unit, received_at); other
        # lists read received_at. Of the links, district, street and category keep their own index (a
        # month's list by district reads (month, street) and district together: 45 ms instead of 300 ms
        # with 2.4 million tickets); the unit has (unit, received_at), and the community is never filtered
        # on. Deleting a community or a unit therefore scans the tickets for PROTECT.
        constraints = [models.UniqueConstraint(fields=["number"], name="hotline_ticket_number_key")]
        indexes = [
            models.Index(fields=["month", "street"], name="hotline_tk_month_street"),
            models.Index(fields=["unit", "received_at"], name="hotline_tk_unit_received"),
            models.Index(fields=["received_at"], name="hotline_tk_received"),
            models.Index(fields=["duplicate_group"], name="hotline_tk_duplicates",
                         condition=~models.Q(duplicate_group="")),
            # The 不满意 tickets of a month, the list staff filter most (a few per cent of the rows: small, and
            # cheap for the import, which only tests the condition for the others).
            models.Index(fields=["month"], name="hotline_tk_unsatisfied", condition=models.Q(satisfaction="unsatisfied")),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.received_at:
            local = timezone.localtime(self.received_at) if timezone.is_aware(self.received_at) else self.received_at
            self.month = local.date().replace(day=1)
        super().save(*args, **kwargs)

    @property
    def deadline_rule_code(self) -> str:
        return f"hotline-{self.deadline_class}"


class TicketTag(models.Model):
    """A ticket's 七有/五性 tag. No database constraints, like the ticket's other links: the importer writes
    millions of these with one INSERT … SELECT per batch, and a trigger per row would double its cost."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, db_constraint=False, db_index=False,
                               related_name="+")  # the unique (ticket, tag) index serves look-ups by ticket
    livelihoodtag = models.ForeignKey("core.LivelihoodTag", on_delete=models.CASCADE, db_constraint=False,
                                      related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "livelihoodtag"], name="hotline_tickettag_unique")]
        verbose_name = _("ticket tag")
        verbose_name_plural = _("ticket tags")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.livelihoodtag_id}"


class RateRuleSet(models.Model):
    """A versioned, editable way of computing the three rates and the composite score (domain.md §D).

    The official Beijing formulas and weights are [VERIFY]; everything that is not known is a field here.
    A month is assessed with the newest active version whose `valid_from` is on or before the month.
    Editing makes a new version (`services.ruleset_new_version`), so past rankings can be recomputed as
    they were published.
    """

    class Denominator(models.TextChoices):
        ASSESSABLE = "assessable", _("All assessable tickets")
        REVISITED = "revisited", _("Assessable tickets with a revisit answer")

    name = models.CharField(_("name"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"))
    assessed_kinds = models.JSONField(_("assessed kinds"), default=list, blank=True,
                                      help_text=_("Empty means every kind is assessed."))
    dispatched_only = models.BooleanField(
        _("assess dispatched tickets only"), default=True,
        help_text=_("Enquiries answered directly by the hotline (no handling unit) are not assessed."))
    resolution_denominator = models.CharField(_("resolution rate denominator"), max_length=12,
                                              choices=Denominator.choices, default=Denominator.REVISITED)
    satisfaction_denominator = models.CharField(_("satisfaction rate denominator"), max_length=12,
                                                choices=Denominator.choices, default=Denominator.REVISITED)
    weight_satisfied = models.DecimalField(_("weight of 满意"), max_digits=5, decimal_places=4, default=Decimal("1"))
    weight_basic = models.DecimalField(_("weight of 基本满意"), max_digits=5, decimal_places=4,
                                       default=Decimal("0.8"))
    weight_unsatisfied = models.DecimalField(_("weight of 不满意"), max_digits=5, decimal_places=4,
                                             default=Decimal("0"))
    score_weights = models.JSONField(
        _("composite score weights"), default=dict, blank=True,
        help_text=_('{"default": {"response": 0.1, "resolution": 0.45, "satisfaction": 0.45}, '
                    '"<unit kind>": {...}}'),
    )
    min_tickets = models.PositiveIntegerField(_("minimum assessable tickets to be ranked"), default=10)
    list_size = models.PositiveSmallIntegerField(_("size of the red and black lists"), default=5)
    note = models.TextField(_("source or note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="hotline_ruleset_name_version")]
        verbose_name = _("rate rule set")
        verbose_name_plural = _("rate rule sets")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def weights_for(self, unit_kind: str = "") -> dict[str, float]:
        table = self.score_weights or {}
        weights = table.get(unit_kind) or table.get("default") or DEFAULT_SCORE_WEIGHTS
        return {k: float(weights.get(k, 0)) for k in ("response", "resolution", "satisfaction")}


# [VERIFY] domain.md §3.2: no published formula; an even split of resolution and satisfaction, response light.
DEFAULT_SCORE_WEIGHTS = {"response": 0.1, "resolution": 0.45, "satisfaction": 0.45}
