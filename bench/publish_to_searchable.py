"""Publish -> searchable latency of the whole hub, against a raw broker round trip.

Starts the real hub processes (3 gRPC APIs, 3 nameko workers, outbox relay) on
a temporary data directory, free ports and a throwaway RabbitMQ vhost; creates
a group; publishes notices one after another and, for each, times from the
PublishNotice reply until SearchService.Search finds it. Then times a plain
pika publish -> consume round trip in the same vhost, and reads the resident
memory of every hub process while idle. Exits non-zero when the hub broke
(a process died, or notices never became searchable), not for a missed target.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import pika

from benchlib import free_ports, latency_line, percentile, verdict
from hub.notice.v1 import notice_service_pb2 as notice_api
from hub.search.v1 import search_service_pb2 as search_api
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect
from hubkit.config import SETTINGS, Config
from hubkit.launcher import Hub, prepare
from hubkit.topology import connection_parameters

NOTICES = 200
BROKER_ROUND_TRIPS = 200
POLL_SECONDS = 0.005
SEARCHABLE_TIMEOUT = 15.0
MAX_MISSES = 3
TARGET_P95_MS = 1000.0
TARGET_RSS_MB = 150.0

# Traditional characters that differ from their simplified forms; four of
# them make each notice's made-up phrase.
PHRASE_CHARS = "龍鳳龜鶴雲電書畫詩詞樂園橋燈鐘聲門閣"
BODY = ("各班組：請於本週五前完成換熱站與鍋爐房的安全檢查，重點檢查壓力錶、安全閥和排污閥，"
        "發現隱患立即上報設備科並落實整改。")


def made_up_phrase(n: int) -> str:
    base = len(PHRASE_CHARS)
    return "".join(PHRASE_CHARS[(n // base ** k) % base] for k in range(4))


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def throwaway_vhost(stack: ExitStack) -> str:
    vhost = f"hubbench{secrets.token_hex(4)}"
    rabbitmqctl("add_vhost", vhost)
    stack.callback(rabbitmqctl, "delete_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    return vhost


def hub_environment(data_dir: str, vhost: str) -> dict[str, str]:
    """This process's environment minus any hub settings, plus ours."""
    env = {k: v for k, v in os.environ.items() if k not in {s.name for s in SETTINGS}}
    notice_port, search_port, reports_port = free_ports(3)
    env.update(
        HUB_DATA_DIR=data_dir,
        HUB_AMQP_URI=f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
        HUB_JWT_SECRET=secrets.token_urlsafe(32),
        NOTICE_GRPC_ADDR=f"127.0.0.1:{notice_port}",
        SEARCH_GRPC_ADDR=f"127.0.0.1:{search_port}",
        REPORTS_GRPC_ADDR=f"127.0.0.1:{reports_port}",
        PYTHONUNBUFFERED="1",
    )
    return env


def print_log_tails(hub: Hub, lines: int = 15) -> None:
    for child in hub.children:
        tail = child.log_path.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {child.name} log tail ---", *tail, sep="\n")


def start_hub(stack: ExitStack, config: Config, env: dict) -> Hub:
    prepare(config, out=lambda line: print(f"  {line}"))
    hub = Hub(config, env)
    stack.callback(hub.stop)
    started = time.monotonic()
    hub.start()
    not_ready = hub.wait_ready(timeout=90.0)
    if not_ready:
        print_log_tails(hub)
        raise RuntimeError(f"hub not ready: {', '.join(not_ready)}")
    print(f"  hub ready after {time.monotonic() - started:.1f} s ({len(hub.children)} processes)")
    return hub


def publish_to_searchable(config: Config, secret: str) -> tuple[list[float], int]:
    """Latencies (ms) from each PublishNotice reply until Search finds it; misses."""
    author = Caller(user_id="bench-secretary", departments=("供热公司设备科",), roles=("admin",))
    notice = connect("notice", config.grpc_addr("notice"), issue_token(secret, author))
    group = notice.CreateGroup(notice_api.CreateGroupRequest(name="基準測試班組", department="供热公司设备科")).group
    member = Caller(user_id="bench-reader", groups=(group.group_id,))
    search = connect("search", config.grpc_addr("search"), issue_token(secret, member))
    latencies, misses = [], 0
    try:
        for n in range(NOTICES):
            if misses >= MAX_MISSES:
                print(f"  stopped after {MAX_MISSES} notices that did not become searchable")
                break
            code, phrase = f"bench{n:04d}", made_up_phrase(n)
            published = notice.PublishNotice(notice_api.PublishNoticeRequest(
                group_ids=[group.group_id], title=f"關於{phrase}巡檢的通知 {code}",
                body=f"{phrase}：{BODY}（編號 {code}）")).notice
            returned = time.monotonic()
            deadline = returned + SEARCHABLE_TIMEOUT
            while True:
                hits = search.Search(search_api.SearchRequest(query=code)).hits
                if any(hit.item_id == published.notice_id for hit in hits):
                    latencies.append(1000 * (time.monotonic() - returned))
                    break
                if time.monotonic() > deadline:
                    misses += 1
                    print(f"  {code} not searchable after {SEARCHABLE_TIMEOUT:.0f} s")
                    break
                time.sleep(POLL_SECONDS)
    finally:
        notice.close()
        search.close()
    return latencies, misses


def broker_round_trips(amqp_uri: str) -> list[float]:
    """Latencies (ms) of a pika publish until a consumer on another connection has it."""
    params = connection_parameters(amqp_uri)
    publisher = pika.BlockingConnection(params)
    consumer = pika.BlockingConnection(params)
    try:
        queue = consumer.channel()
        name = queue.queue_declare("", exclusive=True, auto_delete=True).method.queue
        received: list[float] = []
        queue.basic_consume(name, lambda *_: received.append(time.monotonic()), auto_ack=True)
        out = publisher.channel()
        latencies = []
        for n in range(BROKER_ROUND_TRIPS):
            sent = time.monotonic()
            out.basic_publish("", name, f"ping {n}".encode())
            deadline = sent + 5.0
            while len(received) <= n:
                if time.monotonic() > deadline:
                    raise RuntimeError("broker round trip took over 5 s")
                consumer.process_data_events(time_limit=0.5)
            latencies.append(1000 * (received[n] - sent))
        return latencies
    finally:
        publisher.close()
        consumer.close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="hubbench-"))
        vhost = throwaway_vhost(stack)
        env = hub_environment(data_dir, vhost)
        config = Config(env)
        print(f"  vhost {vhost}, data directory {data_dir}")
        hub = start_hub(stack, config, env)

        started = time.monotonic()
        searchable, misses = publish_to_searchable(config, env["HUB_JWT_SECRET"])
        print(f"  {len(searchable)} of {NOTICES} notices published and found in "
              f"{time.monotonic() - started:.1f} s")
        if misses:
            print_log_tails(hub)
        time.sleep(2.0)  # let workers and relay go idle
        memory = {child.name: rss_mb(child.process.pid) for child in hub.children}
        broker = broker_round_trips(config.amqp_uri)
        dead = [c.name for c in hub.dead()]

    searchable_p95, broker_p95 = percentile(searchable, 95), percentile(broker, 95)
    print(latency_line("publish->searchable", searchable)
          + f"  (target p95 <= {TARGET_P95_MS:.0f} ms: {verdict(searchable_p95, TARGET_P95_MS)})")
    if misses:
        print(f"{'':28} {misses} notice(s) NOT searchable within {SEARCHABLE_TIMEOUT:.0f} s")
    print(latency_line("broker round trip", broker))
    print(f"{'ratio p95':<28} publish->searchable / broker round trip = {searchable_p95 / broker_p95:.0f}x")
    for name, mb in memory.items():
        print(f"{'RSS ' + name:<28} {mb:8.1f} MB  (target <= {TARGET_RSS_MB:.0f} MB: {verdict(mb, TARGET_RSS_MB)})")
    if dead:
        print(f"FAILED: hub process(es) exited during the run: {', '.join(dead)}")
    if misses:
        print("FAILED: the hub lost notices on the way to the index; figures above are incomplete")
    return 1 if dead or misses else 0


if __name__ == "__main__":
    sys.exit(main())
