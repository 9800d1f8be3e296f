"""The outbox relay against the real RabbitMQ (an isolated vhost)."""
import pika
import pika.exceptions
import pytest
import sqlalchemy as sa

from hubkit.auth import Caller
from hubkit.db import outbox
from hubkit.envelope import from_body, to_bytes, wire_json
from hubkit.relay import OutboxRelay
from hubkit.topology import Subscription, connection_parameters, declare
from hubkit.wiring import engine_for, migrate_service
from notice import handlers
from notice.adapters.repository import SqlNoticeUnitOfWork
from notice.domain import commands
from notice.domain.model import Limits

SECRETARY = Caller(user_id="u-qian", departments=("热力公司",))
PROBE = Subscription("notice", "notice.published", "probe", "listen")


@pytest.fixture
def notice_engine(hub_config, db_url, private_amqp_uri):
    config = hub_config(NOTICE_DATABASE_URL=db_url, HUB_AMQP_URI=private_amqp_uri)
    migrate_service(config, "notice")
    declare(private_amqp_uri, [PROBE], ["notice"])
    channel = pika.BlockingConnection(connection_parameters(private_amqp_uri)).channel()
    channel.queue_purge(PROBE.queue)
    yield engine_for(config, "notice")
    channel.connection.close()


def publish_one(engine, title="换热站巡检通知"):
    uow = lambda: SqlNoticeUnitOfWork(engine)  # noqa: E731
    group = handlers.create_group(commands.CreateGroup("换热站巡检组", "热力公司"), caller=SECRETARY, uow=uow())
    return handlers.publish_notice(commands.PublishNotice((group.group_id,), title, "今日完成全部换热站巡检。"),
                                   caller=SECRETARY, uow=uow(), limits=Limits())


def outbox_rows(engine):
    with engine.connect() as connection:
        return {r.routing_key: r for r in connection.execute(sa.select(outbox)).all()}


def take(private_amqp_uri, queue):
    connection = pika.BlockingConnection(connection_parameters(private_amqp_uri))
    try:
        method, properties, body = connection.channel().basic_get(queue, auto_ack=True)
        return (properties, body) if method else None
    finally:
        connection.close()


def test_events_are_published_in_nameko_format_and_marked_sent(notice_engine, private_amqp_uri):
    notice = publish_one(notice_engine)
    relay = OutboxRelay({"notice": notice_engine}, private_amqp_uri)
    try:
        result = relay.relay_once("notice")
    finally:
        relay.close()
    properties, body = take(private_amqp_uri, PROBE.queue)
    assert properties.content_type == "application/json" and properties.delivery_mode == 2
    envelope = from_body(body)
    assert envelope.event_type == "notice.published" and envelope.payload.notice_id == notice.notice_id
    rows = outbox_rows(notice_engine)
    assert rows["notice.published"].sent_at is not None
    # Nobody listens to group.created in this vhost: it is kept, not dropped.
    assert result.published == 1 and result.deferred == 1
    assert rows["group.created"].sent_at is None and rows["group.created"].attempts == 1
    assert "unroutable" in rows["group.created"].last_error


def test_rows_stored_as_json_before_plumbing_v2_are_published_as_they_are(notice_engine, private_amqp_uri):
    # A row the API server wrote before the upgrade (JSON in body, no binary
    # envelope) is still in the outbox after it: it goes out unchanged.
    notice = publish_one(notice_engine, title="升级前写入的通知")
    with notice_engine.begin() as connection:
        stored = connection.execute(sa.select(outbox.c.envelope).where(
            outbox.c.routing_key == "notice.published")).scalar_one()
        legacy_json = wire_json(stored)
        connection.execute(outbox.update().where(outbox.c.routing_key == "notice.published")
                           .values(body=legacy_json, envelope=None))
    relay = OutboxRelay({"notice": notice_engine}, private_amqp_uri)
    try:
        relay.relay_once("notice")
    finally:
        relay.close()
    _, body = take(private_amqp_uri, PROBE.queue)
    assert body.decode("utf-8") == legacy_json
    assert from_body(body).payload.title == "升级前写入的通知" == notice.title
    assert to_bytes(from_body(body)) == stored


def test_with_the_broker_unreachable_events_wait_in_the_outbox(notice_engine):
    publish_one(notice_engine)
    relay = OutboxRelay({"notice": notice_engine}, "amqp://guest:guest@127.0.0.1:1/")
    with pytest.raises((pika.exceptions.AMQPError, OSError)):
        relay.relay_once("notice")
    assert all(row.sent_at is None for row in outbox_rows(notice_engine).values())
