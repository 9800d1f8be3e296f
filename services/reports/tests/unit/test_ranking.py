"""The ranking computation against hand-computed figures."""
from datetime import datetime, timedelta, timezone

import pytest

from reports.domain.assessment import (AssessmentPeriod, Criterion, ExpectedRaters, Rating, Scores, Source,
                                       Weights)
from reports.domain.ranking import (ScoreStats, compute_ranking, competition_ranks, stats_of,
                                    weighted_composite)

NOW = datetime(2026, 6, 30, tzinfo=timezone.utc)
SAFETY, EQUIPMENT, PRODUCTION, PERSONNEL = "安全环保部", "设备管理部", "生产技术部", "人力资源部"
G, P, L = Source.GRASSROOTS, Source.PEER, Source.LEADER


def make_period(period_id, departments=(SAFETY, EQUIPMENT, PRODUCTION, PERSONNEL), weights=Weights(),
                expected=ExpectedRaters(grassroots=2, leader=1)) -> AssessmentPeriod:
    return AssessmentPeriod(period_id, f"{period_id} 作风考核", departments, weights, expected,
                            NOW + timedelta(days=1), "u-kao")


def ratings(period_id, target, source, *scores):
    """One rating per score; an int gives all three criteria that score."""
    result = []
    for n, score in enumerate(scores):
        triple = Scores(score, score, score) if isinstance(score, int) else Scores(*score)
        result.append(Rating(period_id, target, f"u-{source.value}-{target}-{n}", "", source, triple, "", "", NOW))
    return result


def test_trimmed_mean_drops_highest_and_lowest_only_from_five_ratings():
    assert ScoreStats.of([60, 70, 80, 90]).trimmed_mean() == 75  # 4 ratings: plain mean
    assert ScoreStats.of([50, 70, 80, 90, 100]).trimmed_mean() == 80  # 5: (70+80+90)/3, not 78
    assert ScoreStats.of([88]).trimmed_mean() == 88


def test_weighted_composite_rescales_over_the_sources_that_rated():
    assert weighted_composite({G: 80, P: 70, L: 90}, Weights()) == pytest.approx(80)  # 32 + 21 + 27
    assert weighted_composite({G: 80, P: 70, L: None}, Weights()) == pytest.approx(53 / 0.7)  # 75.71
    assert weighted_composite({G: None, P: None, L: None}, Weights()) is None
    assert weighted_composite({G: 80, P: 70, L: 90}, Weights(50, 50, 0)) == pytest.approx(75)


def test_competition_ranking_shares_ranks_and_skips_after_ties():
    ranks = competition_ranks({"甲": 90.0, "乙": 85.004, "丙": 85.001, "丁": 80.0, "戊": None})
    assert ranks == {"甲": 1, "乙": 2, "丙": 2, "丁": 4, "戊": None}  # equal at two decimals


def scenario_ratings():
    return (ratings("2026Q2", SAFETY, G, (80, 70, 90), (90, 80, 100)) + ratings("2026Q2", SAFETY, P, 70)
            + ratings("2026Q2", SAFETY, L, 90)
            + ratings("2026Q2", EQUIPMENT, G, 85) + ratings("2026Q2", EQUIPMENT, P, 75)
            + ratings("2026Q2", EQUIPMENT, L, 85)
            + ratings("2026Q2", PRODUCTION, G, 60, 70, 75, 80, 100) + ratings("2026Q2", PRODUCTION, P, 80))


def previous_ratings():
    return ratings("2026Q1", SAFETY, G, 70) + ratings("2026Q1", EQUIPMENT, G, 90)


def test_the_quarterly_ranking_by_hand():
    ranking = compute_ranking(make_period("2026Q2"), stats_of(scenario_ratings()),
                              (make_period("2026Q1"), stats_of(previous_ratings())))
    rows = {r.department: r for r in ranking.rows}
    # 安全环保部: grassroots (80+90)/2 = 85, peer 70, leader 90 -> 0.4*85 + 0.3*70 + 0.3*90 = 82
    # 设备管理部: 85, 75, 85 -> 34 + 22.5 + 25.5 = 82 (a tie)
    # 生产技术部: grassroots trimmed (70+75+80)/3 = 75, peer 80, no leader -> (30 + 24) / 0.7 = 77.14
    assert [(r.rank, r.department, r.composite) for r in ranking.rows] == [
        (1, SAFETY, 82.0), (1, EQUIPMENT, 82.0), (3, PRODUCTION, 77.14), (None, PERSONNEL, None)]
    assert rows[PRODUCTION].by_source == {G: 75.0, P: 80.0, L: None}
    assert rows[PRODUCTION].counts == {G: 5, P: 1, L: 0}
    # per criterion, 安全环保部: efficiency 0.4*85+21+27, quality 0.4*75+48, service 0.4*95+48
    assert rows[SAFETY].by_criterion == {Criterion.EFFICIENCY: 82.0, Criterion.QUALITY: 78.0,
                                         Criterion.SERVICE: 86.0}
    # previous quarter: 安全环保部 70 (rank 2), 设备管理部 90 (rank 1)
    assert (rows[SAFETY].previous_composite, rows[SAFETY].composite_change, rows[SAFETY].rank_change) == (70.0, 12.0, 1)
    assert (rows[EQUIPMENT].composite_change, rows[EQUIPMENT].rank_change) == (-8.0, 0)
    assert rows[PRODUCTION].composite_change is None and rows[PRODUCTION].rank_change is None
    assert ranking.previous_period_id == "2026Q1"


def test_response_rates_are_ratings_received_over_raters_expected():
    ranking = compute_ranking(make_period("2026Q2"), stats_of(scenario_ratings()))
    rates = {r.source: (r.received, r.expected, r.rate) for r in ranking.response_rates}
    # 4 departments; 2 grassroots raters, 3 peers (the other departments), 1 leader expected each
    assert rates == {G: (8, 8, 1.0), P: (3, 12, 0.25), L: (2, 4, 0.5)}
    unknown = compute_ranking(make_period("2026Q2", expected=ExpectedRaters()), stats_of(scenario_ratings()))
    assert unknown.response_rates[2].rate is None and unknown.previous_period_id is None


def test_five_ratings_of_one_criterion_trim_that_criterion_separately():
    five = ratings("2026Q2", SAFETY, G, (100, 60, 80), (60, 100, 80), (80, 80, 80), (70, 90, 80), (90, 70, 80))
    row = compute_ranking(make_period("2026Q2", weights=Weights(100, 0, 0)), stats_of(five)).rows[0]
    # efficiency 100,60,80,70,90 -> (80+70+90)/3 = 80; each rating's score is 80 -> 80
    assert row.composite == 80.0
    assert row.by_criterion == {Criterion.EFFICIENCY: 80.0, Criterion.QUALITY: 80.0, Criterion.SERVICE: 80.0}


def test_the_formula_names_the_weights_of_the_period():
    ranking = compute_ranking(make_period("2026Q2", weights=Weights(50, 20, 30)), {})
    text = "".join(ranking.formula)
    assert "基层评价 × 50% + 部门互评 × 20% + 领导打分 × 30%" in text
    assert "去掉一个最高分和一个最低分" in text and "1、2、2、4" in text
