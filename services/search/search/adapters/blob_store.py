"""Content-addressed files: {root}/sha256/ab/cd/abcd… (the full hex SHA-256).

A blob is written to a temporary file in {root}/tmp (same file system),
flushed to disk, then renamed into place: a reader never sees half a file,
and a crash leaves at most a stray temporary file. Identical content maps to
the same name and is kept once; a concurrent twin's rename replaces it with
the same bytes.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterable

from search.ports import BlobStore, StoredBlob

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class FileBlobStore(BlobStore):
    def __init__(self, root: Path):
        self.root = Path(root)
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path_of(self, sha256: str) -> Path:
        if not _SHA256_HEX.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def put(self, chunks: Iterable[bytes]) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0
        handle, temp_name = tempfile.mkstemp(dir=self._tmp, prefix="upload-")
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path_of(sha256)
            if final.exists():
                temp.unlink()  # stored already: keep one copy
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, final)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return StoredBlob(sha256=sha256, size_bytes=size)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_of(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()
