"""ApiServer answers alike whether its unary calls run inline on the event
loop (local databases) or on pool threads (networked ones): who the caller
is, the status and field of a failure, which calls leave the loop; streaming
only on the threaded server. Over real channels bound to port 0."""
import threading

import grpc
import pytest
from sqlalchemy.exc import OperationalError

from hub.notice.v1 import group_service_pb2 as groups_api, group_service_pb2_grpc
from hub.notice.v1 import notice_service_pb2 as notices_api, notice_service_pb2_grpc
from hub.search.v1 import document_service_pb2 as documents_api, document_service_pb2_grpc
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import violated_fields
from hubkit.errors import Aborted, InvalidArgument
from hubkit.grpc_server import ApiServer, current_caller, long_running

SHIFT_LEADER = Caller("u-banzhang", departments=("炼钢厂二车间",))


class Notices(notice_service_pb2_grpc.NoticeServiceServicer):
    threads: list[str] = []

    def AcknowledgeNotice(self, request, context):
        self.threads.append(threading.current_thread().name)
        if not request.notice_id:
            raise InvalidArgument("which notice?", field="notice_id")
        return notices_api.AcknowledgeNoticeResponse(first_acknowledgement=current_caller().user_id == "u-banzhang")

    def MarkRead(self, request, context):
        raise RuntimeError("a bug")

    def EditNotice(self, request, context):
        raise Aborted("changed by another request since it was read")

    def RevokeNotice(self, request, context):
        # what a lost PostgreSQL connection raises once SQLAlchemy has invalidated it
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"),
                               connection_invalidated=True)


class Groups(group_service_pb2_grpc.GroupServiceServicer):
    threads: list[str] = []

    @long_running
    def SyncMembers(self, request, context):
        self.threads.append(threading.current_thread().name)
        return groups_api.SyncMembersResponse(added=len(current_caller().user_id))


class Documents(document_service_pb2_grpc.DocumentServiceServicer):
    def DownloadDocument(self, request, context):
        for part in range(3):  # the caller is known at every step of the stream
            yield documents_api.DownloadDocumentResponse(chunk=f"{current_caller().user_id}:{part}".encode())


def register_unary(server):
    notice_service_pb2_grpc.add_NoticeServiceServicer_to_server(Notices(), server)
    group_service_pb2_grpc.add_GroupServiceServicer_to_server(Groups(), server)
    return ["hub.notice.v1.NoticeService", "hub.notice.v1.GroupService"]


def register(server):  # with streaming methods
    document_service_pb2_grpc.add_DocumentServiceServicer_to_server(Documents(), server)
    return register_unary(server) + ["hub.search.v1.DocumentService"]


@pytest.fixture(params=[True, False], ids=["inline", "threaded"])
def channel(request, jwt_secret):
    Notices.threads.clear()
    Groups.threads.clear()
    server = ApiServer(address="127.0.0.1:0", jwt_secret=jwt_secret, register=register_unary,
                       inline=request.param).start()
    with grpc.insecure_channel(server.address) as channel:
        yield channel, bearer_metadata(issue_token(jwt_secret, SHIFT_LEADER)), request.param
    server.stop(0)


def test_the_caller_comes_from_the_token_in_both_modes(channel):
    channel, metadata, inline = channel
    notices = notice_service_pb2_grpc.NoticeServiceStub(channel)
    assert notices.AcknowledgeNotice(notices_api.AcknowledgeNoticeRequest(notice_id="n1"),
                                     metadata=metadata).first_acknowledgement
    with pytest.raises(grpc.RpcError) as raised:
        notices.AcknowledgeNotice(notices_api.AcknowledgeNoticeRequest(notice_id="n1"),
                                  metadata=(("authorization", "Bearer forged"),))
    assert raised.value.code() is grpc.StatusCode.UNAUTHENTICATED
    [thread] = Notices.threads  # the forged call never reached the servicer
    assert (thread == "grpc-loop") is inline


def test_failures_answer_the_same_status_and_field_in_both_modes(channel):
    channel, metadata, _ = channel
    notices = notice_service_pb2_grpc.NoticeServiceStub(channel)
    with pytest.raises(grpc.RpcError) as raised:
        notices.AcknowledgeNotice(notices_api.AcknowledgeNoticeRequest(), metadata=metadata)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT and violated_fields(raised.value) == ["notice_id"]
    with pytest.raises(grpc.RpcError) as raised:
        notices.MarkRead(notices_api.MarkReadRequest(notice_id="n1"), metadata=metadata)
    assert raised.value.code() is grpc.StatusCode.INTERNAL and "incident" in raised.value.details()
    assert "a bug" not in raised.value.details()  # the log has it, the caller does not
    with pytest.raises(grpc.RpcError) as raised:
        notices.RevokeNotice(notices_api.RevokeNoticeRequest(notice_id="n1"), metadata=metadata)
    assert raised.value.code() is grpc.StatusCode.UNAVAILABLE
    with pytest.raises(grpc.RpcError) as raised:  # a conflict the client may retry
        notices.EditNotice(notices_api.EditNoticeRequest(notice_id="n1"), metadata=metadata)
    assert raised.value.code() is grpc.StatusCode.ABORTED and "another request" in raised.value.details()


def test_long_running_calls_leave_the_event_loop(channel):
    channel, metadata, _ = channel
    groups = group_service_pb2_grpc.GroupServiceStub(channel)
    assert groups.SyncMembers(groups_api.SyncMembersRequest(), metadata=metadata).added == len("u-banzhang")
    [thread] = Groups.threads
    assert thread.startswith("grpc_")  # a pool thread in either mode


def test_streaming_calls_know_their_caller_on_the_threaded_server(jwt_secret):
    server = ApiServer(address="127.0.0.1:0", jwt_secret=jwt_secret, register=register).start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            documents = document_service_pb2_grpc.DocumentServiceStub(channel)
            chunks = [part.chunk for part in documents.DownloadDocument(documents_api.DownloadDocumentRequest(
                document_id="d1"), metadata=bearer_metadata(issue_token(jwt_secret, SHIFT_LEADER)))]
        assert chunks == [b"u-banzhang:0", b"u-banzhang:1", b"u-banzhang:2"]
    finally:
        server.stop(0)


def test_an_inline_server_refuses_streaming_methods(jwt_secret):
    # On the asyncio server a thread making a response stream can wait for ever.
    with pytest.raises(ValueError, match="DownloadDocument.*threaded"):
        ApiServer(address="127.0.0.1:0", jwt_secret=jwt_secret, register=register, inline=True)
