"""How a finding's rectification time follows its status changes."""
from __future__ import annotations

from datetime import datetime


def rectified_at_after(to_status: str, changed_at: datetime, rectified_at: datetime | None) -> datetime | None:
    """Rectified marks the time; verification keeps it; anything else (a
    reopening, work resumed) means it is no longer rectified."""
    if to_status == "RECTIFIED":
        return changed_at
    if to_status == "VERIFIED":
        return rectified_at or changed_at
    return None
