"""When to remind recipients of an acknowledgement deadline, and when to escalate."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

OVERDUE = "overdue"


def parse_schedule(text: str) -> tuple[int, ...]:
    """"50,90" -> (50, 90): points in percent of the time from publication to
    the deadline. Raises ValueError for anything else."""
    points = sorted({int(part) for part in text.split(",") if part.strip()})
    if not points or not all(0 < p < 100 for p in points):
        raise ValueError(f"{text!r}: expected percentages between 1 and 99, e.g. '50,90'")
    return tuple(points)


@dataclass(frozen=True)
class ReminderPlan:
    # Stages to record as done (each is recorded once per notice).
    stages: tuple[str, ...]
    # The reminder to send now, if any (the latest stage reached).
    remind_percent: int | None
    escalate: bool


def next_reminder_at(*, published_at: datetime, deadline: datetime, schedule: tuple[int, ...],
                     sent: set[str]) -> datetime | None:
    """When the sweep next has something to do for a notice: its first point
    of the schedule not yet sent, or its deadline until it was escalated;
    None once it was."""
    span = deadline - published_at
    points = [published_at + span * (p / 100) for p in schedule if str(p) not in sent]
    if OVERDUE not in sent:
        points.append(deadline)
    return min(points, default=None)


def plan_reminders(*, published_at: datetime, deadline: datetime, now: datetime, schedule: tuple[int, ...],
                   sent: set[str]) -> ReminderPlan:
    """Stages reached and not yet sent. When several were reached at once
    (the worker was down), only the latest is sent and the earlier ones are
    recorded as passed; after the deadline only the escalation goes out."""
    if now >= deadline:
        passed = tuple(str(p) for p in schedule if str(p) not in sent)
        escalate = OVERDUE not in sent
        return ReminderPlan(passed + ((OVERDUE,) if escalate else ()), None, escalate)
    span = deadline - published_at
    reached = [p for p in schedule if now >= published_at + span * (p / 100) and str(p) not in sent]
    return ReminderPlan(tuple(str(p) for p in reached), max(reached) if reached else None, False)
