"""One log format for every process."""
from __future__ import annotations

import logging

from hubkit.config import Config


def setup_logging(config: Config, process: str) -> None:
    logging.basicConfig(
        level=config.raw("HUB_LOG_LEVEL").upper(),
        format=f"%(asctime)s {process} %(levelname)s %(name)s: %(message)s",
    )
    # Connection chatter of the AMQP and migration libraries is not news.
    for noisy in ("pika", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
