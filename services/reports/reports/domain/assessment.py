"""Quarterly work-style assessment (作风考核): periods, rating forms and their rules.

Departments of a period are rated by three sources, each with a weight:
grassroots units (基层评价), peer departments (部门互评) and leaders (领导打分).
Who rates as which source comes from the caller's token (see ``source_of``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Iterable

from hubkit.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from reports.domain.periods import is_quarter

SCORE_MIN, SCORE_MAX = 0, 100
MAX_DEPARTMENTS = 1000
MAX_DEPARTMENT_CHARS = 100
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 2000  # comments and suggestions
MAX_EXPECTED_RATERS = 100_000

LEADER_ROLE = "leader"
GRASSROOTS_ROLE = "grassroots"
ADMIN_ROLE = "assessment-admin"  # creates and closes periods


class Source(str, Enum):
    GRASSROOTS = "grassroots"
    PEER = "peer"
    LEADER = "leader"

    @property
    def label(self) -> str:
        return {"grassroots": "基层评价", "peer": "部门互评", "leader": "领导打分"}[self.value]


class Criterion(str, Enum):
    EFFICIENCY = "efficiency"
    QUALITY = "quality"
    SERVICE = "service"

    @property
    def label(self) -> str:
        return {"efficiency": "办事效率", "quality": "完成质量", "service": "服务意识"}[self.value]


@dataclass(frozen=True)
class Weights:
    """Per-source weights in percent; they sum to 100."""
    grassroots: int = 40
    peer: int = 30
    leader: int = 30

    def of(self, source: Source) -> int:
        return getattr(self, source.value)

    def validated(self) -> "Weights":
        violations = [(f"weights.{s.value}", f"must be a whole number from 0 to 100, not {self.of(s)}")
                      for s in Source if not 0 <= self.of(s) <= 100]
        if violations:
            raise InvalidArgument("weights out of range", violations=tuple(violations))
        total = sum(self.of(s) for s in Source)
        if total != 100:
            raise InvalidArgument(f"weights must sum to 100, not {total}", field="weights")
        return self


@dataclass(frozen=True)
class ExpectedRaters:
    """How many raters of each source are expected to rate each department;
    0 means unknown (peer: then every other assessed department)."""
    grassroots: int = 0
    peer: int = 0
    leader: int = 0

    def of(self, source: Source) -> int:
        return getattr(self, source.value)


@dataclass(frozen=True)
class AssessmentPeriod:
    period_id: str  # a quarter, e.g. "2026Q3"
    title: str
    departments: tuple[str, ...]
    weights: Weights
    expected: ExpectedRaters
    closes_at: datetime
    created_by: str
    closed_at: datetime | None = None

    def is_closed(self, now: datetime) -> bool:
        return self.closed_at is not None or now >= self.closes_at

    def expected_raters(self, source: Source) -> int:
        if source is Source.PEER and self.expected.peer == 0:
            return len(self.departments) - 1
        return self.expected.of(source)


@dataclass(frozen=True)
class Scores:
    efficiency: int
    quality: int
    service: int

    def of(self, criterion: Criterion) -> int:
        return getattr(self, criterion.value)

    @property
    def total(self) -> int:
        return self.efficiency + self.quality + self.service


@dataclass(frozen=True)
class Rater:
    """Who submits a rating, from the verified token."""
    user_id: str
    departments: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rating:
    period_id: str
    target_department: str
    rater_id: str
    rater_department: str  # "" for leaders
    source: Source
    scores: Scores
    comment: str
    suggestion: str
    submitted_at: datetime


# --- commands ----------------------------------------------------------------

@dataclass(frozen=True)
class CreatePeriod:
    period_id: str
    departments: tuple[str, ...]
    closes_at: datetime | None
    title: str = ""
    weights: Weights = Weights()
    expected: ExpectedRaters = ExpectedRaters()


@dataclass(frozen=True)
class SubmitRating:
    period_id: str
    target_department: str
    scores: Scores
    comment: str = ""
    suggestion: str = ""


# --- rules -------------------------------------------------------------------

def valid_period_id(period_id: str, field: str = "period_id") -> str:
    period_id = period_id.strip()
    if not is_quarter(period_id):
        raise InvalidArgument(f"must be a quarter such as 2026Q3, not {period_id!r}", field=field)
    return period_id


def _departments(names: tuple[str, ...]) -> tuple[str, ...]:
    if len(names) < 2:
        raise InvalidArgument("at least two departments are assessed", field="departments")
    if len(names) > MAX_DEPARTMENTS:
        raise InvalidArgument(f"at most {MAX_DEPARTMENTS} departments", field="departments")
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        name = name.strip()
        field = f"departments[{position}]"
        if not name:
            raise InvalidArgument("must not be empty", field=field)
        if len(name) > MAX_DEPARTMENT_CHARS:
            raise InvalidArgument(f"at most {MAX_DEPARTMENT_CHARS} characters", field=field)
        if name in seen:
            raise InvalidArgument(f"repeats departments[{seen[name]}]", field=field)
        seen[name] = position
    return tuple(seen)


def new_period(cmd: CreatePeriod, *, created_by: str, now: datetime) -> AssessmentPeriod:
    period_id = valid_period_id(cmd.period_id)
    title = cmd.title.strip() or f"{period_id} 作风考核"
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidArgument(f"at most {MAX_TITLE_CHARS} characters", field="title")
    departments = _departments(cmd.departments)
    weights = cmd.weights.validated()
    for source in Source:
        if not 0 <= cmd.expected.of(source) <= MAX_EXPECTED_RATERS:
            raise InvalidArgument(f"must be from 0 to {MAX_EXPECTED_RATERS}", field=f"expected_raters.{source.value}")
    if cmd.closes_at is None:
        raise InvalidArgument("the closing time is required", field="closes_at")
    if cmd.closes_at <= now:
        raise InvalidArgument("must be in the future", field="closes_at")
    return AssessmentPeriod(period_id, title, departments, weights, cmd.expected, cmd.closes_at, created_by)


def require_admin(rater: Rater, action: str) -> None:
    if ADMIN_ROLE not in rater.roles and "system" not in rater.roles:
        raise PermissionDenied(f"only the role {ADMIN_ROLE!r} may {action}")


def source_of(rater: Rater, period: AssessmentPeriod) -> tuple[Source, str]:
    """(source, rater department) of a rater in this period.

    - role "leader": LEADER (leaders rate as persons: no rater department);
    - role "grassroots": GRASSROOTS, for the unit's department (the first
      department of the token);
    - otherwise a member of an assessed department rates as PEER for it;
    - anyone else may not rate. "leader" wins over "grassroots".
    """
    if LEADER_ROLE in rater.roles:
        return Source.LEADER, ""
    if GRASSROOTS_ROLE in rater.roles:
        if not rater.departments:
            raise PermissionDenied("a grassroots rater's token names no unit department")
        return Source.GRASSROOTS, rater.departments[0]
    for department in rater.departments:
        if department in period.departments:
            return Source.PEER, department
    raise PermissionDenied("only leaders, grassroots units and assessed departments rate in this period")


def _checked_scores(scores: Scores) -> Scores:
    violations = tuple(
        (f"scores.{c.value}", f"must be a whole number from {SCORE_MIN} to {SCORE_MAX}, not {scores.of(c)}")
        for c in Criterion if not SCORE_MIN <= scores.of(c) <= SCORE_MAX)
    if violations:
        raise InvalidArgument("scores out of range", violations=violations)
    return scores


def _checked_text(text: str, field: str) -> str:
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidArgument(f"at most {MAX_TEXT_CHARS} characters", field=field)
    return text


def accept_rating(cmd: SubmitRating, period: AssessmentPeriod, *, rater: Rater, now: datetime) -> Rating:
    """The rating to store (replacing the rater's earlier one for this target),
    or the rule it breaks."""
    scores = _checked_scores(cmd.scores)
    comment = _checked_text(cmd.comment, "comment")
    suggestion = _checked_text(cmd.suggestion, "suggestion")
    target = cmd.target_department.strip()
    if not target:
        raise InvalidArgument("must not be empty", field="target_department")
    if target not in period.departments:
        raise NotFound(f"{target!r} is not assessed in {period.period_id}", field="target_department")
    if target in rater.departments:
        raise PermissionDenied("a department never rates itself", field="target_department")
    if period.is_closed(now):
        raise FailedPrecondition(f"{period.period_id} is closed; its ratings are locked", field="period_id")
    source, rater_department = source_of(rater, period)
    return Rating(period.period_id, target, rater.user_id, rater_department, source, scores, comment, suggestion, now)


def close(period: AssessmentPeriod, now: datetime) -> AssessmentPeriod:
    """Closing twice is harmless; the first closing time stays."""
    if period.closed_at is not None:
        return period
    return replace(period, closed_at=min(now, period.closes_at))


def may_see_all_comments(rater: Rater) -> bool:
    """Leaders and assessment administrators read every department's comments;
    others only those about their own departments."""
    return bool({LEADER_ROLE, ADMIN_ROLE, "system"} & set(rater.roles))


@dataclass(frozen=True)
class Feedback:
    """The comments and suggestions one department received, without who
    wrote them; sorted by text so that not even the order of submission shows."""
    department: str
    comments: tuple[str, ...]
    suggestions: tuple[str, ...]


def feedback_of(department: str, texts: Iterable[tuple[str, str]]) -> Feedback:
    """From (comment, suggestion) pairs; empty texts are left out."""
    texts = list(texts)
    return Feedback(department, tuple(sorted(c for c, _ in texts if c)), tuple(sorted(s for _, s in texts if s)))
