"""Energy consumption (能耗): readings and targets per unit, carrier and period.

Each carrier has the units of measure it may be reported in; every quantity
is stored converted to the carrier's base unit, so figures of one carrier
compare and add up whatever unit they arrived in.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping

from hubkit.errors import InvalidArgument
from reports.domain.periods import is_month, is_quarter

MAX_BATCH_ROWS = 10_000
MAX_UNIT_ID_CHARS = 100
# Failing rows named in one error; a gRPC error's details travel in trailers
# of limited size (about 8 KB), so a huge bad batch names its first ones.
MAX_REPORTED_VIOLATIONS = 50


class Carrier(str, Enum):
    ELECTRICITY = "electricity"
    WATER = "water"
    HEAT = "heat"
    COAL = "coal"
    GAS = "gas"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def base_unit(self) -> str:
        return _BASE_UNITS[self]


_LABELS = {Carrier.ELECTRICITY: "电", Carrier.WATER: "水", Carrier.HEAT: "热", Carrier.COAL: "煤",
           Carrier.GAS: "天然气"}
_BASE_UNITS = {Carrier.ELECTRICITY: "kWh", Carrier.WATER: "m³", Carrier.HEAT: "GJ", Carrier.COAL: "t",
               Carrier.GAS: "m³"}
# Allowed units per carrier -> factor to the base unit. Keys are normalised by
# _unit_key (so "m³", "m3", "M3" and "ｍ³" are one unit). Water is metered in
# tonnes or cubic metres alike (1 t = 1 m³); 1 MWh of heat is 3.6 GJ.
_UNIT_FACTORS: dict[Carrier, dict[str, float]] = {
    Carrier.ELECTRICITY: {"kwh": 1.0, "mwh": 1000.0},
    Carrier.WATER: {"m3": 1.0, "t": 1.0},
    Carrier.HEAT: {"gj": 1.0, "mj": 0.001, "mwh": 3.6},
    Carrier.COAL: {"t": 1.0, "kg": 0.001},
    Carrier.GAS: {"m3": 1.0, "万m3": 10_000.0},
}
_UNIT_NAMES = {Carrier.ELECTRICITY: "kWh, MWh", Carrier.WATER: "m³, t", Carrier.HEAT: "GJ, MJ, MWh",
               Carrier.COAL: "t, kg", Carrier.GAS: "m³, 万m³"}


def _unit_key(unit: str) -> str:
    # NFKC folds full-width letters and the superscript ³ into plain "3".
    return unicodedata.normalize("NFKC", unit).strip().lower().replace(" ", "")


def parse_carrier(text: str) -> Carrier | None:
    """A carrier by its English name or its Chinese label (电, 水, 热, 煤, 天然气)."""
    key = text.strip().lower()
    for carrier in Carrier:
        if key in (carrier.value, carrier.label):
            return carrier
    return None


def allowed_units(carrier: Carrier) -> str:
    return _UNIT_NAMES[carrier]


@dataclass(frozen=True)
class QuantityInput:
    """One row as submitted: a reading, or a target, before validation."""
    unit_id: str  # the consuming unit (a department, plant or station)
    period: str  # a month "2026-03" or a quarter "2026Q1"
    carrier: str
    value: float
    unit: str


@dataclass(frozen=True)
class Quantity:
    """A validated reading or target, in the carrier's base unit."""
    unit_id: str
    period: str
    carrier: Carrier
    value: float  # in carrier.base_unit
    reported_value: float
    reported_unit: str


def _row_problems(row: QuantityInput) -> list[tuple[str, str]]:
    problems = []
    unit_id = row.unit_id.strip()
    if not unit_id:
        problems.append(("unit_id", "must not be empty"))
    elif len(unit_id) > MAX_UNIT_ID_CHARS:
        problems.append(("unit_id", f"at most {MAX_UNIT_ID_CHARS} characters"))
    period = row.period.strip()
    if not (is_month(period) or is_quarter(period)):
        problems.append(("period", f"must be a month (2026-03) or a quarter (2026Q1), not {row.period!r}"))
    carrier = parse_carrier(row.carrier)
    if carrier is None:
        problems.append(("carrier", f"unknown carrier {row.carrier!r}; one of "
                                    + ", ".join(c.value for c in Carrier)))
    elif _unit_key(row.unit) not in _UNIT_FACTORS[carrier]:
        problems.append(("unit", f"{row.unit!r} is not a unit of {carrier.value}; allowed: {allowed_units(carrier)}"))
    if not isinstance(row.value, (int, float)) or not math.isfinite(row.value):
        problems.append(("value", "must be a finite number"))
    elif row.value < 0:
        problems.append(("value", f"must not be negative, not {row.value}"))
    return problems


def validate_batch(rows: Iterable[QuantityInput], *, field: str) -> list[Quantity]:
    """Every row converted, or one InvalidArgument naming every failing row
    (``readings[17].unit``: why), so that nothing of a bad batch is stored."""
    rows = list(rows)
    if not rows:
        raise InvalidArgument("the batch is empty", field=field)
    if len(rows) > MAX_BATCH_ROWS:
        raise InvalidArgument(f"at most {MAX_BATCH_ROWS} rows per batch", field=field)
    violations: list[tuple[str, str]] = []
    failing_rows = 0
    first_of: dict[tuple[str, str, Carrier], int] = {}
    accepted: list[Quantity] = []
    for position, row in enumerate(rows):
        problems = _row_problems(row)
        if not problems:
            carrier = parse_carrier(row.carrier)
            key = (row.unit_id.strip(), row.period.strip(), carrier)
            if key in first_of:
                problems.append(("", f"repeats {field}[{first_of[key]}] (same unit, period and carrier)"))
            else:
                first_of[key] = position
                factor = _UNIT_FACTORS[carrier][_unit_key(row.unit)]
                accepted.append(Quantity(key[0], key[1], carrier, row.value * factor, row.value, row.unit.strip()))
        if problems:
            failing_rows += 1
            violations += [(f"{field}[{position}]" + (f".{name}" if name else ""), why) for name, why in problems]
    if violations:
        shown = violations[:MAX_REPORTED_VIOLATIONS]
        more = f" (the first {len(shown)} problems are listed)" if len(shown) < len(violations) else ""
        raise InvalidArgument(f"{failing_rows} of {len(rows)} rows are invalid; nothing was stored{more}",
                              violations=tuple(shown))
    return accepted


# --- the figures of a period ----------------------------------------------------

@dataclass(frozen=True)
class EnergyLine:
    """One unit's use of one carrier in a period, against its target and the previous period."""
    unit_id: str
    carrier: Carrier
    actual: float | None
    target: float | None
    previous: float | None

    @property
    def variance(self) -> float | None:
        """actual − target (positive: over target)."""
        return None if self.actual is None or self.target is None else self.actual - self.target

    @property
    def variance_pct(self) -> float | None:
        return None if self.variance is None or not self.target else 100 * self.variance / self.target

    @property
    def change(self) -> float | None:
        return None if self.actual is None or self.previous is None else self.actual - self.previous

    @property
    def change_pct(self) -> float | None:
        return None if self.change is None or not self.previous else 100 * self.change / self.previous

    @property
    def over_target(self) -> bool:
        return self.variance is not None and self.variance > 0


Key = tuple[str, Carrier]  # (unit_id, carrier)


def energy_lines(actual: Mapping[Key, float], targets: Mapping[Key, float],
                 previous: Mapping[Key, float]) -> list[EnergyLine]:
    """A line per (unit, carrier) with a reading or a target this period,
    ordered by carrier then unit."""
    keys = sorted(set(actual) | set(targets), key=lambda k: (list(Carrier).index(k[1]), k[0]))
    return [EnergyLine(unit, carrier, actual.get((unit, carrier)), targets.get((unit, carrier)),
                       previous.get((unit, carrier))) for unit, carrier in keys]


def top_overruns(lines: Iterable[EnergyLine], limit: int) -> list[EnergyLine]:
    """The lines furthest over target, by percentage (a zero target overrun first), then by amount."""
    over = [line for line in lines if line.over_target]
    over.sort(key=lambda l: (-(l.variance_pct if l.variance_pct is not None else math.inf), -l.variance, l.unit_id))
    return over[:limit]
