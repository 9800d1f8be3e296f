"""Use cases of energy consumption: readings, targets, the report."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Sequence

from hubkit.errors import InvalidArgument, PermissionDenied
from reports.domain.document import ReportDocument
from reports.domain.energy import EnergyLine, QuantityInput, energy_lines, validate_batch
from reports.domain.energy_report import energy_report
from reports.domain.periods import is_month, is_quarter, previous_period
from reports.ports import EnergyUnitOfWork

ENERGY_ROLE = "energy-manager"  # may ingest readings and set targets
MAX_TOP = 100


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _require_energy_manager(user_roles: tuple[str, ...]) -> None:
    if ENERGY_ROLE not in user_roles and "system" not in user_roles:
        raise PermissionDenied(f"only the role {ENERGY_ROLE!r} records energy figures")


def ingest_readings(rows: Sequence[QuantityInput], *, user_id: str, roles: tuple[str, ...], uow: EnergyUnitOfWork,
                    clock: Callable[[], datetime] = utc_now) -> int:
    """Store a batch all or nothing; returns the number of readings stored."""
    _require_energy_manager(roles)
    readings = validate_batch(rows, field="readings")
    with uow:
        uow.energy.save_readings(readings, recorded_by=user_id, recorded_at=clock())
        uow.commit()
    return len(readings)


def set_targets(rows: Sequence[QuantityInput], *, user_id: str, roles: tuple[str, ...], uow: EnergyUnitOfWork,
                clock: Callable[[], datetime] = utc_now) -> int:
    _require_energy_manager(roles)
    targets = validate_batch(rows, field="targets")
    with uow:
        uow.energy.save_targets(targets, recorded_by=user_id, recorded_at=clock())
        uow.commit()
    return len(targets)


@dataclass(frozen=True)
class EnergyFigures:
    period: str
    previous_period: str
    lines: tuple[EnergyLine, ...]


def _valid_period(period: str) -> str:
    period = period.strip()
    if not (is_month(period) or is_quarter(period)):
        raise InvalidArgument("must be a month (2026-03) or a quarter (2026Q1)", field="period")
    return period


def energy_figures(period: str, *, uow: EnergyUnitOfWork) -> EnergyFigures:
    with uow:
        return energy_figures_in(uow, period)


def energy_figures_in(uow: EnergyUnitOfWork, period: str) -> EnergyFigures:
    """``energy_figures`` inside a unit of work the caller has opened."""
    period = _valid_period(period)
    earlier = previous_period(period)
    lines = energy_lines(uow.energy.readings(period), uow.energy.targets(period), uow.energy.readings(earlier))
    return EnergyFigures(period, earlier, tuple(lines))


def valid_top_n(top_n: int) -> int:
    if not 1 <= top_n <= MAX_TOP:
        raise InvalidArgument(f"must be from 1 to {MAX_TOP}", field="top_n")
    return top_n


def energy_report_for(period: str, *, uow: EnergyUnitOfWork, top_n: int = 10,
                      clock: Callable[[], datetime] = utc_now) -> ReportDocument:
    """The "energy" report of a period."""
    top_n = valid_top_n(top_n)
    figures = energy_figures(period, uow=uow)
    return energy_report(figures.period, figures.previous_period, figures.lines, top_n=top_n, generated_at=clock())
