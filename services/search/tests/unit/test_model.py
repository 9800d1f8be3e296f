"""Search requests are validated in the domain, naming the field."""
from datetime import datetime, timezone

import pytest

from hubkit.errors import InvalidArgument
from search.domain.model import (Cursor, SortOrder, from_epoch_us, search_filters, search_query, suggest_query,
                                 to_epoch_us)

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, page_size, field", [("  ", 10, "query"), ("安全", 101, "page_size"),
                                                     ("安" * 201, 10, "query"), ("安全", -1, "page_size")])
def test_bad_queries_name_the_field(text, page_size, field):
    with pytest.raises(InvalidArgument) as raised:
        search_query(text, None, search_filters(), page_size)
    assert raised.value.field == field


def test_bad_filters_name_the_field():
    with pytest.raises(InvalidArgument) as raised:
        search_filters(published_from=NOON, published_to=NOON)
    assert raised.value.field == "published_to"
    with pytest.raises(InvalidArgument) as raised:
        search_filters(departments=["安全科", " "])
    assert raised.value.field == "departments[1]"


def test_a_cursor_round_trips_and_belongs_to_its_search():
    query = search_query("安全", None)
    cursor = Cursor(SortOrder.RELEVANCE, 1.25, "00ab", 20, query.fingerprint)
    assert search_query("安全", None, cursor=cursor.encode()).after == cursor
    for other, options in (("检修", {}), ("安全", {"sort": SortOrder.NEWEST})):
        with pytest.raises(InvalidArgument) as raised:
            search_query(other, None, cursor=cursor.encode(), **options)
        assert raised.value.field == "cursor"


@pytest.mark.parametrize("token", ["not-a-cursor", "e30", "WyJ4Il0"])
def test_a_forged_cursor_is_refused(token):
    with pytest.raises(InvalidArgument) as raised:
        search_query("安全", None, cursor=token)
    assert raised.value.field == "cursor"


def test_a_cursor_orders_ties_by_the_tie_breaker():
    cursor = Cursor(SortOrder.NEWEST, 10.0, "0005", 3, "f")
    assert cursor.precedes(9.0, "0000") and cursor.precedes(10.0, "0006")
    assert not cursor.precedes(10.0, "0005") and not cursor.precedes(11.0, "ffff")


def test_epoch_microseconds_round_trip():
    moment = datetime(2026, 11, 24, 12, 0, 0, 123456, tzinfo=timezone.utc)
    assert from_epoch_us(to_epoch_us(moment)) == moment


def test_suggestion_limits():
    with pytest.raises(InvalidArgument) as raised:
        suggest_query("锅", None, 21)
    assert raised.value.field == "limit"
    with pytest.raises(InvalidArgument) as raised:
        suggest_query(" ", None)
    assert raised.value.field == "prefix"


def test_a_forged_cursor_with_values_no_page_produces_is_refused():
    query = search_query("安全", None, sort=SortOrder.NEWEST)
    for value, position in ((float("nan"), 0), (float("inf"), 0), (1e300, 0), (1.0, 2**70)):
        forged = Cursor(SortOrder.NEWEST, value, "00ab", position, query.fingerprint).encode()
        with pytest.raises(InvalidArgument) as raised:
            search_query("安全", None, sort=SortOrder.NEWEST, cursor=forged)
        assert raised.value.field == "cursor"
