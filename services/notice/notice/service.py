"""The notice worker (nameko): internal RPC for other services, and the
timer that publishes scheduled notices, reminds and escalates. Entrypoints
only translate."""
from __future__ import annotations

import logging

from nameko.rpc import rpc
from nameko.timer import timer

from hubkit.auth import SYSTEM_ROLE, Caller
from hubkit.config import Config
from hubkit.nameko_deps import Built
from notice import bootstrap, handlers, reminder_handlers
from notice.domain import commands

log = logging.getLogger(__name__)

# Internal RPC comes from other services inside the trust boundary.
SYSTEM = Caller(user_id="system:rpc", roles=(SYSTEM_ROLE,))

# nameko fixes a timer's interval when the class is defined: read the
# setting from the environment (no I/O), with its documented default.
SWEEP_SECONDS = Config().seconds("NOTICE_SWEEP_SECONDS")


class NoticeWorker:
    name = "notice"

    uow = Built(bootstrap.uow_factory)
    sweep_settings = Built(bootstrap.sweep_settings)

    @rpc
    def get_notice(self, notice_id: str) -> dict:
        notice = handlers.get_notice(commands.GetNotice(notice_id), caller=SYSTEM, uow=self.uow())
        return {"notice_id": notice.notice_id, "group_ids": list(notice.group_ids), "title": notice.title,
                "body": notice.body, "author_id": notice.author_id,
                "published_at": notice.published_at.isoformat()}

    @timer(interval=SWEEP_SECONDS)
    def sweep_reminders(self) -> None:
        settings = self.sweep_settings
        if settings.pop("replan_on_start", False):
            count = reminder_handlers.replan(uow=settings["uow_factory"]())
            log.info("sweep: %d notice(s) awaiting reminders to be planned with the schedule %s",
                     count, settings["schedule"])
        result = reminder_handlers.sweep(uow=settings["uow_factory"](), schedule=settings["schedule"])
        if result.published or result.reminders or result.escalations:
            log.info("sweep: %d scheduled notice(s) published, %d reminder(s), %d escalation(s)",
                     result.published, result.reminders, result.escalations)
