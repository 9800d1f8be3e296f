"""Validation of incident reports and the text of the urgent notice they become."""
import math

import pytest

from hubkit.errors import InvalidArgument
from notice.domain import incidents
from notice.domain.incidents import ReportIncident, Reporter


def report(**fields):
    return ReportIncident(**{"kind": " 火灾 ", "description": "三号皮带通廊冒烟，已切断电源。", "location": "烧结厂三号皮带通廊",
                             "latitude": 39.63, "longitude": 118.18, "photo_document_ids": ("doc-3",), **fields})


def test_a_valid_report_is_trimmed():
    valid = incidents.validate_report(report())
    assert valid.kind == "火灾" and valid.latitude == 39.63


@pytest.mark.parametrize("fields, field", [
    ({"kind": ""}, "kind"),
    ({"kind": "类" * 51}, "kind"),
    ({"description": " "}, "description"),
    ({"description": "述" * 2001}, "description"),
    ({"location": ""}, "location"),
    ({"location": "地" * 201}, "location"),
    ({"latitude": 90.5}, "position.latitude"),
    ({"latitude": math.nan}, "position.latitude"),
    ({"longitude": -180.01}, "position.longitude"),
    ({"longitude": None}, "position.longitude"),
    ({"latitude": None}, "position.latitude"),
    ({"photo_document_ids": ("",)}, "photo_document_ids[0]"),
])
def test_bad_reports_name_the_field(fields, field):
    with pytest.raises(InvalidArgument) as raised:
        incidents.validate_report(report(**fields))
    assert raised.value.field == field


def test_coordinates_are_optional_together():
    assert incidents.validate_report(report(latitude=None, longitude=None)).longitude is None


def test_the_urgent_notice_names_kind_place_and_reporter_within_the_limits():
    valid = incidents.validate_report(report())
    title, body = incidents.urgent_notice_text("火灾", valid, Reporter("u-gao", "烧结厂"), max_title_chars=200,
                                               max_body_chars=20000)
    assert title == "【突发事件·火灾】烧结厂三号皮带通廊"
    assert body.splitlines() == ["三号皮带通廊冒烟，已切断电源。", "地点：烧结厂三号皮带通廊", "坐标：39.630000, 118.180000",
                                 "报告人：u-gao（烧结厂）", "照片：1 张"]
    short_title, short_body = incidents.urgent_notice_text("火灾", valid, Reporter("u-gao", ""), max_title_chars=8,
                                                           max_body_chars=10)
    assert short_title == "【突发事件·火…" and len(short_body) == 10 and short_body.endswith("…")
