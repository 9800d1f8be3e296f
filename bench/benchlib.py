"""Small helpers shared by the benchmarks: percentiles, free ports, output lines."""
from __future__ import annotations

import math
import secrets
import socket
from contextlib import ExitStack

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of ``values`` (pct in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports on 127.0.0.1 that were free a moment ago."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def verdict(measured: float, target: float, *, higher_is_better: bool = False) -> str:
    met = measured >= target if higher_is_better else measured <= target
    return "met" if met else "MISSED"


def latency_line(label: str, millis: list[float], *, width: int = 28, pcts: tuple[int, ...] = (50, 95)) -> str:
    """``label  p50 .. ms  p95 .. ms  max .. ms  (n=..)`` for latencies in ms
    (``pcts`` chooses the percentiles shown)."""
    shown = "".join(f"p{pct} {percentile(millis, pct):8.1f} ms  " for pct in pcts)
    return f"{label:<{width}} {shown}max {max(millis, default=math.nan):8.1f} ms  (n={len(millis)})"


def throwaway_postgres_database(stack: ExitStack) -> str:
    """A new, empty PostgreSQL database, dropped when ``stack`` closes."""
    import psycopg
    name = f"hubbench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    stack.callback(drop)
    return f"postgresql://postgres@127.0.0.1:5432/{name}"
