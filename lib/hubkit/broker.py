"""Making sure RabbitMQ answers before the hub starts."""
from __future__ import annotations

import shutil
import subprocess
import time
from urllib.parse import urlparse

import pika
import pika.exceptions

from hubkit.topology import connection_parameters

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class BrokerUnavailable(RuntimeError):
    pass


def reachable(amqp_uri: str) -> bool:
    try:
        pika.BlockingConnection(connection_parameters(amqp_uri)).close()
        return True
    except (pika.exceptions.AMQPError, OSError):
        return False


def ensure_broker(amqp_uri: str, *, wait_seconds: float = 90.0, log=print) -> None:
    """Return once RabbitMQ answers; start the local server if it is installed
    but stopped; otherwise raise with one sentence on what to do."""
    if reachable(amqp_uri):
        return
    host = urlparse(amqp_uri).hostname or "127.0.0.1"
    if host not in LOCAL_HOSTS:
        raise BrokerUnavailable(f"RabbitMQ at {host} does not answer: start it, or point HUB_AMQP_URI at one that runs.")
    if shutil.which("rabbitmq-server") is None:
        raise BrokerUnavailable(
            "RabbitMQ is not installed here: install it (apt-get install rabbitmq-server) "
            "or point HUB_AMQP_URI at a running broker.")
    log("RabbitMQ is stopped; starting the local server (rabbitmq-server -detached) ...")
    subprocess.run(["rabbitmq-server", "-detached"], check=False, capture_output=True)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        time.sleep(1.0)
        if reachable(amqp_uri):
            return
        if shutil.which("rabbitmqctl"):
            # The node may be up with its app stopped (rabbitmqctl stop_app).
            subprocess.run(["rabbitmqctl", "start_app"], check=False, capture_output=True, timeout=60)
    raise BrokerUnavailable(f"RabbitMQ did not answer within {wait_seconds:.0f}s of starting it; see its logs.")
