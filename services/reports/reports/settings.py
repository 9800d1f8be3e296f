"""The reports service's settings, read once from the configuration."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hubkit.config import Config, ConfigError
from reports.domain.acknowledgement import ChronicPolicy


@dataclass(frozen=True)
class ReportSettings:
    zone: tzinfo
    chronic: ChronicPolicy
    schedule_delay: timedelta
    pdf_font: str = ""


def report_settings(config: Config) -> ReportSettings:
    name = config.raw("REPORTS_TIMEZONE")
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"REPORTS_TIMEZONE={name!r} is not a known time zone") from None
    try:
        chronic = ChronicPolicy(config.integer("REPORTS_CHRONIC_MISSED"), config.integer("REPORTS_CHRONIC_WINDOW"))
    except ValueError as exc:
        raise ConfigError(f"REPORTS_CHRONIC_MISSED/REPORTS_CHRONIC_WINDOW: {exc}") from None
    return ReportSettings(zone=zone, chronic=chronic,
                          schedule_delay=timedelta(minutes=config.integer("REPORTS_SCHEDULE_DELAY_MINUTES", minimum=0)),
                          pdf_font=config.raw("REPORTS_PDF_FONT"))
