"""The outbox relay: publishes committed events to RabbitMQ, losing none.

Each round takes the oldest unsent outbox rows of every service database,
publishes each with ``mandatory`` and a publisher confirm, and stamps
``sent_at`` only after the broker confirmed it. A crash between confirm and
stamp publishes the row again later; consumers are idempotent. A row the
broker returns as unroutable, or a broker that is down, leaves the row unsent
with a growing back-off; nothing is dropped.

On PostgreSQL rows are taken with ``FOR UPDATE SKIP LOCKED``, so several relays
may run side by side. SQLite allows one writer: run one relay there.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pika
import pika.exceptions
import sqlalchemy as sa
from google.protobuf.message import DecodeError
from sqlalchemy.engine import Engine

from hubkit.db import READ_ONLY, outbox
from hubkit.envelope import wire_json
from hubkit.topology import connection_parameters

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0


@dataclass
class RoundResult:
    published: int = 0
    deferred: int = 0


def _wire_body(row) -> bytes:
    """JSON as consumers expect it; rows from before plumbing v2 hold it already."""
    return (row.body if row.envelope is None else wire_json(row.envelope)).encode("utf-8")


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(0.2 * 2 ** attempts, MAX_BACKOFF_SECONDS))


def backlog(engine: Engine) -> tuple[int, datetime | None]:
    """Number of unsent events and when the oldest was written."""
    with engine.connect().execution_options(**READ_ONLY) as connection:
        count, oldest = connection.execute(
            sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
        ).one()
    return int(count), oldest


class OutboxRelay:
    def __init__(self, engines: dict[str, Engine], amqp_uri: str, *, batch: int = 200,
                 poll_seconds: float = 0.05):
        self.engines = engines
        self.amqp_uri = amqp_uri
        self.batch = batch
        self.poll_seconds = poll_seconds
        self._connection: pika.BlockingConnection | None = None
        self._channel = None
        self._declared: set[str] = set()

    # -- broker -------------------------------------------------------------
    def _ensure_channel(self):
        if self._channel is None or not self._channel.is_open:
            self.close()
            self._connection = pika.BlockingConnection(connection_parameters(self.amqp_uri))
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
            self._declared.clear()
        return self._channel

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.close()
            except Exception:  # already broken; nothing to flush
                pass
        self._connection = None
        self._channel = None

    def _publish(self, channel, row) -> None:
        if row.exchange not in self._declared:
            channel.exchange_declare(row.exchange, exchange_type="topic", durable=True)
            self._declared.add(row.exchange)
        channel.basic_publish(
            exchange=row.exchange,
            routing_key=row.routing_key,
            body=_wire_body(row),
            properties=pika.BasicProperties(
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=pika.DeliveryMode.Persistent,
                message_id=row.event_id,
                type=row.routing_key,
            ),
            mandatory=True,
        )

    # -- database -----------------------------------------------------------
    def _due_rows(self, connection, now: datetime):
        query = (
            sa.select(outbox.c.id, outbox.c.event_id, outbox.c.exchange, outbox.c.routing_key,
                      outbox.c.body, outbox.c.envelope, outbox.c.attempts)
            .where(outbox.c.sent_at.is_(None))
            .where(sa.or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now))
            .order_by(outbox.c.id)
            .limit(self.batch)
        )
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return connection.execute(query).all()

    def relay_once(self, service: str) -> RoundResult:
        """Publish one batch of one service's outbox."""
        engine = self.engines[service]
        now = datetime.now(timezone.utc)
        if engine.dialect.name == "postgresql":
            # Rows stay locked (SKIP LOCKED for other relays) until stamped.
            with engine.begin() as connection:
                rows = self._due_rows(connection, now)
                sent, failed, broker_error = self._publish_rows(service, rows)
                self._stamp(connection, sent, failed)
        else:
            # SQLite: look without taking the single write lock, and do not
            # hold it while talking to the broker; there is one relay, so no
            # one else takes these rows meanwhile.
            with engine.connect().execution_options(**READ_ONLY) as connection:
                rows = self._due_rows(connection, now)
            sent, failed, broker_error = self._publish_rows(service, rows)
            if sent or failed:
                with engine.begin() as connection:
                    self._stamp(connection, sent, failed)
        if broker_error is not None:
            raise broker_error  # after the stamps of what was confirmed are committed
        return RoundResult(published=len(sent), deferred=len(failed))

    def _publish_rows(self, service: str, rows):
        """(ids confirmed, [(row, reason)] refused, broker error or None)."""
        sent, failed = [], []
        if not rows:
            return sent, failed, None
        try:
            channel = self._ensure_channel()
            for row in rows:
                try:
                    self._publish(channel, row)
                    sent.append(row.id)
                except pika.exceptions.UnroutableError:
                    failed.append((row, "unroutable: no queue is bound for this event type"))
                except pika.exceptions.NackError:
                    failed.append((row, "broker refused (nack)"))
                except DecodeError:
                    failed.append((row, "stored envelope is not an EventEnvelope"))
        except (pika.exceptions.AMQPError, OSError) as exc:
            log.warning("broker unavailable (%s); %d %s events wait in the outbox",
                        exc.__class__.__name__, len(rows) - len(sent), service)
            return sent, failed, exc
        return sent, failed, None

    @staticmethod
    def _stamp(connection, sent: list[int], failed) -> None:
        stamp = datetime.now(timezone.utc)
        if sent:
            connection.execute(outbox.update().where(outbox.c.id.in_(sent)).values(sent_at=stamp))
        for row, reason in failed:
            connection.execute(outbox.update().where(outbox.c.id == row.id).values(
                attempts=row.attempts + 1, last_error=reason,
                next_attempt_at=stamp + _backoff(row.attempts + 1)))
            log.warning("event %s (%s) deferred: %s", row.event_id, row.routing_key, reason)

    def relay_all_once(self) -> int:
        return sum(self.relay_once(service).published for service in self.engines)

    def run(self, stop: threading.Event) -> None:
        log.info("outbox relay started for %s", ", ".join(self.engines))
        broker_wait = 0.5
        while not stop.is_set():
            try:
                published = self.relay_all_once()
                broker_wait = 0.5
            except (pika.exceptions.AMQPError, OSError) as exc:
                log.warning("relay round failed: %r; retrying in %.1fs", exc, broker_wait)
                self.close()
                stop.wait(broker_wait)
                broker_wait = min(broker_wait * 2, 5.0)
                continue
            except sa.exc.OperationalError as exc:
                log.warning("database unavailable: %s", exc.orig)
                stop.wait(1.0)
                continue
            if not published:
                self._idle(stop)
        self.close()
        log.info("outbox relay stopped")

    def _idle(self, stop: threading.Event) -> None:
        # Waiting inside pika keeps the connection's heartbeats answered.
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.process_data_events(time_limit=self.poll_seconds)
                return
            except (pika.exceptions.AMQPError, OSError):
                self.close()
        stop.wait(self.poll_seconds)
