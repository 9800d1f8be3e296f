"""Documents, their versions and who may do what with them.

A document has metadata (title, department, category, tags, visibility) and
one or more versions, each an uploaded file stored once by content hash.
Rules:

- reading (metadata, versions, downloads): anyone who may change it, and
  anyone holding one of the visibility principals (search hits follow the
  principals alone);
- changing (new versions, soft delete): the owner, trusted system callers,
  and document managers (role ``doc-manager``) of the document's department.
  Visibility alone never lets someone replace or delete a file;
- a document the caller may not read is reported as absent, not forbidden,
  so ids cannot be probed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Iterable, Iterator

from hubkit.errors import InvalidArgument, NotFound, PermissionDenied
from search.domain.model import IndexedItem, ItemKind

DOCUMENT_MANAGER_ROLE = "doc-manager"
EVERYONE = "everyone"

MAX_TITLE_CHARS = 200
MAX_NAME_CHARS = 100  # department, category, tag, visibility entries
MAX_TAGS = 20
MAX_VISIBILITY_ENTRIES = 200
MAX_FILE_NAME_CHARS = 120
MAX_REASON_CHARS = 500
FALLBACK_FILE_NAME = "document"


class ExtractionStatus(str, Enum):
    PENDING = "pending"
    EXTRACTED = "extracted"
    FAILED = "failed"


@dataclass(frozen=True)
class Actor:
    """Who acts, as the domain needs to know it (built from the verified token)."""
    user_id: str
    principals: tuple[str, ...]
    departments: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    is_system: bool = False


@dataclass(frozen=True)
class Visibility:
    everyone: bool = False
    departments: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()

    def principals(self) -> tuple[str, ...]:
        """The principals shared with, as IndexedItem.visible_to and Caller.principals() name them."""
        if self.everyone:
            return (EVERYONE,)
        return (tuple(f"dept:{d}" for d in self.departments) + tuple(f"group:{g}" for g in self.group_ids)
                + tuple(f"user:{u}" for u in self.user_ids))


@dataclass(frozen=True)
class Version:
    document_id: str
    number: int
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    extraction_status: ExtractionStatus = ExtractionStatus.PENDING
    extraction_error: str = ""
    extracted_chars: int = 0
    text_truncated: bool = False


@dataclass(frozen=True)
class Document:
    document_id: str
    title: str
    department: str
    category: str
    tags: tuple[str, ...]
    visibility: Visibility
    owner_id: str
    created_at: datetime
    current_version: int = 1
    deleted_at: datetime | None = None
    deleted_by: str = ""
    delete_reason: str = ""

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def visible_to(self) -> tuple[str, ...]:
        """Principals that may read it: the shared ones plus its owner."""
        return tuple(dict.fromkeys(self.visibility.principals() + (f"user:{self.owner_id}",)))

    def readable_by(self, actor: Actor) -> bool:
        return self.changeable_by(actor) or bool(set(self.visible_to()) & set(actor.principals))

    def changeable_by(self, actor: Actor) -> bool:
        return actor.is_system or actor.user_id == self.owner_id or (
            DOCUMENT_MANAGER_ROLE in actor.roles and self.department in actor.departments)


@dataclass(frozen=True)
class ExtractionResult:
    """What the extractor made of a version: text, or why there is none."""
    text: str = ""
    error: str = ""
    truncated: bool = False

    @property
    def status(self) -> ExtractionStatus:
        return ExtractionStatus.FAILED if self.error else ExtractionStatus.EXTRACTED


@dataclass(frozen=True)
class AuditEntry:
    document_id: str
    action: str  # past tense: "uploaded", "version_added", "deleted"
    actor_id: str
    at: datetime
    detail: dict = field(default_factory=dict)  # JSON-serialisable


# --- events -------------------------------------------------------------------

@dataclass(frozen=True)
class VersionAdded:
    """A document or a new version of it was uploaded: its text is to be extracted."""
    document_id: str
    number: int
    sha256: str
    content_type: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class DocumentDeleted:
    document_id: str
    deleted_by: str
    reason: str
    deleted_at: datetime


# --- commands -----------------------------------------------------------------

@dataclass(frozen=True)
class NewDocument:
    title: str
    department: str
    category: str
    tags: tuple[str, ...]
    visibility: Visibility
    file_name: str


@dataclass(frozen=True)
class NewVersion:
    document_id: str
    file_name: str


@dataclass(frozen=True)
class DeleteDocument:
    document_id: str
    reason: str


# --- rules --------------------------------------------------------------------

_UNSAFE_FILE_CHARS = re.compile(r'[<>:"|?*]')


def sanitise_file_name(name: str) -> str:
    """A file name safe to store and to offer for saving: no directories, no
    control or format characters, no leading dots (hidden files, ``..``), no
    characters Windows refuses, at most MAX_FILE_NAME_CHARS characters with
    the extension kept. Empty when nothing usable is left."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    name = _UNSAFE_FILE_CHARS.sub("_", name)
    name = name.strip().lstrip(".").strip().rstrip(". ")
    if len(name) > MAX_FILE_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            name = stem[:MAX_FILE_NAME_CHARS - len(extension) - 1].rstrip(". ") + "." + extension
        else:
            name = name[:MAX_FILE_NAME_CHARS].rstrip(". ")
    return name


def _text(value: str, field_name: str, *, max_chars: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidArgument("must not be empty", field=field_name)
    if len(text) > max_chars:
        raise InvalidArgument(f"is {len(text)} characters, at most {max_chars} allowed", field=field_name)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidArgument("must not contain control characters", field=field_name)
    return text


def _names(values: Iterable[str], field_name: str, *, max_count: int) -> tuple[str, ...]:
    values = list(values)
    if len(values) > max_count:
        raise InvalidArgument(f"has {len(values)} entries, at most {max_count} allowed", field=field_name)
    names = [_text(v, f"{field_name}[{i}]", max_chars=MAX_NAME_CHARS, required=True) for i, v in enumerate(values)]
    return tuple(dict.fromkeys(names))


def _principal_names(values: Iterable[str], field_name: str) -> tuple[str, ...]:
    values = list(values)
    # The index keeps principals whitespace-separated: a space would split one in two.
    for position, value in enumerate(values):
        if any(ch.isspace() for ch in value.strip()):
            raise InvalidArgument("must not contain spaces", field=f"{field_name}[{position}]")
    return _names(values, field_name, max_count=MAX_VISIBILITY_ENTRIES)


def validate_visibility(visibility: Visibility, field_name: str) -> Visibility:
    checked = Visibility(
        everyone=visibility.everyone,
        departments=_principal_names(visibility.departments, f"{field_name}.departments"),
        group_ids=_principal_names(visibility.group_ids, f"{field_name}.group_ids"),
        user_ids=_principal_names(visibility.user_ids, f"{field_name}.user_ids"),
    )
    named = checked.departments or checked.group_ids or checked.user_ids
    if checked.everyone and named:
        raise InvalidArgument("either everyone or named departments, groups and people, not both",
                              field=field_name)
    if not checked.everyone and not named:
        raise InvalidArgument("must share with everyone or name departments, groups or people", field=field_name)
    return checked


def file_name(value: str, field_name: str) -> str:
    name = sanitise_file_name(value)
    if not name:
        raise InvalidArgument("must name a file (nothing usable is left after removing unsafe characters)",
                              field=field_name)
    return name


def validate_new_document(cmd: NewDocument, prefix: str = "metadata") -> NewDocument:
    """The command with its text trimmed and checked; InvalidArgument names the field."""
    return NewDocument(
        title=_text(cmd.title, f"{prefix}.title", max_chars=MAX_TITLE_CHARS, required=True),
        department=_text(cmd.department, f"{prefix}.department", max_chars=MAX_NAME_CHARS, required=True),
        category=_text(cmd.category, f"{prefix}.category", max_chars=MAX_NAME_CHARS, required=False),
        tags=_names(cmd.tags, f"{prefix}.tags", max_count=MAX_TAGS),
        visibility=validate_visibility(cmd.visibility, f"{prefix}.visibility"),
        file_name=file_name(cmd.file_name, f"{prefix}.file_name"),
    )


def document_id_of(value: str, field_name: str = "document_id") -> str:
    text = value.strip()
    if not text:
        raise InvalidArgument("must not be empty", field=field_name)
    if len(text) > 64:
        raise InvalidArgument("is not a document id", field=field_name)
    return text


def delete_reason(value: str) -> str:
    return _text(value, "reason", max_chars=MAX_REASON_CHARS, required=True)


def limited_chunks(chunks: Iterable[bytes], max_bytes: int, field_name: str = "chunk") -> Iterator[bytes]:
    """Pass chunks through, failing as soon as their total passes ``max_bytes``
    (before the chunk that passes it is handed on) or when there are none."""
    received = 0
    for chunk in chunks:
        received += len(chunk)
        if received > max_bytes:
            raise InvalidArgument(f"upload passes the limit of {max_bytes} bytes", field=field_name)
        yield chunk
    if received == 0:
        raise InvalidArgument("the file is empty", field=field_name)


def readable(document: Document | None, actor: Actor, document_id: str,
             field_name: str = "document_id") -> Document:
    """The document if it exists, is not deleted and the actor may read it; else NotFound."""
    if document is None or document.is_deleted or not document.readable_by(actor):
        raise NotFound(f"no document {document_id!r}", field=field_name)
    return document


def changeable(document: Document | None, actor: Actor, document_id: str,
               field_name: str = "document_id") -> Document:
    document = readable(document, actor, document_id, field_name)
    if not document.changeable_by(actor):
        raise PermissionDenied("only the owner or a document manager of its department may change it",
                               field=field_name)
    return document


def with_new_version(document: Document, number: int) -> Document:
    return replace(document, current_version=number)


def deleted(document: Document, *, by: str, reason: str, at: datetime) -> Document:
    return replace(document, deleted_at=at, deleted_by=by, delete_reason=reason)


def indexed_item(document: Document, version: Version, text: str) -> IndexedItem:
    """What search holds for a document: its current version's text, readable by its principals."""
    return IndexedItem(
        kind=ItemKind.DOCUMENT,
        item_id=document.document_id,
        title=document.title,
        body=text,
        visible_to=document.visible_to(),
        published_at=version.uploaded_at,
        department=document.department,
        category=document.category,
        author_id=document.owner_id,
        tags=document.tags,
    )


def index_key(document_id: str) -> str:
    """The key of a document in the index (as IndexedItem.key)."""
    return f"{ItemKind.DOCUMENT.value}:{document_id}"
