"""Shared wiring: one engine per database URL, migrations per service."""
from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy.engine import Engine

from hubkit.config import Config
from hubkit.db import make_engine, migrate

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine_for(config: Config, service: str) -> Engine:
    url = config.database_url(service)
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def dispose_engines(url_suffix: str) -> None:
    """Close the pooled connections of every engine whose URL ends so
    (before a database is dropped)."""
    with _lock:
        for url in [u for u in _engines if u.endswith(url_suffix)]:
            _engines.pop(url).dispose()


def migrations_dir(service: str) -> Path:
    module = __import__(service)
    return Path(module.__file__).parent / "migrations"


def migrate_service(config: Config, service: str) -> None:
    migrate(engine_for(config, service), migrations_dir(service))
