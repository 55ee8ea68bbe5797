"""Reads of the hotline app: ticket lists, the three rates, monthly rankings, trends, dashboard figures.

The rates are computed in two steps: one SQL `GROUP BY` counts, per group, the assessable tickets and
those responded in time, revisited, resolved, and rated 满意 / 基本满意 / 不满意; then the rule set's
formulas turn those counts into rates and a composite score in Python (a few hundred rows at most). So a
rule set can change formulas and weights without any SQL, and a month of 1.8 M tickets is one scan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core.choices import AreaLevel
from minsheng.core.errors import Forbidden, Invalid
from minsheng.core.models import Area, Unit, User
from minsheng.core.selectors import Card, HomeItem, Section, Task, Trend

from . import errors
from .choices import Dimension, RankGroup, Satisfaction
from .models import Category, RateRuleSet, Ticket

# --- Tickets ---------------------------------------------------------------------------------------------


def ticket_list(*, user: User, month: dt.date | None = None, district: int | None = None,
                street: int | None = None, unit: int | None = None, category: int | None = None,
                kind: str | None = None, status: str | None = None, satisfaction: str | None = None,
                excluded: bool | None = None, q: str = "") -> QuerySet[Ticket]:
    """Tickets the user may see, with the joins a list shows, newest first. A unit handler gets only
    their unit's tickets; anyone else without the permission gets none."""
    qs = Ticket.objects.select_related("category", "district", "street", "unit")
    if not user.has_perm("hotline.view_all"):
        qs = qs.filter(unit_id=user.unit_id) if user.has_perm("hotline.view_tickets") and user.unit_id else qs.none()
    if month:
        qs = qs.filter(month=month)
    if district:
        qs = qs.filter(district_id=district)
    if street:
        qs = qs.filter(street_id=street)
    if unit:
        qs = qs.filter(unit_id=unit)
    if category:  # the category and everything under it (the tree is small: resolved first, then one IN)
        qs = qs.filter(category_id__in=category_subtree(category))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if satisfaction:
        qs = qs.filter(satisfaction=satisfaction)
    if excluded is not None:
        qs = qs.filter(excluded=excluded)
    if q:
        if TICKET_NUMBER.fullmatch(q):  # a ticket number: the unique index, nothing else to scan
            qs = qs.filter(number=q)
        else:  # words: the text and address of the chosen month (the latest when none is chosen)
            if not month:
                latest = Ticket.objects.aggregate(m=Max("month"))["m"]
                qs = qs.filter(month=latest) if latest else qs
            qs = qs.filter(Q(text__contains=q) | Q(address__contains=q))
    return qs.order_by("-received_at", "-id")


# A year is millions of tickets: lists count up to here ("10000+"; `more` in the API), 200 pages of 50.
TICKET_COUNT_LIMIT = 10_000
TICKET_NUMBER = re.compile(r"[A-Za-z0-9-]{6,40}")


def category_subtree(category: int) -> list[int]:
    """The id of a category and of every category below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [category]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def ticket_years() -> list[int]:
    """The years that have tickets, newest first (from the oldest and newest month: two index look-ups)."""
    bounds = Ticket.objects.aggregate(first=Min("month"), last=Max("month"))
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"].year, bounds["first"].year - 1, -1))


def ticket_get(*, user: User, pk: int | None = None, number: str | None = None) -> Ticket | None:
    """One ticket with its joins and tags, or None when it does not exist or the user may not see it."""
    qs = Ticket.objects.select_related("category__parent__parent", "district", "street", "community", "unit")
    ticket = qs.filter(pk=pk).first() if pk is not None else qs.filter(number=number).first()
    if ticket is None or not user.has_perm("hotline.view_ticket", ticket):
        return None
    return ticket


@dataclass
class Step:
    """One entry of a ticket's timeline: a step from the work order itself, or a recorded event."""

    when: dt.datetime | None
    label: str
    note: str = ""
    actor: str = ""


def ticket_timeline(ticket: Ticket) -> list[Step]:
    """Receive → dispatch → respond → revisit from the ticket's own fields, then the recorded events
    (exclusion, re-categorisation …). Imported tickets carry no per-step times beyond `received_at`."""
    from minsheng.core.calendar import due_date
    from minsheng.core.selectors import timeline

    steps = [Step(ticket.received_at, _("Received"), f"{ticket.get_channel_display()} · {ticket.get_kind_display()}")]
    if ticket.unit_id:
        try:
            due = due_date(ticket.deadline_rule_code, ticket.received_at)
            due_note = _("due %(due)s") % {"due": due.strftime("%Y-%m-%d %H:%M") if isinstance(due, dt.datetime)
                                            else due.isoformat()}
        except Exception:  # noqa: BLE001 - a missing rule must not hide the ticket
            due_note = ""
        steps.append(Step(None, _("Dispatched to %(unit)s") % {"unit": ticket.unit.name},
                          f"{ticket.get_deadline_class_display()} {due_note}".strip()))
    if ticket.responded_in_time is not None:
        steps.append(Step(None, _("Responded in time") if ticket.responded_in_time else _("Responded late")))
    if ticket.resolved is not None or ticket.satisfaction != Satisfaction.NOT_RATED:
        resolved = {True: _("resolved"), False: _("not resolved"), None: "—"}[ticket.resolved]
        steps.append(Step(None, _("Revisited"), f"{resolved} · {ticket.get_satisfaction_display()}"))
    if ticket.excluded:
        steps.append(Step(None, _("Excluded from assessment"), ticket.exclusion_reason))
    for event in timeline(ticket):
        steps.append(Step(event.created_at, event.verb, event.note or f"{event.from_state} → {event.to_state}",
                          event.actor.name if event.actor else ""))
    return steps


# --- The three rates -------------------------------------------------------------------------------------

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
YEARS = (1990, 2100)  # the years a month or a year of 12345 data may name


def parse_month(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = MONTH_RE.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or not YEARS[0] <= int(match.group(1)) <= YEARS[1]:
        raise Invalid(_("“%(v)s” is not a month (YYYY-MM).") % {"v": value}, code=errors.BAD_MONTH,
                      fields={"month": "format"})
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def ruleset_for(month: dt.date) -> RateRuleSet:
    """The newest active version valid for `month`."""
    ruleset = (RateRuleSet.objects.filter(active=True, valid_from__lte=month)
               .order_by("-valid_from", "-version").first())
    if ruleset is None:
        raise Invalid(_("No active rate rule set covers %(m)s.") % {"m": month.strftime("%Y-%m")},
                      code=errors.NO_RULESET, fields={"month": "no rule set"})
    return ruleset


GROUP_KEYS = {
    Dimension.UNIT: F("unit_id"),
    Dimension.STREET: F("street_id"),
    Dimension.DISTRICT: F("district_id"),
    # Grouped by the ticket's own (most specific) node, then rolled up to the top level in Python.
    Dimension.CATEGORY: F("category_id"),
}


def _roots() -> dict[int, int]:
    """Category id → id of its top-level ancestor (the tree is small)."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    roots = {}
    for pk in parents:
        node = pk
        while parents.get(node):
            node = parents[node]
        roots[pk] = node
    return roots


def _roll_up(rows: list[RateRow], roots: dict[int, int]) -> list[RateRow]:
    merged: dict[int, RateRow] = {}
    for row in rows:
        root = roots.get(row.key, row.key)
        target = merged.setdefault(root, RateRow(key=root))
        for name in COUNT_FIELDS:
            setattr(target, name, getattr(target, name) + getattr(row, name))
    return list(merged.values())


@dataclass
class RateRow:
    """The counts and rates of one group (a unit, street, district, category or month)."""

    key: int | str | None
    name: str = ""
    kind: str = ""  # unit kind, or the rank group of a street
    total: int = 0
    assessable: int = 0
    flagged: int = 0  # assessable with a response flag (responded in time: yes or no)
    responded: int = 0
    revisited: int = 0
    resolved: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    score: float | None = None
    rank: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def rated(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def response_pct(self) -> str:
        return _pct(self.response_rate)

    @property
    def resolution_pct(self) -> str:
        return _pct(self.resolution_rate)

    @property
    def satisfaction_pct(self) -> str:
        return _pct(self.satisfaction_rate)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f}%"


def _ratio(numerator: float, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def apply_rules(row: RateRow, ruleset: RateRuleSet) -> RateRow:
    """Fill the three rates (0–1) and the composite score (0–100) of a row from its counts. A rate with
    nothing to count from is None ("no data"), never 0: the response rate is over the tickets that carry a
    response flag (a file without that column, or without a value in it, says nothing about response)."""
    row.response_rate = _ratio(row.responded, row.flagged)
    revisited = ruleset.resolution_denominator == RateRuleSet.Denominator.REVISITED
    row.resolution_rate = _ratio(row.resolved, row.revisited if revisited else row.assessable)
    weighted = (float(ruleset.weight_satisfied) * row.satisfied + float(ruleset.weight_basic) * row.basic
                + float(ruleset.weight_unsatisfied) * row.unsatisfied)
    rated_only = ruleset.satisfaction_denominator == RateRuleSet.Denominator.REVISITED
    row.satisfaction_rate = _ratio(weighted, row.rated if rated_only else row.assessable)
    weights = ruleset.weights_for(row.kind)
    parts = [(weights[k], getattr(row, f"{k}_rate")) for k in ("response", "resolution", "satisfaction")]
    if all(rate is not None for weight, rate in parts if weight):
        row.score = round(100 * sum(weight * (rate or 0.0) for weight, rate in parts), 6)
    return row


COUNT_FIELDS = ("total", "assessable", "flagged", "responded", "revisited", "resolved", "satisfied", "basic",
                "unsatisfied")


def rate_aggregates() -> dict:
    """The counts the three rates are computed from, as annotations (shared with 每月一题's before/after)."""
    ok = Q(excluded=False)
    return {
        "total": Count("id"),
        "assessable": Count("id", filter=ok),
        "flagged": Count("id", filter=ok & Q(responded_in_time__isnull=False)),
        "responded": Count("id", filter=ok & Q(responded_in_time=True)),
        "revisited": Count("id", filter=ok & Q(resolved__isnull=False)),
        "resolved": Count("id", filter=ok & Q(resolved=True)),
        "satisfied": Count("id", filter=ok & Q(satisfaction=Satisfaction.SATISFIED)),
        "basic": Count("id", filter=ok & Q(satisfaction=Satisfaction.BASIC)),
        "unsatisfied": Count("id", filter=ok & Q(satisfaction=Satisfaction.UNSATISFIED)),
    }


def _assessed(qs: QuerySet[Ticket], ruleset: RateRuleSet) -> QuerySet[Ticket]:
    """Restrict to the tickets a rule set assesses (before the per-ticket exclusion flag)."""
    if ruleset.assessed_kinds:
        qs = qs.filter(kind__in=ruleset.assessed_kinds)
    if ruleset.dispatched_only:
        qs = qs.filter(unit__isnull=False)
    return qs


def rates_district_for(user, *, by: str, district: int | None) -> int | None:
    """The district a user's rates are restricted to. District staff (区政协) see their own district's
    streets, units and categories, and — as Beijing publishes them every month — the comparison between
    districts and the street ranking; asking for another district's breakdown is refused. Other roles see
    what they ask for."""
    from minsheng.core.rules import is_district_staff

    if not is_district_staff(user) or by == Dimension.DISTRICT:
        return district
    if district is not None and district != user.district_id:
        raise Forbidden(_("District staff see only their own district's breakdown."),
                        code=errors.OTHER_DISTRICT)
    return user.district_id


def rates(*, month: dt.date | str, by: str, ruleset: RateRuleSet | None = None,
          district: int | None = None) -> list[RateRow]:
    """The three rates of one month grouped by unit, street, district or (top-level) category, best score
    first. Tickets outside the group (no street, no unit…) are left out of that dimension."""
    month = parse_month(month)
    if by not in GROUP_KEYS:
        raise Invalid(_("Rates can be grouped by unit, street, district or category, not “%(v)s”.") % {"v": by},
                      code=errors.BAD_DIMENSION, fields={"by": "choice"})
    ruleset = ruleset or ruleset_for(month)
    qs = _assessed(Ticket.objects.filter(month=month), ruleset)
    if district:
        qs = qs.filter(district_id=district)
    counts = (qs.annotate(group_key=GROUP_KEYS[by]).filter(group_key__isnull=False)
              .values("group_key").annotate(**rate_aggregates()).order_by())
    rows = [RateRow(key=c.pop("group_key"), **c) for c in counts]
    if by == Dimension.CATEGORY:
        rows = _roll_up(rows, _roots())
    _name_rows(rows, by)
    for row in rows:
        apply_rules(row, ruleset)
    rows.sort(key=lambda r: (-(r.score if r.score is not None else -1), -r.assessable, r.name))
    return rows


def rank_group(street_name: str) -> str:
    """Streets (街道) and townships (乡, 镇, and 地区 offices, which are townships with an urban office) are
    ranked separately, as Beijing's monthly 街乡镇 ranking does; development zones and the like are not."""
    if street_name.endswith("街道"):
        return RankGroup.STREET
    return RankGroup.TOWNSHIP if street_name.endswith(("乡", "镇", "地区")) else ""


def _name_rows(rows: list[RateRow], by: str) -> None:
    keys = [r.key for r in rows]
    if by in (Dimension.STREET, Dimension.DISTRICT):
        names = {pk: (name, rank_group(name) if by == Dimension.STREET else "")
                 for pk, name in Area.objects.filter(pk__in=keys).values_list("pk", "name")}
    elif by == Dimension.UNIT:
        names = {pk: (name, kind) for pk, name, kind in Unit.objects.filter(pk__in=keys).values_list("pk", "name", "kind")}
    else:
        names = {pk: (name, "") for pk, name in Category.objects.filter(pk__in=keys).values_list("pk", "name")}
    parents = {}
    if by == Dimension.STREET:
        parents = dict(Area.objects.filter(pk__in=keys).values_list("pk", "parent__name"))
    for row in rows:
        row.name, row.kind = names.get(row.key, (str(row.key), ""))
        if parents:
            row.extra["district"] = parents.get(row.key) or ""


def city_rates(*, months: Iterable[dt.date], by_key: tuple[str, int] | None = None) -> list[RateRow]:
    """One row per month (the trend): the whole city, or one unit / street / district / category."""
    months = sorted(months)
    if not months:
        return []
    qs = Ticket.objects.filter(month__gte=months[0], month__lte=months[-1])
    if by_key:
        dimension, key = by_key
        if dimension == Dimension.CATEGORY:
            qs = qs.filter(Q(category_id=key) | Q(category__parent_id=key) | Q(category__parent__parent_id=key))
        else:
            qs = qs.filter(**{f"{dimension}_id": key})
    # Months sharing a rule set are counted in one GROUP BY month query each.
    by_ruleset: dict[int, tuple[RateRuleSet, list[dt.date]]] = {}
    for month in months:
        ruleset = ruleset_for(month)
        by_ruleset.setdefault(ruleset.pk, (ruleset, []))[1].append(month)
    rows = []
    for ruleset, its_months in by_ruleset.values():
        found = {c.pop("month"): c for c in _assessed(qs.filter(month__in=its_months), ruleset)
                 .values("month").annotate(**rate_aggregates()).order_by()}
        for month in its_months:
            row = RateRow(key=month.strftime("%Y-%m"), name=month.strftime("%Y-%m"), **found.get(month, {}))
            rows.append(apply_rules(row, ruleset))
    return sorted(rows, key=lambda r: r.key)


def months_with_data(limit: int = 24) -> list[dt.date]:
    latest = Ticket.objects.aggregate(m=Max("month"))["m"]
    if latest is None:
        return []
    first = add_months(latest, -(limit - 1))
    return [add_months(first, i) for i in range(limit)]


def months_with_tickets(start: dt.date, end: dt.date) -> set[dt.date]:
    """The months in [start, end) with any ticket imported at all — the others are missing, not zero (one
    index look-up a month). For before/after comparisons that must not count a month never imported as 0."""
    months, month = set(), start.replace(day=1)
    while month < end:
        if Ticket.objects.filter(month=month).exists():
            months.add(month)
        month = add_months(month, 1)
    return months


def latest_month() -> dt.date | None:
    return Ticket.objects.aggregate(m=Max("month"))["m"]


# --- Monthly ranking of streets and townships -----------------------------------------------------------


@dataclass
class Ranking:
    month: dt.date
    ruleset: RateRuleSet
    groups: dict[str, list[RateRow]]  # group → ranked rows, best first
    red: dict[str, list[RateRow]]
    black: dict[str, list[RateRow]]
    unranked: list[RateRow]  # too few assessable tickets


def rank_rows(rows: list[RateRow], *, list_size: int) -> tuple[list[RateRow], list[RateRow], list[RateRow]]:
    """Rank rows by score, best first. Ties: scores equal to two decimals (in points of 100) share a rank
    and the next rank is skipped (1, 2, 2, 4); tied rows are listed by more assessable tickets, then name.
    The red list is every row with rank ≤ list_size, so a tie at the boundary lengthens it; the black list
    likewise counts from the bottom (rank from the bottom ≤ list_size), and never repeats a red-listed row.
    Returns (ranked, red, black)."""
    for row in rows:
        row.extra["rounded"] = Decimal(str(row.score)).quantize(Decimal("0.01")) if row.score is not None else None
    ranked = sorted(rows, key=lambda r: (-r.extra["rounded"], -r.assessable, r.name))
    scores = [r.extra["rounded"] for r in ranked]
    for row in ranked:
        row.rank = 1 + sum(1 for s in scores if s > row.extra["rounded"])
        row.extra["rank_from_bottom"] = 1 + sum(1 for s in scores if s < row.extra["rounded"])
    red = [r for r in ranked if r.rank <= list_size]
    red_ids = {id(r) for r in red}
    black = [r for r in reversed(ranked) if r.extra["rank_from_bottom"] <= list_size and id(r) not in red_ids]
    return ranked, red, black


def street_ranking(*, month: dt.date | str, ruleset: RateRuleSet | None = None) -> Ranking:
    """The month's ranking of streets and of townships, each within its group, with red and black lists."""
    month = parse_month(month)
    ruleset = ruleset or ruleset_for(month)
    rows = rates(month=month, by=Dimension.STREET, ruleset=ruleset)
    groups: dict[str, list[RateRow]] = {}
    red: dict[str, list[RateRow]] = {}
    black: dict[str, list[RateRow]] = {}
    unranked = [r for r in rows if r.assessable < ruleset.min_tickets or r.score is None or not r.kind]
    skip = {id(r) for r in unranked}
    for group in RankGroup.values:
        members = [r for r in rows if r.kind == group and id(r) not in skip]
        groups[group], red[group], black[group] = rank_rows(members, list_size=ruleset.list_size)
    return Ranking(month=month, ruleset=ruleset, groups=groups, red=red, black=black, unranked=unranked)


# --- District map ------------------------------------------------------------------------------------------

MAP_RATES = ("response", "resolution", "satisfaction", "score")


def district_stem(name: str) -> str:
    """A district's name without its 区 or 县 suffix. Names are matched on it because sources disagree: the
    boundary file still names 密云县 and 延庆县, which became districts (区) in 2015."""
    name = (name or "").strip()
    return name[:-1] if len(name) > 2 and name.endswith(("区", "县")) else name


def district_map(*, month: dt.date | str, rows: list[RateRow] | None = None) -> list[dict]:
    """What the district map reads: every district (in code order, also those without tickets, whose rates are
    None) with its ticket counts, the three rates in percent and the score, each rounded to two decimals.
    `rows`: the month's rates by district when the caller has them already (one scan of the month less)."""
    def pct(value: float | None) -> float | None:
        return None if value is None else round(100 * value, 2)

    found = {r.key: r for r in (rows if rows is not None else rates(month=month, by=Dimension.DISTRICT))}
    cells = []
    for pk, name in Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code").values_list("pk", "name"):
        row = found.get(pk) or RateRow(key=pk)
        cells.append({"key": pk, "name": name, "stem": district_stem(name), "total": row.total,
                      "assessable": row.assessable, "response": pct(row.response_rate),
                      "resolution": pct(row.resolution_rate), "satisfaction": pct(row.satisfaction_rate),
                      "score": None if row.score is None else round(row.score, 2)})
    return cells


# --- Excel export -------------------------------------------------------------------------------------


def rate_export_rows(rows: list[RateRow], by: str) -> Iterable[list]:
    """An exporter: the header, then one list per row (rates in percent, rounded to two decimals; a rate with no
    data behind it is an empty cell)."""
    def pct(value: float | None) -> float | None:
        return None if value is None else round(100 * value, 2)

    yield [_("Group name"), _("Type") if by == Dimension.UNIT else _("Group"), _("Tickets"), _("Assessable"),
           _("With a response flag"), _("Responded in time"), _("Revisited"), _("Resolved"), _("Satisfied"),
           _("Basically satisfied"), _("Unsatisfied"), _("Response rate %"), _("Resolution rate %"),
           _("Satisfaction rate %"), _("Score")]
    for r in rows:
        yield [r.name, r.kind, r.total, r.assessable, r.flagged, r.responded, r.revisited, r.resolved, r.satisfied,
               r.basic, r.unsatisfied, pct(r.response_rate), pct(r.resolution_rate), pct(r.satisfaction_rate),
               None if r.score is None else round(r.score, 2)]


# --- Caching of month-wide figures --------------------------------------------------------------------

CACHE_SECONDS = 600


def data_stamp() -> str:
    """Changes whenever tickets are imported or a rule set is edited: part of every cache key, so cached
    figures never outlive the data they were computed from (an exclusion shows within CACHE_SECONDS)."""
    from minsheng.core.models import Job

    last_import = (Job.objects.filter(kind="hotline.import").exclude(finished_at=None)
                   .aggregate(m=Max("finished_at"))["m"])
    last_rule = RateRuleSet.objects.aggregate(m=Max("id"))["m"]
    return f"{last_import.timestamp() if last_import else 0}:{last_rule}"


def cached(name: str, compute, *key: object):
    """`compute()` through Django's cache for CACHE_SECONDS, keyed by `name`, `key` and the data stamp:
    a year of Beijing tickets is 21 M rows, too many to aggregate on every page view."""
    import hashlib

    from django.core.cache import cache

    raw = "|".join(str(k) for k in (data_stamp(), *key))
    return cache.get_or_set(f"hotline:{name}:{hashlib.sha1(raw.encode()).hexdigest()}", compute, CACHE_SECONDS)


# The figures the pages show, through the cache. The same calls warm the cache after an import
# (`warm_caches`), so the first visitor after new data does not pay for a year of aggregation.
CANDIDATES_ON_PAGE = 20


def rates_cached(*, month: dt.date, by: str, district: int | None = None) -> list:
    return cached("rates", lambda: rates(month=month, by=by, district=district), month, by, district)


def trend_cached(*, months: list[dt.date], by_key: tuple[str, int] | None = None) -> list:
    return cached("trend", lambda: city_rates(months=months, by_key=by_key), months[0] if months else "", by_key)


def district_map_cached(*, month: dt.date, rows: list | None = None) -> list:
    return cached("district_map", lambda: district_map(month=month, rows=rows), month)


def ranking_cached(*, month: dt.date):
    return cached("ranking", lambda: street_ranking(month=month), month)


def candidates_cached(*, year: int) -> list:
    from .candidates import topic_candidates

    return cached("candidates", lambda: topic_candidates(year=year, top=CANDIDATES_ON_PAGE), year)


def warm_caches(progress=None) -> list[str]:
    """Compute what the rates, ranking and candidates pages show first (the latest month, every dimension,
    the city trend, the district map; the latest year's candidates) into the cache. Returns what was warmed."""
    months = months_with_data(12)
    if not months:
        return []
    month, done = months[-1], []
    steps = [(f"rates by {by}", lambda by=by: rates_cached(month=month, by=by)) for by in Dimension.values]
    steps += [("trend", lambda: trend_cached(months=months)),
              ("district map", lambda: district_map_cached(month=month, rows=rates_cached(month=month, by="district"))),
              ("street ranking", lambda: ranking_cached(month=month)),
              (f"candidates {month.year}", lambda: candidates_cached(year=month.year))]
    for i, (label, step) in enumerate(steps, 1):
        step()
        done.append(label)
        if progress:
            progress(i, len(steps))
    return done


# --- Dashboard -------------------------------------------------------------------------------------------


def _rates_url(**query: object) -> str:
    from django.utils.http import urlencode

    return reverse("hotline:rates") + "?" + urlencode(query)


def _trend(key: str, title: str, url: str, rows: list[RateRow]) -> Trend:
    """The three rates (left axis, %) and the ticket volume (right axis) per month, as the rates page draws them."""
    def pct(value: float | None) -> float | None:
        return None if value is None else round(100 * value, 2)

    return Trend(key, title, url, [r.name for r in rows], [
        {"name": _("Response rate"), "kind": "line", "values": [pct(r.response_rate) for r in rows], "axis": 0},
        {"name": _("Resolution rate"), "kind": "line", "values": [pct(r.resolution_rate) for r in rows], "axis": 0},
        {"name": _("Satisfaction rate"), "kind": "line", "values": [pct(r.satisfaction_rate) for r in rows], "axis": 0},
        {"name": _("Tickets"), "kind": "bar", "values": [r.total for r in rows], "axis": 1},
    ], unit="%")


def _rate_cards(row: RateRow, url: str) -> list[Card]:
    return [Card(_("Response rate"), row.response_pct, url, "reply"),
            Card(_("Resolution rate"), row.resolution_pct, url, "check2-circle"),
            Card(_("Satisfaction rate"), row.satisfaction_pct, url, "emoji-smile")]


def _district_section(user: User, months: list[dt.date]) -> Section:
    """A district's month as the rates page shows it: the district's row in the comparison of districts (its
    three rates and rank), its streets and townships, the weakest first, and its trend."""
    month, district = months[-1], user.district
    label = month.strftime("%Y-%m")

    def compute():
        return (rates_cached(month=month, by=Dimension.DISTRICT),
                rates_cached(month=month, by=Dimension.STREET, district=district.pk),
                trend_cached(months=months, by_key=(Dimension.DISTRICT, district.pk)))

    districts, streets, trend = cached("home_district", compute, months[0], month, district.pk)
    comparison = _rates_url(month=label, by=Dimension.DISTRICT)
    own_trend = _rates_url(month=label, by=Dimension.DISTRICT, key=district.pk)
    street_list = _rates_url(month=label, by=Dimension.STREET, district=district.pk)
    row = next((r for r in districts if r.key == district.pk), RateRow(key=district.pk, name=district.name))
    ranked = [r.key for r in districts if r.score is not None]
    cards = [Card(_("12345 tickets in my district, %(m)s") % {"m": label}, row.total, comparison, "telephone"),
             *_rate_cards(row, own_trend),
             Card(_("Rank among districts"), f"{ranked.index(district.pk) + 1} / {len(ranked)}" if district.pk in ranked else "—",
                  comparison, "trophy", note=_("by composite score")),
             Card(_("Streets and townships rated"), len(streets), street_list, "signpost")]
    weakest = [r for r in streets if r.score is not None][-5:][::-1]
    tasks = [Task(r.name, _rates_url(month=label, by=Dimension.STREET, district=district.pk, key=r.key),
                  detail=_("satisfaction %(s)s · resolution %(r)s") % {"s": r.satisfaction_pct, "r": r.resolution_pct},
                  badge=_("score %(n)s") % {"n": f"{r.score:.2f}"}) for r in weakest]
    return Section("hotline", _("12345 in %(district)s, %(m)s") % {"district": district.name, "m": label}, cards=cards,
                   tasks=tasks, url=street_list, url_label=_("All streets and townships"), order=20,
                   empty=_("No street or township of your district was rated this month."),
                   trend=_trend("hotline-district", _("12345 rates of my district per month"), own_trend, trend))


def dashboard_cards(user: User) -> list[HomeItem]:
    """Home-page figures: the latest month's volume and rates — the city's (a unit handler: its unit's; district
    staff: the district's) — with the monthly trend, each linked to the rates page that shows the same row."""
    from minsheng.core.rules import is_district_staff

    if not user.has_perm("hotline.view_rates"):
        return []
    months = months_with_data(12)
    if not months:
        return []
    if is_district_staff(user) and user.district_id:
        return [_district_section(user, months)]
    month = months[-1]
    label = month.strftime("%Y-%m")
    qs = Ticket.objects.filter(month=month)
    scope = None
    by_key = None
    if not user.has_perm("hotline.view_all") and user.has_perm("hotline.view_tickets") and user.unit_id:
        scope, by_key = user.unit_id, (Dimension.UNIT, user.unit_id)
        qs = qs.filter(unit_id=scope)
        title = _("12345 tickets to my unit, %(m)s") % {"m": label}
        rates_url = _rates_url(month=label, by=Dimension.UNIT, key=scope)
    else:
        title = _("12345 tickets, %(m)s") % {"m": label}
        rates_url = _rates_url(month=label)

    def compute():
        return qs.count(), trend_cached(months=months, by_key=by_key)

    total, trend = cached("home", compute, months[0], month, scope)
    row = trend[-1]
    cards = []
    if user.has_perm("hotline.view_tickets"):
        cards.append(Card(title, total, reverse("hotline:ticket_list") + f"?month={label}", "telephone"))
    if row.satisfaction_rate is not None:
        cards.append(Card(_("12345 satisfaction rate, %(m)s") % {"m": label}, row.satisfaction_pct, rates_url, "emoji-smile",
                          note=_("resolution %(r)s") % {"r": row.resolution_pct}))
    if user.has_perm("hotline.view_all") and row.response_rate is not None:
        cards.append(Card(_("12345 response rate, %(m)s") % {"m": label}, row.response_pct, rates_url, "reply"))
    office = user.has_perm("hotline.view_all")
    return [Section("hotline", _("12345 hotline"), cards=cards, order=40 if office else 60, url=rates_url,
                    url_label=_("12345 rates"),
                    trend=_trend("hotline", _("12345 rates per month"), rates_url, trend) if office else None)]


# --- evidence for a supervised topic (每月一题 reads it through these) -------------------------------------


def category_descendants(root_ids: set[int]) -> set[int]:
    """The categories `root_ids` and every category below them."""
    if not root_ids:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), list(root_ids)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, ()))
    return found


def categories_by_ids(ids) -> list[Category]:
    return list(Category.objects.filter(pk__in=list(ids)))


def categories_for_choice(max_level: int = 2) -> QuerySet[Category]:
    """The upper levels of the category tree, for a form that links a topic to what measures it."""
    return Category.objects.filter(level__lte=max_level).order_by("level", "order", "name")


@dataclass
class MonthVolume:
    month: dt.date
    count: int | None  # None: no ticket of any kind was imported that month (missing, not zero)
    after: bool  # in or after the topic's month


@dataclass
class SampleTicket:
    number: str
    text: str


@dataclass
class CategoryEvidence:
    """What citizens said about a topic: monthly volumes in its categories around its month, the rates before
    and after, and a few of its own tickets that show the problem."""

    topic_month: dt.date
    volumes: list[MonthVolume]
    before_total: int
    after_total: int
    before: RateRow | None
    after: RateRow | None
    samples: list[SampleTicket] = field(default_factory=list)

    @property
    def max_count(self) -> int:
        return max([v.count for v in self.volumes if v.count is not None] or [0])

    @property
    def change_pct(self) -> str:
        """Average monthly volume after against before, over the months with data only; "—" when a side has
        none (a month never imported is not a month of zero calls)."""
        before = [v for v in self.volumes if not v.after and v.count is not None]
        after = [v for v in self.volumes if v.after and v.count is not None]
        if not before or not after or not self.before_total:
            return "—"
        avg_before, avg_after = self.before_total / len(before), self.after_total / len(after)
        return f"{100 * (avg_after - avg_before) / avg_before:+.1f}%"


def category_evidence(*, category_ids: set[int], topic_month: dt.date, window: int, samples: int,
                      keywords: list[str] = ()) -> CategoryEvidence:
    """Ticket volume by month in `category_ids` from `window` months before `topic_month` to `window - 1`
    after, the three rates before and after, and up to `samples` tickets of those categories after the month
    that hold one of `keywords` (the problem's words; unresolved first — `candidates.typical_tickets`)."""
    from .candidates import typical_tickets

    start, end = add_months(topic_month, -window), add_months(topic_month, window)
    qs = Ticket.objects.filter(category_id__in=category_ids, month__gte=start, month__lt=end)
    counts = {row["month"]: row["n"] for row in qs.values("month").annotate(n=Count("id")).order_by("month")}
    present = months_with_tickets(start, end)
    volumes, month = [], start
    while month < end:
        count = counts.get(month, 0) if month in present else None
        volumes.append(MonthVolume(month, count, month >= topic_month))
        month = add_months(month, 1)
    try:
        ruleset = ruleset_for(topic_month)
    except Invalid:  # no rate rule set covers the month: volumes only
        ruleset = None
    rated = qs
    if ruleset is not None and ruleset.assessed_kinds:
        rated = rated.filter(kind__in=ruleset.assessed_kinds)
    if ruleset is not None and ruleset.dispatched_only:
        rated = rated.filter(unit__isnull=False)
    from django.db.models import BooleanField, Case, Value, When

    split = (rated.annotate(after=Case(When(month__gte=topic_month, then=Value(True)), default=Value(False),
                                       output_field=BooleanField())).values("after").annotate(**rate_aggregates()).order_by())
    rows: dict[bool, RateRow] = {}
    for row in split if ruleset is not None else ():
        after = bool(row.pop("after"))
        rows[after] = apply_rules(RateRow(key="after" if after else "before", **row), ruleset)
    recent = list(qs.filter(month__gte=topic_month).order_by("-received_at")
                  .values_list("number", "summary", "text", "resolved")[:2000])
    chosen = typical_tickets(recent, list(keywords), samples)
    return CategoryEvidence(topic_month=topic_month, volumes=volumes,
                            before_total=sum(v.count or 0 for v in volumes if not v.after),
                            after_total=sum(v.count or 0 for v in volumes if v.after),
                            before=rows.get(False), after=rows.get(True),
                            samples=[SampleTicket(number, text) for number, text in chosen])
