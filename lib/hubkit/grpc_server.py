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

import asyncio
import contextvars
import functools
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
from hubkit.group_commit import GroupCommits

log = logging.getLogger(__name__)

_current_caller: contextvars.ContextVar[Caller] = contextvars.ContextVar("hub_caller")

_UNAUTHENTICATED_PREFIXES = ("/grpc.health.", "/grpc.reflection.")

STATUS_OF: dict[type[errors.HubError], tuple[grpc.StatusCode, int]] = {
    errors.InvalidArgument: (grpc.StatusCode.INVALID_ARGUMENT, code_pb2.INVALID_ARGUMENT),
    errors.NotFound: (grpc.StatusCode.NOT_FOUND, code_pb2.NOT_FOUND),
    errors.AlreadyExists: (grpc.StatusCode.ALREADY_EXISTS, code_pb2.ALREADY_EXISTS),
    errors.FailedPrecondition: (grpc.StatusCode.FAILED_PRECONDITION, code_pb2.FAILED_PRECONDITION),
    errors.Aborted: (grpc.StatusCode.ABORTED, code_pb2.ABORTED),
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


def _failure(exc: BaseException) -> tuple[grpc.StatusCode, str, tuple]:
    """The status (code, details, trailing metadata) an exception answers."""
    if isinstance(exc, errors.HubError):
        status = _status_for(exc)
        return status.code, status.details, status.trailing_metadata
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        log.warning("database connection lost; the pool reconnects: %s", exc.orig)
        return grpc.StatusCode.UNAVAILABLE, "database connection lost, retry", ()
    incident = uuid.uuid4().hex[:12]
    log.exception("unexpected error (incident %s)", incident, exc_info=exc)
    return grpc.StatusCode.INTERNAL, f"internal error, incident {incident}", ()


def _abort(context, exc: BaseException):
    """Answer the call with the status of ``exc`` (raises, as abort does)."""
    code, details, trailing_metadata = _failure(exc)
    if trailing_metadata:  # the BadRequest detail
        context.set_trailing_metadata(trailing_metadata)
    context.abort(code, details)


def long_running(method):
    """Marks a unary servicer method that may take long (bulk imports): it is
    served from the thread pool even where calls are served inline."""
    method.hub_long_running = True
    return method


class _Wrapping:
    """Wraps each method handler once: authentication from the bearer token,
    the caller in a context variable, exceptions answered with their status.
    With ``commits`` (inline): unary calls run on the asyncio server's event
    loop with their SQLite writes in group commits, those marked
    long_running on a pool thread (see ApiServer)."""

    def __init__(self, jwt_secret: str, *, commits: GroupCommits | None):
        self.tokens = TokenVerifier(jwt_secret)
        self.commits = commits
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}  # by method: wrapping once is enough
        self._on_the_loop: set[str] = set()  # methods whose calls run on the loop

    def handler_for(self, method: str, handler):
        wrapped = self._wrapped.get(method)
        if wrapped is None:
            wrapped = self._wrapped[method] = self._wrap(method, handler)
        return wrapped

    def handler_for_call(self, method: str, handler):
        """handler_for, bound to one call's Arrival if it runs on the loop:
        the group commits count it as waiting until it runs."""
        wrapped = self.handler_for(method, handler)
        if method not in self._on_the_loop:
            return wrapped
        return wrapped._replace(unary_unary=functools.partial(wrapped.unary_unary, arrival=self.commits.arrived()))

    def _wrap(self, method: str, handler):
        if handler is None or method.startswith(_UNAUTHENTICATED_PREFIXES):
            return handler
        tokens, commits = self.tokens, self.commits

        def enter(context):
            """The caller set for a call on a thread (or the call aborted)."""
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

        def on_the_loop(behavior):
            async def wrapped(request, context, arrival):
                call = commits.start(arrival)
                try:
                    token = _current_caller.set(tokens.caller(context.invocation_metadata()))
                    try:
                        response = behavior(request, context)
                    finally:
                        _current_caller.reset(token)
                except Exception as exc:  # noqa: BLE001 - translated here, in one place
                    failure = exc
                else:
                    failure = None
                finally:
                    commits.finish(call)
                try:  # answered once its groups have committed: it may have read their writes
                    await commits.settled(call)
                except Exception as exc:  # noqa: BLE001 - the COMMIT failed: so does the call
                    failure = exc
                if failure is None:
                    return response
                code, details, trailing_metadata = _failure(failure)
                await context.abort(code, details, trailing_metadata)
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

        behavior = handler.unary_unary
        if behavior is not None:
            wrap = unary
            if commits is not None and not getattr(behavior, "hub_long_running", False):
                wrap = on_the_loop
                self._on_the_loop.add(method)
            return grpc.unary_unary_rpc_method_handler(
                wrap(behavior), request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
        kinds = {
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


class _ThreadedInterceptor(grpc.ServerInterceptor):
    def __init__(self, wrapping: _Wrapping):
        self.wrapping = wrapping

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        return self.wrapping.handler_for(method, continuation(handler_call_details))


class _LoopInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, wrapping: _Wrapping):
        self.wrapping = wrapping

    async def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        return self.wrapping.handler_for_call(method, await continuation(handler_call_details))


class _UnaryOnly:
    """What an inline server's register function gets: refuses streaming
    methods (ApiServer says why)."""

    def __init__(self, server):
        self._server = server

    def add_registered_method_handlers(self, service: str, handlers: dict) -> None:
        streaming = sorted(name for name, h in handlers.items() if h.request_streaming or h.response_streaming)
        if streaming:
            raise ValueError(f"{service}: streaming methods ({', '.join(streaming)}) need the threaded server "
                             "(inline=False)")
        self._server.add_registered_method_handlers(service, handlers)

    def add_generic_rpc_handlers(self, handlers) -> None:
        self._server.add_generic_rpc_handlers(handlers)


class ApiServer:
    """A gRPC server with the hub's authentication, error mapping, health and
    reflection, in one of two ways of running calls:

    - threaded (``inline=False``): grpcio's server, each call on a pool thread.
      For APIs whose calls wait on a network (PostgreSQL, Elasticsearch):
      while one waits, another runs.
    - inline (``inline=True``): grpcio's asyncio server, unary calls run one
      after another on its event loop thread, those marked ``long_running``
      on a pool thread. For APIs whose calls only do local work (SQLite): one
      Python process runs one call at a time anyway, and handing each call
      between threads under the interpreter lock cost more CPU than many a
      call itself (bench/ack_throughput.py). Their SQLite writes are group
      committed (hubkit.group_commit). A slow call makes the others in
      its process wait; HUB_GRPC_PROCESSES adds processes. Unary methods
      only: a thread producing a cancelled response stream can wait for ever
      on the asyncio server (grpc/grpc#25327). Either server may end a client
      stream the client gave up as if it were complete; uploads therefore
      carry their own end (hub.search.v1.UploadEnd).
    """

    def __init__(self, *, address: str, jwt_secret: str, workers: int = 8,
                 register: Callable[[grpc.Server], Iterable[str]], share_port: bool = False, inline: bool = False):
        """``share_port``: several processes serve one address (SO_REUSEPORT;
        the kernel spreads connections). Otherwise binding a port in use fails."""
        self.inline = inline
        options = [("grpc.so_reuseport", 1 if share_port else 0)]
        pool = self._pool = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc")
        if inline:
            self._loop = asyncio.new_event_loop()
            self._commits = GroupCommits(self._loop)
            wrapping = _Wrapping(jwt_secret, commits=self._commits)
            self._loop_thread = threading.Thread(target=self._loop.run_forever, name="grpc-loop", daemon=True)
            self._loop_thread.start()

            async def build():  # the asyncio server belongs to the loop's thread
                server = grpc.aio.server(migration_thread_pool=pool, interceptors=[_LoopInterceptor(wrapping)],
                                         options=options)
                return self._build(server, register, address, health.aio.HealthServicer())
            try:
                self._on_loop(build())
            except BaseException:
                self._stop_loop()
                raise
        else:
            wrapping = _Wrapping(jwt_secret, commits=None)
            self._build(grpc.server(pool, interceptors=[_ThreadedInterceptor(wrapping)], options=options),
                        register, address, health.HealthServicer())

    def _build(self, server, register, address: str, health_servicer) -> None:
        self.server = server
        self.service_names = list(register(_UnaryOnly(server) if self.inline else server))
        self.health = health_servicer
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection(
            self.service_names + [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
            server)
        self.port = server.add_insecure_port(address)  # raises if it cannot bind
        self.address = f"{address.rpartition(':')[0]}:{self.port}"

    def _on_loop(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop_thread.join(10)

    def start(self) -> "ApiServer":
        if self.inline:
            async def start():
                await self.server.start()
                for name in [""] + self.service_names:
                    await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
            self._on_loop(start())
            return self
        self.server.start()
        for name in [""] + self.service_names:
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        return self

    def stop(self, grace: float = 5.0) -> None:
        if self.inline:
            async def stop():
                await self.health.enter_graceful_shutdown()
                try:
                    await self.server.stop(grace)
                finally:
                    self._commits.commit_all()  # of calls cut short by the grace period
            try:
                self._on_loop(stop())
                # Long-running calls still at work finish first: their answer
                # (or abort) goes through the loop.
                self._pool.shutdown(wait=True)
            finally:
                self._stop_loop()
            return
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()

    def serve_until_signalled(self, grace: float = 5.0) -> None:
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        self.start()
        log.info("serving %s on %s%s", ", ".join(self.service_names), self.address,
                 " (calls inline on the event loop)" if self.inline else "")
        stopping.wait()
        log.info("stopping %s", self.address)
        self.stop(grace)
