"""The hub's services and how to reach their wiring, by name."""
from __future__ import annotations

import importlib

from hubkit.config import SERVICES


def bootstrap(service: str):
    if service not in SERVICES:
        raise SystemExit(f"unknown service {service!r}; choose one of {', '.join(SERVICES)}")
    return importlib.import_module(f"{service}.bootstrap")


def all_subscriptions():
    """Every event subscription of every worker (imports nameko)."""
    import warnings

    from hubkit.topology import subscriptions_of

    # nameko imports eventlet, which warns that it is deprecated; this process
    # only reads the worker classes and never runs eventlet.
    warnings.filterwarnings("ignore", message="\nEventlet is deprecated")

    return [sub for service in SERVICES for sub in subscriptions_of(bootstrap(service).worker_class())]
