"""The harness of the gRPC throughput benchmarks (ours against bare grpcio).

Servers run in processes of their own, as in production, so that no server
shares an interpreter lock with the load:
- ``HubApi``: the real ``hub api SERVICE`` with HUB_GRPC_PROCESSES processes;
- ``ChildServers``: ``target(address, ready, *args)`` (a bare grpcio server,
  say) in that many spawned processes sharing one address with SO_REUSEPORT.
``run_round`` drives one server from client threads of this process, each on
a connection of its own, and adds calls, latencies and the server processes'
CPU time to a ``Result``. Variants should take turns for several rounds so
that a change in the machine's load falls on all of them alike.
"""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from concurrent import futures
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

import grpc

from benchlib import free_ports, percentile
from hubkit.clients import health
from hubkit.config import Config
from hubkit.wiring import engine_for, migrate_service

# A connection per client thread, as from separate clients: channels to one
# target otherwise share a single connection, which one process would serve.
OWN_CONNECTION = [("grpc.use_local_subchannel_pool", 1)]


def process_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


class HubApi:
    """``hub api SERVICE`` in ``processes`` processes, on a migrated database."""

    def __init__(self, stack: ExitStack, service: str, processes: int, env: dict[str, str], *, threads: int = 8):
        env = dict(os.environ, **env, HUB_GRPC_PROCESSES=str(processes), HUB_GRPC_WORKERS=str(threads),
                   HUB_LOG_LEVEL="WARNING", **{f"{service.upper()}_GRPC_ADDR": f"127.0.0.1:{free_ports(1)[0]}"})
        self.config = Config(env)
        migrate_service(self.config, service)
        engine_for(self.config, service).dispose()
        self.process = subprocess.Popen([sys.executable, "-m", "hubkit.cli", "api", service], env=env)
        stack.callback(self.stop)
        self.address = self.config.grpc_addr(service)
        deadline = time.monotonic() + 60
        while health(self.address, 1.0) != "SERVING":
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"hub api {service} did not start")
            time.sleep(0.2)
        while len(children_of(self.process.pid)) < processes - 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0 if processes > 1 else 0)  # the siblings bind a moment after they start
        self.pids = [self.process.pid] + children_of(self.process.pid)
        if len(self.pids) != processes:
            raise RuntimeError(f"expected {processes} api processes, found {len(self.pids)}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


class ChildServers:
    """``target(address, ready, *args)`` in ``processes`` spawned processes;
    the target binds ``address`` with SO_REUSEPORT, puts its port on
    ``ready`` and serves until terminated."""

    def __init__(self, stack: ExitStack, processes: int, target, *args):
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        self.children = []
        address = "127.0.0.1:0"
        for _ in range(processes):
            child = context.Process(target=target, args=(address, ready, *args), daemon=True)
            child.start()
            self.children.append(child)
            address = f"127.0.0.1:{ready.get(timeout=60)}"
        stack.callback(self.stop)
        self.address, self.pids = address, [c.pid for c in self.children]

    def stop(self) -> None:
        for child in self.children:
            child.terminate()
            child.join(10)


def serve_bare(address: str, ready, add_servicer, threads: int = 8) -> None:
    """A plain grpcio server: ``add_servicer(server)`` adds what it answers."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=threads),
                         options=[("grpc.so_reuseport", 1)])
    add_servicer(server)
    ready.put(server.add_insecure_port(address))
    server.start()
    threading.Event().wait()  # until terminated


@dataclass
class Result:
    label: str
    calls: int = 0  # ended within measuring windows
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    all_calls: int = 0  # warm-ups included, for CPU per call
    server_cpu_seconds: float = 0.0
    rounds: int = 0

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def line(self, unit: str = "calls") -> str:
        cpu_ms = 1000 * self.server_cpu_seconds / self.all_calls
        return (f"{self.label:<32} {self.rate:8.0f} {unit}/s  p50 {percentile(self.latencies_ms, 50):6.2f} ms  "
                f"p95 {percentile(self.latencies_ms, 95):6.2f} ms  server CPU {cpu_ms:5.2f} ms/call  "
                f"({self.calls} calls, {self.rounds} rounds, {self.seconds:.1f} s)")


def run_round(server, client: Callable[[int, grpc.Channel], Callable[[], None]], result: Result, *,
              threads: int = 8, warmup: float = 0.5, seconds: float = 2.0) -> None:
    """``threads`` client threads call back to back for ``seconds`` after a
    warm-up; ``client(n, channel)`` gives thread n's one-call function."""
    start = time.monotonic() + warmup
    stop = start + seconds
    per_thread: list[list[float]] = [[] for _ in range(threads)]
    all_calls = [0] * threads
    failures: list[BaseException] = []

    def drive(n: int) -> None:
        with grpc.insecure_channel(server.address, options=OWN_CONNECTION) as channel:
            call = client(n, channel)
            try:
                while (began := time.monotonic()) < stop:
                    call()
                    ended = time.monotonic()
                    all_calls[n] += 1
                    if start <= ended < stop:
                        per_thread[n].append(1000 * (ended - began))
            except Exception as exc:  # noqa: BLE001 - reported below, for any thread
                failures.append(exc)

    cpu_before = process_cpu_seconds(server.pids)
    workers = [threading.Thread(target=drive, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise RuntimeError(f"{result.label}: {len(failures)} client thread(s) failed: {failures[0]!r}")
    result.server_cpu_seconds += process_cpu_seconds(server.pids) - cpu_before
    result.latencies_ms += [ms for latencies in per_thread for ms in latencies]
    result.calls = len(result.latencies_ms)
    result.all_calls += sum(all_calls)
    result.seconds += seconds
    result.rounds += 1
