"""What `hub status` reports: API health, workers consuming, outbox backlog."""
from __future__ import annotations

from datetime import datetime, timezone

from hubkit.clients import health
from hubkit.config import SERVICES, Config
from hubkit.relay import backlog
from hubkit.services import bootstrap
from hubkit.topology import consumer_counts, consumer_queues_of
from hubkit.wiring import engine_for


def api_health(config: Config) -> dict[str, str]:
    return {service: health(config.grpc_addr(service)) for service in SERVICES}


def worker_health(config: Config) -> dict[str, str]:
    result = {}
    for service in SERVICES:
        queues = consumer_queues_of(bootstrap(service).worker_class())
        try:
            counts = consumer_counts(config.amqp_uri, queues)
        except Exception as exc:  # broker down: say so, do not crash the report
            result[service] = f"unknown (broker: {exc.__class__.__name__})"
            continue
        idle = [q for q, n in counts.items() if not n]
        result[service] = "consuming" if not idle else f"not consuming {', '.join(idle)}"
    return result


def outbox_backlog(config: Config) -> dict[str, str]:
    result = {}
    now = datetime.now(timezone.utc)
    for service in SERVICES:
        try:
            count, oldest = backlog(engine_for(config, service))
        except Exception as exc:
            result[service] = f"unknown ({exc.__class__.__name__})"
            continue
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=timezone.utc)
        age = f", oldest {(now - oldest).total_seconds():.1f}s old" if count else ""
        result[service] = f"{count} unsent{age}"
    return result


def report(config: Config) -> tuple[bool, list[str]]:
    apis, workers, outboxes = api_health(config), worker_health(config), outbox_backlog(config)
    lines = []
    healthy = True
    for service in SERVICES:
        ok = apis[service] == "SERVING" and workers[service] == "consuming"
        healthy &= ok
        lines.append(f"{service:8} api {config.grpc_addr(service)} {apis[service]:12} "
                     f"worker {workers[service]:12} outbox {outboxes[service]}")
    return healthy, lines
