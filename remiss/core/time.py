"""Time: instants are timezone-aware UTC; dates that are dates (a deadline) are local dates
in Göteborg."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Stockholm")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today(now: datetime | None = None) -> date:
    """Today's date in Göteborg, for comparing with deadlines."""
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


MONTHS_SV = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def format_date(value: date | datetime | None, style: str = "iso") -> str:
    """Swedish date: ``2022-01-31`` (iso) or ``31 januari 2022`` (long)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    if style == "long":
        return f"{value.day} {MONTHS_SV[value.month - 1]} {value.year}"
    return value.isoformat()


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%Y-%m-%d %H:%M")
