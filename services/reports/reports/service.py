"""The reports worker (nameko): builds read models from other services' events."""
from __future__ import annotations

from hubkit.consumer import hub_event_handler
from hubkit.envelope import Envelope
from hubkit.nameko_deps import Built
from reports import bootstrap, handlers


class ReportsWorker:
    name = "reports"

    uow = Built(bootstrap.uow_factory)

    @hub_event_handler("notice", "group.created")
    def on_group_created(self, envelope: Envelope) -> None:
        group = envelope.payload
        handlers.record_group_created(group.group_id, group.name, event_id=envelope.event_id,
                                      consumer="reports.on_group_created", uow=self.uow())

    @hub_event_handler("notice", "notice.published")
    def on_notice_published(self, envelope: Envelope) -> None:
        notice = envelope.payload
        handlers.record_notice_published(notice.notice_id, tuple(notice.group_ids), event_id=envelope.event_id,
                                         consumer="reports.on_notice_published", uow=self.uow())
