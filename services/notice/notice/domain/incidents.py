"""Field incidents (突发事件) and the dispatch routing that sends each kind of
incident to a group. Standard library only.

Dispatch (callers with the ``dispatcher`` role) sets, per incident kind
(火灾, 设备故障, 人身伤害, 停电 …), the group that receives it. Anyone signed
in may report an incident; it becomes an urgent notice to that group.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from hubkit.errors import InvalidArgument
from notice.domain.findings import document_ids
from notice.domain.text import required_text

DISPATCH_ROLE = "dispatcher"
MAX_KIND_CHARS = 50
MAX_DESCRIPTION_CHARS = 2000
MAX_LOCATION_CHARS = 200


# --- commands -----------------------------------------------------------------

@dataclass(frozen=True)
class SetIncidentRoute:
    kind: str
    group_id: str


@dataclass(frozen=True)
class ReportIncident:
    kind: str
    description: str
    location: str
    latitude: float | None = None
    longitude: float | None = None
    photo_document_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class GetIncident:
    incident_id: str


@dataclass(frozen=True)
class ListIncidents:
    kind: str = ""  # empty: any
    page_size: int = 0  # 0: the default
    page_token: str = ""


# --- model and events -----------------------------------------------------------

@dataclass(frozen=True)
class IncidentRoute:
    kind: str
    group_id: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class Reporter:
    user_id: str
    department: str  # the first department of the reporter's token, or ""


@dataclass
class Incident:
    incident_id: str
    kind: str
    description: str
    location: str
    latitude: float | None
    longitude: float | None
    photo_document_ids: tuple[str, ...]
    reporter: Reporter
    reported_at: datetime
    group_id: str
    notice_id: str = ""  # the urgent notice it became
    events: list = field(default_factory=list, compare=False, repr=False)

    def visible_to(self, user_id: str, group_ids: tuple[str, ...], roles: tuple[str, ...]) -> bool:
        return DISPATCH_ROLE in roles or user_id == self.reporter.user_id or self.group_id in group_ids


@dataclass(frozen=True)
class IncidentReported:
    incident_id: str
    kind: str
    description: str
    location: str
    latitude: float | None
    longitude: float | None
    reporter: Reporter
    reported_at: datetime
    photo_document_ids: tuple[str, ...]
    notice_id: str
    group_id: str


def incident_kind(raw: str) -> str:
    return required_text(raw, "kind", MAX_KIND_CHARS)


def new_route(cmd: SetIncidentRoute, *, set_by: str, now: datetime) -> IncidentRoute:
    return IncidentRoute(incident_kind(cmd.kind), required_text(cmd.group_id, "group_id", 64), set_by, now)


def _coordinate(value: float | None, field_name: str, limit: float) -> float | None:
    if value is None:
        return None
    if math.isnan(value) or not -limit <= value <= limit:
        raise InvalidArgument(f"{value} is outside -{limit:g}..{limit:g}", field=field_name)
    return value


def validate_report(cmd: ReportIncident) -> ReportIncident:
    """The report with its text trimmed; raises InvalidArgument naming the field."""
    # Field names as in the API's request (ReportIncidentRequest.position).
    latitude = _coordinate(cmd.latitude, "position.latitude", 90)
    longitude = _coordinate(cmd.longitude, "position.longitude", 180)
    if (latitude is None) != (longitude is None):
        missing = "position.longitude" if longitude is None else "position.latitude"
        raise InvalidArgument("latitude and longitude come together", field=missing)
    return ReportIncident(
        kind=incident_kind(cmd.kind),
        description=required_text(cmd.description, "description", MAX_DESCRIPTION_CHARS),
        location=required_text(cmd.location, "location", MAX_LOCATION_CHARS),
        latitude=latitude, longitude=longitude,
        photo_document_ids=document_ids(cmd.photo_document_ids, "photo_document_ids"))


def report_incident(cmd: ReportIncident, *, incident_id: str, reporter: Reporter, group_id: str, notice_id: str,
                    now: datetime) -> Incident:
    """The incident of a validated report, routed to ``group_id`` and already
    announced as ``notice_id``; its IncidentReported event is in ``events``."""
    incident = Incident(incident_id, cmd.kind, cmd.description, cmd.location, cmd.latitude, cmd.longitude,
                        cmd.photo_document_ids, reporter, now, group_id, notice_id)
    incident.events.append(IncidentReported(
        incident_id, cmd.kind, cmd.description, cmd.location, cmd.latitude, cmd.longitude, reporter, now,
        cmd.photo_document_ids, notice_id, group_id))
    return incident


def urgent_notice_text(incident_kind_: str, report: ReportIncident, reporter: Reporter, *, max_title_chars: int,
                       max_body_chars: int) -> tuple[str, str]:
    """Title and body of the urgent notice an incident becomes, cut to the limits."""
    title = f"【突发事件·{incident_kind_}】{report.location}"
    lines = [report.description, f"地点：{report.location}"]
    if report.latitude is not None:
        lines.append(f"坐标：{report.latitude:.6f}, {report.longitude:.6f}")
    who = f"{reporter.user_id}（{reporter.department}）" if reporter.department else reporter.user_id
    lines.append(f"报告人：{who}")
    if report.photo_document_ids:
        lines.append(f"照片：{len(report.photo_document_ids)} 张")
    return _cut(title, max_title_chars), _cut("\n".join(lines), max_body_chars)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:max(limit - 1, 0)] + "…"
