"""The assessment and energy ReportDocuments built from computed figures."""
from datetime import datetime, timedelta, timezone

from reports.domain.assessment import AssessmentPeriod, ExpectedRaters, Feedback, Rating, Scores, Source, Weights
from reports.domain.assessment_report import assessment_report
from reports.domain.document import ChartKind
from reports.domain.energy import Carrier, EnergyLine
from reports.domain.energy_report import energy_report
from reports.domain.ranking import compute_ranking, stats_of

NOW = datetime(2026, 7, 1, tzinfo=timezone.utc)


def period(period_id):
    return AssessmentPeriod(period_id, f"{period_id} 机关部门作风考核", ("调度中心", "物资供应部", "财务部"), Weights(),
                            ExpectedRaters(leader=2), NOW + timedelta(days=1), "u-kao")


def rating(period_id, target, rater, score, source=Source.LEADER):
    return Rating(period_id, target, rater, "", source, Scores(score, score, score), "", "", NOW)


def test_the_assessment_report_has_ranking_chart_breakdowns_rates_change_comments_and_formula():
    current = [rating("2026Q2", "调度中心", "u-leader-a", 90), rating("2026Q2", "物资供应部", "u-leader-a", 80)]
    previous = [rating("2026Q1", "调度中心", "u-leader-b", 70)]
    ranking = compute_ranking(period("2026Q2"), stats_of(current), (period("2026Q1"), stats_of(previous)))
    document = assessment_report(period("2026Q2"), ranking,
                                 [Feedback("物资供应部", ("到货及时",), ("增加库存透明度",))], generated_at=NOW)
    assert (document.kind, document.period, document.title) == ("assessment.quarterly", "2026Q2", "2026Q2 机关部门作风考核")
    sections = {s.heading: s for s in document.sections}
    assert list(sections) == ["综合排名", "各来源得分", "分项得分", "参评率", "与上季度比较", "意见和建议（不含评分人信息）",
                              "计算方法"]
    ranking_table = sections["综合排名"].tables[0]
    assert ranking_table.rows[0][:3] == (1, "调度中心", 90.0)
    assert ranking_table.rows[2][:3] == (None, "财务部", None)
    assert "财务部" in sections["综合排名"].paragraphs[0]
    chart = sections["综合排名"].charts[0]
    assert chart.kind is ChartKind.BAR and chart.table.rows == (("调度中心", 90.0), ("物资供应部", 80.0))
    assert sections["参评率"].tables[0].rows[2] == ("领导打分", 2, 6, "33.3%")
    assert sections["与上季度比较"].tables[0].rows[0] == ("调度中心", 90.0, 70.0, 20.0, 1, 1, 0)
    assert sections["意见和建议（不含评分人信息）"].paragraphs == ("物资供应部 · 意见：到货及时", "物资供应部 · 建议：增加库存透明度")
    assert sections["计算方法"].paragraphs == ranking.formula
    assert "u-leader" not in repr(document)  # rater identities never enter the report


def test_without_a_previous_quarter_the_report_says_so():
    ranking = compute_ranking(period("2026Q2"), {})
    sections = {s.heading: s for s in assessment_report(period("2026Q2"), ranking, [], generated_at=NOW).sections}
    assert sections["与上季度比较"].paragraphs == ("上季度未开展考核，无可比数据。",)
    assert sections["意见和建议（不含评分人信息）"].paragraphs == ("本期未收到意见和建议。",)


def test_the_energy_report_has_a_section_and_chart_per_carrier_and_the_top_overruns():
    lines = [EnergyLine("炼钢厂", Carrier.ELECTRICITY, 1200.0, 1000.0, 1500.0),
             EnergyLine("炼铁厂", Carrier.ELECTRICITY, 900.0, 1000.0, None),
             EnergyLine("炼钢厂", Carrier.COAL, 3.3, 3.0, 3.0)]
    document = energy_report("2026-03", "2026-02", lines, top_n=5, generated_at=NOW)
    assert (document.kind, document.title) == ("energy", "2026-03 能耗报告")
    headings = [s.heading for s in document.sections]
    assert headings == ["电耗用", "煤耗用", "超目标前 5 名", "说明"]
    electricity = document.sections[0]
    assert electricity.tables[0].rows[0] == ("炼钢厂", 1200.0, 1000.0, 200.0, "+20.0%", 1500.0, "-20.0%")
    assert electricity.charts[0].value_columns == ("实际", "目标")
    assert electricity.paragraphs == ("2 个单位，其中 1 个超出目标。",)
    overruns = document.sections[2].tables[0].rows
    assert [(r[1], r[2], r[6]) for r in overruns] == [("炼钢厂", "电", "+20.0%"), ("炼钢厂", "煤", "+10.0%")]
