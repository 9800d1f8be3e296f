"""gRPC clients of the hub's APIs, for the CLI, the demo, tests and benchmarks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hub.notice.v1 import finding_service_pb2_grpc, group_service_pb2_grpc, notice_service_pb2_grpc
from hub.reports.v1 import reports_service_pb2_grpc
from hub.search.v1 import document_service_pb2, document_service_pb2_grpc, search_service_pb2_grpc
from hubkit.auth import bearer_metadata

# By API: each service's main API under the service's name, and the others
# its API server also serves (connect to that service's address).
STUBS = {
    "notice": notice_service_pb2_grpc.NoticeServiceStub,
    "group": group_service_pb2_grpc.GroupServiceStub,
    "finding": finding_service_pb2_grpc.FindingServiceStub,
    "search": search_service_pb2_grpc.SearchServiceStub,
    "document": document_service_pb2_grpc.DocumentServiceStub,
    "reports": reports_service_pb2_grpc.ReportsServiceStub,
}


@dataclass
class ApiClient:
    """A stub whose calls all carry the caller's token."""
    channel: grpc.Channel
    stub: object
    metadata: tuple
    timeout: float = 10.0  # default deadline of each call, in seconds

    def __getattr__(self, rpc_name):
        method = getattr(self.stub, rpc_name)

        def call(request, timeout: float | None = None, **kwargs):
            return method(request, metadata=self.metadata, timeout=timeout or self.timeout, **kwargs)
        return call

    def close(self) -> None:
        self.channel.close()


def dial(stub_class, address: str, token: str, *, timeout: float = 10.0) -> ApiClient:
    """A client of any API (``stub_class``) whose calls carry ``token``."""
    channel = grpc.insecure_channel(address)
    return ApiClient(channel, stub_class(channel), bearer_metadata(token), timeout)


def connect(api: str, address: str, token: str) -> ApiClient:
    return dial(STUBS[api], address, token)


def upload_requests(request_type, metadata, chunks: Iterable[bytes]):
    """The request stream of an upload (``request_type`` UploadDocumentRequest
    or UploadVersionRequest): the metadata, the chunks, and the end without
    which the server keeps nothing."""
    yield request_type(metadata=metadata)
    size = 0
    for chunk in chunks:
        size += len(chunk)
        yield request_type(chunk=chunk)
    yield request_type(end=document_service_pb2.UploadEnd(size_bytes=size))


def health(address: str, timeout: float = 2.0) -> str:
    """SERVING, NOT_SERVING, or why the server did not answer."""
    with grpc.insecure_channel(address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.RpcError as exc:
            return f"unreachable ({exc.code().name})"
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def field_violations(error: grpc.RpcError) -> list[tuple[str, str]]:
    """(field, description) of each field a refused call named in its
    ``google.rpc.BadRequest`` detail (see hubkit.grpc_server)."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    status = rpc_status.from_call(error)
    found = []
    for detail in status.details if status else ():
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            found += [(v.field, v.description) for v in bad_request.field_violations]
    return found


def violated_fields(error: grpc.RpcError) -> list[str]:
    return [field for field, _ in field_violations(error)]
