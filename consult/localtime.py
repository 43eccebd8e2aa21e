"""Wall-clock times in a person's time zone, and the UTC instants they stand for.

Twice a year a wall-clock time is not one instant: in spring an hour is skipped (02:30 on the last
Sunday of March does not exist in Brussels), in autumn an hour happens twice (02:30 on the last
Sunday of October is first 00:30 UTC, then 01:30 UTC). `to_utc` refuses the first and, for the
second, wants to be told which one is meant (`fold` 0 = the first, 1 = the second) instead of
guessing.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

DEFAULT_TIMEZONE = "Europe/Brussels"


class LocalTimeError(ValueError):
    """A wall-clock time that is not exactly one instant."""


class NonexistentTime(LocalTimeError):
    """The time falls in the hour skipped when clocks go forward."""


class AmbiguousTime(LocalTimeError):
    """The time happens twice (clocks go back); `choices` are both instants, first one first."""

    def __init__(self, local: datetime, choices: tuple[datetime, datetime]):
        super().__init__(f"{local:%Y-%m-%d %H:%M} happens twice")
        self.local = local
        self.choices = choices


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The time zone called `name`, else Brussels (unknown names are not trusted)."""
    try:
        return zoneinfo.ZoneInfo(name or DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)


def is_valid_timezone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def to_utc(local: datetime, tz_name: str | None, fold: int | None = None) -> datetime:
    """The UTC instant of the wall-clock time `local` (naive) in `tz_name`.

    Raises NonexistentTime in a skipped hour and AmbiguousTime in a repeated hour unless `fold`
    says which of the two is meant.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    tz = zone(tz_name)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    first_utc = first.astimezone(UTC)
    second_utc = second.astimezone(UTC)
    # A wall-clock time that exists comes back unchanged from a round trip through UTC.
    if first_utc.astimezone(tz).replace(tzinfo=None) != local.replace(fold=0) and (
        second_utc.astimezone(tz).replace(tzinfo=None) != local.replace(fold=0)
    ):
        raise NonexistentTime(f"{local:%Y-%m-%d %H:%M} does not exist in {tz.key}")
    if first_utc == second_utc:
        return first_utc
    if fold is None:
        raise AmbiguousTime(local, (first_utc, second_utc))
    return second_utc if fold else first_utc


def to_local(instant: datetime | None, tz_name: str | None) -> datetime | None:
    """`instant` (aware) as a naive wall-clock time in `tz_name`, with its fold kept."""
    if instant is None:
        return None
    local = instant.astimezone(zone(tz_name))
    return local.replace(tzinfo=None, fold=local.fold)


def utc_offset_label(instant: datetime, tz_name: str | None) -> str:
    """'UTC+02:00' for `instant` in `tz_name`."""
    offset = instant.astimezone(zone(tz_name)).utcoffset() or timedelta(0)
    sign = "+" if offset >= timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
