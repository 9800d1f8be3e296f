"""The quarterly assessment report ("assessment.quarterly") as a ReportDocument."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from reports.domain.assessment import AssessmentPeriod, Criterion, Feedback, Source
from reports.domain.document import Chart, ChartKind, ReportDocument, Section, Table
from reports.domain.ranking import Ranking

KIND = "assessment.quarterly"


def _percent(rate: float | None) -> str | None:
    return None if rate is None else f"{100 * rate:.1f}%"


def _ranking_section(ranking: Ranking) -> Section:
    columns = ("名次", "部门", "综合得分") + tuple(s.label for s in Source) + ("上季度得分", "得分变化", "名次变化")
    rows = tuple((r.rank, r.department, r.composite, *(r.by_source[s] for s in Source),
                  r.previous_composite, r.composite_change, r.rank_change) for r in ranking.rows)
    table = Table("综合排名", columns, rows)
    rated = Table("综合得分", ("部门", "综合得分"),
                  tuple((r.department, r.composite) for r in ranking.rows if r.composite is not None))
    unrated = [r.department for r in ranking.rows if r.composite is None]
    paragraphs = (f"未收到评分、不参加排名的部门：{'、'.join(unrated)}。",) if unrated else ()
    return Section("综合排名", paragraphs=paragraphs, tables=(table,),
                   charts=(Chart("各部门综合得分", ChartKind.BAR, rated, "部门", ("综合得分",)),))


def _sources_section(ranking: Ranking) -> Section:
    columns = ("部门",) + tuple(f"{s.label}得分" for s in Source) + tuple(f"{s.label}份数" for s in Source)
    rows = tuple((r.department, *(r.by_source[s] for s in Source), *(r.counts[s] for s in Source))
                 for r in ranking.rows)
    weights = "，".join(f"{s.label} {ranking.weights.of(s)}%" for s in Source)
    return Section("各来源得分", paragraphs=(f"本期权重：{weights}。",), tables=(Table("各来源得分", columns, rows),))


def _criteria_section(ranking: Ranking) -> Section:
    columns = ("部门",) + tuple(c.label for c in Criterion)
    rows = tuple((r.department, *(r.by_criterion[c] for c in Criterion)) for r in ranking.rows)
    return Section("分项得分", tables=(Table("分项得分", columns, rows),))


def _response_section(ranking: Ranking) -> Section:
    rows = tuple((rate.source.label, rate.received, rate.expected or None, _percent(rate.rate))
                 for rate in ranking.response_rates)
    return Section("参评率", tables=(Table("参评率", ("评价来源", "收到评分", "应收评分", "参评率"), rows),))


def _change_section(ranking: Ranking) -> Section:
    if ranking.previous_period_id is None:
        return Section("与上季度比较", paragraphs=("上季度未开展考核，无可比数据。",))
    rows = tuple((r.department, r.composite, r.previous_composite, r.composite_change, r.rank, r.previous_rank,
                  r.rank_change) for r in ranking.rows)
    columns = ("部门", "本季度得分", "上季度得分", "得分变化", "本季度名次", "上季度名次", "名次变化")
    return Section("与上季度比较", paragraphs=(f"上季度：{ranking.previous_period_id}。",),
                   tables=(Table(f"与 {ranking.previous_period_id} 比较", columns, rows),))


def _feedback_section(feedback: Iterable[Feedback] | None) -> Section:
    if feedback is None:
        return Section("意见和建议", paragraphs=(
            "意见和建议不随报表公开：领导和考核管理员通过 GetRanking（hub report assess ranking）查看全部，"
            "各部门只看到对本部门的意见和建议。",))
    paragraphs = []
    for item in feedback:
        if item.comments:
            paragraphs.append(f"{item.department} · 意见：" + "；".join(item.comments))
        if item.suggestions:
            paragraphs.append(f"{item.department} · 建议：" + "；".join(item.suggestions))
    return Section("意见和建议（不含评分人信息）", paragraphs=tuple(paragraphs) or ("本期未收到意见和建议。",))


def assessment_report(period: AssessmentPeriod, ranking: Ranking, feedback: Iterable[Feedback] | None, *,
                      generated_at: datetime) -> ReportDocument:
    """The whole quarterly report: ranking with its chart, per-source and
    per-criterion scores, response rates, change against the previous quarter,
    comments without rater identities (``None``: left out, for a report that
    everyone may read), and how every figure is computed."""
    return ReportDocument(
        kind=KIND, title=period.title, period=period.period_id, generated_at=generated_at,
        sections=(_ranking_section(ranking), _sources_section(ranking), _criteria_section(ranking),
                  _response_section(ranking), _change_section(ranking), _feedback_section(feedback),
                  Section("计算方法", paragraphs=ranking.formula)))
