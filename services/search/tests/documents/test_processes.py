"""The real processes (`hub api`, `hub worker`, `hub relay` as started by the
launcher): an uploaded DOCX becomes searchable, a zip bomb is recorded as a
failure and the worker carries on."""
import os

import grpc
import pytest

from hub.search.v1 import document_pb2 as pb, document_service_pb2 as api, document_service_pb2_grpc
from hub.search.v1 import search_service_pb2 as search_api
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import connect, upload_requests
from hubkit.config import Config
from hubkit.demo import wait_for
from hubkit.launcher import Hub, prepare

UPLOADER = Caller("u-e2e-doc", departments=("车辆段",))


@pytest.fixture(scope="module")
def hub(tmp_path_factory, private_amqp_uri):
    from conftest import free_port
    secret = "doc-e2e-" + os.urandom(16).hex()
    env = dict(os.environ, HUB_DATA_DIR=str(tmp_path_factory.mktemp("hub")), HUB_AMQP_URI=private_amqp_uri,
               HUB_JWT_SECRET=secret, PYTHONUNBUFFERED="1", SEARCH_EXTRACT_MAX_ZIP_RATIO="50",
               **{f"{s}_GRPC_ADDR": f"127.0.0.1:{free_port()}" for s in ("NOTICE", "SEARCH", "REPORTS")})
    config = Config(env)
    prepare(config, out=lambda *_: None)
    running = Hub(config, env)
    running.start()
    try:
        assert running.wait_ready() == []
        yield config, secret
    finally:
        running.stop()
        for child in running.children:
            if child.name == "search-worker":
                print(f"--- {child.name}\n{child.log_path.read_text()[-3000:]}")


def upload(config, secret, data: bytes, title: str, file_name: str):
    with grpc.insecure_channel(config.grpc_addr("search")) as channel:
        stub = document_service_pb2_grpc.DocumentServiceStub(channel)
        requests = upload_requests(api.UploadDocumentRequest, pb.NewDocumentMetadata(
            title=title, department="车辆段", visibility=pb.Visibility(departments=["车辆段"]), file_name=file_name),
            [data])
        return stub.UploadDocument(requests, metadata=bearer_metadata(issue_token(secret, UPLOADER)),
                                   timeout=20).document


def current_version(config, secret, document_id):
    with grpc.insecure_channel(config.grpc_addr("search")) as channel:
        stub = document_service_pb2_grpc.DocumentServiceStub(channel)
        return stub.GetDocument(api.GetDocumentRequest(document_id=document_id),
                                metadata=bearer_metadata(issue_token(secret, UPLOADER))).document.current_version


def test_documents_through_the_running_hub(hub, samples):
    config, secret = hub
    bomb = upload(config, secret, samples.ooxml_zip("word/document.xml", bomb_bytes=64 << 20), "炸弹", "b.docx")
    rules = upload(config, secret, samples.docx(paragraphs=["客車制動機試驗須按規定逐輛進行。"]),
                   "客车制动机试验规程", "制动.docx")
    search = connect("search", config.grpc_addr("search"), issue_token(secret, Caller("u-reader", departments=("车辆段",))))
    found = wait_for(lambda: [h.item_id for h in search.Search(search_api.SearchRequest(query="制动机试验")).hits],
                     30.0, 0.1)
    search.close()
    assert found == [rules.document_id]
    failed = wait_for(lambda: current_version(config, secret, bomb.document_id).extraction_status
                      == pb.EXTRACTION_STATUS_FAILED, 30.0, 0.1)
    assert failed and "zip bomb" in current_version(config, secret, bomb.document_id).extraction_error
