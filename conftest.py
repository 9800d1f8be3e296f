"""Fixtures shared by every suite: the real RabbitMQ and PostgreSQL of this
machine (started when stopped, never skipped), an isolated RabbitMQ vhost and
a fresh PostgreSQL database per use, and hub configurations built on them."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

from hubkit.config import Config

ROOT = Path(__file__).parent
PG_ADMIN_URL = os.environ.get("HUB_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("HUB_TEST_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672")


@pytest.fixture(scope="session")
def servers():
    """RabbitMQ and PostgreSQL are up (started here if they were stopped)."""
    subprocess.run(["bash", str(ROOT / "infra/local/ensure-services.sh")], check=True)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


def _vhost():
    vhost = f"hubtest-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"{AMQP_BASE}/{vhost}"
    rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def amqp_uri(servers):
    """A fresh vhost for this test session, deleted afterwards."""
    yield from _vhost()


@pytest.fixture(scope="module")
def private_amqp_uri(servers):
    """A vhost of this test module alone, for tests that need to know every
    queue that exists."""
    yield from _vhost()


@pytest.fixture
def pg_url(servers):
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    name = f"hubtest_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    from hubkit.wiring import dispose_engines
    dispose_engines(f"/{name}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each test using it runs once on SQLite (embedded) and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/test.db"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def jwt_secret() -> str:
    return secrets.token_urlsafe(32)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hub_config(tmp_path, jwt_secret):
    """Build a Config on a temporary data directory; keyword overrides win."""
    def build(**overrides: str) -> Config:
        env = {
            "HUB_DATA_DIR": str(tmp_path / "data"),
            "HUB_JWT_SECRET": jwt_secret,
            "HUB_AMQP_URI": overrides.pop("HUB_AMQP_URI", f"{AMQP_BASE}/"),
            "NOTICE_GRPC_ADDR": f"127.0.0.1:{free_port()}",
            "SEARCH_GRPC_ADDR": f"127.0.0.1:{free_port()}",
            "REPORTS_GRPC_ADDR": f"127.0.0.1:{free_port()}",
            "HUB_LOG_LEVEL": "INFO",
        }
        env.update(overrides)
        return Config(env)
    return build
