"""Wiring of the notice service; nothing here runs at import time."""
from __future__ import annotations

from functools import partial

from hubkit.config import Config, ConfigError
from hubkit.wiring import engine_for
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.domain.model import Limits
from notice.domain.reminders import parse_schedule

SERVICE = "notice"


def uow_factory(config: Config):
    return partial(SqlNoticeUnitOfWork, engine_for(config, SERVICE))


def api_serves_inline(config: Config) -> bool:
    """Calls wait on nothing but the local SQLite file (see hubkit ApiServer)."""
    return config.database_url(SERVICE).startswith("sqlite")


def api_processes_by_default() -> int:
    """One: its calls are short, on SQLite a second process only takes turns
    at the one write lock, and on PostgreSQL the database's backends need
    the other cores. Two processes measured fewer acknowledgements per
    second than one on both (bench/ack_throughput.py)."""
    return 1


def limits(config: Config) -> Limits:
    return Limits(max_title_chars=config.integer("NOTICE_MAX_TITLE_CHARS"),
                  max_body_chars=config.integer("NOTICE_MAX_BODY_CHARS"))


def review_time_zone(config: Config) -> str:
    """NOTICE_REVIEW_TIMEZONE, checked to be a time zone this host knows."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    name = config.raw("NOTICE_REVIEW_TIMEZONE")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"NOTICE_REVIEW_TIMEZONE={name!r} is not a known IANA time zone") from None
    return name


def reminder_schedule(config: Config) -> tuple[int, ...]:
    try:
        return parse_schedule(config.raw("NOTICE_REMINDER_SCHEDULE"))
    except ValueError as exc:
        raise ConfigError(f"NOTICE_REMINDER_SCHEDULE={exc}") from None


def sweep_settings(config: Config) -> dict:
    """What the worker's reminder sweep needs (a ``Built`` dependency, made
    once per worker: its first sweep re-plans, see reminder_handlers.replan)."""
    return {"uow_factory": uow_factory(config), "schedule": reminder_schedule(config), "replan_on_start": True}


def register_api(config: Config, server) -> list[str]:
    """Add the notice servicers to a grpc server; returns their service names."""
    from hub.notice.v1 import (group_service_pb2, group_service_pb2_grpc, notice_service_pb2,
                               notice_service_pb2_grpc, share_service_pb2, share_service_pb2_grpc)
    from notice.grpc_api import NoticeServicer
    from notice.grpc_groups import GroupServicer
    from notice.grpc_shares import ShareServicer

    uows = uow_factory(config)
    notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(NoticeServicer(uows, limits(config)), server)
    group_service_pb2_grpc.add_GroupServiceServicer_to_server(
        GroupServicer(uows, config.integer("NOTICE_SYNC_MAX_MEMBERS")), server)
    share_service_pb2_grpc.add_ShareServiceServicer_to_server(ShareServicer(uows), server)
    return [notice_service_pb2.DESCRIPTOR.services_by_name["NoticeService"].full_name,
            group_service_pb2.DESCRIPTOR.services_by_name["GroupService"].full_name,
            share_service_pb2.DESCRIPTOR.services_by_name["ShareService"].full_name,
            *register_findings_api(config, server)]


def register_findings_api(config: Config, server) -> list[str]:
    """FindingService and IncidentService (inspection findings, field incidents)."""
    from hub.notice.v1 import (finding_service_pb2, finding_service_pb2_grpc, incident_service_pb2,
                               incident_service_pb2_grpc)
    from notice.grpc_findings import FindingServicer
    from notice.grpc_incidents import IncidentServicer

    finding_service_pb2_grpc.add_FindingServiceServicer_to_server(
        FindingServicer(uow_factory(config), review_time_zone(config)), server)
    incident_service_pb2_grpc.add_IncidentServiceServicer_to_server(
        IncidentServicer(uow_factory(config), limits(config), config.raw("NOTICE_INCIDENT_DEFAULT_GROUP").strip()),
        server)
    return [finding_service_pb2.DESCRIPTOR.services_by_name["FindingService"].full_name,
            incident_service_pb2.DESCRIPTOR.services_by_name["IncidentService"].full_name]


def worker_class():
    from notice.service import NoticeWorker
    return NoticeWorker
