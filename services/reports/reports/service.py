"""The reports worker (nameko): builds read models from other services' events
and generates the scheduled reports."""
from __future__ import annotations

from nameko.timer import timer

from hubkit.consumer import hub_event_handler
from hubkit.envelope import Envelope
from hubkit.nameko_deps import Built
from reports import bootstrap, handlers
from reports.adapters.event_facts import fact_from_payload, journal_body

# How often the worker looks for a period that ended and lacks its reports.
SCHEDULE_CHECK_SECONDS = 300


class ReportsWorker:
    name = "reports"

    uow = Built(bootstrap.uow_factory)
    schedule = Built(bootstrap.schedule)

    def _consume(self, envelope: Envelope, method: str) -> None:
        event = handlers.ConsumedEvent(envelope.event_id, envelope.event_type, envelope.occurred_at,
                                       journal_body(envelope.payload))
        fact = fact_from_payload(envelope.event_type, envelope.payload, envelope.occurred_at)
        handlers.consume_event(event, fact, consumer=f"reports.{method}", uow=self.uow())

    @hub_event_handler("notice", "group.created")
    def on_group_created(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_group_created")

    @hub_event_handler("notice", "group.renamed")
    def on_group_renamed(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_group_renamed")

    @hub_event_handler("notice", "notice.published")
    def on_notice_published(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_notice_published")

    @hub_event_handler("notice", "notice.revoked")
    def on_notice_revoked(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_notice_revoked")

    @hub_event_handler("notice", "receipt.read")
    def on_receipt_read(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_receipt_read")

    @hub_event_handler("notice", "receipt.acknowledged")
    def on_receipt_acknowledged(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_receipt_acknowledged")

    @hub_event_handler("notice", "notice.overdue")
    def on_notice_overdue(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_notice_overdue")

    @hub_event_handler("notice", "finding.opened")
    def on_finding_opened(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_finding_opened")

    @hub_event_handler("notice", "finding.status_changed")
    def on_finding_status_changed(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_finding_status_changed")

    @hub_event_handler("notice", "incident.reported")
    def on_incident_reported(self, envelope: Envelope) -> None:
        self._consume(envelope, "on_incident_reported")

    # eager: a restarted worker catches up at once; the (kind, period) key
    # and the completeness check make a repeat a no-op.
    @timer(interval=SCHEDULE_CHECK_SECONDS, eager=True)
    def generate_scheduled_reports(self) -> None:
        handlers.run_schedule(uow_factory=self.uow, pipeline=self.schedule.pipeline, delay=self.schedule.delay)
