"""The ``hub`` command line. Subcommands only translate into library calls."""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading

from hubkit.config import SERVICES, SETTINGS, Config, ConfigError


def _run(args, config: Config) -> int:
    from hubkit.launcher import run
    return run(config, once=args.once)


def _demo(args, config: Config) -> int:
    from hubkit.demo import run_demo
    from hubkit.launcher import jwt_secret
    return 0 if run_demo(config, jwt_secret(config)) else 1


def _token(args, config: Config) -> int:
    from hubkit.auth import Caller, issue_token
    from hubkit.launcher import jwt_secret
    caller = Caller(user_id=args.user, departments=tuple(args.dept), groups=tuple(args.group),
                    roles=tuple(args.role), display_name=args.name)
    print(issue_token(jwt_secret(config), caller, ttl_seconds=args.ttl or config.integer("HUB_JWT_TTL_SECONDS")))
    return 0


def _status(args, config: Config) -> int:
    from hubkit.status import report
    healthy, lines = report(config)
    print("\n".join(lines))
    return 0 if healthy else 1


def _migrate(args, config: Config) -> int:
    from hubkit.launcher import prepare
    prepare(config)
    print("databases migrated, queues declared, index ready")
    return 0


def _api(args, config: Config) -> int:
    from hubkit.api_process import serve
    from hubkit.logs import setup_logging
    setup_logging(config, f"{args.service}-api")
    serve(config, args.service, share_port=args.share_port)
    return 0


def _worker(args, config: Config) -> int:
    os.execv(sys.executable, [sys.executable, "-m", "hubkit.worker_main", args.service])


def _relay(args, config: Config) -> int:
    import signal

    from hubkit.logs import setup_logging
    from hubkit.relay import OutboxRelay
    from hubkit.wiring import engine_for
    setup_logging(config, "relay")
    unknown = set(args.services) - set(SERVICES)
    if unknown:
        raise SystemExit(f"hub relay: unknown service(s) {', '.join(sorted(unknown))}")
    relay = OutboxRelay({s: engine_for(config, s) for s in args.services or SERVICES}, config.amqp_uri,
                        batch=config.integer("HUB_RELAY_BATCH"), poll_seconds=config.seconds("HUB_RELAY_POLL_SECONDS"))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    relay.run(stop)
    return 0


def _dlq(args, config: Config) -> int:
    from hubkit import dead_letters
    if args.action == "list":
        for letter in dead_letters.peek(config.amqp_uri, args.service, args.limit):
            print(json.dumps(letter, ensure_ascii=False))
    else:
        print(f"replayed {dead_letters.replay(config.amqp_uri, args.service, args.limit)} message(s)")
    return 0


def _settings(args, config: Config) -> int:
    for setting in SETTINGS:
        print(f"{setting.name}={setting.default if setting.default is not None else '(required)'}  # {setting.help}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hub", description="Department information hub")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run every process on embedded defaults, with a demo")
    run.add_argument("--once", action="store_true", help="run the demo, stop everything, exit 0 if it passed")
    run.set_defaults(func=_run)
    sub.add_parser("demo", help="run the demo flow against a running hub").set_defaults(func=_demo)

    token = sub.add_parser("token", help="issue a development token")
    token.add_argument("--user", required=True)
    token.add_argument("--name", default="")
    token.add_argument("--dept", action="append", default=[])
    token.add_argument("--group", action="append", default=[])
    token.add_argument("--role", action="append", default=[])
    token.add_argument("--ttl", type=int, default=0, help="seconds (default HUB_JWT_TTL_SECONDS)")
    token.set_defaults(func=_token)

    sub.add_parser("status", help="health of APIs and workers, outbox backlog").set_defaults(func=_status)
    sub.add_parser("migrate", help="migrate databases, declare queues, create the index").set_defaults(func=_migrate)
    sub.add_parser("settings", help="list environment variables and defaults").set_defaults(func=_settings)

    api = sub.add_parser("api", help="serve one service's gRPC API")
    api.add_argument("service", choices=SERVICES)
    api.add_argument("--share-port", action="store_true",
                     help="bind with SO_REUSEPORT, as one of several processes (HUB_GRPC_PROCESSES starts them)")
    api.set_defaults(func=_api)
    worker = sub.add_parser("worker", help="run one service's nameko worker")
    worker.add_argument("service", choices=SERVICES)
    worker.set_defaults(func=_worker)
    relay = sub.add_parser("relay", help="publish the outboxes to RabbitMQ")
    relay.add_argument("services", nargs="*", help=f"some of {', '.join(SERVICES)} (default: all)")
    relay.set_defaults(func=_relay)

    dlq = sub.add_parser("dlq", help="inspect or replay a service's dead letters")
    dlq.add_argument("action", choices=["list", "replay"])
    dlq.add_argument("service", choices=SERVICES)
    dlq.add_argument("--limit", type=int, default=20)
    dlq.set_defaults(func=_dlq)

    for service in SERVICES:
        _add_service_commands(service, sub)
    return p


def _add_service_commands(service: str, sub) -> None:
    """A service's own subcommands (``hub notice …``, ``hub doc …``) live in
    its modules named ``cli*.py``, each with ``register(subparsers)``; every
    handler is ``func(args, config) -> int``. Those modules import lightly."""
    import importlib
    import pkgutil
    package = importlib.import_module(service)
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("cli")):
        importlib.import_module(f"{service}.{module}").register(sub)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args, Config()) or 0
    except ConfigError as exc:
        print(f"hub: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from hubkit.broker import BrokerUnavailable
        if isinstance(exc, BrokerUnavailable):
            print(f"hub: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
