"""The notice worker (nameko): internal RPC for other services.

Reminders and escalation timers will live here; entrypoints only translate.
"""
from __future__ import annotations

from nameko.rpc import rpc

from hubkit.auth import SYSTEM_ROLE, Caller
from hubkit.nameko_deps import Built
from notice import bootstrap, handlers
from notice.domain import commands

# Internal RPC comes from other services inside the trust boundary.
SYSTEM = Caller(user_id="system:rpc", roles=(SYSTEM_ROLE,))


class NoticeWorker:
    name = "notice"

    uow = Built(bootstrap.uow_factory)

    @rpc
    def get_notice(self, notice_id: str) -> dict:
        notice = handlers.get_notice(commands.GetNotice(notice_id), caller=SYSTEM, uow=self.uow())
        return {"notice_id": notice.notice_id, "group_ids": list(notice.group_ids), "title": notice.title,
                "body": notice.body, "author_id": notice.author_id,
                "published_at": notice.published_at.isoformat()}
