"""Tests for bot.services.text.timeutil: digest times across DST, schedule input, zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.text.timeutil import (
    COMMON_ZONES,
    TimeParseError,
    format_local,
    next_digest_time,
    parse_local_datetime,
    parse_zone,
)


def utc(*parts: int) -> datetime:
    """An aware UTC datetime, to keep the tables short."""
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type,misc]


BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"

# (now in UTC, hour, zone, expected UTC). DST 2026: EU 29 Mar / 25 Oct at 01:00 UTC;
# US 8 Mar 07:00 UTC / 1 Nov 06:00 UTC.
DIGEST_CASES = [
    # Berlin in winter (UTC+1): before, one second before, exactly at, one second after.
    (utc(2026, 1, 15, 6, 0), 8, BERLIN, utc(2026, 1, 15, 7, 0)),
    (utc(2026, 1, 15, 6, 59, 59), 8, BERLIN, utc(2026, 1, 15, 7, 0)),
    (utc(2026, 1, 15, 7, 0), 8, BERLIN, utc(2026, 1, 16, 7, 0)),
    (utc(2026, 1, 15, 7, 0, 1), 8, BERLIN, utc(2026, 1, 16, 7, 0)),
    # Berlin in summer (UTC+2).
    (utc(2026, 7, 1, 5, 0), 8, BERLIN, utc(2026, 7, 1, 6, 0)),
    # Berlin spring-forward: 02:00-03:00 does not exist on 29 Mar.
    (utc(2026, 3, 28, 12, 0), 1, BERLIN, utc(2026, 3, 29, 0, 0)),
    (utc(2026, 3, 28, 12, 0), 2, BERLIN, utc(2026, 3, 29, 1, 0)),
    (utc(2026, 3, 28, 12, 0), 3, BERLIN, utc(2026, 3, 29, 1, 0)),
    (utc(2026, 3, 28, 12, 0), 8, BERLIN, utc(2026, 3, 29, 6, 0)),
    (utc(2026, 3, 29, 1, 0), 2, BERLIN, utc(2026, 3, 30, 0, 0)),
    # Berlin fall-back: 02:00-03:00 happens twice on 25 Oct; the first one counts, once.
    (utc(2026, 10, 24, 12, 0), 2, BERLIN, utc(2026, 10, 25, 0, 0)),
    (utc(2026, 10, 25, 0, 30), 2, BERLIN, utc(2026, 10, 26, 1, 0)),
    (utc(2026, 10, 25, 0, 30), 3, BERLIN, utc(2026, 10, 25, 2, 0)),
    (utc(2026, 10, 24, 12, 0), 8, BERLIN, utc(2026, 10, 25, 7, 0)),
    # New York spring-forward: 02:00-03:00 does not exist on 8 Mar.
    (utc(2026, 3, 7, 12, 0), 1, NEW_YORK, utc(2026, 3, 8, 6, 0)),
    (utc(2026, 3, 7, 12, 0), 2, NEW_YORK, utc(2026, 3, 8, 7, 0)),
    (utc(2026, 3, 7, 14, 0), 8, NEW_YORK, utc(2026, 3, 8, 12, 0)),
    # New York fall-back: 01:00-02:00 happens twice on 1 Nov.
    (utc(2026, 10, 31, 12, 0), 1, NEW_YORK, utc(2026, 11, 1, 5, 0)),
    (utc(2026, 11, 1, 5, 30), 1, NEW_YORK, utc(2026, 11, 2, 6, 0)),
    (utc(2026, 10, 31, 12, 0), 2, NEW_YORK, utc(2026, 11, 1, 7, 0)),
    # East of UTC, including a half-hour offset and the local date ahead of UTC's.
    (utc(2026, 5, 10, 23, 30), 8, "Asia/Tokyo", utc(2026, 5, 11, 23, 0)),
    (utc(2026, 5, 10, 23, 30), 9, "Asia/Tokyo", utc(2026, 5, 11, 0, 0)),
    (utc(2026, 5, 10, 0, 0), 6, "Asia/Kolkata", utc(2026, 5, 10, 0, 30)),
    (utc(2026, 2, 28, 3, 0), 8, "Asia/Tashkent", utc(2026, 3, 1, 3, 0)),
    (utc(2026, 6, 1, 20, 59, 59), 0, "Europe/Moscow", utc(2026, 6, 1, 21, 0)),
    (utc(2026, 6, 1, 21, 0), 0, "Europe/Moscow", utc(2026, 6, 2, 21, 0)),
    # West of UTC: the local date is behind UTC's.
    (utc(2026, 1, 15, 20, 0), 8, "America/Los_Angeles", utc(2026, 1, 16, 16, 0)),
    (utc(2026, 1, 15, 20, 0), 23, "America/Los_Angeles", utc(2026, 1, 16, 7, 0)),
    # UTC itself, across a year end.
    (utc(2026, 12, 31, 23, 0), 0, "UTC", utc(2027, 1, 1, 0, 0)),
    # Lord Howe moves its clocks by 30 minutes: 02:00-02:30 is skipped on 4 Oct.
    (utc(2026, 10, 3, 12, 0), 2, "Australia/Lord_Howe", utc(2026, 10, 3, 15, 30)),
    # Samoa skipped 30 Dec 2011 entirely; the gap ends at 31 Dec 00:00 local.
    (utc(2011, 12, 29, 20, 0), 8, "Pacific/Apia", utc(2011, 12, 30, 10, 0)),
    # Sao Paulo used to spring forward at midnight.
    (utc(2018, 11, 3, 12, 0), 0, "America/Sao_Paulo", utc(2018, 11, 4, 3, 0)),
]


@pytest.mark.parametrize(("now", "hour", "zone", "expected"), DIGEST_CASES)
def test_next_digest_time_table(now: datetime, hour: int, zone: str, expected: datetime) -> None:
    result = next_digest_time(now, hour, ZoneInfo(zone))
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_next_digest_time_accepts_a_non_utc_now() -> None:
    now = datetime(2026, 1, 15, 8, 0, tzinfo=ZoneInfo(BERLIN))
    assert next_digest_time(now, 8, ZoneInfo(BERLIN)) == utc(2026, 1, 16, 7, 0)


@pytest.mark.parametrize("hour", [-1, 24])
def test_next_digest_time_rejects_bad_hour(hour: int) -> None:
    with pytest.raises(ValueError, match="hour"):
        next_digest_time(utc(2026, 1, 1), hour, ZoneInfo(BERLIN))


def test_next_digest_time_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_digest_time(datetime(2026, 1, 1), 8, ZoneInfo(BERLIN))  # noqa: DTZ001


_PROPERTY_ZONES = [
    *COMMON_ZONES,
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Apia",
    "America/St_Johns",
]


def _is_gap_end(moment: datetime, tz: ZoneInfo) -> bool:
    """Whether the zone's offset jumps forward exactly at moment."""
    before = (moment - timedelta(seconds=1)).astimezone(tz).utcoffset()
    after = moment.astimezone(tz).utcoffset()
    assert before is not None
    assert after is not None
    return after > before


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2037, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    hour=st.integers(0, 23),
    zone=st.sampled_from(_PROPERTY_ZONES),
)
def test_next_digest_time_properties(now: datetime, hour: int, zone: str) -> None:
    tz = ZoneInfo(zone)
    result = next_digest_time(now, hour, tz)
    assert now < result <= now + timedelta(hours=25)
    local = result.astimezone(tz)
    on_the_hour = (local.hour, local.minute, local.second, local.microsecond) == (hour, 0, 0, 0)
    assert on_the_hour or _is_gap_end(result, tz)
    # No earlier first occurrence of hour:00 was skipped. Offsets are multiples of 15 minutes,
    # so every local hour:00 falls on this UTC grid.
    step = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    while step < result:
        if step > now:
            seen = step.astimezone(tz)
            assert not (seen.hour == hour and seen.minute == 0 and seen.fold == 0)
        step += timedelta(minutes=15)


# --- parse_local_datetime -----------------------------------------------------------------------

NOW = utc(2026, 11, 30, 12, 0)  # 13:00 in Berlin

PARSE_CASES = [
    ("2026-12-01 08:00", BERLIN, NOW, utc(2026, 12, 1, 7, 0)),
    ("2026-12-01T08:00", BERLIN, NOW, utc(2026, 12, 1, 7, 0)),
    ("2026-12-01t08:00:30", BERLIN, NOW, utc(2026, 12, 1, 7, 0, 30)),
    ("  2026-12-01   8:00 ", BERLIN, NOW, utc(2026, 12, 1, 7, 0)),
    ("2026-12-01 08:00", NEW_YORK, NOW, utc(2026, 12, 1, 13, 0)),
    ("2026-12-01 08:00", "Asia/Tokyo", NOW, utc(2026, 11, 30, 23, 0)),
    ("14:00", BERLIN, NOW, utc(2026, 11, 30, 13, 0)),
    ("08:00", BERLIN, NOW, utc(2026, 12, 1, 7, 0)),
    ("13:00", BERLIN, NOW, utc(2026, 12, 1, 12, 0)),  # exactly now counts as past
    ("13:01", BERLIN, NOW, utc(2026, 11, 30, 12, 1)),
    ("today 14:00", BERLIN, NOW, utc(2026, 11, 30, 13, 0)),
    ("tomorrow 08:00", BERLIN, NOW, utc(2026, 12, 1, 7, 0)),
    ("Tomorrow 23:30", BERLIN, NOW, utc(2026, 12, 1, 22, 30)),
    ("TOMORROW 0:05", "Asia/Tokyo", NOW, utc(2026, 11, 30, 15, 5)),
    ("+2h", BERLIN, NOW, utc(2026, 11, 30, 14, 0)),
    ("+30m", BERLIN, NOW, utc(2026, 11, 30, 12, 30)),
    ("+1h30m", BERLIN, NOW, utc(2026, 11, 30, 13, 30)),
    ("+ 1d", BERLIN, NOW, utc(2026, 12, 1, 12, 0)),
    ("in 2 hours", BERLIN, NOW, utc(2026, 11, 30, 14, 0)),
    ("in 1 hour", BERLIN, NOW, utc(2026, 11, 30, 13, 0)),
    ("In 45 minutes", BERLIN, NOW, utc(2026, 11, 30, 12, 45)),
    ("in 3 days", BERLIN, NOW, utc(2026, 12, 3, 12, 0)),
    # DST: a time in the gap moves to the end of the gap; a repeated time means the first.
    ("2026-03-29 02:30", BERLIN, utc(2026, 3, 28), utc(2026, 3, 29, 1, 0)),
    ("2026-10-25 02:30", BERLIN, utc(2026, 10, 24), utc(2026, 10, 25, 0, 30)),
    ("2026-11-01 01:30", NEW_YORK, utc(2026, 10, 31), utc(2026, 11, 1, 5, 30)),
]


@pytest.mark.parametrize(("text", "zone", "now", "expected"), PARSE_CASES)
def test_parse_local_datetime_table(
    text: str, zone: str, now: datetime, expected: datetime
) -> None:
    result = parse_local_datetime(text, ZoneInfo(zone), now)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "zone", "message"),
    [
        ("", BERLIN, "could not read"),
        ("tomorrow", BERLIN, "could not read"),
        ("yesterday 08:00", BERLIN, "could not read"),
        ("08:00 tomorrow", BERLIN, "could not read"),
        ("8am", BERLIN, "could not read"),
        ("+", BERLIN, "could not read"),
        ("+2x", BERLIN, "could not read"),
        ("in two hours", BERLIN, "could not read"),
        ("01/12/2026 08:00", BERLIN, "could not read"),
        ("25:00", BERLIN, "valid time"),
        ("12:60", BERLIN, "valid time"),
        ("2026-12-01 24:00", BERLIN, "valid time"),
        ("2026-02-30 08:00", BERLIN, "valid date"),
        ("2026-13-01 08:00", BERLIN, "valid date"),
        ("2020-01-01 08:00", BERLIN, "already passed"),
        ("2026-11-30 12:59", BERLIN, "already passed"),
        ("today 08:00", BERLIN, "already passed"),
        ("+0m", BERLIN, "already passed"),
        ("in 0 minutes", BERLIN, "already passed"),
        ("9999-12-31 23:59", NEW_YORK, "too far"),
    ],
)
def test_parse_local_datetime_errors(text: str, zone: str, message: str) -> None:
    with pytest.raises(TimeParseError, match=message) as caught:
        parse_local_datetime(text, ZoneInfo(zone), NOW)
    # Every error tells the admin what would have worked.
    assert "tomorrow 08:00" in str(caught.value)
    assert "+2h" in str(caught.value)


def test_parse_local_datetime_past_error_shows_the_local_time() -> None:
    with pytest.raises(TimeParseError, match="30 Nov 2026 08:00 CET"):
        parse_local_datetime("today 08:00", ZoneInfo(BERLIN), NOW)


def test_parse_local_datetime_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_local_datetime("+2h", ZoneInfo(BERLIN), datetime(2026, 1, 1))  # noqa: DTZ001


@given(minutes=st.integers(1, 100_000), zone=st.sampled_from(COMMON_ZONES))
def test_parse_relative_minutes_property(minutes: int, zone: str) -> None:
    result = parse_local_datetime(f"+{minutes}m", ZoneInfo(zone), NOW)
    assert result - NOW == timedelta(minutes=minutes)


# --- format_local and zones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        (utc(2026, 12, 1, 7, 0), BERLIN, "1 Dec 2026 08:00 CET"),
        (utc(2026, 7, 1, 6, 5), BERLIN, "1 Jul 2026 08:05 CEST"),
        (utc(2026, 11, 1, 5, 30), NEW_YORK, "1 Nov 2026 01:30 EDT"),
        (utc(2026, 11, 1, 6, 30), NEW_YORK, "1 Nov 2026 01:30 EST"),
        (utc(2026, 12, 31, 20, 0), "Asia/Tashkent", "1 Jan 2027 01:00 +05"),
        (utc(2026, 3, 9, 0, 0), "UTC", "9 Mar 2026 00:00 UTC"),
    ],
)
def test_format_local(moment: datetime, zone: str, expected: str) -> None:
    assert format_local(moment, ZoneInfo(zone)) == expected


def test_common_zones_are_real_and_distinct() -> None:
    assert len(set(COMMON_ZONES)) == len(COMMON_ZONES)
    assert set(COMMON_ZONES) <= available_timezones()
    for name in COMMON_ZONES:
        assert parse_zone(name).key == name


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  europe/BERLIN ", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("new york", "America/New_York"),
        ("Tashkent", "Asia/Tashkent"),
        ("utc", "UTC"),
        ("UTC+0", "UTC"),
        ("UTC+3", "Etc/GMT-3"),
        ("utc + 03:00", "Etc/GMT-3"),
        ("GMT-5", "Etc/GMT+5"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"),
    ],
)
def test_parse_zone_accepts(text: str, key: str) -> None:
    assert parse_zone(text).key == key


@pytest.mark.parametrize(("text", "hours"), [("UTC+3", 3), ("GMT-5", -5), ("UTC+14", 14)])
def test_parse_zone_offsets_have_the_right_sign(text: str, hours: int) -> None:
    assert parse_zone(text).utcoffset(datetime(2026, 1, 1)) == timedelta(hours=hours)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mars/Olympus", "Unknown time zone"),
        ("", "Unknown time zone"),
        ("UTC+5:30", "Unknown time zone"),
        ("UTC+15", "UTC-12 to UTC\\+14"),
        ("UTC-13", "UTC-12 to UTC\\+14"),
        ("indianapolis", "ambiguous: use one of America/Indiana/Indianapolis"),
    ],
)
def test_parse_zone_rejects(text: str, message: str) -> None:
    with pytest.raises(TimeParseError, match=message):
        parse_zone(text)
