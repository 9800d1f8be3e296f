"""What the embedded index's hits show, kept beside it in append-only files.

Each indexed document carries a pointer (a fast field) to its record here:
the generation of the log file in its high bits, the record's offset in its
low POINTER_OFFSET_BITS; a record is its length (4 bytes) and its bytes.

Why not tantivy's document store: every read from it is a call that releases
the interpreter lock, and ten reads per page handed the lock to the API
server's other threads ten times (each a switch of threads), besides
decompressing a block per hit. Searchers read the records from memory maps
instead, holding the lock, for the cost of a slice.

- One writer at a time (the holder of tantivy's writer lock; its calls one
  at a time, which the index ensures) appends to the newest generation and makes the records durable (``sync``) before the index
  commits pointers to them, so a committed pointer never points past what is
  on disk. Records of an index write that never commits stay unread.
- A rebuild writes a new generation. The generation before it stays for
  searchers still on the previous commit; older ones are removed.
- Records of replaced and deleted items stay until the next rebuild
  (``hub search rebuild``), which writes only the live ones.
- Searchers map a generation's file when they first need it and map it anew
  when a record lies past the end they mapped (the writer appended since).
"""
from __future__ import annotations

import mmap
import os
import re
import struct
import threading
from pathlib import Path

POINTER_OFFSET_BITS = 40  # 1 TiB per generation
_OFFSET_MASK = (1 << POINTER_OFFSET_BITS) - 1
_LENGTH = struct.Struct("<I")
_FILE = re.compile(r"shown-(\d{6})\.log")


class ShownLogDamaged(RuntimeError):
    """A committed pointer lies past the end of its log file."""


def _path(directory: Path, generation: int) -> Path:
    return directory / f"shown-{generation:06d}.log"


def generations(directory: Path) -> list[int]:
    """The generations whose files are in ``directory``, oldest first."""
    return sorted(int(m.group(1)) for name in os.listdir(directory) if (m := _FILE.fullmatch(name)))


class ShownLogWriter:
    def __init__(self, directory: Path):
        self.directory = directory
        self.generation = max(generations(directory), default=1)
        self._file = open(_path(directory, self.generation), "ab")
        self._previous: tuple[int, object] | None = None  # (generation, file) while a new one is written

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
        ``drop_generation``."""
        self._previous = (self.generation, self._file)
        self.generation += 1
        self._file = open(_path(self.directory, self.generation), "wb")

    def keep_generation(self) -> None:
        """The index committed pointers into the new generation: generations
        before the previous one are no longer read."""
        _, previous = self._previous
        previous.close()
        self._previous = None
        for generation in generations(self.directory):
            if generation < self.generation - 1:
                _path(self.directory, generation).unlink(missing_ok=True)

    def drop_generation(self) -> None:
        """The index committed nothing of the new generation: back to the one before."""
        self._file.close()
        _path(self.directory, self.generation).unlink(missing_ok=True)
        self.generation, self._file = self._previous
        self._previous = None

    def close(self) -> None:
        self._file.close()


class ShownLogReader:
    def __init__(self, directory: Path):
        self.directory = directory
        self._maps: dict[int, mmap.mmap] = {}
        self._lock = threading.Lock()

    def read(self, pointer: int) -> bytes:
        generation, offset = pointer >> POINTER_OFFSET_BITS, pointer & _OFFSET_MASK
        mapped = self._maps.get(generation)
        if mapped is None or offset + _LENGTH.size > len(mapped):
            mapped = self._map(generation, offset + _LENGTH.size)
        start = offset + _LENGTH.size
        end = start + _LENGTH.unpack_from(mapped, offset)[0]
        if end > len(mapped):
            mapped = self._map(generation, end)
        return mapped[start:end]

    def _map(self, generation: int, needed: int) -> mmap.mmap:
        # A map replaced here is left to the garbage collector, not closed:
        # another thread may be reading from it.
        with self._lock:
            mapped = self._maps.get(generation)
            if mapped is None or len(mapped) < needed:
                with open(_path(self.directory, generation), "rb") as file:
                    size = os.fstat(file.fileno()).st_size
                    if size < needed:
                        raise ShownLogDamaged(f"the shown log {_path(self.directory, generation)} ends at {size}, "
                                          f"before a committed record; `hub search rebuild` writes it anew")
                    mapped = self._maps[generation] = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            return mapped
