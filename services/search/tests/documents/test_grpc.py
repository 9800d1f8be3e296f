"""DocumentService over a real gRPC channel (port 0), on SQLite and PostgreSQL."""
import os
from functools import partial

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from hub.search.v1 import document_pb2 as pb, document_service_pb2 as api, document_service_pb2_grpc
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit import api_process
from hubkit.clients import upload_requests as stream_of
from hubkit.launcher import prepare_index
from hubkit.wiring import engine_for, migrate_service
from search.domain import sniffing

LIMIT = 512 * 1024
OWNER = Caller("u-liu", departments=("机务段",))
READER = Caller("u-chen", departments=("机务段",))
STRANGER = Caller("u-gao", departments=("车务段",))


@pytest.fixture
def api_server(hub_config, db_url, jwt_secret):
    config = hub_config(SEARCH_DATABASE_URL=db_url, SEARCH_MAX_UPLOAD_BYTES=str(LIMIT))
    migrate_service(config, "search")
    prepare_index(config)
    server = api_process.api_server(config, "search", address="127.0.0.1:0").start()
    channel = grpc.insecure_channel(server.address)
    yield config, document_service_pb2_grpc.DocumentServiceStub(channel), partial(issue_token, jwt_secret), server.address
    channel.close()
    server.stop(0)


def call(stub_method, request, caller, issue, **kwargs):
    return stub_method(request, metadata=bearer_metadata(issue(caller)), timeout=20, **kwargs)


def upload_requests(data: bytes, chunk: int = 64 * 1024, **metadata):
    fields = dict(title="机车检修作业标准", department="机务段", category="作业标准", tags=["检修"],
                  visibility=pb.Visibility(departments=["机务段"]), file_name="检修标准.pdf")
    fields.update(metadata)
    return stream_of(api.UploadDocumentRequest, pb.NewDocumentMetadata(**fields),
                     [data[start:start + chunk] for start in range(0, len(data), chunk)])


def download(stub, caller, issue, document_id, version=0):
    replies = list(call(stub.DownloadDocument, api.DownloadDocumentRequest(document_id=document_id, version=version),
                        caller, issue))
    assert replies[0].WhichOneof("part") == "version"
    assert all(r.WhichOneof("part") == "chunk" for r in replies[1:])
    return replies[0].version, b"".join(r.chunk for r in replies[1:])


def violation(error: grpc.RpcError) -> list[str]:
    fields = []
    for detail in rpc_status.from_call(error).details:
        bad_request = error_details_pb2.BadRequest()
        detail.Unpack(bad_request)
        fields += [v.field for v in bad_request.field_violations]
    return fields


def count(config, table):
    with engine_for(config, "search").connect() as connection:
        return connection.exec_driver_sql(f"select count(*) from {table}").scalar()


def test_streaming_upload_and_download_are_byte_exact(api_server, samples):
    _, stub, issue, _ = api_server
    data = samples.pdf() + os.urandom(300_000)  # still a PDF by its magic number, several chunks long
    document = call(stub.UploadDocument, upload_requests(data), OWNER, issue).document
    current = document.current_version
    assert (current.number, current.content_type, current.size_bytes, current.file_name) == (
        1, sniffing.PDF, len(data), "检修标准.pdf")
    assert current.extraction_status == pb.EXTRACTION_STATUS_PENDING and document.owner_id == "u-liu"
    version, content = download(stub, READER, issue, document.document_id)
    assert content == data and version == current


def test_versions_are_listed_and_each_can_be_downloaded(api_server, samples):
    _, stub, issue, _ = api_server
    document = call(stub.UploadDocument, upload_requests(samples.docx(), file_name="标准.docx"), OWNER, issue).document

    def version_requests():
        return stream_of(api.UploadVersionRequest, pb.NewVersionMetadata(document_id=document.document_id,
                                                                          file_name="标准（修订）.md"),
                         [samples.markdown()])

    updated = call(stub.UploadVersion, version_requests(), OWNER, issue).document
    assert updated.current_version.number == 2 and updated.current_version.content_type == sniffing.MARKDOWN
    listed = call(stub.ListVersions, api.ListVersionsRequest(document_id=document.document_id), READER, issue)
    assert [(v.number, v.file_name) for v in listed.versions] == [(1, "标准.docx"), (2, "标准（修订）.md")]
    assert download(stub, READER, issue, document.document_id, 1)[1] == samples.docx()
    assert download(stub, READER, issue, document.document_id, 0)[1] == samples.markdown()
    got = call(stub.GetDocument, api.GetDocumentRequest(document_id=document.document_id), READER, issue).document
    assert got == updated and list(got.tags) == ["检修"]


def test_passing_the_size_limit_aborts_mid_stream_and_stores_nothing(api_server):
    config, stub, issue, _ = api_server
    offered = []

    def requests():
        for request in upload_requests(b"x" * (LIMIT * 20)):
            offered.append(request)
            yield request

    with pytest.raises(grpc.RpcError) as raised:
        call(stub.UploadDocument, requests(), OWNER, issue)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and violation(raised.value) == ["chunk"]
    assert len(offered) < 1 + 20 * LIMIT // (64 * 1024)  # the server stopped reading early
    assert count(config, "documents") == count(config, "outbox") == 0
    blob_dir = config.data_dir / "blobs"
    assert [p for p in blob_dir.rglob("*") if p.is_file()] == []


def _end(size: int):
    return api.UploadDocumentRequest(end=api.UploadEnd(size_bytes=size))


@pytest.mark.parametrize("requests, field", [
    (lambda: upload_requests(b"data", title=" "), "metadata.title"),
    (lambda: upload_requests(b"data", department=""), "metadata.department"),
    (lambda: upload_requests(b"data", visibility=pb.Visibility()), "metadata.visibility"),
    (lambda: upload_requests(b"data", visibility=pb.Visibility(everyone=True, user_ids=["u1"])),
     "metadata.visibility"),
    (lambda: upload_requests(b"data", visibility=pb.Visibility(group_ids=["g1", ""])),
     "metadata.visibility.group_ids[1]"),
    (lambda: upload_requests(b"data", file_name="/../"), "metadata.file_name"),
    (lambda: upload_requests(b""), "chunk"),
    (lambda: iter([api.UploadDocumentRequest(chunk=b"data")]), "metadata"),
    (lambda: iter([]), "metadata"),
    (lambda: iter([*list(upload_requests(b"data"))[:-1], next(upload_requests(b"")), _end(4)]), "metadata"),
    # A stream that stops without its end may have been cut short.
    (lambda: iter(list(upload_requests(b"data"))[:-1]), "end"),
    (lambda: iter([*list(upload_requests(b"data"))[:-1], _end(3)]), "end.size_bytes"),
    (lambda: iter([*upload_requests(b"data"), api.UploadDocumentRequest(chunk=b"more")]), "end"),
    (lambda: iter([*list(upload_requests(b"data"))[:-1], api.UploadDocumentRequest(), _end(4)]), "part"),
])
def test_bad_uploads_name_the_field_and_store_nothing(api_server, requests, field):
    config, stub, issue, _ = api_server
    with pytest.raises(grpc.RpcError) as raised:
        call(stub.UploadDocument, requests(), OWNER, issue)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violation(raised.value) == [field] and field in raised.value.details()
    assert count(config, "documents") == 0
    assert [p for p in (config.data_dir / "blobs").rglob("*") if p.is_file()] == []  # not even a temp file


def test_a_version_cut_short_is_refused_and_the_document_keeps_its_current_one(api_server, samples):
    config, stub, issue, _ = api_server
    document = call(stub.UploadDocument, upload_requests(samples.docx()), OWNER, issue).document
    cut_short = list(stream_of(api.UploadVersionRequest, pb.NewVersionMetadata(
        document_id=document.document_id, file_name="修订稿.md"), [samples.markdown()]))[:-1]
    with pytest.raises(grpc.RpcError) as raised:
        call(stub.UploadVersion, iter(cut_short), OWNER, issue)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and violation(raised.value) == ["end"]
    listed = call(stub.ListVersions, api.ListVersionsRequest(document_id=document.document_id), OWNER, issue)
    assert [v.number for v in listed.versions] == [1]
    assert len([p for p in (config.data_dir / "blobs").rglob("*") if p.is_file()]) == 1  # version 1's


def test_reads_are_limited_to_those_it_is_shared_with(api_server, samples):
    _, stub, issue, _ = api_server
    document = call(stub.UploadDocument, upload_requests(samples.docx()), OWNER, issue).document
    ref = dict(document_id=document.document_id)
    for method, request in [(stub.GetDocument, api.GetDocumentRequest(**ref)),
                            (stub.ListVersions, api.ListVersionsRequest(**ref))]:
        with pytest.raises(grpc.RpcError) as raised:
            call(method, request, STRANGER, issue)
        assert raised.value.code() == grpc.StatusCode.NOT_FOUND and violation(raised.value) == ["document_id"]
    with pytest.raises(grpc.RpcError) as raised:
        download(stub, STRANGER, issue, document.document_id)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as raised:
        download(stub, READER, issue, document.document_id, version=7)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND and violation(raised.value) == ["version"]


def test_only_the_owner_changes_or_deletes_and_deleted_documents_are_gone(api_server, samples):
    _, stub, issue, _ = api_server
    document = call(stub.UploadDocument, upload_requests(samples.docx()), OWNER, issue).document

    def version_requests():
        return stream_of(api.UploadVersionRequest, pb.NewVersionMetadata(document_id=document.document_id,
                                                                          file_name="篡改.txt"),
                         ["改过的内容".encode()])

    with pytest.raises(grpc.RpcError) as raised:
        call(stub.UploadVersion, version_requests(), READER, issue)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert violation(raised.value) == ["metadata.document_id"]
    delete = api.DeleteDocumentRequest(document_id=document.document_id, reason="已废止")
    with pytest.raises(grpc.RpcError) as raised:
        call(stub.DeleteDocument, delete, READER, issue)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as raised:
        call(stub.DeleteDocument, api.DeleteDocumentRequest(document_id=document.document_id), OWNER, issue)
    assert violation(raised.value) == ["reason"]
    assert call(stub.DeleteDocument, delete, OWNER, issue).document_id == document.document_id
    with pytest.raises(grpc.RpcError) as raised:
        call(stub.GetDocument, api.GetDocumentRequest(document_id=document.document_id), OWNER, issue)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_document_service_answers_health_checks_and_requires_a_token(api_server):
    _, stub, _, address = api_server
    with grpc.insecure_channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="hub.search.v1.DocumentService"), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetDocument(api.GetDocumentRequest(document_id="x"), timeout=5)  # no token
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
