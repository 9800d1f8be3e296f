"""Fixtures of the search service's tests: the ES-compatible noida-db server."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("noida_server", Path(__file__).parent / "noida_server.py")
noida_server = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(noida_server)


@pytest.fixture(scope="session")
def noida_url():
    """http:// address of a noida-db serving Elasticsearch's API, for this session."""
    with noida_server.running_noida() as url:
        yield url
