"""SQL repositories of incident routing and field incidents."""
from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from notice.adapters.finding_repository import aware, older_than
from notice.adapters.tables import incident_routes, incidents
from notice.domain.incidents import Incident, IncidentRoute, ListIncidents, Reporter
from notice.ports import IncidentRepository, IncidentRouteRepository


class SqlIncidentRouteRepository(IncidentRouteRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def set(self, route: IncidentRoute) -> None:
        # Delete and insert in one transaction: portable across SQLite and
        # PostgreSQL, and the caller's transaction holds the write lock.
        self.connection.execute(incident_routes.delete().where(incident_routes.c.kind == route.kind))
        self.connection.execute(incident_routes.insert().values(
            kind=route.kind, group_id=route.group_id, set_by=route.set_by, set_at=route.set_at))

    def get(self, kind: str) -> IncidentRoute | None:
        row = self.connection.execute(sa.select(incident_routes).where(incident_routes.c.kind == kind)).first()
        return None if row is None else IncidentRoute(row.kind, row.group_id, row.set_by, aware(row.set_at))

    def list(self) -> list[IncidentRoute]:
        rows = self.connection.execute(sa.select(incident_routes).order_by(incident_routes.c.kind))
        return [IncidentRoute(r.kind, r.group_id, r.set_by, aware(r.set_at)) for r in rows]


def _incident(row) -> Incident:
    return Incident(
        incident_id=row.incident_id, kind=row.kind, description=row.description, location=row.location,
        latitude=row.latitude, longitude=row.longitude,
        photo_document_ids=tuple(json.loads(row.photo_document_ids)),
        reporter=Reporter(row.reporter_id, row.reporter_department), reported_at=aware(row.reported_at),
        group_id=row.group_id, notice_id=row.notice_id)


class SqlIncidentRepository(IncidentRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def add(self, incident: Incident) -> None:
        self.connection.execute(incidents.insert().values(
            incident_id=incident.incident_id, kind=incident.kind, description=incident.description,
            location=incident.location, latitude=incident.latitude, longitude=incident.longitude,
            photo_document_ids=json.dumps(list(incident.photo_document_ids)),
            reporter_id=incident.reporter.user_id, reporter_department=incident.reporter.department,
            reported_at=incident.reported_at, group_id=incident.group_id, notice_id=incident.notice_id))

    def get(self, incident_id: str) -> Incident | None:
        row = self.connection.execute(sa.select(incidents).where(incidents.c.incident_id == incident_id)).first()
        return None if row is None else _incident(row)

    def list(self, query: ListIncidents, *, visible_to_groups: tuple[str, ...] | None, reporter_id: str,
             after: tuple[datetime, str] | None, limit: int) -> list[Incident]:
        select = sa.select(incidents)
        if query.kind:
            select = select.where(incidents.c.kind == query.kind)
        if visible_to_groups is not None:
            select = select.where(sa.or_(incidents.c.group_id.in_(visible_to_groups),
                                         incidents.c.reporter_id == reporter_id))
        if after is not None:
            select = select.where(older_than(incidents.c.reported_at, incidents.c.incident_id, after))
        rows = self.connection.execute(
            select.order_by(incidents.c.reported_at.desc(), incidents.c.incident_id.desc()).limit(limit))
        return [_incident(r) for r in rows]
