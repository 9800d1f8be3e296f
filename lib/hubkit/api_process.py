"""Running a service's gRPC API: in one process, or in several that share its
address (HUB_GRPC_PROCESSES), so that one API uses more than one core — a
Python process serves calls one at a time under its interpreter lock."""
from __future__ import annotations

import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial

from hubkit.config import Config
from hubkit.db import wal_checkpointing
from hubkit.grpc_server import ApiServer
from hubkit.wiring import engine_for

log = logging.getLogger(__name__)


def api_server(config: Config, service: str, *, share_port: bool = False, address: str | None = None) -> ApiServer:
    """The service's API server as configured (``address``: instead of its
    configured one, "127.0.0.1:0" in tests)."""
    from hubkit.services import bootstrap
    wiring = bootstrap(service)
    return ApiServer(address=address or config.grpc_addr(service), jwt_secret=config.jwt_secret,
                     workers=config.integer("HUB_GRPC_WORKERS"), register=partial(wiring.register_api, config),
                     share_port=share_port, inline=wiring.api_serves_inline(config))


def freeze_long_lived_objects() -> None:
    """Leave what the process holds from start-up on (modules, protobuf
    descriptors, the wired service) out of the garbage collector's full
    passes: walking it took about 40 ms in the notice API, and a pass comes
    every few dozen calls that allocate a lot (statistics of a notice to
    thousands), landing on whichever call runs (bench/inbox_stats.py)."""
    gc.collect()
    gc.freeze()


def api_processes(config: Config, service: str) -> int:
    """How many processes serve the service's API: HUB_GRPC_PROCESSES, or
    with ``auto`` what the service's wiring chooses for this machine."""
    if config.raw("HUB_GRPC_PROCESSES").strip().lower() == "auto":
        from hubkit.services import bootstrap
        return bootstrap(service).api_processes_by_default()
    return config.integer("HUB_GRPC_PROCESSES")


def serve(config: Config, service: str, *, share_port: bool = False) -> None:
    """Serve until SIGTERM/SIGINT. With more than one process (see
    api_processes) this one starts the others (``hub api SERVICE
    --share-port``), serves alongside them, and passes the stop signal on to
    them; they stop by themselves if it dies without passing it."""
    processes = api_processes(config, service)
    with wal_checkpointing(engine_for(config, service)):
        if share_port or processes == 1:
            server = api_server(config, service, share_port=share_port)
            freeze_long_lived_objects()
            if share_port and _PARENT_PID in os.environ:
                _stop_when_parent_dies(int(os.environ[_PARENT_PID]))
            server.serve_until_signalled()
        else:
            _serve_with_siblings(config, service, processes)


# Set for the processes a first one starts: who started them.
_PARENT_PID = "HUB_API_PARENT_PID"


def _stop_when_parent_dies(parent: int) -> None:
    """SIGTERM to this process once the process that started it is gone
    (killed without passing the stop on): a sibling left behind would go on
    answering on the shared port beside the next ``hub run``."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        log.warning("the api process that started this one (%d) is gone; stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _serve_with_siblings(config: Config, service: str, processes: int) -> None:
    server = api_server(config, service, share_port=True)  # binds first: a taken port fails here
    freeze_long_lived_objects()
    command = [sys.executable, "-m", "hubkit.cli", "api", service, "--share-port"]
    env = dict(os.environ, **{_PARENT_PID: str(os.getpid())})
    siblings = [subprocess.Popen(command, env=env) for _ in range(processes - 1)]
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    server.start()
    log.info("serving %s on %s in %d processes", ", ".join(server.service_names), server.address, processes)
    try:
        while not stopping.wait(1.0):
            for sibling in siblings:
                if sibling.poll() is not None:
                    log.error("api process %d exited with %s; stopping", sibling.pid, sibling.returncode)
                    stopping.set()
    finally:
        for sibling in siblings:
            if sibling.poll() is None:
                sibling.send_signal(signal.SIGTERM)
        server.stop()
        for sibling in siblings:
            try:
                sibling.wait(15)
            except subprocess.TimeoutExpired:
                sibling.kill()
