"""Use cases of the document platform: fn(command, *, caller, uow, ...) -> result.

An upload streams into the blob store first (bounded by the size limit, kept
only when complete), then one transaction records the document, its version,
the audit entry and the ``document.version_added`` event. A failed
transaction leaves at most an unreferenced blob, never a row without content.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import BinaryIO, Callable, Iterable

from hubkit.auth import Caller
from hubkit.errors import InvalidArgument, NotFound
from hubkit.ids import new_id
from hubkit.uow import apply_once
from search.adapters.document_events import to_envelope
from search.domain import documents as docs
from search.domain import sniffing
from search.ports import BlobStore, SearchIndex, SearchUnitOfWork, TextExtractor

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def actor_of(caller: Caller) -> docs.Actor:
    return docs.Actor(user_id=caller.user_id, principals=caller.principals(), departments=caller.departments,
                      roles=caller.roles, is_system=caller.is_system)


def _store(chunks: Iterable[bytes], blobs: BlobStore, max_bytes: int) -> tuple[str, int, str]:
    """(sha256, size, sniffed content type) of the streamed content."""
    stored = blobs.put(docs.limited_chunks(chunks, max_bytes))
    with blobs.open(stored.sha256) as stream:
        content_type = sniffing.sniff(stream)
    return stored.sha256, stored.size_bytes, content_type


def _record_version(uow: SearchUnitOfWork, version: docs.Version, action: str) -> None:
    uow.documents.add_version(version)
    uow.documents.add_audit(docs.AuditEntry(
        version.document_id, action, version.uploaded_by, version.uploaded_at,
        {"version": version.number, "file_name": version.file_name, "sha256": version.sha256,
         "size_bytes": version.size_bytes, "content_type": version.content_type}))
    uow.emit(to_envelope(docs.VersionAdded(version.document_id, version.number, version.sha256,
                                           version.content_type, version.uploaded_by, version.uploaded_at)))


def upload_document(cmd: docs.NewDocument, chunks: Iterable[bytes], *, caller: Caller, uow: SearchUnitOfWork,
                    blobs: BlobStore, max_upload_bytes: int,
                    clock: Clock = utc_now) -> tuple[docs.Document, docs.Version]:
    cmd = docs.validate_new_document(cmd)  # before a single byte is stored
    sha256, size, content_type = _store(chunks, blobs, max_upload_bytes)
    now = clock()
    document = docs.Document(
        document_id=new_id(), title=cmd.title, department=cmd.department, category=cmd.category, tags=cmd.tags,
        visibility=cmd.visibility, owner_id=caller.user_id, created_at=now, current_version=1)
    version = docs.Version(document.document_id, 1, cmd.file_name, content_type, size, sha256, caller.user_id, now)
    with uow:
        uow.documents.add(document)
        _record_version(uow, version, "uploaded")
        uow.commit()
    return document, version


def upload_version(cmd: docs.NewVersion, chunks: Iterable[bytes], *, caller: Caller, uow: SearchUnitOfWork,
                   blobs: BlobStore, max_upload_bytes: int,
                   clock: Clock = utc_now) -> tuple[docs.Document, docs.Version]:
    document_id = docs.document_id_of(cmd.document_id, "metadata.document_id")
    name = docs.file_name(cmd.file_name, "metadata.file_name")
    actor = actor_of(caller)
    with uow:  # refuse before receiving the content
        docs.changeable(uow.documents.get(document_id), actor, document_id, "metadata.document_id")
    sha256, size, content_type = _store(chunks, blobs, max_upload_bytes)
    with uow:
        # Checked again under the row lock: it may have been deleted or
        # given another version while the content streamed in.
        document = docs.changeable(uow.documents.get(document_id, for_update=True), actor, document_id,
                                   "metadata.document_id")
        version = docs.Version(document_id, document.current_version + 1, name, content_type, size, sha256,
                               caller.user_id, clock())
        document = docs.with_new_version(document, version.number)
        uow.documents.save(document)
        _record_version(uow, version, "version_added")
        uow.commit()
    return document, version


def get_document(document_id: str, *, caller: Caller,
                 uow: SearchUnitOfWork) -> tuple[docs.Document, docs.Version]:
    document_id = docs.document_id_of(document_id)
    with uow:
        document = docs.readable(uow.documents.get(document_id), actor_of(caller), document_id)
        return document, uow.documents.version(document_id, document.current_version)


def list_versions(document_id: str, *, caller: Caller, uow: SearchUnitOfWork) -> list[docs.Version]:
    document_id = docs.document_id_of(document_id)
    with uow:
        docs.readable(uow.documents.get(document_id), actor_of(caller), document_id)
        return uow.documents.versions(document_id)


def open_version(document_id: str, number: int, *, caller: Caller, uow: SearchUnitOfWork,
                 blobs: BlobStore) -> tuple[docs.Version, BinaryIO]:
    """A version (0: the current one) and its content, opened; the caller closes it."""
    document_id = docs.document_id_of(document_id)
    if number < 0:
        raise InvalidArgument("must be 1 or more, or 0 for the current version", field="version")
    with uow:
        document = docs.readable(uow.documents.get(document_id), actor_of(caller), document_id)
        version = uow.documents.version(document_id, number or document.current_version)
    if version is None:
        raise NotFound(f"document {document_id!r} has no version {number}", field="version")
    return version, blobs.open(version.sha256)


def delete_document(cmd: docs.DeleteDocument, *, caller: Caller, uow: SearchUnitOfWork,
                    clock: Clock = utc_now) -> docs.Document:
    document_id = docs.document_id_of(cmd.document_id)
    reason = docs.delete_reason(cmd.reason)
    with uow:
        document = docs.changeable(uow.documents.get(document_id, for_update=True), actor_of(caller), document_id)
        document = docs.deleted(document, by=caller.user_id, reason=reason, at=clock())
        uow.documents.save(document)
        uow.documents.add_audit(docs.AuditEntry(document_id, "deleted", caller.user_id, document.deleted_at,
                                                {"reason": reason}))
        uow.emit(to_envelope(docs.DocumentDeleted(document_id, caller.user_id, reason, document.deleted_at)))
        uow.commit()
    return document


# --- the worker's side ------------------------------------------------------------

def extract_and_index(added: docs.VersionAdded, *, event_id: str, consumer: str, uow: SearchUnitOfWork,
                      blobs: BlobStore, extractor: TextExtractor, index: SearchIndex) -> bool:
    """Store the version's text (or why there is none) and, when it is the
    current version of a live document, make the document searchable.

    Extraction runs before the transaction so no database lock is held while
    a large file is parsed; a redelivered event extracts again and is then
    recognised as applied. Returns False when it had been applied already.
    """
    with blobs.open(added.sha256) as stream:
        result = extractor.extract(stream, added.content_type)

    def effect(u: SearchUnitOfWork) -> None:
        # Locked until this commits: a delete or a new version committed in
        # between would otherwise leave this version's text in the index.
        document = u.documents.get(added.document_id, for_update=True)
        u.documents.record_extraction(added.document_id, added.number, result)
        if document is None:
            raise NotFound(f"no document {added.document_id!r} for its version_added event")
        if document.is_deleted:
            index.delete([docs.index_key(document.document_id)])
        elif document.current_version == added.number:
            version = u.documents.version(added.document_id, added.number)
            index.upsert([docs.indexed_item(document, version, result.text)])
        else:
            return  # a newer version was uploaded meanwhile; its own event indexes it
        index.commit()

    return apply_once(uow, consumer=consumer, event_id=event_id, effect=effect)


def unindex_document(deleted: docs.DocumentDeleted, *, event_id: str, consumer: str, uow: SearchUnitOfWork,
                     index: SearchIndex) -> bool:
    def effect(_: SearchUnitOfWork) -> None:
        index.delete([docs.index_key(deleted.document_id)])
        index.commit()

    return apply_once(uow, consumer=consumer, event_id=event_id, effect=effect)
