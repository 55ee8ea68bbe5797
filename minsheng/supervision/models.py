"""每月一题 democratic supervision: a topic year of monthly topics and their problems, one supervision
group per problem (一题一组), the three lists the government works through, and what members did."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices


class TopicYear(models.Model):
    """One year's plan of monthly topics, picked from the previous year's 12345 data."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("topic year")
        verbose_name_plural = _("topic years")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class Topic(models.Model):
    """One month's theme, led by a city department with co-operating departments; `categories` are the
    hotline categories whose ticket volumes measure it before and after its month."""

    topic_year = models.ForeignKey(TopicYear, on_delete=models.CASCADE, related_name="topics", verbose_name=_("topic year"))
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    theme = models.CharField(_("theme"), max_length=120)
    lead_unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="led_topics",
                                  verbose_name=_("lead department"))
    co_units = models.ManyToManyField("core.Unit", blank=True, related_name="co_topics", verbose_name=_("co-departments"))
    categories = models.ManyToManyField("hotline.Category", blank=True, related_name="topics",
                                        verbose_name=_("linked hotline categories"))
    tags = models.ManyToManyField("core.LivelihoodTag", blank=True, related_name="topics", verbose_name=_("tags"))

    class Meta:
        ordering = ["topic_year", "month", "id"]
        constraints = [models.UniqueConstraint(fields=["topic_year", "month", "theme"], name="topic_year_month_theme")]
        verbose_name = _("monthly topic")
        verbose_name_plural = _("monthly topics")

    def __str__(self) -> str:
        return f"{self.topic_year.year}-{self.month:02d} {self.theme}"


class Problem(models.Model):
    """One of the 2–3 specific problems of a topic; each has its own supervision group and three lists."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="problems", verbose_name=_("topic"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.CharField(_("problem"), max_length=200)

    class Meta:
        ordering = ["topic", "order", "id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return self.text


class SupervisionGroup(models.Model):
    """The 议题监督小组 of one problem (一题一组), led by a convener (召集人)."""

    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="group", verbose_name=_("problem"))
    convener = models.ForeignKey("core.Member", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="convened_groups", verbose_name=_("convener"))
    members = models.ManyToManyField("core.Member", through="GroupMembership", related_name="supervision_groups",
                                     verbose_name=_("members"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["problem"]
        verbose_name = _("supervision group")
        verbose_name_plural = _("supervision groups")

    def __str__(self) -> str:
        return str(self.problem)


class GroupMembership(models.Model):
    """A member in a group, by volunteer sign-up or invitation; a member may be in several groups."""

    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey("core.Member", on_delete=models.PROTECT, related_name="group_memberships",
                               verbose_name=_("member"))
    joined_via = models.CharField(_("joined by"), max_length=10, choices=choices.JoinedVia.choices)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        ordering = ["group", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "member"], name="group_member_once")]
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")

    def __str__(self) -> str:
        return str(self.member)


class ListItem(models.Model):
    """One entry of a problem's responsibility, policy or task list, owned by a unit with a due date."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="items", verbose_name=_("problem"))
    kind = models.CharField(_("list"), max_length=16, choices=choices.ListKind.choices)
    text = models.CharField(_("item"), max_length=300)
    owner = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="supervision_items",
                              verbose_name=_("owner unit"))
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=choices.ItemStatus.choices,
                              default=choices.ItemStatus.OPEN, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["problem", "kind", "id"]
        indexes = [models.Index(fields=["owner", "status"], name="sup_item_owner_status")]
        verbose_name = _("list item")
        verbose_name_plural = _("list items")

    def __str__(self) -> str:
        return self.text

    @property
    def is_overdue(self) -> bool:
        return (self.status != choices.ItemStatus.DONE and self.due_date is not None
                and self.due_date < timezone.localdate())


class ProgressUpdate(models.Model):
    """A unit's progress report on a list item, with its evidence (documents issued, figures, links)."""

    item = models.ForeignKey(ListItem, on_delete=models.CASCADE, related_name="updates", verbose_name=_("list item"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    note = models.TextField(_("progress"), max_length=4000)
    evidence = models.TextField(_("evidence"), max_length=4000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=choices.ItemStatus.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["item", "-created_at", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return self.note[:40]


class Activity(models.Model):
    """A group activity on a problem: research, symposium, consultation (perhaps at a council hall),
    inspection or looking back; `person_count` is the 人次 figure of the year-end report."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="activities", verbose_name=_("problem"))
    kind = models.CharField(_("kind"), max_length=14, choices=choices.ActivityKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=120)
    at_council_hall = models.BooleanField(_("at a council hall (京华议事厅)"), default=False)
    participants = models.ManyToManyField("core.Member", blank=True, related_name="supervision_activities",
                                          verbose_name=_("participants"))
    person_count = models.PositiveIntegerField(_("person-times (人次)"), default=0)
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("logged by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"


class Opinion(models.Model):
    """A member's output on a problem: an opinion report, or a speech at the monthly reform meeting."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("problem"))
    member = models.ForeignKey("core.Member", on_delete=models.PROTECT, related_name="supervision_opinions",
                               verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=10, choices=choices.OpinionKind.choices)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=20000)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")

    def __str__(self) -> str:
        return self.title


class ProblemProposal(models.Model):
    """A proposal (提案) linked to a problem as one of its supervision outputs, beside the opinion reports
    and speeches; who linked it and when. A proposal is linked to a problem at most once."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="proposal_links",
                                verbose_name=_("problem"))
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="supervision_links",
                                 verbose_name=_("proposal"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("linked by"))
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        ordering = ["problem", "linked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["problem", "proposal"], name="problem_proposal_once")]
        verbose_name = _("linked proposal")
        verbose_name_plural = _("linked proposals")

    def __str__(self) -> str:
        return f"{self.problem} ← {self.proposal}"
