"""The energy consumption report ("energy") of one period as a ReportDocument."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from reports.domain.document import Chart, ChartKind, ReportDocument, Section, Table
from reports.domain.energy import Carrier, EnergyLine, top_overruns

KIND = "energy"


def _figure(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:+.1f}%"


def _carrier_section(carrier: Carrier, lines: Sequence[EnergyLine], previous_period: str) -> Section:
    unit = carrier.base_unit
    columns = ("单位", f"实际（{unit}）", f"目标（{unit}）", f"偏差（{unit}）", "偏差率",
               f"上期 {previous_period}（{unit}）", "环比")
    rows = tuple((l.unit_id, _figure(l.actual), _figure(l.target), _figure(l.variance), _pct(l.variance_pct),
                  _figure(l.previous), _pct(l.change_pct)) for l in lines)
    table = Table(f"{carrier.label}（{unit}）", columns, rows)
    chart_rows = tuple((l.unit_id, _figure(l.actual), _figure(l.target)) for l in lines)
    chart = Chart(f"{carrier.label}：实际与目标", ChartKind.BAR,
                  Table(f"{carrier.label}：实际与目标", ("单位", "实际", "目标"), chart_rows), "单位", ("实际", "目标"))
    over = sum(1 for l in lines if l.over_target)
    return Section(f"{carrier.label}耗用", paragraphs=(f"{len(lines)} 个单位，其中 {over} 个超出目标。",),
                   tables=(table,), charts=(chart,))


def energy_report(period: str, previous_period: str, lines: Sequence[EnergyLine], *, top_n: int,
                  generated_at: datetime) -> ReportDocument:
    """Per carrier: each unit's use against its target and the previous
    period, with a chart; then the top overruns across carriers."""
    sections = [_carrier_section(c, [l for l in lines if l.carrier is c], previous_period)
                for c in Carrier if any(l.carrier is c for l in lines)]
    worst = top_overruns(lines, top_n)
    sections.append(Section(
        f"超目标前 {top_n} 名", paragraphs=() if worst else ("本期没有超出目标的单位。",),
        tables=(Table("超目标排名", ("名次", "单位", "能源", "实际", "目标", "超出", "超出比例", "计量单位"),
                      tuple((i + 1, l.unit_id, l.carrier.label, _figure(l.actual), _figure(l.target),
                             _figure(l.variance), _pct(l.variance_pct), l.carrier.base_unit)
                            for i, l in enumerate(worst))),) if worst else ()))
    sections.append(Section("说明", paragraphs=(
        "读数按能源种类换算为统一计量单位：电 kWh（1 MWh = 1000 kWh），水 m³（1 t = 1 m³），"
        "热 GJ（1 MWh = 3.6 GJ，1 MJ = 0.001 GJ），煤 t（1 kg = 0.001 t），天然气 m³（1 万m³ = 10000 m³）。",
        "偏差 = 实际 − 目标，偏差率 = 偏差 ÷ 目标；环比 = (实际 − 上期) ÷ 上期。目标为 0 而有耗用的单位排在超目标排名最前。",
    )))
    return ReportDocument(kind=KIND, title=f"{period} 能耗报告", period=period, generated_at=generated_at,
                          sections=tuple(sections))
