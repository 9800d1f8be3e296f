"""Page sizes and keyset page tokens of the notice service's lists."""
import base64
import json
from datetime import datetime, timedelta, timezone

import pytest

from hubkit.errors import InvalidArgument
from notice.domain import paging

SCOPE = ("join_requests", "g-锅炉房", "all")
KEY_TYPES = (datetime, str)
ASKED = datetime(2026, 11, 2, 8, 30, 15, 123456, tzinfo=timezone.utc)


def keyset(page_size=0, page_token="", scope=SCOPE, key_types=KEY_TYPES):
    return paging.keyset(page_size, page_token, scope=scope, key_types=key_types, default=100, maximum=1000)


def forged(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_page_size_defaults_and_is_refused_outside_its_range_naming_the_field():
    assert keyset().limit == 100 and keyset(1).limit == 1 and keyset(1000).limit == 1000
    for bad in (1001, -1):
        with pytest.raises(InvalidArgument) as raised:
            keyset(bad)
        assert raised.value.field == "page_size"
    assert paging.page_limit(0) == paging.DEFAULT_PAGE_SIZE  # the findings' and incidents' own defaults


def test_a_full_page_carries_the_key_of_its_last_row_and_the_last_page_none():
    rows = [(ASKED, "r-1"), (ASKED, "r-2"), (ASKED + timedelta(seconds=1), "r-0")]
    first = keyset(2).page(rows, key=lambda row: row)
    assert first.items == rows[:2]
    follow = keyset(2, first.next_page_token)
    assert follow.after == (ASKED, "r-2") and follow.after[0].tzinfo is not None
    assert keyset(2).page(rows[:2], key=lambda row: row).next_page_token == ""
    # A time written with another offset is the same moment, in UTC.
    shifted = forged([list(SCOPE), [ASKED.astimezone(timezone(timedelta(hours=8))).isoformat(), "r-2"]])
    assert keyset(2, shifted).after == (ASKED, "r-2")


@pytest.mark.parametrize("token", [
    "%%%",
    "bm90IGpzb24",  # "not json"
    forged({"scope": list(SCOPE)}),
    forged([list(SCOPE)]),
    forged([list(SCOPE), ["2026-11-02T08:30:15+00:00"]]),  # a key part missing
    forged([list(SCOPE), ["2026-11-02T08:30:15", "r-1"]]),  # a time without its offset
    forged([list(SCOPE), ["昨天", "r-1"]]),
    forged([list(SCOPE), [1700000000, "r-1"]]),
    forged([[1, 2], ["2026-11-02T08:30:15+00:00", "r-1"]]),
    forged([list(SCOPE), ["0001-01-01T00:00:00+01:00", "r-1"]]),  # before year 1 in UTC
    forged([list(SCOPE), ["9999-12-31T23:00:00-05:00", "r-1"]]),  # after year 9999 in UTC
    base64.urlsafe_b64encode(b"[" * 5000).decode(),  # nested past the parser's depth
])
def test_garbled_or_forged_tokens_are_refused_naming_the_field(token):
    with pytest.raises(InvalidArgument) as raised:
        keyset(page_token=token)
    assert raised.value.field == "page_token"


def test_a_token_of_another_list_is_refused():
    token = keyset(1).page([(ASKED, "r-1"), (ASKED, "r-2")], key=lambda row: row).next_page_token
    for scope in (("join_requests", "g-换热站", "all"), ("join_requests", "g-锅炉房", "pending")):
        with pytest.raises(InvalidArgument) as raised:
            keyset(page_token=token, scope=scope)
        assert raised.value.field == "page_token" and "another list" in str(raised.value)
