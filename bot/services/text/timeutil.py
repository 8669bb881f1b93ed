"""Time rules for schedules and digests: pure functions, the current time is always passed in.

Local wall times are resolved the same way everywhere: a time that does not exist (the
spring-forward gap) becomes the first instant after the gap, and a time that occurs twice
(fall-back) means its first occurrence.  Results are aware datetimes in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date

from bot.i18n import N_, _, current_language
from bot.i18n.core import BABEL_LOCALES

COMMON_ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Asia/Jerusalem",
    "Asia/Dubai",
    "Asia/Tashkent",
    "Asia/Almaty",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)

ACCEPTED_FORMS = N_(
    "Send a time as one of: 2026-12-01 08:00, 2026-12-01T08:00, 08:00 (today, or tomorrow "
    "if that has passed), tomorrow 08:00, +2h, +30m, +1h30m, in 2 hours, in 30 minutes."
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HM = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
_ABSOLUTE = re.compile(rf"(?P<date>\d{{4}}-\d{{2}}-\d{{2}})(?:\s+|t){_HM}")
_DAY_TIME = re.compile(rf"(?:(?P<day>today|tomorrow)\s+)?{_HM}")
_PLUS = re.compile(r"\+\s*(?:(?P<d>\d{1,3})d)?\s*(?:(?P<h>\d{1,4})h)?\s*(?:(?P<m>\d{1,6})m)?")
_IN = re.compile(r"in\s+(?P<n>\d{1,4})\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d)")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
_OFFSET = re.compile(r"(?:utc|gmt)\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?00)?")


class TimeParseError(ValueError):
    """User input that is not a usable time or zone; the message can be shown to the user.
    `unreadable`: the text is no time at all (rather than a time that cannot be used)."""

    def __init__(self, message: str, *, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable


def _with_forms(message: str) -> str:
    return f"{message} {_(ACCEPTED_FORMS)}"


def _require_aware(moment: datetime) -> None:
    """Refuse naive datetimes: they are a programming error, not user input."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required")


def resolve_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time, moving gap times to the end of the gap."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz)  # fold=0: the earlier occurrence in an overlap
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return first.astimezone(UTC)
    # In a gap fold=1 reads the wall time with the later offset, which lands before the
    # transition, and fold=0 with the earlier offset, which lands at or after it.
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first.astimezone(UTC)
    after = high.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def next_digest_time(now: datetime, hour: int, tz: ZoneInfo) -> datetime:
    """The next instant strictly after now when it is hour:00 local time in tz, in UTC."""
    _require_aware(now)
    if not 0 <= hour <= 23:
        raise ValueError(f"hour must be 0..23, got {hour}")
    today = now.astimezone(tz).date()
    # A few days of slack covers zones that once skipped a whole calendar day.
    for offset in range(4):
        candidate = resolve_local(today + timedelta(days=offset), time(hour), tz)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a digest hour occurs within four days")


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    """A moment as local time with the zone abbreviation, e.g. "1 Dec 2026 08:00 CET"."""
    _require_aware(moment)
    local = moment.astimezone(tz)
    return f"{format_day(local, tz)} {local:%H:%M} {local.tzname()}"


def format_day(moment: datetime, tz: ZoneInfo) -> str:
    """The local date in the current language, e.g. "30 Nov 2026", "30 нояб. 2026",
    "30 noy 2026", whatever the process locale."""
    local = moment.astimezone(tz)
    language = current_language()
    if language == "en":
        return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"
    return format_date(local.date(), "d MMM y", locale=BABEL_LOCALES[language])


def _clock(match: re.Match[str]) -> time:
    """The time of day in a regex match with hour, minute and optional second groups."""
    try:
        return time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
    except ValueError:
        raise TimeParseError(_with_forms(_("That is not a valid time of day."))) from None


def _relative(text: str) -> timedelta | None:
    """A "+1h30m" or "in 2 hours" offset, or None when text is neither."""
    plus = _PLUS.fullmatch(text)
    if plus and any(plus.group("d", "h", "m")):
        days, hours, minutes = (int(value or 0) for value in plus.group("d", "h", "m"))
        return timedelta(days=days, hours=hours, minutes=minutes)
    spelled = _IN.fullmatch(text)
    if spelled is None:
        return None
    return timedelta(seconds=int(spelled["n"]) * _UNIT_SECONDS[spelled["unit"][0]])


def _parse(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """Turn normalised input into a UTC instant, without the past check."""
    offset = _relative(text)
    if offset is not None:
        return (now + offset).astimezone(UTC)
    absolute = _ABSOLUTE.fullmatch(text)
    if absolute:
        try:
            day = date.fromisoformat(absolute["date"])
        except ValueError:
            raise TimeParseError(_with_forms(_("That is not a valid date."))) from None
        return resolve_local(day, _clock(absolute), tz)
    day_time = _DAY_TIME.fullmatch(text)
    if day_time is None:
        raise TimeParseError(_with_forms(_("I could not read that time.")), unreadable=True)
    today = now.astimezone(tz).date()
    at = _clock(day_time)
    if day_time["day"] == "tomorrow":
        return resolve_local(today + timedelta(days=1), at, tz)
    moment = resolve_local(today, at, tz)
    if day_time["day"] is None and moment <= now:
        moment = resolve_local(today + timedelta(days=1), at, tz)
    return moment


def parse_local_datetime(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """Parse an admin's schedule input as local time in tz; returns an aware UTC datetime."""
    _require_aware(now)
    normalised = " ".join(text.lower().split())
    try:
        moment = _parse(normalised, tz, now)
    except OverflowError:
        raise TimeParseError(_with_forms(_("That time is too far away."))) from None
    if moment <= now:
        passed = _("That time has already passed ({time}).").format(time=format_local(moment, tz))
        raise TimeParseError(_with_forms(passed))
    return moment


@cache
def _zone_index() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Available zone names by lowercase full name and by lowercase last component."""
    names = sorted(available_timezones())
    by_name = {name.lower(): name for name in names}
    by_city: dict[str, list[str]] = {}
    for name in names:
        by_city.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
    return by_name, {city: tuple(found) for city, found in by_city.items()}


def _offset_zone(text: str) -> ZoneInfo | None:
    """A whole-hour "UTC+3" or "GMT-5" as a fixed Etc/GMT zone, or None if not that form."""
    match = _OFFSET.fullmatch(text)
    if match is None:
        return None
    hours = int(match["hours"])
    if hours == 0:
        return ZoneInfo("UTC")
    if hours > (14 if match["sign"] == "+" else 12):
        raise TimeParseError(
            _("UTC offsets run from UTC-12 to UTC+14, not {given}.").format(given=text.upper())
        )
    # The Etc/GMT names use the POSIX sign convention: Etc/GMT-3 is three hours ahead of UTC.
    return ZoneInfo(f"Etc/GMT{'-' if match['sign'] == '+' else '+'}{hours}")


def parse_zone(text: str) -> ZoneInfo:
    """An IANA zone from user input: full name or city, any case, or a whole-hour UTC offset."""
    key = "_".join(text.strip().split()).lower()
    by_name, by_city = _zone_index()
    if key in by_name:
        return ZoneInfo(by_name[key])
    fixed = _offset_zone(key.replace("_", ""))
    if fixed is not None:
        return fixed
    cities = by_city.get(key, ())
    if len(cities) == 1:
        return ZoneInfo(cities[0])
    shown = text.strip()[:40]
    if cities:
        raise TimeParseError(
            _("“{given}” is ambiguous: use one of {zones}.").format(
                given=shown, zones=", ".join(cities)
            )
        )
    raise TimeParseError(
        _(
            "Unknown time zone “{given}”. Use an IANA name such as Europe/Berlin or "
            "America/New_York, a city such as Tashkent, or a whole-hour offset such as UTC+3."
        ).format(given=shown)
    )
