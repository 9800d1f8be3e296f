"""SQL read model and unit of work of the reports service."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hubkit.uow import SqlUnitOfWork
from reports.adapters.assessment_repository import SqlAssessmentRepository
from reports.adapters.energy_repository import SqlEnergyRepository
from reports.adapters.tables import group_names, notice_groups
from reports.ports import NoticeReadModel, ReportsUnitOfWork


class SqlNoticeReadModel(NoticeReadModel):
    def __init__(self, connection: Connection):
        self.connection = connection

    def record_group(self, group_id: str, name: str) -> None:
        updated = self.connection.execute(
            group_names.update().where(group_names.c.group_id == group_id).values(name=name))
        if updated.rowcount == 0:
            self.connection.execute(group_names.insert().values(group_id=group_id, name=name))

    def record_notice(self, notice_id: str, group_ids: tuple[str, ...]) -> None:
        known = set(self.connection.execute(
            sa.select(notice_groups.c.group_id).where(notice_groups.c.notice_id == notice_id)).scalars())
        fresh = [{"notice_id": notice_id, "group_id": g} for g in group_ids if g not in known]
        if fresh:
            self.connection.execute(notice_groups.insert(), fresh)

    def counts_by_group(self, group_ids: tuple[str, ...]) -> tuple[dict[str, int], dict[str, str]]:
        count_query = sa.select(notice_groups.c.group_id, sa.func.count()).group_by(notice_groups.c.group_id)
        name_query = sa.select(group_names.c.group_id, group_names.c.name)
        if group_ids:
            count_query = count_query.where(notice_groups.c.group_id.in_(group_ids))
            name_query = name_query.where(group_names.c.group_id.in_(group_ids))
        counts = {g: int(n) for g, n in self.connection.execute(count_query)}
        names = {g: name for g, name in self.connection.execute(name_query)}
        return counts, names


class SqlReportsUnitOfWork(SqlUnitOfWork, ReportsUnitOfWork):
    def _on_enter(self, connection: Connection) -> None:
        self.notices = SqlNoticeReadModel(connection)
        self.assessments = SqlAssessmentRepository(connection)
        self.energy = SqlEnergyRepository(connection)
