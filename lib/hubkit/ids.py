"""Identifiers of rows and events: 32 hex digits, ordered by creation time.

The layout is UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, the
version and variant bits, 74 random bits. Keys that grow with time are
inserted at the end of their B-tree indexes, where random ones (version 4)
landed on a random page each: every commit then wrote fewer distinct pages,
and a large table's index pages stay dense and cached. Ids made within one
millisecond are not ordered among themselves; nothing relies on that.
"""
from __future__ import annotations

import os
import time

_RAND_B_BITS = 62


def new_id() -> str:
    random = int.from_bytes(os.urandom(10), "big")  # 80 random bits, 74 of them used
    rand_a = random >> 68  # 12 bits
    rand_b = random & ((1 << _RAND_B_BITS) - 1)
    milliseconds = time.time_ns() // 1_000_000
    value = milliseconds << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << _RAND_B_BITS | rand_b
    return f"{value:032x}"
