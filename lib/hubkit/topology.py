"""RabbitMQ topology: event exchanges, consumer queues, dead-letter queues.

nameko declares a handler's queue only when its worker starts, and publishes
without ``mandatory``: an event sent before that is silently lost. So the
queues are declared up front, with exactly the names and flags nameko uses,
derived from the ``@event_handler`` entrypoints of the worker classes (one
source of truth). The relay also publishes with ``mandatory`` and keeps
unroutable events in the outbox.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pika
import pika.exceptions

DEAD_LETTER_EXCHANGE = "hub.dead-letter"


def event_exchange(service: str) -> str:
    return f"{service}.events"


def dead_letter_queue(service: str) -> str:
    return f"{service}.dead-letter"


@dataclass(frozen=True)
class Subscription:
    source_service: str
    event_type: str
    consumer_service: str
    method_name: str

    @property
    def queue(self) -> str:
        # nameko's SERVICE_POOL queue name (nameko/events.py, EventHandler.setup)
        return f"evt-{self.source_service}-{self.event_type}--{self.consumer_service}.{self.method_name}"


def subscriptions_of(worker_cls) -> list[Subscription]:
    """The event subscriptions a nameko service class declares."""
    # Imported here: nameko pulls in eventlet, which stays out of API servers.
    from nameko.events import EventHandler
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

    found = []
    for method_name in dir(worker_cls):
        method = getattr(worker_cls, method_name, None)
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, EventHandler):
                found.append(Subscription(entrypoint.source_service, entrypoint.event_type,
                                          worker_cls.name, method_name))
    return sorted(found, key=lambda s: s.queue)


def consumer_queues_of(worker_cls) -> list[str]:
    """Queues a running worker of this class consumes from (events and RPC)."""
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
    from nameko.rpc import Rpc

    has_rpc = any(isinstance(entrypoint, Rpc)
                  for name in dir(worker_cls)
                  for entrypoint in getattr(getattr(worker_cls, name, None), ENTRYPOINT_EXTENSIONS_ATTR, ()))
    rpc_queue = [f"rpc-{worker_cls.name}"] if has_rpc else []
    return [s.queue for s in subscriptions_of(worker_cls)] + rpc_queue


def consumer_counts(amqp_uri: str, queues: Iterable[str]) -> dict[str, int | None]:
    """Consumers attached to each queue; None where the queue does not exist."""
    counts: dict[str, int | None] = {}
    connection = pika.BlockingConnection(connection_parameters(amqp_uri))
    try:
        for queue in queues:
            channel = connection.channel()
            try:
                counts[queue] = channel.queue_declare(queue, passive=True).method.consumer_count
                channel.close()
            except pika.exceptions.ChannelClosedByBroker:
                counts[queue] = None
    finally:
        connection.close()
    return counts


def connection_parameters(amqp_uri: str, *, heartbeat: int = 30) -> pika.URLParameters:
    params = pika.URLParameters(amqp_uri)
    params.heartbeat = heartbeat
    params.blocked_connection_timeout = 30
    params.socket_timeout = 5
    params.connection_attempts = 1
    return params


def declare_on(channel, subscriptions: Iterable[Subscription], services: Iterable[str]) -> None:
    """Declare exchanges, consumer queues and dead-letter queues on a channel."""
    channel.exchange_declare(DEAD_LETTER_EXCHANGE, exchange_type="direct", durable=True)
    for service in services:
        channel.exchange_declare(event_exchange(service), exchange_type="topic", durable=True)
        channel.queue_declare(dead_letter_queue(service), durable=True)
        channel.queue_bind(dead_letter_queue(service), DEAD_LETTER_EXCHANGE, routing_key=service)
    for sub in subscriptions:
        channel.exchange_declare(event_exchange(sub.source_service), exchange_type="topic", durable=True)
        channel.queue_declare(sub.queue, durable=True)
        channel.queue_bind(sub.queue, event_exchange(sub.source_service), routing_key=sub.event_type)


def declare(amqp_uri: str, subscriptions: Iterable[Subscription], services: Iterable[str]) -> None:
    connection = pika.BlockingConnection(connection_parameters(amqp_uri))
    try:
        declare_on(connection.channel(), subscriptions, services)
    finally:
        connection.close()
