"""SQL repository of documents, versions (with extracted text) and their audit trail."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from search.adapters.tables import document_audit, document_versions, documents
from search.domain.documents import AuditEntry, Document, ExtractionResult, ExtractionStatus, Version, Visibility, \
    indexed_item
from search.domain.model import IndexedItem
from search.ports import DocumentRepository

# Rows fetched at a time when streaming every live document (index rebuilds).
_REBUILD_BATCH = 500

_VERSION_COLUMNS = [c for c in document_versions.c if c.name != "extracted_text"]


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _visibility_json(visibility: Visibility) -> str:
    return json.dumps({"everyone": visibility.everyone, "departments": list(visibility.departments),
                       "group_ids": list(visibility.group_ids), "user_ids": list(visibility.user_ids)},
                      ensure_ascii=False)


def _visibility(text: str) -> Visibility:
    data = json.loads(text)
    return Visibility(everyone=data["everyone"], departments=tuple(data["departments"]),
                      group_ids=tuple(data["group_ids"]), user_ids=tuple(data["user_ids"]))


def _document(row) -> Document:
    return Document(
        document_id=row.document_id, title=row.title, department=row.department, category=row.category,
        tags=tuple(json.loads(row.tags)), visibility=_visibility(row.visibility), owner_id=row.owner_id,
        created_at=_utc(row.created_at), current_version=row.current_version, deleted_at=_utc(row.deleted_at),
        deleted_by=row.deleted_by, delete_reason=row.delete_reason)


def _version(row) -> Version:
    return Version(
        document_id=row.document_id, number=row.number, file_name=row.file_name, content_type=row.content_type,
        size_bytes=row.size_bytes, sha256=row.sha256, uploaded_by=row.uploaded_by, uploaded_at=_utc(row.uploaded_at),
        extraction_status=ExtractionStatus(row.extraction_status), extraction_error=row.extraction_error,
        extracted_chars=row.extracted_chars, text_truncated=row.text_truncated)


class SqlDocumentRepository(DocumentRepository):
    def __init__(self, connection: Connection):
        self.connection = connection

    def add(self, document: Document) -> None:
        self.connection.execute(documents.insert().values(
            document_id=document.document_id, title=document.title, department=document.department,
            category=document.category, tags=json.dumps(list(document.tags), ensure_ascii=False),
            visibility=_visibility_json(document.visibility), owner_id=document.owner_id,
            created_at=document.created_at, current_version=document.current_version,
            deleted_at=document.deleted_at, deleted_by=document.deleted_by, delete_reason=document.delete_reason))

    def get(self, document_id: str, *, for_update: bool = False) -> Document | None:
        query = sa.select(documents).where(documents.c.document_id == document_id)
        if for_update:
            query = query.with_for_update()  # PostgreSQL row lock; SQLite writers are serial anyway
        row = self.connection.execute(query).first()
        return _document(row) if row else None

    def save(self, document: Document) -> None:
        self.connection.execute(documents.update().where(documents.c.document_id == document.document_id).values(
            current_version=document.current_version, deleted_at=document.deleted_at,
            deleted_by=document.deleted_by, delete_reason=document.delete_reason))

    def add_version(self, version: Version) -> None:
        self.connection.execute(document_versions.insert().values(
            document_id=version.document_id, number=version.number, file_name=version.file_name,
            content_type=version.content_type, size_bytes=version.size_bytes, sha256=version.sha256,
            uploaded_by=version.uploaded_by, uploaded_at=version.uploaded_at,
            extraction_status=version.extraction_status.value, extraction_error=version.extraction_error,
            extracted_text=None, extracted_chars=version.extracted_chars, text_truncated=version.text_truncated))

    def version(self, document_id: str, number: int) -> Version | None:
        row = self.connection.execute(sa.select(*_VERSION_COLUMNS).where(
            document_versions.c.document_id == document_id, document_versions.c.number == number)).first()
        return _version(row) if row else None

    def versions(self, document_id: str) -> list[Version]:
        rows = self.connection.execute(sa.select(*_VERSION_COLUMNS).where(
            document_versions.c.document_id == document_id).order_by(document_versions.c.number))
        return [_version(row) for row in rows]

    def record_extraction(self, document_id: str, number: int, result: ExtractionResult) -> None:
        self.connection.execute(document_versions.update().where(
            document_versions.c.document_id == document_id, document_versions.c.number == number).values(
            extraction_status=result.status.value, extraction_error=result.error,
            extracted_text=None if result.error else result.text,
            extracted_chars=len(result.text), text_truncated=result.truncated))

    def extracted_text(self, document_id: str, number: int) -> str:
        return self.connection.execute(sa.select(document_versions.c.extracted_text).where(
            document_versions.c.document_id == document_id,
            document_versions.c.number == number)).scalar() or ""

    def add_audit(self, entry: AuditEntry) -> None:
        self.connection.execute(document_audit.insert().values(
            document_id=entry.document_id, action=entry.action, actor_id=entry.actor_id, at=entry.at,
            detail=json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)))

    def audit_trail(self, document_id: str) -> list[AuditEntry]:
        rows = self.connection.execute(sa.select(document_audit).where(
            document_audit.c.document_id == document_id).order_by(document_audit.c.id))
        return [AuditEntry(document_id=r.document_id, action=r.action, actor_id=r.actor_id, at=_utc(r.at),
                           detail=json.loads(r.detail)) for r in rows]

    def live_items(self) -> Iterator[IndexedItem]:
        query = (sa.select(documents, *[c.label(f"v_{c.name}") for c in document_versions.c])
                 .join(document_versions, sa.and_(document_versions.c.document_id == documents.c.document_id,
                                                   document_versions.c.number == documents.c.current_version))
                 .where(documents.c.deleted_at.is_(None))
                 .order_by(documents.c.document_id))
        rows = self.connection.execution_options(yield_per=_REBUILD_BATCH).execute(query)
        for row in rows:
            version = _version(_Prefixed(row, "v_"))
            yield indexed_item(_document(row), version, row.v_extracted_text or "")


class _Prefixed:
    """Attribute access to the ``v_``-labelled columns of a joined row."""

    def __init__(self, row, prefix: str):
        self._row, self._prefix = row, prefix

    def __getattr__(self, name):
        return getattr(self._row, self._prefix + name)
