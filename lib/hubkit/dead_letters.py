"""Inspecting and replaying a service's dead-letter queue."""
from __future__ import annotations

import pika

from hubkit.topology import connection_parameters, dead_letter_queue


def peek(amqp_uri: str, service: str, limit: int = 20) -> list[dict]:
    """Up to ``limit`` dead letters, left in the queue."""
    connection = pika.BlockingConnection(connection_parameters(amqp_uri))
    letters = []
    try:
        channel = connection.channel()
        for _ in range(limit):
            method, properties, body = channel.basic_get(dead_letter_queue(service), auto_ack=False)
            if method is None:
                break
            headers = properties.headers or {}
            letters.append({
                "consumer_queue": headers.get("x-hub-consumer-queue", ""),
                "routing_key": headers.get("x-hub-original-routing-key", ""),
                "error": headers.get("x-hub-error", ""),
                "body": body[:500].decode("utf-8", "replace"),
            })
        # Closing the channel returns every unacked message to the queue.
        channel.close()
    finally:
        connection.close()
    return letters


def replay(amqp_uri: str, service: str, limit: int = 1000) -> int:
    """Send dead letters back to the consumer queue they failed in."""
    connection = pika.BlockingConnection(connection_parameters(amqp_uri))
    replayed = 0
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for _ in range(limit):
            method, properties, body = channel.basic_get(dead_letter_queue(service), auto_ack=False)
            if method is None:
                break
            target = (properties.headers or {}).get("x-hub-consumer-queue")
            if not target:
                channel.basic_nack(method.delivery_tag, requeue=True)
                break
            # Default exchange: straight to the one consumer that failed.
            channel.basic_publish("", target, body, properties=properties)
            channel.basic_ack(method.delivery_tag)
            replayed += 1
    finally:
        connection.close()
    return replayed
