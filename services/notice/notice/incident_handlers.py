"""Use cases of field incidents (突发事件) and their routing.

A report is stored, turned into an urgent notice to the group dispatch
configured for its kind, and announced (incident.reported and
notice.published) in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubkit.auth import Caller
from hubkit.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from notice.domain import incidents, model, paging
from notice.domain.audit import AuditEntry, EntityKind
from notice.domain.kinds import Category, Priority
from notice.domain.incidents import DISPATCH_ROLE, Incident, IncidentRoute, Reporter
from notice.handlers import Clock, deliver, new_id, utc_now
from notice.ports import NoticeUnitOfWork


def _may_dispatch(caller: Caller) -> bool:
    return caller.is_system or DISPATCH_ROLE in caller.roles


def set_incident_route(cmd: incidents.SetIncidentRoute, *, caller: Caller, uow: NoticeUnitOfWork,
                       clock: Clock = utc_now) -> IncidentRoute:
    if not _may_dispatch(caller):
        raise PermissionDenied(f"only dispatch (role {DISPATCH_ROLE!r}) routes incidents")
    route = incidents.new_route(cmd, set_by=caller.user_id, now=clock())
    with uow:
        if not uow.groups.existing_ids((route.group_id,)):
            raise NotFound(f"no group {route.group_id!r}", field="group_id")
        previous = uow.incident_routes.get(route.kind)
        uow.incident_routes.set(route)
        # Recorded on the group: "which incidents does this group receive?"
        uow.audit.record(AuditEntry(EntityKind.GROUP, route.group_id, "incident_route_set", caller.user_id,
                                    route.set_at, {"kind": route.kind,
                                                   "previous_group_id": previous.group_id if previous else ""}))
        uow.commit()
    return route


def list_incident_routes(*, caller: Caller, uow: NoticeUnitOfWork) -> list[IncidentRoute]:
    with uow:
        return uow.incident_routes.list()


def _urgent_notice_for(incident: Incident, report: incidents.ReportIncident, *, limits: model.Limits) -> model.Notice:
    """The urgent safety alert an incident becomes (delivered by the caller)."""
    title, body = incidents.urgent_notice_text(incident.kind, report, incident.reporter,
                                               max_title_chars=limits.max_title_chars,
                                               max_body_chars=limits.max_body_chars)
    return model.Notice(incident.notice_id, (incident.group_id,), title, body, incident.reporter.user_id,
                        incident.reported_at, category=Category.SAFETY_ALERT, priority=Priority.URGENT,
                        updated_at=incident.reported_at, author_department=incident.reporter.department)


def report_incident(cmd: incidents.ReportIncident, *, caller: Caller, uow: NoticeUnitOfWork, limits: model.Limits,
                    default_group_id: str = "", clock: Clock = utc_now) -> Incident:
    """Store the incident and its urgent notice, and announce both.

    A kind without a route goes to ``default_group_id``; without one, the
    report is refused with FAILED_PRECONDITION naming ``kind``."""
    report = incidents.validate_report(cmd)
    reporter = Reporter(caller.user_id, caller.departments[0] if caller.departments else "")
    with uow:
        route = uow.incident_routes.get(report.kind)
        group_id = route.group_id if route else default_group_id
        if not group_id:
            raise FailedPrecondition(f"dispatch has routed no group for incidents of kind {report.kind!r}",
                                     field="kind")
        if not uow.groups.existing_ids((group_id,)):
            raise FailedPrecondition(f"group {group_id!r} configured for kind {report.kind!r} does not exist",
                                     field="kind")
        now = clock()
        incident = incidents.report_incident(report, incident_id=new_id(), reporter=reporter, group_id=group_id,
                                             notice_id=new_id(), now=now)
        notice = _urgent_notice_for(incident, report, limits=limits)
        uow.notices.add(notice)
        deliver(uow, notice, now)  # receipts for the group's members, notice.published
        uow.incidents.add(incident)
        for event in incident.events:
            uow.publish(event)
        uow.audit.record(AuditEntry(EntityKind.INCIDENT, incident.incident_id, "reported", caller.user_id, now, {
            "kind": incident.kind, "group_id": group_id, "notice_id": notice.notice_id}))
        uow.audit.record(AuditEntry(EntityKind.NOTICE, notice.notice_id, "published", caller.user_id, now, {
            "incident_id": incident.incident_id, "group_ids": [group_id]}))
        uow.commit()
    return incident


def _visible(incident: Incident, caller: Caller) -> bool:
    return caller.is_system or incident.visible_to(caller.user_id, caller.groups, caller.roles)


def get_incident(query: incidents.GetIncident, *, caller: Caller, uow: NoticeUnitOfWork) -> Incident:
    incident_id = query.incident_id.strip()
    if not incident_id:
        raise InvalidArgument("must not be empty", field="incident_id")
    with uow:
        incident = uow.incidents.get(incident_id)
    # Hidden incidents are reported as absent, so that ids cannot be probed.
    if incident is None or not _visible(incident, caller):
        raise NotFound(f"no incident {incident_id!r}", field="incident_id")
    return incident


@dataclass(frozen=True)
class IncidentPage:
    incidents: list[Incident]
    next_page_token: str


def list_incidents(query: incidents.ListIncidents, *, caller: Caller, uow: NoticeUnitOfWork) -> IncidentPage:
    """Newest first: dispatch sees every incident, others those routed to
    their groups and those they reported."""
    kind = query.kind.strip()
    if len(kind) > incidents.MAX_KIND_CHARS:
        raise InvalidArgument(f"at most {incidents.MAX_KIND_CHARS} characters", field="kind")
    keys = paging.keyset(query.page_size, query.page_token, key_types=(datetime, str), scope=("incidents", kind),
                         default=paging.DEFAULT_PAGE_SIZE, maximum=paging.MAX_PAGE_SIZE)
    groups = None if _may_dispatch(caller) else caller.groups
    with uow:
        rows = uow.incidents.list(incidents.ListIncidents(kind=kind), visible_to_groups=groups,
                                  reporter_id=caller.user_id, after=keys.after, limit=keys.limit + 1)
    page = keys.page(rows, lambda incident: (incident.reported_at, incident.incident_id))
    return IncidentPage(page.items, page.next_page_token)
