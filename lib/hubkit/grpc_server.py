"""gRPC server bootstrap shared by the three API servers.

- authenticates every call (except health and reflection) from its bearer
  token and makes the ``Caller`` available to the servicer;
- maps the hub's errors to status codes in this one place, with the wrong
  field named in the message and in a ``google.rpc.BadRequest`` detail;
- serves the standard ``grpc.health.v1`` health service and reflection;
- stops gracefully on SIGTERM/SIGINT: health turns NOT_SERVING, calls in
  flight get a grace period.
"""
from __future__ import annotations

import contextvars
import logging
import signal
import threading
import uuid
from concurrent import futures
from typing import Callable, Iterable

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status
from sqlalchemy.exc import DBAPIError

from hubkit import errors
from hubkit.auth import Caller, TokenVerifier

log = logging.getLogger(__name__)

_current_caller: contextvars.ContextVar[Caller] = contextvars.ContextVar("hub_caller")

_UNAUTHENTICATED_PREFIXES = ("/grpc.health.", "/grpc.reflection.")

STATUS_OF: dict[type[errors.HubError], tuple[grpc.StatusCode, int]] = {
    errors.InvalidArgument: (grpc.StatusCode.INVALID_ARGUMENT, code_pb2.INVALID_ARGUMENT),
    errors.NotFound: (grpc.StatusCode.NOT_FOUND, code_pb2.NOT_FOUND),
    errors.AlreadyExists: (grpc.StatusCode.ALREADY_EXISTS, code_pb2.ALREADY_EXISTS),
    errors.FailedPrecondition: (grpc.StatusCode.FAILED_PRECONDITION, code_pb2.FAILED_PRECONDITION),
    errors.PermissionDenied: (grpc.StatusCode.PERMISSION_DENIED, code_pb2.PERMISSION_DENIED),
    errors.Unauthenticated: (grpc.StatusCode.UNAUTHENTICATED, code_pb2.UNAUTHENTICATED),
}


def current_caller() -> Caller:
    """The authenticated caller of the call being served."""
    return _current_caller.get()


def _status_for(exc: errors.HubError) -> grpc.Status:
    code = code_pb2.UNKNOWN
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            code = STATUS_OF[cls][1]
            break
    status = status_pb2.Status(code=code, message=str(exc))
    if exc.violations:
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=field, description=description)
            for field, description in exc.violations]))
        status.details.append(detail)
    return rpc_status.to_status(status)


def _abort(context: grpc.ServicerContext, exc: BaseException):
    if isinstance(exc, errors.HubError):
        context.abort_with_status(_status_for(exc))
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        log.warning("database connection lost; the pool reconnects: %s", exc.orig)
        context.abort(grpc.StatusCode.UNAVAILABLE, "database connection lost, retry")
    incident = uuid.uuid4().hex[:12]
    log.exception("unexpected error (incident %s)", incident, exc_info=exc)
    context.abort(grpc.StatusCode.INTERNAL, f"internal error, incident {incident}")


class HubInterceptor(grpc.ServerInterceptor):
    def __init__(self, jwt_secret: str):
        self.tokens = TokenVerifier(jwt_secret)
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}  # by method: wrapping once is enough

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        wrapped = self._wrapped.get(method)
        if wrapped is None:
            wrapped = self._wrapped[method] = self._wrap(method, continuation(handler_call_details))
        return wrapped

    def _wrap(self, method: str, handler):
        if handler is None or method.startswith(_UNAUTHENTICATED_PREFIXES):
            return handler
        tokens = self.tokens

        def enter(context):
            try:
                caller = tokens.caller(context.invocation_metadata())
            except errors.HubError as exc:
                _abort(context, exc)
            return _current_caller.set(caller)

        def unary(behavior):
            def wrapped(request, context):
                token = enter(context)
                try:
                    return behavior(request, context)
                except grpc.RpcError:
                    raise
                except Exception as exc:  # noqa: BLE001 - translated here, in one place
                    _abort(context, exc)
                finally:
                    _current_caller.reset(token)
            return wrapped

        def streaming(behavior):
            def wrapped(request, context):
                token = enter(context)
                try:
                    yield from behavior(request, context)
                except grpc.RpcError:
                    raise
                except Exception as exc:  # noqa: BLE001
                    _abort(context, exc)
                finally:
                    _current_caller.reset(token)
            return wrapped

        kinds = {
            "unary_unary": (unary, grpc.unary_unary_rpc_method_handler),
            "stream_unary": (unary, grpc.stream_unary_rpc_method_handler),
            "unary_stream": (streaming, grpc.unary_stream_rpc_method_handler),
            "stream_stream": (streaming, grpc.stream_stream_rpc_method_handler),
        }
        for attr, (wrap, make) in kinds.items():
            behavior = getattr(handler, attr)
            if behavior is not None:
                return make(wrap(behavior), request_deserializer=handler.request_deserializer,
                            response_serializer=handler.response_serializer)
        return handler


class ApiServer:
    """A grpcio server with the hub's interceptor, health and reflection."""

    def __init__(self, *, address: str, jwt_secret: str, workers: int = 8,
                 register: Callable[[grpc.Server], Iterable[str]], share_port: bool = False):
        """``share_port``: several processes serve one address (SO_REUSEPORT;
        the kernel spreads connections). Otherwise binding a port in use fails."""
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc"),
            interceptors=[HubInterceptor(jwt_secret)],
            options=[("grpc.so_reuseport", 1 if share_port else 0)],
        )
        service_names = list(register(self.server))
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            service_names + [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
            self.server)
        self.service_names = service_names
        self.port = self.server.add_insecure_port(address)  # raises if it cannot bind
        self.address = f"{address.rpartition(':')[0]}:{self.port}"

    def start(self) -> "ApiServer":
        self.server.start()
        for name in [""] + self.service_names:
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        return self

    def stop(self, grace: float = 5.0) -> None:
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()

    def serve_until_signalled(self, grace: float = 5.0) -> None:
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        self.start()
        log.info("serving %s on %s", ", ".join(self.service_names), self.address)
        stopping.wait()
        log.info("stopping %s", self.address)
        self.stop(grace)
