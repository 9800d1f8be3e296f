"""From upload to search: the API server over gRPC, the outbox relayed through
the real RabbitMQ, the search worker's entrypoints (worker_factory, real
dependencies), and SearchService.Search over gRPC."""
import time

import grpc
import pika
import pytest
from nameko.testing.services import worker_factory

from hub.search.v1 import document_pb2 as pb, document_service_pb2 as api, document_service_pb2_grpc
from hub.search.v1 import search_service_pb2 as search_api
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import connect, upload_requests
from hubkit.envelope import from_body
from hubkit.api_process import api_server
from hubkit.launcher import prepare_index
from hubkit.relay import OutboxRelay
from hubkit.topology import connection_parameters, declare, subscriptions_of
from hubkit.wiring import engine_for, migrate_service
from search import bootstrap as search_bootstrap
from search.adapters.tantivy_index import RELOAD_SECONDS
from search.service import SearchWorker

OWNER = Caller("u-he", departments=("热力公司",), groups=("g-station",))
COLLEAGUE = Caller("u-lu", departments=("热力公司",))
OUTSIDER = Caller("u-ye", departments=("供电段",))


@pytest.fixture
def hub(hub_config, db_url, jwt_secret, private_amqp_uri):
    config = hub_config(SEARCH_DATABASE_URL=db_url, HUB_AMQP_URI=private_amqp_uri)
    migrate_service(config, "search")
    prepare_index(config)
    subscriptions = subscriptions_of(SearchWorker)
    declare(private_amqp_uri, subscriptions, ["search"])
    server = api_server(config, "search", address="127.0.0.1:0").start()
    index = search_bootstrap.writable_index(config)
    worker = worker_factory(SearchWorker, uow=search_bootstrap.uow_factory(config), index=index,
                            blobs=search_bootstrap.blob_store(config),
                            extractor=search_bootstrap.text_extractor(config))
    channel = grpc.insecure_channel(server.address)
    relay = OutboxRelay({"search": engine_for(config, "search")}, private_amqp_uri)

    def deliver() -> int:
        """Relay the outbox to RabbitMQ and hand each queued event to its entrypoint, as nameko would."""
        relay.relay_once("search")
        connection = pika.BlockingConnection(connection_parameters(private_amqp_uri))
        delivered = 0
        try:
            channel_ = connection.channel()
            for sub in subscriptions:
                while True:
                    method, _, body = channel_.basic_get(sub.queue, auto_ack=True)
                    if method is None:
                        break
                    getattr(worker, sub.method_name)(from_body(body))
                    delivered += 1
        finally:
            connection.close()
        time.sleep(2 * RELOAD_SECONDS)  # the API server's reader sees the worker's commit this much later
        return delivered

    def documents(caller):
        return document_service_pb2_grpc.DocumentServiceStub(channel), bearer_metadata(issue_token(jwt_secret, caller))

    def search(caller, text):
        client = connect("search", server.address, issue_token(jwt_secret, caller))
        try:
            return [h.item_id for h in client.Search(search_api.SearchRequest(query=text)).hits]
        finally:
            client.close()

    yield documents, deliver, search
    relay.close()
    channel.close()
    server.stop(0)
    index.close()


def upload(documents, caller, data, **metadata):
    stub, auth = documents(caller)
    fields = dict(title="换热站运行规程", department="热力公司", category="规程",
                  visibility=pb.Visibility(departments=["热力公司"]), file_name="规程.docx")
    fields.update(metadata)
    requests = upload_requests(api.UploadDocumentRequest, pb.NewDocumentMetadata(**fields), [data])
    return stub.UploadDocument(requests, metadata=auth, timeout=20).document


def test_an_uploaded_docx_becomes_searchable_in_either_script(hub, samples):
    documents, deliver, search = hub
    data = samples.docx(paragraphs=["一次網供水溫度不得低於七十度。", "二次网循环泵每班巡检两次。",
                                    "Pump inspection twice per shift."])
    document = upload(documents, OWNER, data)
    assert search(COLLEAGUE, "循环泵") == []  # not before the worker ran
    assert deliver() == 1
    assert search(COLLEAGUE, "一次网供水温度") == [document.document_id]  # simplified query, traditional text
    assert search(COLLEAGUE, "循環泵 巡檢") == [document.document_id]  # traditional query, simplified text
    assert search(COLLEAGUE, "pump inspection") == [document.document_id]
    assert search(OUTSIDER, "循环泵") == []
    stub, auth = documents(COLLEAGUE)
    current = stub.GetDocument(api.GetDocumentRequest(document_id=document.document_id),
                               metadata=auth).document.current_version
    assert current.extraction_status == pb.EXTRACTION_STATUS_EXTRACTED and current.extracted_chars > 20

    stub, auth = documents(OWNER)
    stub.DeleteDocument(api.DeleteDocumentRequest(document_id=document.document_id, reason="规程已修订"),
                        metadata=auth)
    assert deliver() == 1
    assert search(COLLEAGUE, "循环泵") == []


def test_a_bad_file_is_recorded_stays_downloadable_and_the_worker_goes_on(hub, samples):
    documents, deliver, search = hub
    broken = samples.ooxml_zip("xl/workbook.xml")  # an XLSX in name only
    bomb = samples.ooxml_zip("word/document.xml", bomb_bytes=32 << 20)
    bad = upload(documents, OWNER, broken, title="供热量统计表", file_name="统计.xlsx")
    boom = upload(documents, OWNER, bomb, title="压缩炸弹样本", file_name="bomb.docx")
    good = upload(documents, OWNER, samples.pptx(), title="冬季供热保障方案汇报", file_name="汇报.pptx")
    assert deliver() == 3
    stub, auth = documents(COLLEAGUE)
    for document, reason in [(bad, "cannot parse"), (boom, "zip bomb")]:
        current = stub.GetDocument(api.GetDocumentRequest(document_id=document.document_id),
                                   metadata=auth).document.current_version
        assert current.extraction_status == pb.EXTRACTION_STATUS_FAILED and reason in current.extraction_error
    replies = list(stub.DownloadDocument(api.DownloadDocumentRequest(document_id=bad.document_id), metadata=auth))
    assert b"".join(r.chunk for r in replies[1:]) == broken
    assert search(COLLEAGUE, "供热量统计") == [bad.document_id]  # still found by its title
    assert search(COLLEAGUE, "换热站运行参数") == [good.document_id]
