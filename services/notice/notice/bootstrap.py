"""Wiring of the notice service; nothing here runs at import time."""
from __future__ import annotations

from functools import partial

from hubkit.config import Config
from hubkit.wiring import engine_for
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.domain.model import Limits

SERVICE = "notice"


def uow_factory(config: Config):
    return partial(SqlNoticeUnitOfWork, engine_for(config, SERVICE))


def limits(config: Config) -> Limits:
    return Limits(max_title_chars=config.integer("NOTICE_MAX_TITLE_CHARS"),
                  max_body_chars=config.integer("NOTICE_MAX_BODY_CHARS"))


def register_api(config: Config, server) -> list[str]:
    """Add the notice servicer to a grpc server; returns its service names."""
    from hub.notice.v1 import notice_service_pb2, notice_service_pb2_grpc
    from notice.grpc_api import NoticeServicer

    notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(
        NoticeServicer(uow_factory(config), limits(config)), server)
    return [notice_service_pb2.DESCRIPTOR.services_by_name["NoticeService"].full_name]


def worker_class():
    from notice.service import NoticeWorker
    return NoticeWorker
