"""Hot issues → 每月一题 candidates: from a year's tickets, the problems that are high-frequency,
persistent, hard and city-wide (聚焦高频、延续治理、攻坚克难、统筹兼顾), each with its evidence.

A problem here is a ticket category (the leaf the ticket is filed under). Each is scored from five
signals, all in [0, 1], computed with a handful of GROUP BY queries whatever the volume:

- frequency   — the category's tickets ÷ the busiest category's;
- persistence — share of the year's months with data whose volume is at least half the category's
                monthly mean over them (a one-month spike scores low, a problem that never goes away high);
- hardness    — 1 − (resolution rate + satisfaction rate) ÷ 2, over assessable / rated tickets;
- city-wide   — districts with tickets ÷ districts in the city × (1 − the top district's share), so a
                problem spread over the city beats one street's;
- growth      — the monthly mean of the second half of the year against the first's, (H2 − H1) ÷ H1
                clipped to [−1, 1] and mapped to [0, 1]; None ("no data", scored 0.5) when either half has no
                month with data.

A month "with data" is one with any ticket imported; a month without is missing, not zero: it is None in
`by_month` and counts in neither the persistence nor the growth. The sample tickets are the candidate's own
(its category), the unresolved first, and say what its keywords say: a sample mentions at least one of them.

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
    by_month: list[int | None]  # None: no ticket at all was imported for that month
    districts: int
    top_district: str
    top_district_share: float
    resolution_rate: float | None
    satisfaction_rate: float | None
    growth: float | None  # None: a half of the year has no month with data
    signals: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    samples: list[tuple[str, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    @property
    def growth_pct(self) -> str | None:
        """The growth as the page shows it (`+12.5%`), or None for no data."""
        return None if self.growth is None else f"{100 * self.growth:+.1f}%"


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
    present: set[int] = set()  # months (0–11) with any ticket: the others are missing, not zero
    for category_id, month, n in per_month:
        months[category_id][month.month - 1] += n
        present.add(month.month - 1)
    if not months:
        return []
    first_half, second_half = [m for m in sorted(present) if m < 6], [m for m in sorted(present) if m >= 6]
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
        mean = volume / len(present)
        persistence = sum(1 for m in present if volumes[m] >= 0.5 * mean and volumes[m] > 0) / len(present)
        q = quality.get(category_id, {})
        resolution = q.get("resolved_n", 0) / q["assessable"] if q.get("assessable") else None
        satisfaction = q.get("satisfied", 0) / q["rated"] if q.get("rated") else None
        known = [r for r in (resolution, satisfaction) if r is not None]
        hardness = 1 - sum(known) / len(known) if known else 0.0
        spread = {d: n for d, n in by_district[category_id].items() if d is not None}
        top_district, top_n = max(spread.items(), key=lambda kv: kv[1]) if spread else (None, 0)
        top_share = top_n / volume if volume else 0.0
        city_wide = min(1.0, len(spread) / district_count) * (1 - top_share)
        growth = _growth([volumes[m] for m in first_half], [volumes[m] for m in second_half])
        signals = {"frequency": volume / busiest, "persistence": persistence, "hardness": hardness,
                   "city_wide": city_wide, "growth": 0.5 if growth is None else (growth + 1) / 2}
        candidates.append(Candidate(
            category_id=category_id, category="", volume=volume,
            by_month=[v if m in present else None for m, v in enumerate(volumes)], districts=len(spread),
            top_district=district_names.get(top_district, ""), top_district_share=round(top_share, 3),
            resolution_rate=None if resolution is None else round(100 * resolution, 1),
            satisfaction_rate=None if satisfaction is None else round(100 * satisfaction, 1),
            growth=None if growth is None else round(growth, 3),
            signals={k: round(v, 3) for k, v in signals.items()},
            score=round(100 * sum(WEIGHTS[k] * v for k, v in signals.items()), 2),
        ))
    candidates.sort(key=lambda c: (-c.score, -c.volume, c.category_id or 0))
    chosen = candidates[:top]
    categories = {c.pk: c for c in Category.objects.filter(pk__in=[c.category_id for c in chosen if c.category_id])
                  .select_related("parent__parent")}
    newest: dict[int | None, list[tuple[str, str, str, bool | None]]] = {}
    for candidate in chosen:
        candidate.category = _path(categories.get(candidate.category_id))
        newest[candidate.category_id] = list(
            tickets.filter(category_id=candidate.category_id).exclude(text="").order_by("-received_at")
            .values_list("number", "summary", "text", "resolved")[:KEYWORD_SAMPLE])
    texts = [[text for _n, _s, text, _r in newest[c.category_id]] for c in chosen]
    for candidate, words in zip(chosen, distinctive_words(texts), strict=True):
        candidate.keywords = words
        candidate.samples = typical_tickets(newest[candidate.category_id], words, samples)
    return chosen


def _growth(first: list[int], second: list[int]) -> float | None:
    """The second half's monthly mean against the first's, in [−1, 1]; None when a half has no month with data."""
    if not first or not second:
        return None
    before, after = sum(first) / len(first), sum(second) / len(second)
    if not before:
        return 1.0 if after else 0.0
    return max(-1.0, min(1.0, (after - before) / before))


def typical_tickets(rows: list[tuple[str, str, str, bool | None]], keywords: list[str], n: int
                    ) -> list[tuple[str, str]]:
    """Up to `n` of a candidate's own tickets (`rows`: number, summary, text, resolved — newest first), each as
    (number, the start of its text, else its summary), that show its problem: the unresolved first, then those whose text or summary holds more of its keywords, then the
    newest. A ticket that holds none of the keywords is never chosen; without keywords, the newest unresolved."""
    scored = []
    for order, (number, summary, text, resolved) in enumerate(rows):
        hits = sum(1 for word in keywords if word in text or word in summary)
        if (keywords and not hits) or (not keywords and resolved is not False):
            continue
        scored.append((resolved is not False, -hits, order, number, (text or summary)[:60]))
    return [(number, text) for *_key, number, text in sorted(scored)[:n]]


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
    return [[rank, c.score, c.category, c.volume, ";".join("" if v is None else str(v) for v in c.by_month),
             c.districts, c.top_district,
             c.top_district_share, c.resolution_rate, c.satisfaction_rate, c.growth, c.signals["frequency"],
             c.signals["persistence"], c.signals["hardness"], c.signals["city_wide"],
             " | ".join(f"{n} {s}" for n, s in c.samples), " ".join(c.keywords)] for rank, c in enumerate(candidates, 1)]
