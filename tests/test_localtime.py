"""Wall-clock times in a time zone, around the daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consult.localtime import AmbiguousTime, NonexistentTime, to_local, to_utc, utc_offset_label

BRUSSELS = "Europe/Brussels"


def test_ordinary_times_convert_both_ways():
    instant = to_utc(datetime(2026, 6, 30, 17, 0), BRUSSELS)
    assert instant == datetime(2026, 6, 30, 15, 0, tzinfo=UTC)
    assert to_local(instant, BRUSSELS) == datetime(2026, 6, 30, 17, 0)
    assert to_utc(datetime(2026, 1, 15, 9, 0), "Europe/Lisbon") == datetime(
        2026, 1, 15, 9, 0, tzinfo=UTC
    )


def test_a_time_in_the_skipped_hour_is_refused():
    # 29 March 2026: at 02:00 the clocks in Brussels go to 03:00.
    with pytest.raises(NonexistentTime):
        to_utc(datetime(2026, 3, 29, 2, 30), BRUSSELS)
    assert to_utc(datetime(2026, 3, 29, 1, 59), BRUSSELS) == datetime(
        2026, 3, 29, 0, 59, tzinfo=UTC
    )
    assert to_utc(datetime(2026, 3, 29, 3, 0), BRUSSELS) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_a_repeated_time_must_be_chosen_explicitly():
    # 25 October 2026: at 03:00 the clocks go back to 02:00; 02:30 happens twice.
    with pytest.raises(AmbiguousTime) as ambiguous:
        to_utc(datetime(2026, 10, 25, 2, 30), BRUSSELS)
    first, second = ambiguous.value.choices
    assert (first, second) == (
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    )
    assert to_utc(datetime(2026, 10, 25, 2, 30), BRUSSELS, fold=0) == first
    assert to_utc(datetime(2026, 10, 25, 2, 30), BRUSSELS, fold=1) == second
    assert utc_offset_label(first, BRUSSELS) == "UTC+02:00"
    assert utc_offset_label(second, BRUSSELS) == "UTC+01:00"
    assert to_local(second, BRUSSELS).fold == 1


def test_an_unknown_zone_falls_back_to_brussels():
    assert to_utc(datetime(2026, 6, 30, 17, 0), "Mars/Olympus") == datetime(
        2026, 6, 30, 15, 0, tzinfo=UTC
    )
