"""``hub doc upload|download|versions|info|delete``: the document platform from
the command line, over gRPC against the running hub.

The caller is a bearer token: ``--token`` (or HUB_TOKEN), else a development
token issued for ``--user`` (with ``--dept``/``--group``/``--role``) with the
hub's secret. This module is imported on every ``hub`` run: gRPC stubs are
imported inside the commands.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

UPLOAD_CHUNK_BYTES = 256 * 1024
STREAM_TIMEOUT_SECONDS = 600.0


def register(subparsers) -> None:
    doc = subparsers.add_parser("doc", help="upload, download and manage documents")
    actions = doc.add_subparsers(dest="doc_command", required=True)

    upload = actions.add_parser("upload", help="upload a file as a new document, or as a new version (--document)")
    _common(upload)
    upload.add_argument("file", type=Path)
    upload.add_argument("--document", default="", help="id of the document to add a version to")
    upload.add_argument("--title", default="", help="title (new documents; default: the file name)")
    upload.add_argument("--department", default="", help="owning department (new documents)")
    upload.add_argument("--category", default="")
    upload.add_argument("--tag", action="append", default=[])
    upload.add_argument("--share", action="append", default=[], metavar="PRINCIPAL",
                        help="everyone | dept:NAME | group:ID | user:ID (repeatable)")
    upload.add_argument("--name", default="", help="file name to store (default: the file's own name)")
    upload.set_defaults(func=_upload)

    download = actions.add_parser("download", help="download a version of a document")
    _common(download)
    download.add_argument("document")
    download.add_argument("--version", type=int, default=0, help="version number (default: current)")
    download.add_argument("--output", "-o", type=Path, help="file or directory (default: the stored file name); '-' for stdout")
    download.set_defaults(func=_download)

    versions = actions.add_parser("versions", help="list a document's versions")
    _common(versions)
    versions.add_argument("document")
    versions.set_defaults(func=_versions)

    info = actions.add_parser("info", help="show a document's metadata and current version")
    _common(info)
    info.add_argument("document")
    info.set_defaults(func=_info)

    delete = actions.add_parser("delete", help="soft-delete a document (audited)")
    _common(delete)
    delete.add_argument("document")
    delete.add_argument("--reason", required=True)
    delete.set_defaults(func=_delete)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", default="", help="search API address (default SEARCH_GRPC_ADDR)")
    parser.add_argument("--token", default=os.environ.get("HUB_TOKEN", ""), help="bearer token (default HUB_TOKEN)")
    parser.add_argument("--user", default="", help="issue a development token for this user id")
    parser.add_argument("--dept", action="append", default=[])
    parser.add_argument("--group", action="append", default=[])
    parser.add_argument("--role", action="append", default=[])


def _client(args, config):
    """A DocumentService client for --token, or a development token for --user."""
    from hub.search.v1 import document_service_pb2_grpc
    from hubkit.auth import Caller, issue_token
    from hubkit.clients import dial
    from hubkit.launcher import jwt_secret

    token = args.token
    if not token:
        if not args.user:
            raise SystemExit("hub doc: give --token (or HUB_TOKEN) or --user")
        token = issue_token(jwt_secret(config), Caller(args.user, tuple(args.dept), tuple(args.group),
                                                       tuple(args.role)))
    # Uploads and downloads of large files take longer than other calls.
    return dial(document_service_pb2_grpc.DocumentServiceStub, args.address or config.grpc_addr("search"), token,
                timeout=30.0)


def _run(args, config, action) -> int:
    import grpc
    client = _client(args, config)
    try:
        return action(client) or 0
    except grpc.RpcError as exc:
        print(f"hub doc: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return 1
    finally:
        client.close()


def _chunks(path: Path):
    with path.open("rb") as source:
        while chunk := source.read(UPLOAD_CHUNK_BYTES):
            yield chunk


def _visibility(principals: list[str]):
    from hub.search.v1 import document_pb2 as pb
    visibility = pb.Visibility()
    for principal in principals:
        kind, _, name = principal.partition(":")
        if principal == "everyone":
            visibility.everyone = True
        elif kind == "dept" and name:
            visibility.departments.append(name)
        elif kind == "group" and name:
            visibility.group_ids.append(name)
        elif kind == "user" and name:
            visibility.user_ids.append(name)
        else:
            raise SystemExit(f"hub doc: --share {principal!r} is not everyone, dept:NAME, group:ID or user:ID")
    return visibility


def _upload(args, config) -> int:
    from hub.search.v1 import document_pb2 as pb, document_service_pb2 as api
    from hubkit.clients import upload_requests
    if not args.file.is_file():
        raise SystemExit(f"hub doc: no file {args.file}")
    file_name = args.name or args.file.name
    # Built before streaming starts: gRPC consumes the request iterator on its own thread.
    metadata = None if args.document else pb.NewDocumentMetadata(
        title=args.title or args.file.stem, department=args.department, category=args.category,
        tags=args.tag, visibility=_visibility(args.share), file_name=file_name)

    def new_document():
        return upload_requests(api.UploadDocumentRequest, metadata, _chunks(args.file))

    def new_version():
        return upload_requests(api.UploadVersionRequest,
                               pb.NewVersionMetadata(document_id=args.document, file_name=file_name),
                               _chunks(args.file))

    def action(client):
        if args.document:
            document = client.UploadVersion(new_version(), timeout=STREAM_TIMEOUT_SECONDS).document
        else:
            document = client.UploadDocument(new_document(), timeout=STREAM_TIMEOUT_SECONDS).document
        version = document.current_version
        print(f"{document.document_id}  version {version.number}  {version.content_type}  "
              f"{version.size_bytes} bytes  sha256 {version.sha256[:12]}…")
    return _run(args, config, action)


def _download(args, config) -> int:
    from hub.search.v1 import document_service_pb2 as api

    def action(client):
        replies = client.DownloadDocument(api.DownloadDocumentRequest(document_id=args.document,
                                                                      version=args.version),
                                          timeout=STREAM_TIMEOUT_SECONDS)
        version = next(replies).version
        to_stdout = str(args.output) == "-"
        target = None if to_stdout else _target(args.output, version.file_name)
        out = sys.stdout.buffer if to_stdout else target.open("wb")
        try:
            for reply in replies:
                out.write(reply.chunk)
        finally:
            if not to_stdout:
                out.close()
        if target:
            print(f"{target}  version {version.number}  {version.size_bytes} bytes")
    return _run(args, config, action)


def _target(output: Path | None, file_name: str) -> Path:
    if output is None:
        return Path(file_name)
    return output / file_name if output.is_dir() else output


def _version_line(version) -> str:
    from hub.search.v1 import document_pb2 as pb
    status = pb.ExtractionStatus.Name(version.extraction_status).removeprefix("EXTRACTION_STATUS_").lower()
    reason = f" ({version.extraction_error})" if version.extraction_error else ""
    return (f"v{version.number}  {version.uploaded_at.ToDatetime():%Y-%m-%d %H:%M}  {version.uploaded_by}  "
            f"{version.file_name}  {version.content_type}  {version.size_bytes} bytes  text: {status}{reason}")


def _versions(args, config) -> int:
    from hub.search.v1 import document_service_pb2 as api

    def action(client):
        for version in client.ListVersions(api.ListVersionsRequest(document_id=args.document)).versions:
            print(_version_line(version))
    return _run(args, config, action)


def _info(args, config) -> int:
    from hub.search.v1 import document_service_pb2 as api

    def action(client):
        document = client.GetDocument(api.GetDocumentRequest(document_id=args.document)).document
        shared = document.visibility
        print(f"{document.title}  ({document.document_id})")
        print(f"  department {document.department}  category {document.category or '-'}  "
              f"tags {', '.join(document.tags) or '-'}  owner {document.owner_id}")
        print("  shared with " + (
            "everyone" if shared.everyone else
            ", ".join([f"dept:{d}" for d in shared.departments] + [f"group:{g}" for g in shared.group_ids]
                      + [f"user:{u}" for u in shared.user_ids])))
        print("  current " + _version_line(document.current_version))
    return _run(args, config, action)


def _delete(args, config) -> int:
    from hub.search.v1 import document_service_pb2 as api

    def action(client):
        client.DeleteDocument(api.DeleteDocumentRequest(document_id=args.document, reason=args.reason))
        print(f"deleted {args.document}")
    return _run(args, config, action)
