"""Wiring of the reports service; nothing here runs at import time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from hubkit.config import Config
from hubkit.wiring import engine_for
from reports.adapters.repository import SqlReportsUnitOfWork

SERVICE = "reports"


def uow_factory(config: Config):
    return partial(SqlReportsUnitOfWork, engine_for(config, SERVICE))


def pipeline(config: Config):
    """Report kinds, renderers and time zone, from the settings."""
    from reports.adapters.rendering import renderers
    from reports.handlers import Pipeline
    from reports.report_kinds import report_kinds
    from reports.settings import report_settings

    settings = report_settings(config)
    return Pipeline(kinds=report_kinds(settings.chronic), renderers=renderers(settings.pdf_font), zone=settings.zone)


@dataclass(frozen=True)
class Schedule:
    pipeline: object  # handlers.Pipeline
    delay: timedelta


def schedule(config: Config) -> Schedule:
    from reports.settings import report_settings
    return Schedule(pipeline(config), report_settings(config).schedule_delay)


def api_serves_inline(config: Config) -> bool:
    """Never: rendering a report takes a CPU for up to a second, which calls
    served inline would all wait for (see hubkit ApiServer)."""
    return False


def api_processes_by_default() -> int:
    """One: reports are asked for now and then, and a rendering's threads
    share the process (HUB_GRPC_PROCESSES adds processes)."""
    return 1


def register_api(config: Config, server) -> list[str]:
    from hub.reports.v1 import reports_service_pb2, reports_service_pb2_grpc
    from reports.grpc_api import ReportsServicer

    reports_service_pb2_grpc.add_ReportsServiceServicer_to_server(
        ReportsServicer(uow_factory(config), pipeline(config)), server)
    names = [reports_service_pb2.DESCRIPTOR.services_by_name["ReportsService"].full_name]
    names += _register_assessment_and_energy(config, server)
    return names


def _register_assessment_and_energy(config: Config, server) -> list[str]:
    from hub.reports.v1 import (assessment_service_pb2, assessment_service_pb2_grpc, energy_service_pb2,
                                energy_service_pb2_grpc)
    from reports.grpc_assessments import AssessmentServicer
    from reports.grpc_energy import EnergyServicer

    assessment_service_pb2_grpc.add_AssessmentServiceServicer_to_server(AssessmentServicer(uow_factory(config)), server)
    energy_service_pb2_grpc.add_EnergyServiceServicer_to_server(EnergyServicer(uow_factory(config)), server)
    return [assessment_service_pb2.DESCRIPTOR.services_by_name["AssessmentService"].full_name,
            energy_service_pb2.DESCRIPTOR.services_by_name["EnergyService"].full_name]


def worker_class():
    from reports.service import ReportsWorker
    return ReportsWorker
