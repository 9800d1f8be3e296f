"""Energy readings: units of measure, batch validation, variances, overruns."""
import math

import pytest

from hubkit.errors import InvalidArgument
from reports.domain.energy import (Carrier, EnergyLine, QuantityInput, energy_lines, parse_carrier, top_overruns,
                                   validate_batch)

E, W, H, C, G = Carrier.ELECTRICITY, Carrier.WATER, Carrier.HEAT, Carrier.COAL, Carrier.GAS


def row(unit_id="炼钢厂", period="2026-03", carrier="electricity", value=1.0, unit="kWh") -> QuantityInput:
    return QuantityInput(unit_id, period, carrier, value, unit)


@pytest.mark.parametrize("carrier, value, unit, base", [
    ("electricity", 2.5, "MWh", 2500.0), ("electricity", 300, "kwh", 300.0),
    ("water", 12, "t", 12.0), ("water", 12, "m³", 12.0), ("water", 12, "m3", 12.0), ("水", 12, "ｍ３", 12.0),
    ("heat", 10, "MWh", 36.0), ("heat", 500, "MJ", 0.5), ("热", 7, "GJ", 7.0),
    ("coal", 1500, "kg", 1.5), ("煤", 3, "t", 3.0),
    ("gas", 1.2, "万m³", 12000.0), ("天然气", 800, "m3", 800.0),
])
def test_allowed_units_are_converted_to_the_carriers_base_unit(carrier, value, unit, base):
    [quantity] = validate_batch([row(carrier=carrier, value=value, unit=unit)], field="readings")
    assert quantity.value == pytest.approx(base)
    assert (quantity.reported_value, quantity.reported_unit) == (value, unit)


def test_carriers_by_english_name_or_chinese_label():
    assert parse_carrier("Electricity") is E and parse_carrier("电") is E and parse_carrier("天然气") is G
    assert parse_carrier("steam") is None


def test_a_bad_batch_names_every_failing_row_and_why():
    rows = [row(), row(unit="kW"), row(carrier="coal", unit="kWh"), row(value=-3.0), row(carrier="steam"),
            row(unit_id=" ", period="2026-13", value=math.nan), row(unit_id="炼铁厂")]
    with pytest.raises(InvalidArgument) as raised:
        validate_batch(rows, field="readings")
    assert [f for f, _ in raised.value.violations] == [
        "readings[1].unit", "readings[2].unit", "readings[3].value", "readings[4].carrier",
        "readings[5].unit_id", "readings[5].period", "readings[5].value"]
    reasons = dict(raised.value.violations)
    assert "kWh, MWh" in reasons["readings[1].unit"] and "t, kg" in reasons["readings[2].unit"]
    assert "negative" in reasons["readings[3].value"]
    assert raised.value.message.startswith("5 of 7 rows are invalid")


def test_the_same_unit_carrier_and_period_twice_in_a_batch_is_refused():
    with pytest.raises(InvalidArgument) as raised:
        validate_batch([row(), row(unit_id="炼铁厂"), row(value=2.0, unit="MWh")], field="targets")
    assert raised.value.violations == (("targets[2]", "repeats targets[0] (same unit, period and carrier)"),)


def test_empty_and_huge_batches_are_refused():
    with pytest.raises(InvalidArgument) as raised:
        validate_batch([], field="readings")
    assert raised.value.field == "readings"


def test_a_huge_bad_batch_names_its_first_fifty_problems():
    with pytest.raises(InvalidArgument) as raised:
        validate_batch([row(unit_id=f"单位{i}", value=-1.0) for i in range(80)], field="readings")
    assert len(raised.value.violations) == 50 and "80 of 80 rows" in raised.value.message


def test_lines_compare_with_target_and_previous_period():
    lines = energy_lines(actual={("炼钢厂", E): 1200.0, ("炼铁厂", E): 900.0, ("炼钢厂", W): 50.0},
                         targets={("炼钢厂", E): 1000.0, ("炼铁厂", E): 1000.0, ("轧钢厂", E): 500.0},
                         previous={("炼钢厂", E): 1500.0})
    assert [(l.unit_id, l.carrier) for l in lines] == [("炼钢厂", E), ("炼铁厂", E), ("轧钢厂", E), ("炼钢厂", W)]
    steel = lines[0]
    assert (steel.variance, steel.variance_pct, steel.change, steel.change_pct) == (200.0, 20.0, -300.0, -20.0)
    assert lines[1].variance == -100.0 and not lines[1].over_target
    assert lines[2].actual is None and lines[2].variance is None
    assert lines[3].target is None and lines[3].variance_pct is None


def test_top_overruns_by_percentage_with_zero_targets_first():
    lines = [EnergyLine("甲", E, 120.0, 100.0, None), EnergyLine("乙", E, 150.0, 100.0, None),
             EnergyLine("丙", H, 5.0, 0.0, None), EnergyLine("丁", H, 90.0, 100.0, None),
             EnergyLine("戊", C, 2.2, 2.0, None)]
    assert [l.unit_id for l in top_overruns(lines, 10)] == ["丙", "乙", "甲", "戊"]  # 戊 +10%, 甲 +20%
    assert [l.unit_id for l in top_overruns(lines, 2)] == ["丙", "乙"]
