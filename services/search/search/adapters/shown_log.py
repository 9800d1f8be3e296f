"""What the embedded index's hits show, kept beside it in append-only files.

Each indexed document carries a pointer (a fast field) to its record here:
the generation of the log file in its high bits, the record's offset in its
low POINTER_OFFSET_BITS; a record is its length (4 bytes) and its bytes.

Why not tantivy's document store: every read from it is a call that releases
the interpreter lock, and ten reads per page handed the lock to the API
server's other threads ten times (each a switch of threads), besides
decompressing a block per hit. Searchers read the records from memory maps
instead, holding the lock, for the cost of a slice.

- One writer at a time appends (it holds an exclusive lock on shown.lock for
  its lifetime, besides tantivy's writer lock; the index serialises its
  calls). It makes the records durable (``sync``) before the index commits
  pointers to them, so a committed pointer never points past what is on disk.
  Records of an index write that never commits stay unread.
- A rebuild writes a new generation. Generation numbers are never reused,
  and no generation is removed because a rebuild failed (its commit may have
  landed all the same); after a rebuild, only the generations the index
  referenced before it (searchers may still be on that commit) and the new
  one are kept.
- Records of replaced and deleted items stay until the next rebuild
  (``hub search rebuild``), which writes only the live ones.
- Searchers map a generation's file when they first need it, map it anew
  when a record lies past the end they mapped (the writer appended since),
  and let go of generations two or more older than the newest they mapped.
"""
from __future__ import annotations

import fcntl
import mmap
import os
import re
import struct
import threading
from pathlib import Path
from typing import BinaryIO, Iterable

POINTER_OFFSET_BITS = 40  # 1 TiB per generation
_OFFSET_MASK = (1 << POINTER_OFFSET_BITS) - 1
_LENGTH = struct.Struct("<I")
_FILE = re.compile(r"shown-(\d{6})\.log")


class ShownLogDamaged(RuntimeError):
    """A committed pointer leads to no record: its file or its end is missing."""


def generation_of(pointer: int) -> int:
    return pointer >> POINTER_OFFSET_BITS


def _path(directory: Path, generation: int) -> Path:
    return directory / f"shown-{generation:06d}.log"


def generations(directory: Path) -> list[int]:
    """The generations whose files are in ``directory``, oldest first."""
    return sorted(int(m.group(1)) for name in os.listdir(directory) if (m := _FILE.fullmatch(name)))


def _sync_directory(directory: Path) -> None:
    """A new file's name is durable only once its directory is synced."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class ShownLogWriter:
    def __init__(self, directory: Path):
        """Raises BlockingIOError if another writer has the log."""
        self.directory = directory
        self._lock_file = open(directory / "shown.lock", "ab")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.generation = max(generations(directory), default=1)
            self._file = self._open(self.generation, "ab")
        except BaseException:
            self._lock_file.close()
            raise
        self._before_rebuild: tuple[int, BinaryIO] | None = None

    def _open(self, generation: int, mode: str) -> BinaryIO:
        path = _path(self.directory, generation)
        created = not path.exists()
        file = open(path, mode)
        if created:
            _sync_directory(self.directory)
        return file

    def append(self, record: bytes) -> int:
        """The pointer of ``record``, appended (durable after ``sync``)."""
        offset = self._file.tell()
        if offset > _OFFSET_MASK:
            raise OverflowError("the shown log's generation is full: `hub search rebuild` starts a new one")
        self._file.write(_LENGTH.pack(len(record)))
        self._file.write(record)
        return self.generation << POINTER_OFFSET_BITS | offset

    def sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def start_generation(self) -> None:
        """Appends go to a new generation until ``keep_generation`` or
        ``abandon_generation``."""
        self.sync()  # what was appended before is committed with the rebuild's commit, if at all
        generation = max([self.generation, *generations(self.directory)]) + 1
        file = self._open(generation, "wb")
        self._before_rebuild = (self.generation, self._file)
        self.generation, self._file = generation, file

    def keep_generation(self, referenced_before: Iterable[int]) -> None:
        """The index committed the rebuild: removes every generation but the
        new one and those the index referenced before it."""
        _, file = self._before_rebuild
        file.close()
        self._before_rebuild = None
        kept = {self.generation, *referenced_before}
        for generation in generations(self.directory):
            if generation not in kept:
                _path(self.directory, generation).unlink(missing_ok=True)

    def abandon_generation(self) -> None:
        """The rebuild failed: appends go on in the generation before. Its new
        file stays (the failure may have come after its commit landed)."""
        self._file.close()
        self.generation, self._file = self._before_rebuild
        self._before_rebuild = None

    def close(self) -> None:
        """Flushes, then lets another writer have the log."""
        self._file.close()
        self._lock_file.close()  # releases the lock


class ShownLogReader:
    def __init__(self, directory: Path):
        self.directory = directory
        self._maps: dict[int, mmap.mmap] = {}
        self._lock = threading.Lock()

    def read(self, pointer: int) -> bytes:
        generation, offset = generation_of(pointer), pointer & _OFFSET_MASK
        mapped = self._maps.get(generation)
        if mapped is None or offset + _LENGTH.size > len(mapped):
            mapped = self._map(generation, offset + _LENGTH.size)
        start = offset + _LENGTH.size
        end = start + _LENGTH.unpack_from(mapped, offset)[0]
        if end > len(mapped):
            mapped = self._map(generation, end)
        return mapped[start:end]

    def _map(self, generation: int, needed: int) -> mmap.mmap:
        # A map replaced or let go of here is left to the garbage collector,
        # not closed: another thread may be reading from it.
        path = _path(self.directory, generation)
        with self._lock:
            mapped = self._maps.get(generation)
            if mapped is None or len(mapped) < needed:
                try:
                    file = open(path, "rb")
                except FileNotFoundError:
                    raise ShownLogDamaged(f"the shown log {path} is missing; `hub search rebuild` writes the "
                                          "index anew") from None
                with file:
                    size = os.fstat(file.fileno()).st_size
                    if size < needed:
                        raise ShownLogDamaged(f"the shown log {path} ends at {size}, before a committed record; "
                                              "`hub search rebuild` writes the index anew")
                    mapped = self._maps[generation] = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                if generation == max(self._maps):  # the files of older rebuilds are removed by now
                    for older in [g for g in self._maps if g < generation - 1]:
                        del self._maps[older]
            return mapped
