"""A thin nameko DependencyProvider around a bootstrap function.

The worker class names what it needs (``uow = Built(bootstrap.uow_factory)``);
the function runs once per container at ``setup()``, never at import time,
and tests replace the dependency with ``worker_factory(Cls, uow=...)``.
"""
from __future__ import annotations

from typing import Callable

from nameko.extensions import DependencyProvider

from hubkit.config import Config


class Built(DependencyProvider):
    def __init__(self, build: Callable[[Config], object]):
        self.build = build
        self.value = None

    def setup(self):
        self.value = self.build(Config())

    def stop(self):
        close = getattr(self.value, "close", None)
        if callable(close):
            close()

    def get_dependency(self, worker_ctx):
        return self.value
