"""SQL repositories and the unit of work of the notice service."""
from __future__ import annotations

import json
from datetime import timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hubkit.uow import SqlUnitOfWork
from notice.adapters.event_mapping import to_envelope
from notice.adapters.finding_repository import SqlFindingRepository
from notice.adapters.incident_repository import SqlIncidentRepository, SqlIncidentRouteRepository
from notice.adapters.tables import audit_log, groups, notice_targets, notices
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.model import Group, Notice
from notice.ports import AuditLog, GroupRepository, NoticeRepository, NoticeUnitOfWork


def _aware(value):
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# Statements built once (see hubkit.uow): building one per call costs more
# Python time than the database takes to run it.
_INSERT_NOTICE = notices.insert()
_INSERT_TARGET = notice_targets.insert()
_SELECT_GROUP_IDS = sa.select(groups.c.group_id).where(groups.c.group_id.in_(sa.bindparam("ids", expanding=True)))


class SqlGroupRepository(GroupRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def add(self, group: Group) -> None:
        self.connection.execute(groups.insert().values(
            group_id=group.group_id, name=group.name, department=group.department,
            created_by=group.created_by, created_at=group.created_at))

    def existing_ids(self, group_ids: tuple[str, ...]) -> set[str]:
        return set(self.connection.execute(_SELECT_GROUP_IDS, {"ids": list(group_ids)}).scalars())


class SqlNoticeRepository(NoticeRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def add(self, notice: Notice) -> None:
        self.connection.execute(_INSERT_NOTICE, {
            "notice_id": notice.notice_id, "title": notice.title, "body": notice.body,
            "author_id": notice.author_id, "published_at": notice.published_at})
        self.connection.execute(_INSERT_TARGET, [
            {"notice_id": notice.notice_id, "group_id": g, "position": i} for i, g in enumerate(notice.group_ids)])

    def get(self, notice_id: str) -> Notice | None:
        row = self.connection.execute(sa.select(notices).where(notices.c.notice_id == notice_id)).first()
        if row is None:
            return None
        targets = self.connection.execute(
            sa.select(notice_targets.c.group_id).where(notice_targets.c.notice_id == notice_id)
            .order_by(notice_targets.c.position)).scalars().all()
        return Notice(row.notice_id, tuple(targets), row.title, row.body, row.author_id, _aware(row.published_at))


class SqlAuditLog(AuditLog):
    def __init__(self, connection: Connection):
        self.connection = connection

    def record(self, entry: AuditEntry) -> None:
        self.connection.execute(audit_log.insert().values(
            entity_kind=entry.entity_kind.value, entity_id=entry.entity_id, action=entry.action,
            actor_id=entry.actor_id, at=entry.at, detail=json.dumps(entry.detail, ensure_ascii=False)))

    def trail(self, entity_kind: EntityKind, entity_id: str, *, limit: int = 200) -> list[AuditEntry]:
        rows = self.connection.execute(
            sa.select(audit_log).where(audit_log.c.entity_kind == entity_kind.value,
                                       audit_log.c.entity_id == entity_id)
            .order_by(audit_log.c.entry_id).limit(limit))
        return [AuditEntry(EntityKind(r.entity_kind), r.entity_id, r.action, r.actor_id, _aware(r.at),
                           json.loads(r.detail)) for r in rows]


class SqlNoticeUnitOfWork(SqlUnitOfWork, NoticeUnitOfWork):
    def _on_enter(self, connection: Connection) -> None:
        self.groups = SqlGroupRepository(connection)
        self.notices = SqlNoticeRepository(connection)
        self.audit = SqlAuditLog(connection)
        self.findings = SqlFindingRepository(connection)
        self.incident_routes = SqlIncidentRouteRepository(connection)
        self.incidents = SqlIncidentRepository(connection)

    def publish(self, event) -> None:
        self.emit(to_envelope(event))
