"""Configuration from the environment (12-factor).

Every setting has one documented default here; the README's table is written
from ``SETTINGS``. A malformed value, or a required one that is missing, fails
at start with a message naming the variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None  # None: required, no default
    help: str


SERVICES = ("notice", "search", "reports")

# One block per owner, so each service's settings change in one place.
_HUB_SETTINGS: tuple[Setting, ...] = (
    Setting("HUB_DATA_DIR", "./var", "Directory for SQLite files, the embedded index and blobs."),
    Setting("HUB_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ address (AMQP URI, vhost included)."),
    Setting("HUB_JWT_SECRET", None, "HS256 secret that signs caller tokens. `hub run` generates one under the data directory when unset."),
    Setting("HUB_JWT_TTL_SECONDS", "3600", "Lifetime of tokens issued by `hub token`."),
    Setting("HUB_GRPC_WORKERS", "8", "Threads serving gRPC calls in each API process (where calls run inline on the event loop: its long-running calls)."),
    Setting("HUB_GRPC_PROCESSES", "auto", "Processes serving each gRPC API on its one address (SO_REUSEPORT). `auto`: each service's own choice, one per core (at most 8) for search, one for notice and reports; a number applies to every API."),
    Setting("HUB_RELAY_POLL_SECONDS", "0.05", "How often the outbox relay looks for unsent events when idle."),
    Setting("HUB_RELAY_BATCH", "200", "Most outbox rows the relay publishes per round."),
    Setting("HUB_LOG_LEVEL", "INFO", "Log level of every process."),
)

_NOTICE_SETTINGS: tuple[Setting, ...] = (
    Setting("NOTICE_DATABASE_URL", "sqlite:///{data_dir}/notice.db", "Notice service database (SQLAlchemy URL)."),
    Setting("NOTICE_GRPC_ADDR", "127.0.0.1:50051", "Listen address of the notice gRPC API."),
    Setting("NOTICE_MAX_TITLE_CHARS", "200", "Longest notice title accepted."),
    Setting("NOTICE_MAX_BODY_CHARS", "20000", "Longest notice body accepted."),
    Setting("NOTICE_REVIEW_TIMEZONE", "Asia/Shanghai", "IANA time zone whose ISO weeks (Monday 00:00 to Monday 00:00) the weekly review of inspection findings uses."),
    Setting("NOTICE_INCIDENT_DEFAULT_GROUP", "", "Group id that receives field incidents of a kind dispatch has not routed; empty: such reports are refused (FAILED_PRECONDITION naming kind)."),
    Setting("NOTICE_REMINDER_SCHEDULE", "50,90", "When to remind recipients who have not acknowledged, in percent of the time from publication to the deadline."),
    Setting("NOTICE_SWEEP_SECONDS", "30", "How often the notice worker publishes due scheduled notices, sends reminders and escalates overdue ones."),
    Setting("NOTICE_SYNC_MAX_MEMBERS", "20000", "Most members one SyncMembers call may carry."),
)

_SEARCH_SETTINGS: tuple[Setting, ...] = (
    Setting("SEARCH_DATABASE_URL", "sqlite:///{data_dir}/search.db", "Search service database (SQLAlchemy URL)."),
    Setting("SEARCH_GRPC_ADDR", "127.0.0.1:50052", "Listen address of the search gRPC API."),
    Setting("SEARCH_BACKEND", "tantivy", "Search engine: `tantivy` (embedded) or `elasticsearch` (SEARCH_ES_URL)."),
    Setting("SEARCH_INDEX_DIR", "{data_dir}/search-index", "Directory of the embedded tantivy index."),
    Setting("SEARCH_ES_URL", "http://127.0.0.1:9200", "Elasticsearch 8.x address, when SEARCH_BACKEND=elasticsearch."),
    Setting("SEARCH_ES_INDEX", "hub-items", "Elasticsearch alias searches and writes go through; indices are named `<alias>-<time>-<id>`."),
    Setting("SEARCH_MAX_UPLOAD_BYTES", "104857600", "Largest document upload accepted (bytes); enforced while streaming."),
    Setting("SEARCH_BLOB_DIR", "{data_dir}/blobs", "Directory of the content-addressed document files."),
    Setting("SEARCH_EXTRACT_MAX_CHARS", "1000000", "Most characters of text extracted from one document version; the rest is cut."),
    Setting("SEARCH_EXTRACT_MAX_ZIP_BYTES", "209715200", "Largest total uncompressed size of a DOCX/XLSX/PPTX archive the extractor opens."),
    Setting("SEARCH_EXTRACT_MAX_ZIP_RATIO", "100", "Highest compression ratio of any member of a DOCX/XLSX/PPTX archive (zip-bomb guard)."),
    Setting("SEARCH_EXTRACT_MAX_SHEET_ROWS", "100000", "Most rows read from one spreadsheet sheet."),
    Setting("SEARCH_EXTRACT_MAX_SHEET_CELLS", "1000000", "Most cells read from one spreadsheet, all sheets together."),
)

_REPORTS_SETTINGS: tuple[Setting, ...] = (
    Setting("REPORTS_DATABASE_URL", "sqlite:///{data_dir}/reports.db", "Reports service database (SQLAlchemy URL)."),
    Setting("REPORTS_GRPC_ADDR", "127.0.0.1:50053", "Listen address of the reports gRPC API."),
    Setting("REPORTS_TIMEZONE", "Asia/Shanghai", "Time zone of report periods (ISO weeks and quarters start at its midnight)."),
    Setting("REPORTS_CHRONIC_MISSED", "3", "A chronic non-acknowledger missed at least this many of their last REPORTS_CHRONIC_WINDOW deadlines."),
    Setting("REPORTS_CHRONIC_WINDOW", "5", "How many of a person's most recent acknowledgement deadlines the chronic rule looks at."),
    Setting("REPORTS_SCHEDULE_DELAY_MINUTES", "30", "Scheduled reports are generated this long after their period ends, so late events arrive first."),
    Setting("REPORTS_PDF_FONT", "", "CJK TrueType font file for PDF reports (`path` or `path#index` for a .ttc); empty: found through fontconfig."),
)

SETTINGS: tuple[Setting, ...] = _HUB_SETTINGS + _NOTICE_SETTINGS + _SEARCH_SETTINGS + _REPORTS_SETTINGS

_BY_NAME = {s.name: s for s in SETTINGS}


class Config:
    """Typed access to the settings, read from a mapping (the environment)."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self._env = dict(os.environ if environ is None else environ)

    def is_set(self, name: str) -> bool:
        return bool(self._env.get(name))

    def raw(self, name: str) -> str:
        setting = _BY_NAME[name]
        value = self._env.get(name)
        if value is None or value == "":
            if setting.default is None:
                raise ConfigError(f"{name} is required and not set: {setting.help}")
            value = setting.default
        if "{data_dir}" in value:
            value = value.replace("{data_dir}", str(self.data_dir))
        return value

    def _typed(self, name: str, parse: Callable[[str], object], what: str):
        value = self.raw(name)
        try:
            return parse(value)
        except ValueError:
            raise ConfigError(f"{name}={value!r} is not {what}") from None

    def integer(self, name: str, minimum: int = 1) -> int:
        number = self._typed(name, int, "a whole number")
        if number < minimum:
            raise ConfigError(f"{name}={number} must be at least {minimum}")
        return number

    def seconds(self, name: str) -> float:
        number = self._typed(name, float, "a number of seconds")
        if number <= 0:
            raise ConfigError(f"{name}={number} must be positive")
        return number

    @property
    def data_dir(self) -> Path:
        return Path(self._env.get("HUB_DATA_DIR") or _BY_NAME["HUB_DATA_DIR"].default).resolve()

    @property
    def amqp_uri(self) -> str:
        uri = self.raw("HUB_AMQP_URI")
        if not uri.startswith(("amqp://", "amqps://")):
            raise ConfigError(f"HUB_AMQP_URI={uri!r} must start with amqp:// or amqps://")
        return uri

    def database_url(self, service: str) -> str:
        url = self.raw(f"{service.upper()}_DATABASE_URL")
        if "://" not in url:
            raise ConfigError(f"{service.upper()}_DATABASE_URL={url!r} is not a SQLAlchemy URL")
        return url

    def grpc_addr(self, service: str) -> str:
        addr = self.raw(f"{service.upper()}_GRPC_ADDR")
        host, sep, port = addr.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ConfigError(f"{service.upper()}_GRPC_ADDR={addr!r} must be host:port")
        return addr

    @property
    def jwt_secret(self) -> str:
        secret = self.raw("HUB_JWT_SECRET")
        if len(secret) < 16:
            raise ConfigError("HUB_JWT_SECRET must be at least 16 characters")
        return secret

    def with_overrides(self, **values: str) -> "Config":
        env = dict(self._env)
        env.update(values)
        return Config(env)

    def as_environ(self) -> dict[str, str]:
        return dict(self._env)
