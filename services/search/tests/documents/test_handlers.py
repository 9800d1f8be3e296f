"""Document use cases on SQLite and PostgreSQL, with the file blob store,
the real extractor and the embedded index."""
import pytest
import sqlalchemy as sa

from hubkit.auth import Caller
from hubkit.db import outbox
from hubkit.envelope import from_bytes
from hubkit.errors import InvalidArgument, NotFound, PermissionDenied
from hubkit.wiring import engine_for, migrate_service
from search import document_handlers as handlers
from search.adapters import document_events
from search.adapters.blob_store import FileBlobStore
from search.adapters.extraction import BoundedTextExtractor
from search.adapters.repository import SqlSearchUnitOfWork
from search.adapters.tantivy_index import TantivyIndex
from search.domain import documents as docs
from search.domain import sniffing
from search.domain.model import search_query

OWNER = Caller("u-wang", departments=("炼铁厂",), groups=("g-blast",))
MEMBER = Caller("u-zhao", groups=("g-blast",))
STRANGER = Caller("u-qian", departments=("炼钢厂",))
MANAGER = Caller("u-sun", departments=("炼铁厂",), roles=(docs.DOCUMENT_MANAGER_ROLE,))
LIMIT = 1 << 20


@pytest.fixture
def platform(hub_config, db_url, tmp_path):
    config = hub_config(SEARCH_DATABASE_URL=db_url)
    migrate_service(config, "search")
    engine = engine_for(config, "search")

    class Platform:
        blobs = FileBlobStore(tmp_path / "blobs")
        index = TantivyIndex(tmp_path / "index", writable=True)
        extractor = BoundedTextExtractor()

        @staticmethod
        def uow():
            return SqlSearchUnitOfWork(engine)

        @staticmethod
        def count(table):
            with engine.connect() as connection:
                return connection.exec_driver_sql(f"select count(*) from {table}").scalar()

        @staticmethod
        def events():
            with engine.connect() as connection:
                rows = connection.execute(sa.select(outbox.c.envelope).order_by(outbox.c.id)).all()
            return [from_bytes(row.envelope) for row in rows]

        def upload(self, data: bytes, *, caller=OWNER, file_name="高炉规程.docx", **metadata):
            fields = dict(title="高炉煤气安全管理规定", department="炼铁厂", category="规章制度", tags=("安全",),
                          visibility=docs.Visibility(group_ids=("g-blast",)), file_name=file_name)
            fields.update(metadata)
            return handlers.upload_document(docs.NewDocument(**fields), iter([data[:100], data[100:]]),
                                            caller=caller, uow=self.uow(), blobs=self.blobs,
                                            max_upload_bytes=LIMIT)

        def apply(self, envelope):
            if envelope.event_type == "document.deleted":
                return handlers.unindex_document(document_events.document_deleted(envelope),
                                                 event_id=envelope.event_id, consumer="test", uow=self.uow(),
                                                 index=self.index)
            return handlers.extract_and_index(document_events.version_added(envelope), event_id=envelope.event_id,
                                              consumer="test", uow=self.uow(), blobs=self.blobs,
                                              extractor=self.extractor, index=self.index)

        def search(self, text, caller=MEMBER):
            return [h.item_id for h in self.index.search(search_query(text, caller.principals(), page_size=10)).hits]

    return Platform()


def test_an_upload_stores_document_version_audit_and_event_together(platform, samples):
    document, version = platform.upload(samples.docx(), file_name="../说明.txt")
    assert (version.number, version.file_name, version.content_type) == (1, "说明.txt", sniffing.DOCX)
    assert version.extraction_status == docs.ExtractionStatus.PENDING
    got, current = handlers.get_document(document.document_id, caller=MEMBER, uow=platform.uow())
    assert got == document and current == version
    [event] = platform.events()
    assert (event.event_type, event.payload.document_id, event.payload.version, event.payload.sha256) == (
        "document.version_added", document.document_id, 1, version.sha256)
    with platform.uow() as uow:
        assert [e.action for e in uow.documents.audit_trail(document.document_id)] == ["uploaded"]


def test_a_stranger_cannot_see_that_the_document_exists(platform, samples):
    document, _ = platform.upload(samples.docx())
    for read in (lambda: handlers.get_document(document.document_id, caller=STRANGER, uow=platform.uow()),
                 lambda: handlers.list_versions(document.document_id, caller=STRANGER, uow=platform.uow()),
                 lambda: handlers.open_version(document.document_id, 0, caller=STRANGER, uow=platform.uow(),
                                               blobs=platform.blobs)):
        with pytest.raises(NotFound):
            read()


def test_passing_the_size_limit_stores_nothing(platform):
    with pytest.raises(InvalidArgument) as raised:
        handlers.upload_document(
            docs.NewDocument("大文件", "炼铁厂", "", (), docs.Visibility(everyone=True), "big.txt"),
            iter([b"a" * 600_000, b"b" * 600_000, b"never read"]), caller=OWNER, uow=platform.uow(),
            blobs=platform.blobs, max_upload_bytes=LIMIT)
    assert raised.value.field == "chunk"
    assert platform.count("documents") == platform.count("outbox") == 0
    assert not list((platform.blobs.root / "sha256").glob("**/*.*")) and not list(platform.blobs.root.rglob("upload-*"))


def test_bad_metadata_is_refused_before_reading_the_content(platform):
    def never():
        raise AssertionError("content was read")
        yield b""

    with pytest.raises(InvalidArgument) as raised:
        handlers.upload_document(docs.NewDocument("", "炼铁厂", "", (), docs.Visibility(everyone=True), "a.txt"),
                                 never(), caller=OWNER, uow=platform.uow(), blobs=platform.blobs,
                                 max_upload_bytes=LIMIT)
    assert raised.value.field == "metadata.title"


def test_new_versions_keep_the_history_and_identical_content_is_stored_once(platform, samples):
    document, first = platform.upload(samples.docx())
    _, second = handlers.upload_version(docs.NewVersion(document.document_id, "规程-修订.pdf"), iter([samples.pdf()]),
                                        caller=MANAGER, uow=platform.uow(), blobs=platform.blobs,
                                        max_upload_bytes=LIMIT)
    platform.upload(samples.docx(), title="副本")  # same bytes as version 1 of the first document
    assert (second.number, second.content_type, second.uploaded_by) == (2, sniffing.PDF, "u-sun")
    versions = handlers.list_versions(document.document_id, caller=MEMBER, uow=platform.uow())
    assert [(v.number, v.sha256) for v in versions] == [(1, first.sha256), (2, second.sha256)]
    assert len([p for p in (platform.blobs.root / "sha256").rglob("*") if p.is_file()]) == 2
    old, stream = handlers.open_version(document.document_id, 1, caller=MEMBER, uow=platform.uow(),
                                        blobs=platform.blobs)
    with stream:
        assert old == first and stream.read() == samples.docx()
    with platform.uow() as uow:
        assert [e.action for e in uow.documents.audit_trail(document.document_id)] == ["uploaded", "version_added"]


def test_readers_may_not_replace_a_document_and_nothing_is_stored(platform, samples):
    document, _ = platform.upload(samples.docx())
    with pytest.raises(PermissionDenied) as raised:
        handlers.upload_version(docs.NewVersion(document.document_id, "x.txt"), iter([b"tampered"]),
                                caller=MEMBER, uow=platform.uow(), blobs=platform.blobs, max_upload_bytes=LIMIT)
    assert raised.value.field == "metadata.document_id"
    assert platform.count("document_versions") == 1 and platform.count("outbox") == 1


def test_soft_delete_needs_a_reason_hides_the_document_and_is_audited(platform, samples):
    document, _ = platform.upload(samples.docx())
    with pytest.raises(InvalidArgument) as raised:
        handlers.delete_document(docs.DeleteDocument(document.document_id, " "), caller=OWNER, uow=platform.uow())
    assert raised.value.field == "reason"
    with pytest.raises(PermissionDenied):
        handlers.delete_document(docs.DeleteDocument(document.document_id, "过期"), caller=MEMBER, uow=platform.uow())
    handlers.delete_document(docs.DeleteDocument(document.document_id, "已被新规程替代"), caller=OWNER,
                             uow=platform.uow())
    with pytest.raises(NotFound):
        handlers.get_document(document.document_id, caller=OWNER, uow=platform.uow())
    with platform.uow() as uow:
        trail = uow.documents.audit_trail(document.document_id)
        assert [(e.action, e.actor_id, e.detail) for e in trail][-1] == ("deleted", "u-wang", {"reason": "已被新规程替代"})
        assert uow.documents.get(document.document_id).delete_reason == "已被新规程替代"  # the row stays
    assert [e.event_type for e in platform.events()] == ["document.version_added", "document.deleted"]


def test_the_worker_side_extracts_indexes_and_unindexes(platform, samples):
    document, _ = platform.upload(samples.docx())
    [added] = platform.events()
    assert platform.apply(added) is True
    assert platform.apply(added) is False  # a redelivery has no second effect
    assert platform.search("中毒事故") == [document.document_id]
    assert platform.search("双人监护") == [document.document_id]  # traditional text, simplified query
    assert platform.search("中毒事故", caller=STRANGER) == []
    _, version = handlers.get_document(document.document_id, caller=OWNER, uow=platform.uow())
    assert version.extraction_status == docs.ExtractionStatus.EXTRACTED and version.extracted_chars > 50
    with platform.uow() as uow:
        [item] = list(uow.documents.live_items())
    assert item.key == f"document:{document.document_id}" and "防止中毒事故" in item.body
    # A rebuilt index holds the document again, from the stored text (no re-extraction).
    from search.handlers import rebuild_index
    assert rebuild_index(uow=platform.uow(), index=platform.index) == 1
    assert platform.search("中毒事故") == [document.document_id]
    assert item.visible_to == ("group:g-blast", "user:u-wang") and item.tags == ("安全",)

    handlers.delete_document(docs.DeleteDocument(document.document_id, "作废"), caller=OWNER, uow=platform.uow())
    platform.apply(platform.events()[-1])
    assert platform.search("中毒事故") == []
    with platform.uow() as uow:
        assert list(uow.documents.live_items()) == []


def test_only_the_current_version_is_searchable(platform, samples):
    document, _ = platform.upload(samples.docx())
    handlers.upload_version(docs.NewVersion(document.document_id, "v2.md"), iter([samples.markdown()]),
                            caller=OWNER, uow=platform.uow(), blobs=platform.blobs, max_upload_bytes=LIMIT)
    first, second = platform.events()
    platform.apply(second)
    platform.apply(first)  # late delivery of the older version's event
    assert platform.search("应急演练") == [document.document_id]
    assert platform.search("中毒事故") == []
    versions = handlers.list_versions(document.document_id, caller=OWNER, uow=platform.uow())
    assert [v.extraction_status for v in versions] == [docs.ExtractionStatus.EXTRACTED] * 2


def test_a_file_that_cannot_be_parsed_is_recorded_stays_downloadable_and_findable_by_title(platform, samples):
    broken = samples.ooxml_zip("word/document.xml")  # looks like a DOCX, holds no valid XML
    document, _ = platform.upload(broken, title="损坏的交接班记录")
    platform.apply(platform.events()[0])
    _, version = handlers.get_document(document.document_id, caller=OWNER, uow=platform.uow())
    assert version.content_type == sniffing.DOCX
    assert version.extraction_status == docs.ExtractionStatus.FAILED and "cannot parse" in version.extraction_error
    _, stream = handlers.open_version(document.document_id, 0, caller=MEMBER, uow=platform.uow(),
                                      blobs=platform.blobs)
    with stream:
        assert stream.read() == broken
    assert platform.search("交接班") == [document.document_id]
