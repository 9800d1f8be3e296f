"""Event consumption in nameko workers: typed, idempotent, never dropped.

``@hub_event_handler(source, event_type)`` is nameko's ``@event_handler`` with
three changes:

- the service method receives a decoded, typed ``Envelope``;
- a message that cannot be decoded (bad JSON, wrong content type, unknown
  type or schema version) is published to the service's dead-letter queue and
  acknowledged, instead of crashing the consumer;
- a handler that raises has its message dead-lettered with the error, instead
  of nameko's default of acknowledging and dropping it.

The message is acknowledged only after the handler returned, i.e. after the
handler's own commit; a worker killed mid-way leaves it unacked, RabbitMQ
redelivers it, and ``claim_event`` makes the second delivery a no-op.
"""
from __future__ import annotations

import logging
import traceback
from functools import partial

from kombu import Connection, Exchange

from nameko.events import EventHandler
from nameko.messaging import QueueConsumer

from hubkit.envelope import MalformedEvent, from_body
from hubkit.topology import DEAD_LETTER_EXCHANGE

log = logging.getLogger(__name__)


def dead_letter(amqp_uri: str, service: str, message, reason: str) -> None:
    """Publish the raw message to ``<service>.dead-letter`` with why and whence.

    A short-lived connection per dead letter: they are rare, and a long-lived
    publisher connection without heartbeats goes stale.
    """
    delivery = message.delivery_info or {}
    headers = dict(message.headers or {})
    headers.update({
        "x-hub-error": reason[:4000],
        "x-hub-original-exchange": delivery.get("exchange", ""),
        "x-hub-original-routing-key": delivery.get("routing_key", ""),
        "x-hub-consumer-queue": getattr(message, "_hub_queue", ""),
    })
    exchange = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer()
        producer.publish(
            message.body,
            exchange=exchange,
            routing_key=service,
            headers=headers,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary",
            delivery_mode=2,
            retry=True,
            retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5},
        )
    log.error("dead-lettered message from %s/%s to %s.dead-letter: %s",
              headers["x-hub-original-exchange"], headers["x-hub-original-routing-key"], service, reason)


class DeadLetteringQueueConsumer(QueueConsumer):
    """nameko's queue consumer, but undecodable bodies are dead-lettered."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._on_decode_error, provider)
        return consumers

    def _on_decode_error(self, provider, message, exc):
        provider.reject_undecodable(message, f"cannot decode body: {exc!r}")


class HubEventHandler(EventHandler):
    queue_consumer = DeadLetteringQueueConsumer()

    def _dead_letter_and_ack(self, message, reason: str) -> None:
        message._hub_queue = self.queue.name
        try:
            dead_letter(self.container.config["AMQP_URI"], self.container.service_name, message, reason)
        except Exception:  # broker trouble: leave it unacked so it comes back
            log.exception("could not dead-letter; requeueing")
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    def reject_undecodable(self, message, reason: str) -> None:
        self._dead_letter_and_ack(message, reason)

    def handle_message(self, body, message):
        try:
            envelope = from_body(body)
        except MalformedEvent as exc:
            self._dead_letter_and_ack(message, f"malformed event: {exc}")
            return
        super().handle_message(envelope, message)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return
        reason = "".join(traceback.format_exception(*exc_info)[-3:])
        self._dead_letter_and_ack(message, f"handler failed: {reason}")


hub_event_handler = HubEventHandler.decorator
