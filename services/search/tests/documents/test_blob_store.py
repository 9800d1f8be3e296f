"""Content-addressed file blobs: identical content once, nothing half-written."""
import hashlib

import pytest

from hubkit.errors import InvalidArgument
from search.adapters.blob_store import FileBlobStore
from search.domain.documents import limited_chunks


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_content_is_stored_under_its_sha256(tmp_path):
    store = FileBlobStore(tmp_path)
    data = "轧钢车间交接班记录".encode()
    blob = store.put(iter([data[:5], data[5:]]))
    digest = hashlib.sha256(data).hexdigest()
    assert (blob.sha256, blob.size_bytes) == (digest, len(data))
    assert files_under(tmp_path) == [f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"]
    with store.open(digest) as stream:
        assert stream.read() == data
    assert store.exists(digest) and not store.exists("0" * 64)


def test_identical_content_is_stored_once(tmp_path):
    store = FileBlobStore(tmp_path)
    first = store.put([b"same bytes"])
    second = store.put([b"same ", b"bytes"])
    assert first == second
    assert len(files_under(tmp_path)) == 1


def test_a_failed_stream_leaves_nothing_behind(tmp_path):
    store = FileBlobStore(tmp_path)
    with pytest.raises(InvalidArgument):
        store.put(limited_chunks(iter([b"x" * 6, b"y" * 6]), max_bytes=10))
    assert files_under(tmp_path) == []


def test_a_blob_appears_only_once_complete(tmp_path):
    store = FileBlobStore(tmp_path)
    seen = []

    def chunks():
        yield b"part one "
        seen.extend(files_under(tmp_path))  # mid-stream: only the temporary file
        yield b"part two"

    blob = store.put(chunks())
    assert all(name.startswith("tmp/") for name in seen) and seen
    assert files_under(tmp_path) == [store.path_of(blob.sha256).relative_to(tmp_path).as_posix()]


def test_ids_that_are_not_digests_are_refused(tmp_path):
    with pytest.raises(ValueError):
        FileBlobStore(tmp_path).open("../../etc/passwd")
