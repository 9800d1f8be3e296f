"""Document upload and download throughput over gRPC streaming.

The real search API server (ApiServer + DocumentService: JWT check, streaming
into the content-addressed blob store with the size limit, sniffing, one SQL
transaction with the outbox row) on a temporary SQLite file and blob
directory, in this process. Each upload is a distinct 4 MiB file sent in
256 KiB chunks; then each is downloaded whole. No target was set for this
figure: the line below compares it with a floor we chose ourselves.
"""
from __future__ import annotations

import functools
import os
import secrets
import sys
import tempfile
import time

import grpc

import search.bootstrap
from benchlib import percentile, verdict
from hub.search.v1 import document_pb2 as pb, document_service_pb2 as api, document_service_pb2_grpc
from hubkit.auth import Caller, bearer_metadata, issue_token
from hubkit.clients import upload_requests
from hubkit.config import Config
from hubkit.grpc_server import ApiServer
from hubkit.wiring import engine_for, migrate_service

FILES = 24
FILE_BYTES = 4 * 1024 * 1024
CHUNK_BYTES = 256 * 1024
TARGET_MB_PER_S = 50.0  # our own floor: a 100 MB upload in about two seconds


def requests(data: bytes, number: int):
    return upload_requests(api.UploadDocumentRequest, pb.NewDocumentMetadata(
        title=f"基准测试文件 {number}", department="设备科", visibility=pb.Visibility(everyone=True),
        file_name=f"bench-{number}.bin"), (data[start:start + CHUNK_BYTES] for start in range(0, len(data), CHUNK_BYTES)))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hubbench-docs-") as data_dir:
        secret = secrets.token_urlsafe(32)
        config = Config({"HUB_JWT_SECRET": secret, "HUB_DATA_DIR": data_dir})
        migrate_service(config, "search")
        server = ApiServer(address="127.0.0.1:0", jwt_secret=secret,
                           register=functools.partial(search.bootstrap.register_api, config)).start()
        metadata = bearer_metadata(issue_token(secret, Caller(user_id="bench-uploader")))
        files = [os.urandom(FILE_BYTES) for _ in range(FILES)]
        try:
            with grpc.insecure_channel(server.address, options=[
                    ("grpc.max_receive_message_length", 8 * CHUNK_BYTES)]) as channel:
                stub = document_service_pb2_grpc.DocumentServiceStub(channel)
                upload_ms, ids = [], []
                started = time.monotonic()
                for number, data in enumerate(files):
                    began = time.monotonic()
                    ids.append(stub.UploadDocument(requests(data, number), metadata=metadata,
                                                   timeout=60).document.document_id)
                    upload_ms.append(1000 * (time.monotonic() - began))
                upload_seconds = time.monotonic() - started

                download_ms = []
                started = time.monotonic()
                for document_id, data in zip(ids, files):
                    began = time.monotonic()
                    replies = stub.DownloadDocument(api.DownloadDocumentRequest(document_id=document_id),
                                                    metadata=metadata, timeout=60)
                    received = b"".join(r.chunk for r in replies)
                    download_ms.append(1000 * (time.monotonic() - began))
                    if received != data:
                        raise RuntimeError(f"download of {document_id} differs from the upload")
                download_seconds = time.monotonic() - started
        finally:
            server.stop(1.0)
            engine_for(config, "search").dispose()

    megabytes = FILES * FILE_BYTES / 1e6
    upload_rate, download_rate = megabytes / upload_seconds, megabytes / download_seconds
    print(f"upload   {upload_rate:7.1f} MB/s  p50 {percentile(upload_ms, 50):6.1f} ms  "
          f"p95 {percentile(upload_ms, 95):6.1f} ms per {FILE_BYTES >> 20} MiB file  (n={FILES}, SQLite)")
    print(f"download {download_rate:7.1f} MB/s  p50 {percentile(download_ms, 50):6.1f} ms  "
          f"p95 {percentile(download_ms, 95):6.1f} ms per file, byte-exact")
    print(f"upload throughput {upload_rate:.1f} MB/s (own target >= {TARGET_MB_PER_S:.0f} MB/s: "
          f"{verdict(upload_rate, TARGET_MB_PER_S, higher_is_better=True)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
