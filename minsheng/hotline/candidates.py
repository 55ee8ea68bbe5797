"""Hot issues → 每月一题 candidates: from a year's tickets, the problems that are high-frequency,
persistent, hard and city-wide (聚焦高频、延续治理、攻坚克难、统筹兼顾), each with its evidence.

A problem here is a ticket category (the leaf the ticket is filed under). Each is scored from five
signals, all in [0, 1], computed with a handful of GROUP BY queries whatever the volume:

- frequency   — the category's tickets ÷ the busiest category's;
- persistence — share of the year's months whose volume is at least half the category's monthly mean
                (a one-month spike scores low, a problem that never goes away high);
- hardness    — 1 − (resolution rate + satisfaction rate) ÷ 2, over assessable / rated tickets;
- city-wide   — districts with tickets ÷ districts in the city × (1 − the top district's share), so a
                problem spread over the city beats one street's;
- growth      — second half against first half of the year, (H2 − H1) ÷ max(H1, 1) clipped to [−1, 1]
                and mapped to [0, 1].

score = 0.30 frequency + 0.20 persistence + 0.25 hardness + 0.15 city-wide + 0.10 growth (weights in
WEIGHTS; documented in docs/hotline.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from minsheng.core.models import Area

from .choices import RATED, Satisfaction
from .models import Category, Ticket

WEIGHTS = {"frequency": 0.30, "persistence": 0.20, "hardness": 0.25, "city_wide": 0.15, "growth": 0.10}


@dataclass
class Candidate:
    """One candidate problem with the evidence staff need to pick it for the year's plan."""

    category_id: int | None
    category: str
    volume: int
    by_month: list[int]
    districts: int
    top_district: str
    top_district_share: float
    resolution_rate: float | None
    satisfaction_rate: float | None
    growth: float
    signals: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    samples: list[tuple[str, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


def _path(category: Category | None) -> str:
    names = []
    while category is not None:
        names.append(category.name)
        category = category.parent
    return "/".join(reversed(names)) or "未分类"


def topic_candidates(*, year: int, top: int = 20, samples: int = 3) -> list[Candidate]:
    """The year's top candidate problems, best first."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    tickets = Ticket.objects.filter(month__gte=start, month__lt=end)
    per_month = tickets.values_list("category_id", "month").annotate(n=Count("id"))
    months: dict[int | None, list[int]] = defaultdict(lambda: [0] * 12)
    for category_id, month, n in per_month:
        months[category_id][month.month - 1] += n
    if not months:
        return []
    quality = {
        row["category_id"]: row for row in tickets.values("category_id").annotate(
            assessable=Count("id", filter=Q(excluded=False, resolved__isnull=False)),
            resolved_n=Count("id", filter=Q(excluded=False, resolved=True)),
            rated=Count("id", filter=Q(excluded=False, satisfaction__in=RATED)),
            satisfied=Count("id", filter=Q(excluded=False, satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC))),
        )
    }
    by_district: dict[int | None, dict[int | None, int]] = defaultdict(dict)
    for category_id, district_id, n in tickets.values_list("category_id", "district_id").annotate(n=Count("id")):
        by_district[category_id][district_id] = n
    district_count = Area.objects.filter(level="district").count() or 16
    district_names = dict(Area.objects.filter(level="district").values_list("pk", "name"))
    busiest = max(sum(v) for v in months.values())
    candidates = []
    for category_id, volumes in months.items():
        volume = sum(volumes)
        mean = volume / 12
        persistence = sum(1 for v in volumes if v >= 0.5 * mean and v > 0) / 12
        q = quality.get(category_id, {})
        resolution = q.get("resolved_n", 0) / q["assessable"] if q.get("assessable") else None
        satisfaction = q.get("satisfied", 0) / q["rated"] if q.get("rated") else None
        known = [r for r in (resolution, satisfaction) if r is not None]
        hardness = 1 - sum(known) / len(known) if known else 0.0
        spread = {d: n for d, n in by_district[category_id].items() if d is not None}
        top_district, top_n = max(spread.items(), key=lambda kv: kv[1]) if spread else (None, 0)
        top_share = top_n / volume if volume else 0.0
        city_wide = min(1.0, len(spread) / district_count) * (1 - top_share)
        first, second = sum(volumes[:6]), sum(volumes[6:])
        growth = max(-1.0, min(1.0, (second - first) / max(first, 1)))
        signals = {"frequency": volume / busiest, "persistence": persistence, "hardness": hardness,
                   "city_wide": city_wide, "growth": (growth + 1) / 2}
        candidates.append(Candidate(
            category_id=category_id, category="", volume=volume, by_month=volumes, districts=len(spread),
            top_district=district_names.get(top_district, ""), top_district_share=round(top_share, 3),
            resolution_rate=None if resolution is None else round(100 * resolution, 1),
            satisfaction_rate=None if satisfaction is None else round(100 * satisfaction, 1), growth=round(growth, 3),
            signals={k: round(v, 3) for k, v in signals.items()},
            score=round(100 * sum(WEIGHTS[k] * v for k, v in signals.items()), 2),
        ))
    candidates.sort(key=lambda c: (-c.score, -c.volume, c.category_id or 0))
    chosen = candidates[:top]
    categories = {c.pk: c for c in Category.objects.filter(pk__in=[c.category_id for c in chosen if c.category_id])
                  .select_related("parent__parent")}
    texts: dict[int | None, list[str]] = {}
    for candidate in chosen:
        candidate.category = _path(categories.get(candidate.category_id))
        rows = (tickets.filter(category_id=candidate.category_id, resolved=False).order_by("-received_at")
                .values_list("number", "summary", "text")[:samples])
        candidate.samples = [(number, (summary or text)[:60]) for number, summary, text in rows]
        texts[candidate.category_id] = list(tickets.filter(category_id=candidate.category_id).exclude(text="")
                                            .order_by("-received_at").values_list("text", flat=True)[:KEYWORD_SAMPLE])
    for candidate, words in zip(chosen, distinctive_words([texts[c.category_id] for c in chosen]), strict=True):
        candidate.keywords = words
    return chosen


KEYWORD_SAMPLE = 300  # the newest tickets of each candidate read for its keywords
KEYWORDS = 6


def distinctive_words(groups: list[list[str]], top: int = KEYWORDS) -> list[list[str]]:
    """For each group of texts, the words that set it apart from the other groups: words found in at least
    3 % of the group's texts (and twice), ranked by their share in the group over their share in all the
    groups (add-one smoothed, × log of the count). Segmented by the text engine (`textmining.segment`)."""
    import math

    from minsheng.textmining.segment import tokens

    per_group = [Counter(w for text in group for w in set(tokens(text)) if len(w) > 1) for group in groups]
    overall: Counter[str] = Counter()
    for counts in per_group:
        overall.update(counts)
    total = sum(len(g) for g in groups) or 1
    result = []
    for group, counts in zip(groups, per_group, strict=True):
        size = len(group) or 1
        floor = max(2, math.ceil(0.03 * size))
        scored = [((n / size) / ((overall[w] + 1) / (total + 1)) * math.log(1 + n), w)
                  for w, n in counts.items() if n >= floor]
        result.append([w for _score, w in sorted(scored, key=lambda sw: (-sw[0], sw[1]))[:top]])
    return result


HEADERS = ["rank", "score", "category", "volume", "by_month", "districts", "top_district", "top_district_share",
           "resolution_rate", "satisfaction_rate", "growth", "frequency", "persistence", "hardness", "city_wide",
           "sample_tickets", "keywords"]


def candidate_rows(candidates: list[Candidate]) -> list[list]:
    return [[rank, c.score, c.category, c.volume, ";".join(map(str, c.by_month)), c.districts, c.top_district,
             c.top_district_share, c.resolution_rate, c.satisfaction_rate, c.growth, c.signals["frequency"],
             c.signals["persistence"], c.signals["hardness"], c.signals["city_wide"],
             " | ".join(f"{n} {s}" for n, s in c.samples), " ".join(c.keywords)] for rank, c in enumerate(candidates, 1)]
