"""Process entrypoint of a nameko worker: ``python -m hubkit.worker_main notice``.

eventlet must patch the standard library before anything else is imported,
and lives only in worker processes (never next to grpcio).
"""
import eventlet

eventlet.monkey_patch()

import logging  # noqa: E402
import sys  # noqa: E402

from hubkit.config import Config  # noqa: E402
from hubkit.logs import setup_logging  # noqa: E402
from hubkit.services import bootstrap  # noqa: E402
from hubkit.topology import declare, subscriptions_of  # noqa: E402


def main(service: str) -> None:
    config = Config()
    setup_logging(config, f"{service}-worker")
    worker_cls = bootstrap(service).worker_class()
    # Queues exist before the first event is published, even if this worker
    # is the first process to start (see hubkit.topology).
    declare(config.amqp_uri, subscriptions_of(worker_cls), [service])
    from nameko.cli.run import run

    logging.getLogger(__name__).info("%s worker starting", service)
    run([worker_cls], {"AMQP_URI": config.amqp_uri, "max_workers": 10, "HEARTBEAT": 30})


if __name__ == "__main__":
    main(sys.argv[1])
