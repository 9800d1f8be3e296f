"""Vocabulary of notices shared by commands and the model."""
from __future__ import annotations

from enum import Enum


class Category(str, Enum):
    NOTICE = "notice"
    TASK = "task"
    LEARNING_MATERIAL = "learning_material"
    SAFETY_ALERT = "safety_alert"
    MEETING = "meeting"


class Priority(str, Enum):
    NORMAL = "normal"
    URGENT = "urgent"


class Status(str, Enum):
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    REVOKED = "revoked"


class ShareKind(str, Enum):
    EXPERIENCE = "experience"
    QUESTION = "question"
    REPLY = "reply"
