"""The quarterly ranking: trimmed means per source, weighted composite, ranks.

The computation works on per-(department, source) statistics (count, sum,
highest, lowest of each score) rather than on the ratings themselves: that is
all a trimmed mean that drops one highest and one lowest value needs, and the
database can aggregate 50,000 ratings into them in one query.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from reports.domain.assessment import AssessmentPeriod, Criterion, Rating, Source, Weights

TRIM_FROM = 5  # with at least this many ratings, drop the highest and the lowest
DECIMALS = 2  # composites are published, compared and ranked at this precision


@dataclass(frozen=True)
class ScoreStats:
    """Count, sum, highest and lowest of one score over several ratings."""
    count: int
    total: float
    highest: float
    lowest: float

    @classmethod
    def of(cls, values: Iterable[float]) -> "ScoreStats":
        values = list(values)
        return cls(len(values), sum(values), max(values), min(values))

    def trimmed_mean(self) -> float:
        if self.count >= TRIM_FROM:
            return (self.total - self.highest - self.lowest) / (self.count - 2)
        return self.total / self.count


@dataclass(frozen=True)
class SourceStats:
    """The ratings one department received from one source. ``overall`` is
    over each rating's criteria sum (efficiency + quality + service)."""
    overall: ScoreStats
    criteria: Mapping[Criterion, ScoreStats]

    @property
    def count(self) -> int:
        return self.overall.count

    def score(self) -> float:
        """Trimmed mean of the ratings' scores, a rating's score being the mean of its criteria."""
        return self.overall.trimmed_mean() / len(Criterion)


StatsByTarget = Mapping[tuple[str, Source], SourceStats]  # (department, source) -> stats


def stats_of(ratings: Iterable[Rating]) -> dict[tuple[str, Source], SourceStats]:
    """The statistics of ratings in memory (the SQL repository computes the same in the database)."""
    grouped: dict[tuple[str, Source], list[Rating]] = {}
    for rating in ratings:
        grouped.setdefault((rating.target_department, rating.source), []).append(rating)
    return {key: SourceStats(ScoreStats.of(r.scores.total for r in group),
                             {c: ScoreStats.of(r.scores.of(c) for r in group) for c in Criterion})
            for key, group in grouped.items()}


def weighted_composite(by_source: Mapping[Source, float | None], weights: Weights) -> float | None:
    """Σ weight × score over the sources that rated, divided by their weights' sum
    (a source without ratings neither counts as 0 nor distorts the rest)."""
    rated = [(weights.of(s), score) for s, score in by_source.items() if score is not None and weights.of(s) > 0]
    weight_sum = sum(w for w, _ in rated)
    if weight_sum == 0:
        return None
    return sum(w * score for w, score in rated) / weight_sum


def competition_ranks(values: Mapping[str, float | None]) -> dict[str, int | None]:
    """Standard competition ranking (1, 2, 2, 4), highest value first, on values
    rounded to DECIMALS; departments without a value get no rank."""
    rounded = sorted(((round(v, DECIMALS), key) for key, v in values.items() if v is not None),
                     key=lambda pair: -pair[0])
    ranks: dict[str, int | None] = {key: None for key, v in values.items() if v is None}
    for position, (value, key) in enumerate(rounded):
        if position and value == rounded[position - 1][0]:
            ranks[key] = ranks[rounded[position - 1][1]]
        else:
            ranks[key] = position + 1
    return ranks


@dataclass(frozen=True)
class DepartmentResult:
    department: str
    rank: int | None
    composite: float | None
    by_source: Mapping[Source, float | None]
    counts: Mapping[Source, int]
    by_criterion: Mapping[Criterion, float | None]  # the composite of one criterion alone
    previous_composite: float | None = None
    previous_rank: int | None = None

    @property
    def composite_change(self) -> float | None:
        if self.composite is None or self.previous_composite is None:
            return None
        return round(self.composite - self.previous_composite, DECIMALS)

    @property
    def rank_change(self) -> int | None:
        """Places moved up (positive) or down (negative) since the previous quarter."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


@dataclass(frozen=True)
class ResponseRate:
    source: Source
    received: int
    expected: int  # 0: not known

    @property
    def rate(self) -> float | None:
        return self.received / self.expected if self.expected else None


@dataclass(frozen=True)
class Ranking:
    period_id: str
    previous_period_id: str | None  # None: no previous quarter was assessed
    weights: Weights
    rows: tuple[DepartmentResult, ...]  # best first; unrated departments last
    response_rates: tuple[ResponseRate, ...]
    formula: tuple[str, ...]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _composites(period: AssessmentPeriod, stats: StatsByTarget):
    """Per department: (composite, score per source, composite per criterion), unrounded."""
    result = {}
    for department in period.departments:
        by_source = {s: stats[department, s].score() if (department, s) in stats else None for s in Source}
        by_criterion = {c: weighted_composite(
            {s: stats[department, s].criteria[c].trimmed_mean() if (department, s) in stats else None
             for s in Source}, period.weights) for c in Criterion}
        result[department] = (weighted_composite(by_source, period.weights), by_source, by_criterion)
    return result


def compute_ranking(period: AssessmentPeriod, stats: StatsByTarget,
                    previous: tuple[AssessmentPeriod, StatsByTarget] | None = None) -> Ranking:
    current = _composites(period, stats)
    ranks = competition_ranks({d: c for d, (c, _, _) in current.items()})
    previous_composites: dict[str, float | None] = {}
    previous_ranks: dict[str, int | None] = {}
    if previous is not None:
        previous_composites = {d: c for d, (c, _, _) in _composites(*previous).items()}
        previous_ranks = competition_ranks(previous_composites)
    rows = [DepartmentResult(
        department=d, rank=ranks[d], composite=_round(composite),
        by_source={s: _round(v) for s, v in by_source.items()},
        counts={s: stats[d, s].count if (d, s) in stats else 0 for s in Source},
        by_criterion={c: _round(v) for c, v in by_criterion.items()},
        previous_composite=_round(previous_composites.get(d)), previous_rank=previous_ranks.get(d))
        for d, (composite, by_source, by_criterion) in current.items()]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.department))
    rates = tuple(ResponseRate(s, sum(r.counts[s] for r in rows), period.expected_raters(s) * len(period.departments))
                  for s in Source)
    return Ranking(period.period_id, previous[0].period_id if previous else None, period.weights, tuple(rows),
                   rates, formula_text(period.weights))


def formula_text(weights: Weights) -> tuple[str, ...]:
    """How the figures are computed, in words, for the report itself."""
    g, p, l = (weights.of(s) for s in Source)
    return (
        "每份评分的得分 = (办事效率 + 完成质量 + 服务意识) ÷ 3，各项满分 100 分。",
        f"来源得分：同一来源对同一部门的评分取截尾平均，评分不少于 {TRIM_FROM} 份时去掉一个最高分和一个最低分后求平均，"
        f"少于 {TRIM_FROM} 份时直接求平均。",
        f"综合得分 = 基层评价 × {g}% + 部门互评 × {p}% + 领导打分 × {l}%；某来源没有评分时不计为 0 分，"
        "而以其余来源的权重之和折算：综合得分 = Σ(权重 × 来源得分) ÷ Σ(有评分来源的权重)。",
        "分项得分：对办事效率、完成质量、服务意识各自按上述截尾平均和权重计算（单项的最高分和最低分分别去除）。",
        f"综合得分保留 {DECIMALS} 位小数，按保留后的分数从高到低排名，分数相同名次并列，其后名次顺延（如 1、2、2、4）。",
        "与上季度比较：得分变化 = 本季度综合得分 − 上季度综合得分；名次变化 = 上季度名次 − 本季度名次（正数表示上升）。",
        "参评率 = 收到的评分份数 ÷ (每个部门应参评人数 × 被考核部门数)；部门互评的应参评人数默认为其余被考核部门数。",
        "评分人身份不在任何结果中出现，意见和建议只汇总内容。",
    )
