"""``hub api`` in several processes sharing one address (HUB_GRPC_PROCESSES)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hub.notice.v1 import notice_service_pb2 as api
from hubkit.auth import Caller, issue_token
from hubkit.clients import connect, health
from hubkit.wiring import dispose_engines, migrate_service


def children_of(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_two_processes_serve_one_address_and_stop_together(hub_config, jwt_secret):
    config = hub_config(HUB_GRPC_PROCESSES="2")
    migrate_service(config, "notice")
    dispose_engines("notice.db")
    env = dict(os.environ, **config._env)
    process = subprocess.Popen([sys.executable, "-m", "hubkit.cli", "api", "notice"], env=env)
    try:
        address = config.grpc_addr("notice")
        deadline = time.monotonic() + 30
        while health(address, 1.0) != "SERVING":
            assert process.poll() is None and time.monotonic() < deadline, "hub api did not start"
            time.sleep(0.2)
        siblings = children_of(process.pid)
        assert len(siblings) == 1
        port = address.rpartition(":")[2]
        listening = ""
        while f"pid={siblings[0]}," not in listening and time.monotonic() < deadline:
            time.sleep(0.2)  # the sibling binds a moment after the first
            listening = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True,
                                       text=True).stdout
        assert f"pid={process.pid}," in listening and f"pid={siblings[0]}," in listening

        # Clients on separate connections all get served, whichever process answers.
        token = issue_token(jwt_secret, Caller("u-proc", departments=("机务段",)))
        clients = [connect("notice", address, token) for _ in range(6)]
        group = clients[0].CreateGroup(api.CreateGroupRequest(name="检修一班", department="机务段")).group
        for n, client in enumerate(clients):
            published = client.PublishNotice(api.PublishNoticeRequest(
                group_ids=[group.group_id], title=f"第{n}次试验通知", body="请各位按时参加。")).notice
            assert clients[-1].GetNotice(api.GetNoticeRequest(notice_id=published.notice_id)).notice.title \
                == f"第{n}次试验通知"
        for client in clients:
            client.close()

        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        assert not _running(siblings[0])
    finally:
        if process.poll() is None:
            process.kill()


def test_the_other_processes_stop_when_the_first_is_killed(hub_config):
    config = hub_config(HUB_GRPC_PROCESSES="2")
    migrate_service(config, "notice")
    dispose_engines("notice.db")
    process = subprocess.Popen([sys.executable, "-m", "hubkit.cli", "api", "notice"],
                               env=dict(os.environ, **config._env))
    try:
        deadline = time.monotonic() + 30
        while health(config.grpc_addr("notice"), 1.0) != "SERVING" or not children_of(process.pid):
            assert process.poll() is None and time.monotonic() < deadline, "hub api did not start"
            time.sleep(0.2)
        sibling = children_of(process.pid)[0]
        process.kill()  # no stop passed on: the sibling must notice by itself
        process.wait(10)
        deadline = time.monotonic() + 15
        while _running(sibling):
            assert time.monotonic() < deadline, "the sibling kept serving after the first process was killed"
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            process.kill()
