"""The search worker (nameko): keeps the index in step with other services' events."""
from __future__ import annotations

from hubkit.consumer import hub_event_handler
from hubkit.envelope import Envelope
from hubkit.nameko_deps import Built
from search import bootstrap, document_handlers, handlers
from search.adapters import document_events
from search.domain.model import IndexedItem, ItemKind


def notice_item(envelope: Envelope) -> IndexedItem:
    notice = envelope.payload
    return IndexedItem(
        kind=ItemKind.NOTICE,
        item_id=notice.notice_id,
        title=notice.title,
        body=notice.body,
        visible_to=(f"user:{notice.author_id}",) + tuple(f"group:{g}" for g in notice.group_ids),
        published_at=notice.published_at.ToDatetime(tzinfo=envelope.occurred_at.tzinfo),
    )


class SearchWorker:
    name = "search"

    uow = Built(bootstrap.uow_factory)
    index = Built(bootstrap.writable_index)
    blobs = Built(bootstrap.blob_store)
    extractor = Built(bootstrap.worker_text_extractor)

    @hub_event_handler("notice", "notice.published")
    def on_notice_published(self, envelope: Envelope) -> None:
        handlers.index_item(notice_item(envelope), event_id=envelope.event_id,
                            consumer="search.on_notice_published", uow=self.uow(), index=self.index)

    @hub_event_handler("search", "document.version_added")
    def on_document_version_added(self, envelope: Envelope) -> None:
        document_handlers.extract_and_index(
            document_events.version_added(envelope), event_id=envelope.event_id,
            consumer="search.on_document_version_added", uow=self.uow(), blobs=self.blobs,
            extractor=self.extractor, index=self.index)

    @hub_event_handler("search", "document.deleted")
    def on_document_deleted(self, envelope: Envelope) -> None:
        document_handlers.unindex_document(
            document_events.document_deleted(envelope), event_id=envelope.event_id,
            consumer="search.on_document_deleted", uow=self.uow(), index=self.index)
