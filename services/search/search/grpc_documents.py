"""hub.search.v1.DocumentService: proto <-> handler calls; errors map in hubkit."""
from __future__ import annotations

from typing import Iterator

from google.protobuf.timestamp_pb2 import Timestamp

from hub.search.v1 import document_pb2 as pb, document_service_pb2 as api, document_service_pb2_grpc
from hubkit.errors import InvalidArgument
from hubkit.grpc_server import current_caller
from search import document_handlers as handlers
from search.domain import documents as docs

DOWNLOAD_CHUNK_BYTES = 256 * 1024

STATUS_TO_PROTO = {
    docs.ExtractionStatus.PENDING: pb.EXTRACTION_STATUS_PENDING,
    docs.ExtractionStatus.EXTRACTED: pb.EXTRACTION_STATUS_EXTRACTED,
    docs.ExtractionStatus.FAILED: pb.EXTRACTION_STATUS_FAILED,
}


def _timestamp(moment) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def version_message(version: docs.Version) -> pb.DocumentVersion:
    return pb.DocumentVersion(
        document_id=version.document_id, number=version.number, file_name=version.file_name,
        content_type=version.content_type, size_bytes=version.size_bytes, sha256=version.sha256,
        uploaded_by=version.uploaded_by, uploaded_at=_timestamp(version.uploaded_at),
        extraction_status=STATUS_TO_PROTO[version.extraction_status], extraction_error=version.extraction_error,
        extracted_chars=version.extracted_chars, text_truncated=version.text_truncated)


def document_message(document: docs.Document, current: docs.Version) -> pb.Document:
    visibility = document.visibility
    return pb.Document(
        document_id=document.document_id, title=document.title, department=document.department,
        category=document.category, tags=list(document.tags),
        visibility=pb.Visibility(everyone=visibility.everyone, departments=list(visibility.departments),
                                 group_ids=list(visibility.group_ids), user_ids=list(visibility.user_ids)),
        owner_id=document.owner_id, created_at=_timestamp(document.created_at),
        current_version=version_message(current))


def _visibility(message: pb.Visibility) -> docs.Visibility:
    return docs.Visibility(everyone=message.everyone, departments=tuple(message.departments),
                           group_ids=tuple(message.group_ids), user_ids=tuple(message.user_ids))


def _split_upload(requests: Iterator) -> tuple[object, Iterator[bytes]]:
    """(the first message's metadata, an iterator of the chunks that follow).
    The chunks end well only at an ``end`` whose size agrees: grpcio may end
    a cancelled stream as if the client had finished it, so a stream without
    its end is refused (the blob store then keeps nothing of it)."""
    first = next(requests, None)
    if first is None or first.WhichOneof("part") != "metadata":
        raise InvalidArgument("the first message must carry the metadata", field="metadata")

    def chunks() -> Iterator[bytes]:
        received = 0
        for request in requests:
            part = request.WhichOneof("part")
            if part == "chunk":
                received += len(request.chunk)
                yield request.chunk
            elif part == "end":
                if request.end.size_bytes != received:
                    raise InvalidArgument(f"the chunks hold {received} bytes, the end says "
                                          f"{request.end.size_bytes}", field="end.size_bytes")
                if next(requests, None) is not None:
                    raise InvalidArgument("nothing may follow the end", field="end")
                return
            elif part == "metadata":
                raise InvalidArgument("metadata may only come first, once", field="metadata")
            else:
                raise InvalidArgument("a message with no part set", field="part")
        raise InvalidArgument("the upload stopped before its end message (cut short?); nothing was kept",
                              field="end")

    return first.metadata, chunks()


class DocumentServicer(document_service_pb2_grpc.DocumentServiceServicer):
    def __init__(self, *, uow_factory, blobs, max_upload_bytes: int):
        self.uow_factory = uow_factory
        self.blobs = blobs
        self.max_upload_bytes = max_upload_bytes

    def UploadDocument(self, request_iterator, context):
        metadata, chunks = _split_upload(request_iterator)
        cmd = docs.NewDocument(title=metadata.title, department=metadata.department, category=metadata.category,
                               tags=tuple(metadata.tags), visibility=_visibility(metadata.visibility),
                               file_name=metadata.file_name)
        document, version = handlers.upload_document(
            cmd, chunks, caller=current_caller(), uow=self.uow_factory(), blobs=self.blobs,
            max_upload_bytes=self.max_upload_bytes)
        return api.UploadDocumentResponse(document=document_message(document, version))

    def UploadVersion(self, request_iterator, context):
        metadata, chunks = _split_upload(request_iterator)
        document, version = handlers.upload_version(
            docs.NewVersion(document_id=metadata.document_id, file_name=metadata.file_name), chunks,
            caller=current_caller(), uow=self.uow_factory(), blobs=self.blobs,
            max_upload_bytes=self.max_upload_bytes)
        return api.UploadVersionResponse(document=document_message(document, version))

    def DownloadDocument(self, request, context):
        version, stream = handlers.open_version(request.document_id, request.version, caller=current_caller(),
                                                uow=self.uow_factory(read_only=True), blobs=self.blobs)
        with stream:
            yield api.DownloadDocumentResponse(version=version_message(version))
            while chunk := stream.read(DOWNLOAD_CHUNK_BYTES):
                yield api.DownloadDocumentResponse(chunk=chunk)

    def GetDocument(self, request, context):
        document, current = handlers.get_document(request.document_id, caller=current_caller(),
                                                  uow=self.uow_factory(read_only=True))
        return api.GetDocumentResponse(document=document_message(document, current))

    def ListVersions(self, request, context):
        versions = handlers.list_versions(request.document_id, caller=current_caller(), uow=self.uow_factory(read_only=True))
        return api.ListVersionsResponse(versions=[version_message(v) for v in versions])

    def DeleteDocument(self, request, context):
        document = handlers.delete_document(docs.DeleteDocument(request.document_id, request.reason),
                                            caller=current_caller(), uow=self.uow_factory())
        return api.DeleteDocumentResponse(document_id=document.document_id)
