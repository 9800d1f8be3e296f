"""The search worker (nameko): keeps the index in step with other services' events.

Each entrypoint translates an event payload into an item (or a change of
one) and calls a handler, which applies it once per event id.
"""
from __future__ import annotations

from dataclasses import replace

from hub.notice.v1 import notice_pb2
from hubkit.consumer import hub_event_handler
from hubkit.envelope import Envelope
from hubkit.nameko_deps import Built
from search import bootstrap, document_handlers, handlers
from search.adapters import document_events
from search.domain.model import IndexedItem, ItemKind


def _moment(envelope: Envelope, stamp):
    return stamp.ToDatetime(tzinfo=envelope.occurred_at.tzinfo) if stamp.seconds or stamp.nanos \
        else envelope.occurred_at


def notice_category(value: int) -> str:
    """``NOTICE_CATEGORY_SAFETY_ALERT`` -> ``safety_alert``; unspecified -> ``""``."""
    if value == notice_pb2.NOTICE_CATEGORY_UNSPECIFIED:
        return ""
    return notice_pb2.NoticeCategory.Name(value).removeprefix("NOTICE_CATEGORY_").lower()


def notice_audience(author_id: str, group_ids, recipient_user_ids) -> tuple[str, ...]:
    """The author, the members of its groups, and people targeted by name."""
    principals = [f"user:{author_id}"] + [f"group:{g}" for g in group_ids] + [f"user:{u}" for u in recipient_user_ids]
    return tuple(dict.fromkeys(principals))


def notice_item(envelope: Envelope) -> IndexedItem:
    notice = envelope.payload
    return IndexedItem(
        kind=ItemKind.NOTICE,
        item_id=notice.notice_id,
        title=notice.title,
        body=notice.body,
        visible_to=notice_audience(notice.author_id, notice.group_ids, notice.recipient_user_ids),
        published_at=_moment(envelope, notice.published_at),
        department=notice.author_department,
        category=notice_category(notice.category),
        author_id=notice.author_id,
        group_ids=tuple(notice.group_ids),
    )


def notice_edit(envelope: Envelope):
    """The change a notice.edited event makes to the indexed notice."""
    edited = envelope.payload

    def change(stored: IndexedItem) -> IndexedItem:
        return replace(stored, title=edited.title, body=edited.body, category=notice_category(edited.category),
                       group_ids=tuple(edited.group_ids),
                       visible_to=notice_audience(stored.author_id, edited.group_ids, edited.recipient_user_ids))
    return change


def share_item(envelope: Envelope) -> IndexedItem:
    share = envelope.payload
    return IndexedItem(
        kind=ItemKind.SHARE,
        item_id=share.share_id,
        title=share.title,
        body=share.body,
        visible_to=notice_audience(share.author_id, [share.group_id], []),
        published_at=_moment(envelope, share.posted_at),
        category="reply" if share.reply_to else "share",
        author_id=share.author_id,
        group_ids=(share.group_id,),
    )


def report_item(envelope: Envelope) -> IndexedItem:
    report = envelope.payload
    audience = tuple(f"dept:{d}" for d in report.visible_departments) or ("everyone",)
    return IndexedItem(
        kind=ItemKind.REPORT,
        item_id=report.report_id,
        title=report.title,
        body=report.text,
        visible_to=audience,
        published_at=_moment(envelope, report.generated_at),
        category=report.kind,
        tags=tuple(t for t in (report.period,) if t),
    )


class SearchWorker:
    name = "search"

    uow = Built(bootstrap.uow_factory)
    index = Built(bootstrap.writable_index)
    blobs = Built(bootstrap.blob_store)
    extractor = Built(bootstrap.worker_text_extractor)

    @hub_event_handler("notice", "notice.published")
    def on_notice_published(self, envelope: Envelope) -> None:
        handlers.index_item(notice_item(envelope), version=envelope.payload.version or 1,
                            event_id=envelope.event_id, consumer="search.on_notice_published",
                            uow=self.uow(), index=self.index)

    @hub_event_handler("notice", "notice.edited")
    def on_notice_edited(self, envelope: Envelope) -> None:
        edited = envelope.payload
        handlers.edit_item(f"{ItemKind.NOTICE.value}:{edited.notice_id}", edited.version, notice_edit(envelope),
                           event_id=envelope.event_id, consumer="search.on_notice_edited",
                           uow=self.uow(), index=self.index)

    @hub_event_handler("notice", "notice.revoked")
    def on_notice_revoked(self, envelope: Envelope) -> None:
        handlers.withdraw_item(ItemKind.NOTICE, envelope.payload.notice_id, event_id=envelope.event_id,
                               consumer="search.on_notice_revoked", uow=self.uow(), index=self.index)

    @hub_event_handler("notice", "learning_share.posted")
    def on_learning_share_posted(self, envelope: Envelope) -> None:
        handlers.index_item(share_item(envelope), event_id=envelope.event_id,
                            consumer="search.on_learning_share_posted", uow=self.uow(), index=self.index)

    @hub_event_handler("reports", "report.generated")
    def on_report_generated(self, envelope: Envelope) -> None:
        handlers.index_item(report_item(envelope), event_id=envelope.event_id,
                            consumer="search.on_report_generated", uow=self.uow(), index=self.index)

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
