"""Inspection findings (问题整改) and their rectification lifecycle.

    open ──start──▶ in_progress ──rectify──▶ rectified ──verify──▶ verified
                        ▲                        │
                        └──start── reopened ◀──reopen (with a reason)

Who may do what:
- anyone signed in may open a finding and becomes its inspector;
- the responsible side (the responsible person, or anyone whose token names
  the responsible unit among its departments) starts and rectifies it;
- only the inspector verifies or reopens it.
Verified is final. Standard library only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from hubkit.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from notice.domain.text import required_text

MAX_AREA_CHARS = 100
MAX_DESCRIPTION_CHARS = 2000
MAX_UNIT_CHARS = 100
MAX_PERSON_CHARS = 100
MAX_NOTE_CHARS = 2000
MAX_DOCUMENTS = 20
MAX_DOCUMENT_ID_CHARS = 64


class Severity(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise InvalidArgument(f"{text!r} is not a severity; choose one of {choices}", field="severity") from None


class FindingStatus(str, Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RECTIFIED = "rectified"
    VERIFIED = "verified"
    REOPENED = "reopened"


# Rectified or verified findings are no longer overdue: the work is done.
DONE = frozenset({FindingStatus.RECTIFIED, FindingStatus.VERIFIED})


class Side(str, Enum):
    RESPONSIBLE = "the responsible person or unit"
    INSPECTOR = "the inspector"


@dataclass(frozen=True)
class Step:
    """One transition of the lifecycle."""
    action: str  # past tense, as recorded in the audit log
    allowed_from: frozenset[FindingStatus]
    to: FindingStatus
    by: Side


START = Step("started", frozenset({FindingStatus.OPEN, FindingStatus.REOPENED}), FindingStatus.IN_PROGRESS,
             Side.RESPONSIBLE)
RECTIFY = Step("rectified", frozenset({FindingStatus.IN_PROGRESS}), FindingStatus.RECTIFIED, Side.RESPONSIBLE)
VERIFY = Step("verified", frozenset({FindingStatus.RECTIFIED}), FindingStatus.VERIFIED, Side.INSPECTOR)
REOPEN = Step("reopened", frozenset({FindingStatus.RECTIFIED}), FindingStatus.REOPENED, Side.INSPECTOR)
STEPS = (START, RECTIFY, VERIFY, REOPEN)


@dataclass(frozen=True)
class Actor:
    """Who acts: the caller, as far as the domain needs to know."""
    user_id: str
    departments: tuple[str, ...] = ()


# --- commands -----------------------------------------------------------------

@dataclass(frozen=True)
class OpenFinding:
    area: str
    description: str
    severity: str  # low | medium | high | critical
    responsible_unit: str
    responsible_person: str
    due_at: datetime | None
    photo_document_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class StartRectification:
    finding_id: str


@dataclass(frozen=True)
class RectifyFinding:
    finding_id: str
    note: str
    evidence_document_ids: tuple[str, ...]


@dataclass(frozen=True)
class VerifyFinding:
    finding_id: str


@dataclass(frozen=True)
class ReopenFinding:
    finding_id: str
    reason: str


@dataclass(frozen=True)
class GetFinding:
    finding_id: str


@dataclass(frozen=True)
class ListFindings:
    status: str = ""  # empty: any
    area: str = ""
    responsible_unit: str = ""
    overdue_only: bool = False
    page_size: int = 0  # 0: the default
    page_token: str = ""


# --- events -------------------------------------------------------------------

@dataclass(frozen=True)
class FindingOpened:
    finding_id: str
    area: str
    description: str
    severity: Severity
    responsible_unit: str
    responsible_person: str
    due_at: datetime
    inspector_id: str
    opened_at: datetime
    photo_document_ids: tuple[str, ...]


@dataclass(frozen=True)
class FindingStatusChanged:
    finding_id: str
    from_status: FindingStatus
    to_status: FindingStatus
    changed_by: str
    changed_at: datetime
    note: str  # rectification note or reopening reason
    evidence_document_ids: tuple[str, ...]
    area: str
    responsible_unit: str
    severity: Severity
    due_at: datetime
    opened_at: datetime


# --- the finding --------------------------------------------------------------

@dataclass
class Finding:
    finding_id: str
    area: str
    description: str
    severity: Severity
    responsible_unit: str
    responsible_person: str
    due_at: datetime
    inspector_id: str
    opened_at: datetime
    photo_document_ids: tuple[str, ...] = ()
    status: FindingStatus = FindingStatus.OPEN
    status_changed_at: datetime | None = None
    # The latest rectification, and the latest reason for reopening.
    rectification_note: str = ""
    evidence_document_ids: tuple[str, ...] = ()
    rectified_at: datetime | None = None
    verified_at: datetime | None = None
    reopen_reason: str = ""
    reopened_count: int = 0
    events: list = field(default_factory=list, compare=False, repr=False)

    def is_overdue(self, now: datetime) -> bool:
        return self.status not in DONE and self.due_at < now

    def may_act_as(self, side: Side, actor: Actor) -> bool:
        if side is Side.INSPECTOR:
            return actor.user_id == self.inspector_id
        return actor.user_id == self.responsible_person or self.responsible_unit in actor.departments

    def start(self, actor: Actor, now: datetime) -> FindingStatusChanged:
        return self._step(START, actor, now)

    def rectify(self, actor: Actor, now: datetime, *, note: str, evidence_document_ids: tuple[str, ...]
                ) -> FindingStatusChanged:
        # Steps with input check actor and state first: a stranger or a wrong
        # state is the answer, not a complaint about the note.
        self._check(RECTIFY, actor)
        note = required_text(note, "note", MAX_NOTE_CHARS)
        evidence = document_ids(evidence_document_ids, "evidence_document_ids", required=True)
        self.rectification_note, self.evidence_document_ids, self.rectified_at = note, evidence, now
        return self._step(RECTIFY, actor, now, note=note, evidence=evidence)

    def verify(self, actor: Actor, now: datetime) -> FindingStatusChanged:
        self._check(VERIFY, actor)
        self.verified_at = now
        return self._step(VERIFY, actor, now)

    def reopen(self, actor: Actor, now: datetime, *, reason: str) -> FindingStatusChanged:
        self._check(REOPEN, actor)
        reason = required_text(reason, "reason", MAX_NOTE_CHARS)
        self.reopen_reason = reason
        self.reopened_count += 1
        return self._step(REOPEN, actor, now, note=reason)

    def _check(self, step: Step, actor: Actor) -> None:
        # Permission first, so that outsiders learn nothing about the state.
        if not self.may_act_as(step.by, actor):
            raise PermissionDenied(f"only {step.by.value} of finding {self.finding_id} may do this")
        if self.status not in step.allowed_from:
            allowed = " or ".join(sorted(s.value for s in step.allowed_from))
            raise FailedPrecondition(
                f"finding {self.finding_id} is {self.status.value}; it can be {step.action} only when {allowed}")

    def _step(self, step: Step, actor: Actor, now: datetime, *, note: str = "",
              evidence: tuple[str, ...] = ()) -> FindingStatusChanged:
        self._check(step, actor)
        changed = FindingStatusChanged(
            self.finding_id, self.status, step.to, actor.user_id, now, note, evidence,
            self.area, self.responsible_unit, self.severity, self.due_at, self.opened_at)
        self.status, self.status_changed_at = step.to, now
        self.events.append(changed)
        return changed


def action_of(changed: FindingStatusChanged) -> str:
    """The audit action of a status change (its step's past tense)."""
    return next(s.action for s in STEPS if s.to is changed.to_status)


def document_ids(ids: tuple[str, ...], field_name: str, *, required: bool = False) -> tuple[str, ...]:
    """Distinct document ids of the search service, in the order given."""
    if required and not ids:
        raise InvalidArgument("at least one document id is required", field=field_name)
    if len(ids) > MAX_DOCUMENTS:
        raise InvalidArgument(f"{len(ids)} documents, at most {MAX_DOCUMENTS} allowed", field=field_name)
    distinct: dict[str, None] = {}
    for position, raw in enumerate(ids):
        text = raw.strip()
        if not text or len(text) > MAX_DOCUMENT_ID_CHARS:
            raise InvalidArgument(f"must be a document id of 1 to {MAX_DOCUMENT_ID_CHARS} characters",
                                  field=f"{field_name}[{position}]")
        distinct[text] = None
    return tuple(distinct)


def open_finding(cmd: OpenFinding, *, finding_id: str, inspector_id: str, now: datetime) -> Finding:
    """A new finding, validated; its FindingOpened event is in ``events``."""
    area = required_text(cmd.area, "area", MAX_AREA_CHARS)
    description = required_text(cmd.description, "description", MAX_DESCRIPTION_CHARS)
    severity = Severity.parse(cmd.severity)
    unit = required_text(cmd.responsible_unit, "responsible_unit", MAX_UNIT_CHARS)
    person = required_text(cmd.responsible_person, "responsible_person", MAX_PERSON_CHARS)
    if cmd.due_at is None:
        raise InvalidArgument("a due date is required", field="due_at")
    if cmd.due_at.tzinfo is None:
        raise InvalidArgument("must carry a time zone", field="due_at")
    if cmd.due_at <= now:
        raise InvalidArgument(f"{cmd.due_at.isoformat()} is not in the future", field="due_at")
    photos = document_ids(cmd.photo_document_ids, "photo_document_ids")
    finding = Finding(finding_id, area, description, severity, unit, person, cmd.due_at, inspector_id, now,
                      photos, status_changed_at=now)
    finding.events.append(FindingOpened(finding_id, area, description, severity, unit, person, cmd.due_at,
                                        inspector_id, now, photos))
    return finding
