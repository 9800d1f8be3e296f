"""Document rules: file names, metadata, visibility, permissions, the size limit."""
from datetime import datetime, timezone

import pytest

from hubkit.errors import InvalidArgument, NotFound, PermissionDenied
from search.domain import documents as docs

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("given, stored", [
    ("安全规程.docx", "安全规程.docx"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\王工\\检修计划.xlsx", "检修计划.xlsx"),
    (".bashrc", "bashrc"),
    ("...", ""),
    ("bad\x00name\x1f.pdf", "badname.pdf"),
    ("right\u202etxt.exe", "righttxt.exe"),  # no bidi override tricks
    ('a<b>c:"d|e?f*.txt', "a_b_c__d_e_f_.txt"),
    ("  报告. ", "报告"),
])
def test_file_names_are_sanitised(given, stored):
    assert docs.sanitise_file_name(given) == stored


def test_long_file_names_keep_their_extension():
    name = docs.sanitise_file_name("长" * 300 + ".pdf")
    assert len(name) == docs.MAX_FILE_NAME_CHARS and name.endswith("长.pdf")


def new_document(**changes) -> docs.NewDocument:
    fields = dict(title=" 炼钢厂安全规程 ", department="炼钢厂", category="规章制度", tags=("安全", "安全", "规程"),
                  visibility=docs.Visibility(departments=("炼钢厂",)), file_name="规程.docx")
    fields.update(changes)
    return docs.NewDocument(**fields)


def test_valid_metadata_is_trimmed_and_deduplicated():
    checked = docs.validate_new_document(new_document())
    assert checked.title == "炼钢厂安全规程" and checked.tags == ("安全", "规程")


@pytest.mark.parametrize("changes, field", [
    ({"title": "  "}, "metadata.title"),
    ({"title": "长" * 201}, "metadata.title"),
    ({"department": ""}, "metadata.department"),
    ({"tags": ("安全", "")}, "metadata.tags[1]"),
    ({"tags": tuple(f"t{i}" for i in range(21))}, "metadata.tags"),
    ({"visibility": docs.Visibility()}, "metadata.visibility"),
    ({"visibility": docs.Visibility(everyone=True, group_ids=("g1",))}, "metadata.visibility"),
    ({"visibility": docs.Visibility(user_ids=("u1", "u 2"))}, "metadata.visibility.user_ids[1]"),
    ({"file_name": "../.."}, "metadata.file_name"),
    ({"category": "x\ny"}, "metadata.category"),
])
def test_bad_metadata_names_the_field(changes, field):
    with pytest.raises(InvalidArgument) as raised:
        docs.validate_new_document(new_document(**changes))
    assert raised.value.field == field


def test_visibility_becomes_the_principals_search_uses():
    shared = docs.Visibility(departments=("设备科",), group_ids=("g-7",), user_ids=("u-li",))
    assert shared.principals() == ("dept:设备科", "group:g-7", "user:u-li")
    assert docs.Visibility(everyone=True).principals() == ("everyone",)


def document(**changes) -> docs.Document:
    fields = dict(document_id="d1", title="规程", department="炼钢厂", category="", tags=(),
                  visibility=docs.Visibility(group_ids=("g-furnace",)), owner_id="u-owner", created_at=NOW)
    fields.update(changes)
    return docs.Document(**fields)


def actor(user_id, *, principals=(), departments=(), roles=(), system=False):
    return docs.Actor(user_id, ("everyone", f"user:{user_id}") + principals, departments, roles, system)


def test_readers_are_the_owner_and_holders_of_a_shared_principal():
    doc = document()
    assert doc.visible_to() == ("group:g-furnace", "user:u-owner")
    assert doc.readable_by(actor("u-owner"))
    assert doc.readable_by(actor("u-member", principals=("group:g-furnace",)))
    assert not doc.readable_by(actor("u-stranger", principals=("group:g-other",)))
    assert doc.readable_by(actor("svc", system=True))
    with pytest.raises(NotFound):
        docs.readable(doc, actor("u-stranger"), "d1")
    with pytest.raises(NotFound):  # deleted documents are gone for everyone
        docs.readable(docs.deleted(doc, by="u-owner", reason="过期", at=NOW), actor("u-owner"), "d1")


def test_changers_are_the_owner_and_department_document_managers():
    doc = document()
    reader = actor("u-member", principals=("group:g-furnace",))
    with pytest.raises(PermissionDenied):
        docs.changeable(doc, reader, "d1")
    manager = actor("u-mgr", principals=("group:g-furnace",), departments=("炼钢厂",),
                    roles=(docs.DOCUMENT_MANAGER_ROLE,))
    assert docs.changeable(doc, manager, "d1") is doc
    other_manager = actor("u-mgr2", principals=("group:g-furnace",), departments=("炼铁厂",),
                          roles=(docs.DOCUMENT_MANAGER_ROLE,))
    assert not doc.changeable_by(other_manager)
    assert doc.changeable_by(actor("u-owner"))


def test_the_size_limit_fails_on_the_chunk_that_passes_it():
    passed = []
    with pytest.raises(InvalidArgument) as raised:
        for chunk in docs.limited_chunks(iter([b"a" * 4, b"b" * 4, b"c" * 4]), max_bytes=10):
            passed.append(chunk)
    assert raised.value.field == "chunk" and passed == [b"a" * 4, b"b" * 4]
    assert list(docs.limited_chunks(iter([b"a" * 10]), max_bytes=10)) == [b"a" * 10]


def test_an_empty_upload_is_refused():
    with pytest.raises(InvalidArgument) as raised:
        list(docs.limited_chunks(iter([b""]), max_bytes=10))
    assert raised.value.field == "chunk"


def test_the_indexed_item_carries_metadata_and_the_current_text():
    doc = document(tags=("安全",), category="规章制度")
    version = docs.Version("d1", 2, "规程.docx", "text/plain", 10, "0" * 64, "u-owner", NOW)
    item = docs.indexed_item(doc, version, "正文")
    assert (item.key, item.body, item.visible_to, item.department, item.author_id, item.tags, item.published_at) == (
        "document:d1", "正文", ("group:g-furnace", "user:u-owner"), "炼钢厂", "u-owner", ("安全",), NOW)
    assert docs.index_key("d1") == item.key
