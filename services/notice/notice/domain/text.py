"""Rules for the free text every notice-service command carries."""
from __future__ import annotations

from notice.domain.errors import InvalidArgument


def required_text(value: str, field_name: str, max_chars: int) -> str:
    """``value`` stripped; InvalidArgument naming the field when empty or too long."""
    text = value.strip()
    if not text:
        raise InvalidArgument("must not be empty", field=field_name)
    if len(text) > max_chars:
        raise InvalidArgument(f"is {len(text)} characters, at most {max_chars} allowed", field=field_name)
    return text
