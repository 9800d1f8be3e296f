"""Envelope, tokens and configuration: the shared plumbing's contracts."""
import json
import time
import uuid

import pytest

from hub.events.v1 import notice_events_pb2
from hubkit import ids
from hubkit.auth import Caller, caller_from_metadata, issue_token, verify_token
from hubkit.config import Config, ConfigError
from hubkit.envelope import MalformedEvent, from_body, from_bytes, new_envelope, to_bytes, wire_json
from hubkit.errors import Unauthenticated

SECRET = "s" * 32


def test_envelope_round_trips_through_the_outbox_and_the_wire():
    envelope = new_envelope("notice.published", notice_events_pb2.NoticePublished(
        notice_id="n-7", group_ids=["g-1"], title="供电检修", body="十点停电"), correlation_id="req-1")
    stored = to_bytes(envelope)
    assert from_bytes(stored) == envelope
    wire = wire_json(stored)
    assert json.loads(wire)["payload"]["title"] == "供电检修"  # readable JSON, not escaped
    assert "供电检修" in wire
    decoded = from_body(json.loads(wire))
    assert decoded == envelope
    assert decoded.exchange == "notice.events" and decoded.correlation_id == "req-1"


def test_a_stored_envelope_that_is_not_one_is_refused_with_a_reason():
    with pytest.raises(MalformedEvent, match="not an event envelope"):
        from_bytes(b"\xff\xff\xff")
    unknown = to_bytes(new_envelope("group.created", notice_events_pb2.GroupCreated(group_id="g"))).replace(
        b"group.created", b"group.deleted")  # same length: still a valid message
    with pytest.raises(MalformedEvent, match="unknown event type"):
        from_bytes(unknown)


@pytest.mark.parametrize("body, reason", [
    (b"\xff\xfe", "not an event envelope"),
    ("not json", "not an event envelope"),
    ([1, 2], "not an object"),
    ({"eventId": "e", "eventType": "notice.exploded", "schemaVersion": 1}, "unknown event type"),
    ({"eventId": "e", "eventType": "notice.published", "schemaVersion": 9}, "schema version 9"),
    ({"eventId": "", "eventType": "notice.published", "schemaVersion": 1}, "event_id is empty"),
    ({"eventId": "e", "eventType": "notice.published", "schemaVersion": 1,
      "payload": {"@type": "type.googleapis.com/hub.events.v1.GroupCreated", "groupId": "g"}}, "payload is"),
    ({"eventId": "e", "eventType": "notice.published", "schemaVersion": 1, "surprise": 1}, "not an event envelope"),
])
def test_malformed_bodies_are_refused_with_a_reason(body, reason):
    with pytest.raises(MalformedEvent, match=reason):
        from_body(body)


def test_a_payload_of_the_wrong_type_cannot_be_wrapped():
    with pytest.raises(TypeError):
        new_envelope("notice.published", notice_events_pb2.GroupCreated())


def test_tokens_carry_the_caller():
    caller = Caller(user_id="u-1", departments=("机务段",), groups=("g-1",), roles=("admin",))
    token = issue_token(SECRET, caller)
    assert verify_token(SECRET, token) == caller
    assert caller_from_metadata(SECRET, [("authorization", f"Bearer {token}")]) == caller


@pytest.mark.parametrize("metadata, reason", [
    ([], "missing authorization"),
    ([("authorization", "Basic abc")], "Bearer"),
    ([("authorization", "Bearer not.a.jwt")], "invalid token"),
    ([("authorization", "Bearer " + issue_token("x" * 32, Caller("u")))], "invalid token"),
    ([("authorization", "Bearer " + issue_token(SECRET, Caller("u"), ttl_seconds=10, now=1000))], "expired"),
])
def test_bad_tokens_are_unauthenticated(metadata, reason):
    with pytest.raises(Unauthenticated, match=reason):
        caller_from_metadata(SECRET, metadata)


def test_required_and_malformed_settings_fail_naming_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="HUB_JWT_SECRET is required"):
        Config({}).jwt_secret
    with pytest.raises(ConfigError, match="HUB_GRPC_WORKERS='many' is not a whole number"):
        Config({"HUB_GRPC_WORKERS": "many"}).integer("HUB_GRPC_WORKERS")
    with pytest.raises(ConfigError, match="NOTICE_GRPC_ADDR"):
        Config({"NOTICE_GRPC_ADDR": "50051"}).grpc_addr("notice")
    with pytest.raises(ConfigError, match="HUB_AMQP_URI"):
        Config({"HUB_AMQP_URI": "rabbit:5672"}).amqp_uri


def test_api_processes_are_each_services_choice_unless_a_number_is_set(monkeypatch):
    import os
    from hubkit.api_process import api_processes
    automatic = Config({})
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert api_processes(automatic, "search") == 3  # one per core it may run on
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    assert api_processes(Config({"HUB_GRPC_PROCESSES": " Auto "}), "search") == 8  # at most
    assert api_processes(automatic, "notice") == api_processes(automatic, "reports") == 1
    assert [api_processes(Config({"HUB_GRPC_PROCESSES": "3"}), s) for s in ("notice", "search", "reports")] == [3, 3, 3]
    with pytest.raises(ConfigError, match="HUB_GRPC_PROCESSES=0 must be at least 1"):
        api_processes(Config({"HUB_GRPC_PROCESSES": "0"}), "search")
    with pytest.raises(ConfigError, match="HUB_GRPC_PROCESSES='all' is not a whole number"):
        api_processes(Config({"HUB_GRPC_PROCESSES": "all"}), "notice")


def test_defaults_live_under_the_data_directory(tmp_path):
    config = Config({"HUB_DATA_DIR": str(tmp_path)})
    assert config.database_url("search") == f"sqlite:///{tmp_path}/search.db"
    assert config.raw("SEARCH_INDEX_DIR") == f"{tmp_path}/search-index"


def test_token_verifier_remembers_a_valid_token_until_it_expires():
    import time
    from hubkit.auth import TokenVerifier
    verifier = TokenVerifier(SECRET)
    token = issue_token(SECRET, Caller("u-1", departments=("调度室",)), ttl_seconds=1)
    metadata = [("authorization", f"Bearer {token}")]
    assert verifier.caller(metadata).departments == ("调度室",)
    assert verifier.caller(metadata).user_id == "u-1" and token in verifier._verified
    time.sleep(1.1)  # past expiry (whole seconds): the remembered answer no longer counts
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.caller(metadata)


def test_token_verifier_refuses_what_it_has_not_verified():
    from hubkit.auth import TokenVerifier
    verifier = TokenVerifier(SECRET, capacity=2)
    forged = issue_token("another-secret-" + "x" * 20, Caller("intruder"))
    for metadata in ([], [("authorization", "Basic abc")], [("authorization", f"Bearer {forged}")]):
        with pytest.raises(Unauthenticated):
            verifier.caller(metadata)
    for user in ("a", "b", "c"):  # capacity bounds what it remembers
        verifier.caller([("authorization", f"Bearer {issue_token(SECRET, Caller(user))}")])
    assert len(verifier._verified) <= 2


def test_timestamps_from_utc_datetimes_equal_from_datetime():
    import random
    from datetime import datetime, timedelta, timezone

    from google.protobuf.timestamp_pb2 import Timestamp

    from hubkit.protos import timestamp
    rng = random.Random(7)
    moments = [datetime(1, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=rng.randrange(315_537_897_600_000_000))
               for _ in range(2000)]
    moments += [datetime(2026, 11, 24, 8, 30, tzinfo=timezone(timedelta(hours=8)))]  # not UTC: the slow path
    for moment in moments:
        expected = Timestamp()
        expected.FromDatetime(moment)
        assert timestamp(moment) == expected, moment


def test_ids_are_version_7_uuids_ordered_by_their_millisecond(monkeypatch):
    clock = iter([1_790_000_000_000_000_000, 1_790_000_000_001_000_000, 1_790_000_000_001_000_000])
    monkeypatch.setattr(time, "time_ns", lambda: next(clock))
    first, second, third = ids.new_id(), ids.new_id(), ids.new_id()
    for value in (first, second, third):
        parsed = uuid.UUID(hex=value)
        assert (len(value), parsed.version, parsed.variant) == (32, 7, uuid.RFC_4122)
        assert parsed.hex == value
    assert first[:12] == f"{1_790_000_000_000:012x}" and first < second
    assert second[:12] == third[:12] and second != third  # one millisecond: random bits tell them apart
