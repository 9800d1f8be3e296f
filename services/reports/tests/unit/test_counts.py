from hubkit.errors import InvalidArgument
import pytest

from reports.domain.model import GroupNoticeCount, group_filter, rank_counts


def test_known_groups_without_notices_count_zero_and_most_come_first():
    rows = rank_counts({"g1": 2, "g2": 5}, {"g1": "检修班", "g3": "调度班"})
    assert rows == [GroupNoticeCount("g2", "", 5), GroupNoticeCount("g1", "检修班", 2), GroupNoticeCount("g3", "调度班", 0)]


def test_group_filter_rejects_blank_ids_by_position():
    with pytest.raises(InvalidArgument) as raised:
        group_filter(("g1", ""))
    assert raised.value.field == "group_ids[1]"
    assert group_filter(("g1", "g1", "g2")) == ("g1", "g2")
