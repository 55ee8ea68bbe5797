"""Spam and offensive-language screening for public input.

Two layers decide whether a text is spam:

1. **Rules** for the obvious, each with a score in [0, 1] and a reason a moderator can read:
   pornographic / gambling SEO strings (a strong term, or several weak ones, or keyword stuffing),
   contact lures (a phone number, QQ or WeChat id next to advertising words), and link farms
   (several links, or links that are most of the text).
2. A **model** (``SpamModel``: hashed character n-grams + words, TF-IDF, logistic regression,
   then gradient-boosted trees over its score and simple measurements of the text) trained on
   labelled advertising SMS plus legitimate citizens' messages as negatives, and on the
   moderators' own decisions (``append_decision`` writes them to a ``label,text`` CSV that
   ``train_spam`` takes as extra data).

``screen(text, model)`` returns a ``SpamVerdict``: the score is the larger of the rule score and
the model probability, ``spam`` is ``score >= threshold``, and ``reason`` names what fired.
``OffensiveModel`` is the same kind of model trained on offensive-language data; its
``score`` is a moderation hint, never an automatic rejection.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.special import expit, logit

from minsheng.textmining.normalize import clean, find_entities, to_simplified
from minsheng.textmining.spam_linear import FORMAT, LinearTextModel, ModelFormatError, featurize
from minsheng.textmining.spam_trees import _CONTENT, MEASURES, BoostedTrees, TreeFormatError, text_measures

__all__ = [
    "FORMAT",
    "ModelFormatError",
    "OffensiveModel",
    "RuleHit",
    "SpamModel",
    "SpamVerdict",
    "append_decision",
    "load_offensive_model",
    "load_spam_model",
    "rule_hits",
    "screen",
    "screen_many",
    "train_offensive",
    "train_spam",
    "training_steps",
]

SPAM_KIND = "spam"
OFFENSIVE_KIND = "offensive"
DEFAULT_THRESHOLD = 0.5

# --- rule vocabularies (written for this project) -------------------------------------------
# Strong: practically never in a citizen's message. Weak: common in SEO porn/gambling stuffing
# but also in ordinary text, so only several together count.
_PORN_STRONG = (
    "小泬",
    "无码",
    "有码",
    "一区二区",
    "二区三区",
    "久草",
    "青青草",
    "好吊妞",
    "好吊",
    "毛片",
    "黄片",
    "av在线",
    "在线av",
    "成人视频",
    "成人影院",
    "色综合",
    "综合色",
    "色在线",
    "伦理片",
    "伦理电影",
    "自拍偷拍",
    "偷拍自拍",
    "人妻",
    "熟女",
    "萝莉",
    "丝袜美腿",
    "粉嫩",
    "巨乳",
    "爆乳",
    "三级片",
    "不卡",
    "欧美日韩",
    "日韩精品",
    "国产精品",
    "精品国产",
    "亚洲欧美",
    "av天堂",
    "色情",
    "约炮",
    "一夜情",
    "援交",
    "小姐上门",
    "上门服务",
)
_PORN_WEAK = (
    "精品",
    "视频",
    "在线观看",
    "免费观看",
    "在线播放",
    "在线视频",
    "免费视频",
    "国产",
    "日韩",
    "欧美",
    "亚洲",
    "少妇",
    "美女",
    "极品",
    "激情",
    "福利",
    "午夜",
    "高清",
    "草",
    "色",
    "久久",
    "热",
)
_GAMBLING_STRONG = (
    "百家乐",
    "时时彩",
    "娱乐城",
    "真人娱乐",
    "真人视讯",
    "葡京",
    "威尼斯人",
    "永利",
    "老虎机",
    "博彩",
    "菠菜",
    "网上赌场",
    "在线赌场",
    "体育投注",
    "彩票平台",
    "彩票网",
    "棋牌游戏",
    "电子游艺",
    "首存",
    "彩金",
    "返水",
    "注册送",
    "开户送",
)
_GAMBLING_WEAK = ("澳门", "赌场", "彩票", "六合彩", "赌", "开户", "注册", "投注", "下注", "赔率", "平台")
_LURE_STRONG = (
    "代开发票",
    "代开各种发票",
    "无抵押",
    "免抵押",
    "刷单",
    "日赚",
    "网赚",
    "加微信",
    "加v",
    "加qq",
    "私聊",
    "套现",
    "秒批",
    "快速放款",
    "包过",
    "低息",
    "免费领取",
    "恭喜您中",
)
_LURE_WEAK = (
    # Opt-out formulas mark a bulk message, not a lure: shops' adverts carry them, and so do
    # couriers', banks' and brokers' notices to their own customers (in the SMS data 20 of the 24
    # texts the contact rule flagged with 退订 alone are labelled not spam, and the model caught
    # the other 4 by itself).
    "回复td",
    "回td",
    "退订",
    "优惠",
    "特价",
    "折",
    "抢购",
    "热线",
    "详询",
    "咨询",
    "欢迎",
    "来电",
    "致电",
    "预约",
    "促销",
    "活动",
    "开业",
    "酬宾",
    "礼品",
    "红包",
    "免费",
    "限时",
    "名额",
    "火爆",
    "低价",
    "钜惠",
)


# "添加微信“平安产险”为好友": an official account, named in quotes with at least one ideograph, is
# not the "加微信 + id" of a lure (insurers', banks' and operators' notices say this, and so do
# citizens quoting them).
_OFFICIAL_ACCOUNT = re.compile(
    r"加(?:微信|v|qq)(?:公众号|服务号)?\s*[“\"「『][^”\"」』]{0,20}[\u4e00-\u9fff][^”\"」』]{0,20}[”\"」』]"
)


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule that fired: its name, a score in [0, 1] and a human-readable explanation."""

    rule: str
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class SpamVerdict:
    """The screening result for one text."""

    score: float
    spam: bool
    reason: str
    rule_score: float
    model_score: float | None


def _hits(text: str, terms: Sequence[str]) -> list[str]:
    return [term for term in terms if term in text]


def _norm(text: str) -> str:
    return to_simplified(clean(text or "")).lower()


def _coverage(text: str, terms: Sequence[str]) -> float:
    """Share of the characters of ``text`` (spaces and separators excluded) covered by ``terms``."""
    covered = bytearray(len(text))
    for term in terms:
        start = text.find(term)
        while start >= 0:
            covered[start : start + len(term)] = b"\x01" * len(term)
            start = text.find(term, start + 1)
    content = sum(1 for ch in text if not _SEPARATOR_CHARS.match(ch))
    return sum(covered) / max(1, content)


_SEPARATOR_CHARS = re.compile(r"[|,，、/\s。.!！?？:：;；\-_]")


def rule_hits(text: str) -> list[RuleHit]:
    """Run every rule on ``text``; return those that fired, strongest first.

    Rules must never fire on a citizen describing a problem ("there is a slot machine behind
    the supermarket", "my loan application"), so each needs the *shape* of spam, not a word:

    * ``seo_porn`` / ``seo_gambling``: at least one strong term and two terms of the family in
      all, covering at least 25% of the text (keyword stuffing, like the seed's last two lines):
      0.95. Three strong terms covering at least 10%: 0.7.
    * ``contact_lure``: a phone, QQ or WeChat id together with a lure phrase (代开发票, 无抵押,
      加微信 …): 0.9. A contact with advertising words (优惠, 详询, 退订 …) scores only 0.3,
      shown as a reason but below the threshold: citizens give numbers.
    * ``link_farm``: three or more links making up over 30% of the text: 0.9. A link next to a
      lure phrase: 0.45 (a reason, below the threshold).
    """
    plain = to_simplified(clean(text or ""))
    low = plain.lower()
    if not low:
        return []
    found: list[RuleHit] = []
    for rule, strong_terms, weak_terms, label in (
        ("seo_porn", _PORN_STRONG, _PORN_WEAK, "pornographic SEO terms"),
        ("seo_gambling", _GAMBLING_STRONG, _GAMBLING_WEAK, "gambling SEO terms"),
    ):
        strong = _hits(low, strong_terms)
        if not strong:
            continue
        weak = [w for w in _hits(low, weak_terms) if not any(w in s for s in strong)]
        share = _coverage(low, strong + weak)
        score = 0.0
        if len(strong) + len(weak) >= 2 and share >= 0.25:
            score = 0.95
        elif len(strong) >= 3 and share >= 0.10:
            score = 0.7
        if score:
            terms = "、".join((strong + weak)[:6])
            found.append(RuleHit(rule, score, f"{label} ({share:.0%} of the text): {terms}"))
    entities = find_entities(plain)
    contacts = [e for e in entities if e.kind in ("phone", "qq", "wechat")]
    urls = [e for e in entities if e.kind == "url"]
    lure_strong = _hits(_OFFICIAL_ACCOUNT.sub("", low), _LURE_STRONG)
    if contacts:
        kinds = "/".join(sorted({e.kind for e in contacts}))
        lure_weak = _hits(low, _LURE_WEAK)
        if lure_strong:
            found.append(
                RuleHit(
                    "contact_lure", 0.9, f"contact ({kinds}) with lure words: {'、'.join(lure_strong[:4])}"
                )
            )
        elif len(lure_weak) >= 2:
            found.append(
                RuleHit(
                    "contact_lure",
                    0.3,
                    f"contact ({kinds}) with advertising words: {'、'.join(lure_weak[:4])}",
                )
            )
    if urls:
        share = sum(e.end - e.start for e in urls) / max(1, len(plain))
        if len(urls) >= 3 and share > 0.3:
            found.append(RuleHit("link_farm", 0.9, f"link farm: {len(urls)} links, {share:.0%} of the text"))
        elif lure_strong:
            found.append(RuleHit("link_farm", 0.45, f"link with lure words: {'、'.join(lure_strong[:4])}"))
    found.sort(key=lambda hit: -hit.score)
    return found


# --- models ------------------------------------------------------------------------------------


#: Below this many letters/digits/characters a text carries little evidence; see ``SpamModel``.
#: 30 since December 2026 (20 before): in 10-fold cross-validation on the SMS the F1 was the same
#: (0.9721 / 0.9702 against 0.9721 / 0.9698 on two fold draws) and the seed article's highest
#: body line fell from p 0.46 / 0.55 (a breadcrumb of 20 characters, flagged once) to 0.36 / 0.41.
SHORT_TEXT = 30
_SHORT_PRIOR_LOGIT = -2.2  # p = 0.1


def _content_sizes(texts: Sequence[str]) -> np.ndarray:
    return np.array([len(_CONTENT.findall(t or "")) for t in texts], dtype=np.float64)


def _shrink(probs: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Shrink the logit of texts shorter than ``SHORT_TEXT`` towards the prior (see ``SpamModel``)."""
    f = np.clip(sizes / SHORT_TEXT, 0.0, 1.0)
    z = logit(np.clip(probs, 1e-9, 1 - 1e-9))
    return expit(f * z + (1 - f) * _SHORT_PRIOR_LOGIT)


@dataclass
class SpamModel(LinearTextModel):
    """The advertising-spam model (probability that a text is spam).

    **Second level.** With ``second`` (trained when there is enough data, see ``train_spam``),
    the logistic regression's logit ``z`` and the ``text_measures`` of the text go through
    gradient-boosted trees, constrained to rise with ``z``; their probability is capped at
    ``sigmoid(z + cap)``, so the trees refine the linear model's doubtful cases but never flag a
    text it is sure is legitimate (the seed article's navigation lines, ``z`` ≈ −1, stay below
    0.5 with the cap of 0.5). Without ``second`` the probability is ``sigmoid(z)``.

    **Short texts** are shrunk towards a prior of 0.1: with ``n`` content characters below
    ``SHORT_TEXT`` the logit becomes ``f·z + (1−f)·logit(0.1)`` with ``f = n / SHORT_TEXT``. A
    name, a by-line or a one-word survey answer is not evidence of advertising.
    """

    second: BoostedTrees | None = None
    cap: float = 0.5

    def score(self, texts: Iterable[str]) -> np.ndarray:
        items = list(texts)
        if not items:
            return np.zeros(0, dtype=np.float64)
        margins = self.margins(items)
        probs = expit(margins)
        if self.second is not None:
            stacked = self.second.probabilities(np.column_stack([margins, text_measures(items)]))
            probs = np.minimum(stacked, expit(margins + self.cap))
        return _shrink(probs, _content_sizes(items))

    def _extra_meta(self) -> dict[str, object]:
        if self.second is None:
            return {}
        return {
            "second_level": {
                "kind": "boosted-trees",
                "measures": list(MEASURES),
                "cap": self.cap,
                **self.second.meta(),
            }
        }

    def _extra_arrays(self) -> dict[str, np.ndarray]:
        return {} if self.second is None else self.second.arrays()

    def _load_extra(self, meta: dict[str, object], arrays: dict[str, np.ndarray], source: Path) -> None:
        second = meta.get("second_level")
        if second is None:
            return
        if not isinstance(second, dict) or second.get("kind") != "boosted-trees":
            raise ModelFormatError(f"{source}: unknown second level {second!r}")
        if second.get("measures") != list(MEASURES):
            raise ModelFormatError(
                f"{source}: its second level measures {second.get('measures')!r}, this engine measures "
                f"{list(MEASURES)}; retrain the model with this version"
            )
        cap = second.get("cap")
        if not isinstance(cap, int | float) or isinstance(cap, bool) or not math.isfinite(cap):
            raise ModelFormatError(f"{source}: second level cap {cap!r} is not a finite number")
        try:
            trees = BoostedTrees.from_stored(second, arrays)
        except TreeFormatError as exc:
            raise ModelFormatError(f"{source}/weights.npz: {exc}") from exc
        if trees.n_features != 1 + len(MEASURES):
            raise ModelFormatError(
                f"{source}: second level of {trees.n_features} columns, expected {1 + len(MEASURES)}"
            )
        self.second = trees
        self.cap = float(cap)


class OffensiveModel(LinearTextModel):
    """The offensive-language model (probability that a text is offensive)."""


#: The spam classifier: logistic regression, C = 16, on character 1–3-grams and words of the
#: prepared text, character 1–3-grams of the raw text and its ``meta_tokens``, each feature scaled
#: by its naive-Bayes log-count ratio (``NB_SCALE``); each legitimate
#: text weighs ``LEGITIMATE_WEIGHT``; then the second level (``SpamModel``). 5-fold
#: cross-validation on the SMS: F1 0.946 at C = 16 without raw n-grams, 0.953 with them, 0.957 at
#: C = 32, 0.959 with legitimate texts at 0.3, 0.961 with the meta tokens, 0.965 with the second
#: level, 0.967 with 退订 an advertising word rather than a lure, 0.970 with the features scaled by
#: their naive-Bayes log-count ratios (``NB_SCALE``) at C = 16 (0 false positives on the held-out
#: legitimate texts). See docs/textmining.md, "Measured".
SPAM_C = 16.0
LEGITIMATE_WEIGHT = 0.3
#: The spam regressions (the model's and the second level's out-of-fold ones) fit on TF-IDF rows
#: scaled by each feature's naive-Bayes log-count ratio (``LinearTextModel.fit_counts``).
NB_SCALE = True
#: The second level is trained when the labelled texts have at least this many of each label
#: (its trees need leaves of 20 examples; on a handful of texts it would only add noise).
SECOND_LEVEL_MIN = 200
#: Folds of the out-of-fold scores the second level learns from.
SECOND_LEVEL_FOLDS = 4


def train_spam(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    legitimate: Sequence[str] = (),
    c: float = SPAM_C,
    legitimate_weight: float = LEGITIMATE_WEIGHT,
    second_level: bool | None = None,
    nb_scale: bool = NB_SCALE,
    progress: Callable[[int], None] | None = None,
) -> SpamModel:
    """Train the spam model on labelled ``texts`` plus ``legitimate`` texts as extra negatives,
    each weighing ``legitimate_weight`` (a labelled text weighs 1).

    Legitimate citizen messages matter: they contain phone numbers, amounts and links that a
    model trained on SMS alone would take for advertising. At full weight they also pull the
    boundary away from the SMS; at 0.3 they still keep every held-out legitimate text below the
    threshold in cross-validation.

    ``second_level`` (default: when each label has ``SECOND_LEVEL_MIN`` labelled texts) also
    trains the trees of ``SpamModel`` on out-of-fold logits: ``SECOND_LEVEL_FOLDS`` logistic
    regressions, each on all but one fold (folds stratified by label and by labelled or
    legitimate), score the fold they left out, so the trees learn from scores like those of
    texts the model has not seen. Training then takes about three times as long.

    ``nb_scale`` (default ``NB_SCALE``): the regressions fit on rows scaled by the features'
    naive-Bayes log-count ratios (``LinearTextModel.fit_counts``); ``False`` with ``c=32`` is the
    model before the scaling.

    ``progress`` is called with 1 after each of the ``training_steps`` steps (for a progress bar).
    """
    if len(texts) != len(labels) or not texts:
        raise ValueError("texts and labels must be non-empty and of equal length")
    if not 0 < legitimate_weight <= 1:
        raise ValueError("legitimate_weight must be in (0, 1]")
    labelled = _label_counts(labels)
    if second_level is None:
        second_level = _enough_for_second_level(labelled)
    if second_level and labelled.min() < SECOND_LEVEL_FOLDS:
        raise ValueError(
            f"the second level needs at least {SECOND_LEVEL_FOLDS} labelled texts of each label "
            f"(found {labelled[1]} spam, {labelled[0]} not spam)"
        )
    all_texts = list(texts) + list(legitimate)
    y = np.array(list(labels) + [0] * len(legitimate), dtype=np.int8)
    weights = np.array([1.0] * len(texts) + [legitimate_weight] * len(legitimate))
    advance = progress or (lambda n: None)
    counts = featurize(all_texts, meta=True)
    advance(1)
    model = SpamModel.fit_counts(
        counts, y, kind=SPAM_KIND, c=c, weights=weights, meta=True, nb_scale=nb_scale
    )
    advance(1)
    if second_level:
        held_out = _held_out_margins(
            counts,
            y,
            weights,
            legitimate=np.arange(len(y)) >= len(texts),
            c=c,
            nb_scale=nb_scale,
            advance=advance,
        )
        stacked = np.column_stack([held_out, text_measures(all_texts)])
        model.second = BoostedTrees.fit(stacked, y, weights=weights, monotone=[1] + [0] * len(MEASURES))
        advance(1)
    model.metrics = {
        "loss": "logistic",
        "c": c,
        "nb_scale": nb_scale,
        "legitimate_weight": legitimate_weight,
        "second_level": "boosted-trees" if model.second is not None else None,
    }
    return model


def _label_counts(labels: Sequence[int]) -> np.ndarray:
    """How many labelled texts are not spam (0) and spam (1)."""
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=2)[:2]


def _enough_for_second_level(labelled: np.ndarray) -> bool:
    return bool(labelled.min() >= SECOND_LEVEL_MIN)


def _held_out_margins(
    counts: sparse.csr_matrix,
    y: np.ndarray,
    weights: np.ndarray,
    *,
    legitimate: np.ndarray,
    c: float,
    nb_scale: bool,
    advance: Callable[[int], None],
) -> np.ndarray:
    """Each row's logit from a regression trained on the ``SECOND_LEVEL_FOLDS`` − 1 folds that do
    not hold it. Folds keep the shares of spam, non-spam and legitimate texts (legitimate texts
    count as non-spam when there are too few to put some in every fold)."""
    from sklearn.model_selection import StratifiedKFold

    source = legitimate if legitimate.sum() >= SECOND_LEVEL_FOLDS else 0
    strata = y.astype(np.int64) * 2 + source
    held_out = np.zeros(len(y), dtype=np.float64)
    splits = StratifiedKFold(SECOND_LEVEL_FOLDS, shuffle=True, random_state=0)
    for fit_rows, score_rows in splits.split(np.zeros(len(y)), strata):
        part = SpamModel.fit_counts(
            counts[fit_rows],
            y[fit_rows],
            kind=SPAM_KIND,
            c=c,
            weights=weights[fit_rows],
            meta=True,
            nb_scale=nb_scale,
        )
        held_out[score_rows] = part.margin_counts(counts[score_rows])
        advance(1)
    return held_out


def training_steps(labels: Sequence[int], *, second_level: bool | None = None) -> int:
    """How many steps ``train_spam`` reports to its ``progress`` for these labelled texts."""
    stacked = _enough_for_second_level(_label_counts(labels)) if second_level is None else second_level
    return 2 + (SECOND_LEVEL_FOLDS + 1 if stacked else 0)


def train_offensive(texts: Sequence[str], labels: Sequence[int], *, c: float = 4.0) -> OffensiveModel:
    """Train the offensive-language model on ``label,text`` data (1 = offensive)."""
    return OffensiveModel.train(texts, labels, kind=OFFENSIVE_KIND, c=c)


def load_spam_model(directory: str | Path) -> SpamModel:
    """Load a spam model directory (``ModelFormatError`` on another engine major version)."""
    return SpamModel.load(directory, kind=SPAM_KIND)


def load_offensive_model(directory: str | Path) -> OffensiveModel:
    """Load an offensive-language model directory."""
    return OffensiveModel.load(directory, kind=OFFENSIVE_KIND)


# --- screening ---------------------------------------------------------------------------------


def screen_many(
    texts: Iterable[str], model: SpamModel | None = None, *, threshold: float | None = None
) -> list[SpamVerdict]:
    """Screen many texts at once (the model scores them in one batch)."""
    items = [t if isinstance(t, str) else "" for t in texts]
    cut = threshold if threshold is not None else (model.threshold if model else DEFAULT_THRESHOLD)
    probs = model.score(items) if model is not None and items else np.full(len(items), np.nan)
    verdicts: list[SpamVerdict] = []
    for text, prob in zip(items, probs, strict=True):
        hits = rule_hits(text)
        rule_score = hits[0].score if hits else 0.0
        model_score = None if np.isnan(prob) else round(float(prob), 4)
        score = max(rule_score, model_score or 0.0)
        reasons = [h.reason for h in hits]
        if model_score is not None and model_score >= cut:
            reasons.append(f"model: advertising-like text (p={model_score:.2f})")
        if not reasons:
            reasons.append(
                "no rule matched" + (f"; model p={model_score:.2f}" if model_score is not None else "")
            )
        verdicts.append(
            SpamVerdict(round(score, 4), score >= cut, "; ".join(reasons), rule_score, model_score)
        )
    return verdicts


def screen(text: str, model: SpamModel | None = None, *, threshold: float | None = None) -> SpamVerdict:
    """Screen one text: rules, plus the model when given. See the module docstring."""
    return screen_many([text], model, threshold=threshold)[0]


# --- moderation decisions as training data -----------------------------------------------------


def append_decision(path: str | Path, text: str, *, spam: bool) -> None:
    """Append a moderator's decision to a ``label,text`` CSV (created with a header if absent).

    The file is a valid ``--extra`` input for ``minsheng text spam-train``: retraining with it
    teaches the model the institution's own spam and its own legitimate messages.
    """
    target = Path(path)
    new = not target.exists() or target.stat().st_size == 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(["label", "text"])
        writer.writerow([1 if spam else 0, text])
        fh.flush()
        os.fsync(fh.fileno())
