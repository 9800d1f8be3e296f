"""SQL storage of energy readings and targets (values in each carrier's base unit)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from reports.adapters.tables import energy_readings, energy_targets
from reports.domain.energy import Carrier, Quantity
from reports.ports import EnergyRepository


class SqlEnergyRepository(EnergyRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def _replace(self, table: sa.Table, rows: list[Quantity], recorded_by: str, recorded_at: datetime) -> None:
        # Delete then insert (portable upsert); the batch is already free of duplicates.
        keys = sa.tuple_(table.c.unit_id, table.c.period, table.c.carrier)
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            self.connection.execute(table.delete().where(
                keys.in_([(q.unit_id, q.period, q.carrier.value) for q in chunk])))
        self.connection.execute(table.insert(), [
            {"unit_id": q.unit_id, "period": q.period, "carrier": q.carrier.value, "value": q.value,
             "reported_value": q.reported_value, "reported_unit": q.reported_unit,
             "recorded_by": recorded_by, "recorded_at": recorded_at} for q in rows])

    def save_readings(self, readings: list[Quantity], *, recorded_by: str, recorded_at: datetime) -> None:
        self._replace(energy_readings, readings, recorded_by, recorded_at)

    def save_targets(self, targets: list[Quantity], *, recorded_by: str, recorded_at: datetime) -> None:
        self._replace(energy_targets, targets, recorded_by, recorded_at)

    def _values(self, table: sa.Table, period: str) -> dict[tuple[str, Carrier], float]:
        rows = self.connection.execute(
            sa.select(table.c.unit_id, table.c.carrier, table.c.value).where(table.c.period == period))
        return {(unit_id, Carrier(carrier)): value for unit_id, carrier, value in rows}

    def readings(self, period: str) -> dict[tuple[str, Carrier], float]:
        return self._values(energy_readings, period)

    def targets(self, period: str) -> dict[tuple[str, Carrier], float]:
        return self._values(energy_targets, period)
