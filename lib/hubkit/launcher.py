"""`hub run`: the whole hub on one machine, on its embedded defaults.

Prepares the data directory, the broker, databases, topology and index; starts
three API servers, three workers and the outbox relay as child processes;
runs the demo; then keeps running until Ctrl-C or SIGTERM and stops every
child cleanly (SIGTERM, then SIGKILL after a grace period).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from hubkit.broker import ensure_broker
from hubkit.clients import health
from hubkit.config import SERVICES, Config
from hubkit.demo import run_demo
from hubkit.services import all_subscriptions, bootstrap
from hubkit.topology import consumer_counts, consumer_queues_of, declare
from hubkit.wiring import migrate_service

STOP_GRACE_SECONDS = 10.0


def jwt_secret(config: Config) -> str:
    """HUB_JWT_SECRET, or a secret generated once and kept in the data directory."""
    if config.is_set("HUB_JWT_SECRET"):
        return config.jwt_secret
    path = config.data_dir / "jwt-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def prepare(config: Config, out=print) -> None:
    """Everything that must exist before processes start; idempotent."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_broker(config.amqp_uri, log=out)
    for service in SERVICES:
        migrate_service(config, service)
    declare(config.amqp_uri, all_subscriptions(), SERVICES)
    prepare_index(config, out)


def prepare_index(config: Config, out=print) -> None:
    """Create the search index (or build it anew after an upgrade) before API servers open it."""
    bootstrap("search").prepare_index(config, out)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    log_path: Path | None = None


@dataclass
class Hub:
    config: Config
    env: dict
    children: list[Child] = field(default_factory=list)

    def start(self) -> None:
        logs = self.config.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        for service in SERVICES:
            self.children.append(Child(f"{service}-api", [python, "-m", "hubkit.cli", "api", service]))
        for service in SERVICES:
            self.children.append(Child(f"{service}-worker", [python, "-m", "hubkit.worker_main", service]))
        self.children.append(Child("relay", [python, "-m", "hubkit.cli", "relay"]))
        for child in self.children:
            child.log_path = logs / f"{child.name}.log"
            with open(child.log_path, "ab") as log_file:
                child.process = subprocess.Popen(child.argv, env=self.env, stdout=log_file,
                                                 stderr=subprocess.STDOUT, start_new_session=True)

    def dead(self) -> list[Child]:
        return [c for c in self.children if c.process and c.process.poll() is not None]

    def wait_ready(self, timeout: float = 60.0) -> list[str]:
        """Names of processes not ready after ``timeout`` (empty when all are)."""
        worker_queues = {s: consumer_queues_of(bootstrap(s).worker_class()) for s in SERVICES}
        deadline = time.monotonic() + timeout
        while True:
            waiting = [f"{s}-api" for s in SERVICES if health(self.config.grpc_addr(s), 1.0) != "SERVING"]
            counts = consumer_counts(self.config.amqp_uri, [q for qs in worker_queues.values() for q in qs])
            waiting += [f"{s}-worker" for s, qs in worker_queues.items() if not all(counts.get(q) for q in qs)]
            waiting += [f"{c.name} (exited)" for c in self.dead()]
            if not waiting or time.monotonic() > deadline or self.dead():
                return waiting
            time.sleep(0.2)

    def stop(self) -> None:
        for child in self.children:
            if child.process and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # The whole group: an API's sibling processes (HUB_GRPC_PROCESSES)
                # are in its group (each child leads a session of its own).
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()


def run(config: Config, *, once: bool, out=print) -> int:
    out(f"data directory  {config.data_dir}")
    prepare(config, out)
    secret = jwt_secret(config)
    env = dict(os.environ, HUB_DATA_DIR=str(config.data_dir), HUB_JWT_SECRET=secret,
               PYTHONUNBUFFERED="1")
    hub = Hub(config, env)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    hub.start()
    try:
        not_ready = hub.wait_ready()
        if not_ready:
            out(f"not ready: {', '.join(not_ready)}; logs in {config.data_dir / 'logs'}")
            return 1
        for service in SERVICES:
            out(f"{service:8} gRPC  {config.grpc_addr(service)}")
        out("demo:")
        ok = run_demo(config, secret, out=out)
        out("demo passed" if ok else "demo FAILED")
        if once:
            return 0 if ok else 1
        out(f"running; logs in {config.data_dir / 'logs'}; `hub status` to check; Ctrl-C to stop")
        while not stop.is_set():
            if hub.dead():
                out(f"stopped unexpectedly: {', '.join(c.name for c in hub.dead())}; see its log")
                return 1
            stop.wait(1.0)
        return 0
    finally:
        out("stopping every process ...")
        hub.stop()
        out("stopped")
