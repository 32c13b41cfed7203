"""Working-day calendars, for statutory deadlines such as "3个工作日内" (within 3 working days).

A working day is one the calendar says people work. In the PRC calendar (`cn`) that is a
Monday-Friday that is not an official public holiday, or a Saturday/Sunday that is an adjusted
working day (调休上班日). Plain weekdays are never assumed: a year the calendar does not list is
unknown, and every answer that would need it is None.

Calendars are YAML files (see `calendars/cn.yaml`), validated when loaded.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import yaml

from subsidy_engine.errors import InputError, SubsidyEngineError

_TOP_KEYS = ("name", "title", "years")
_YEAR_KEYS = ("reference", "holidays", "adjusted_working_days")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarError(SubsidyEngineError):
    """A calendar file is malformed; the message names the file, and the year and key if known."""

    def __init__(
        self, file: str, message: str, year: int | None = None, key: str | None = None
    ) -> None:
        self.file = file
        self.year = year
        self.key = key
        where = file
        if year is not None:
            where += f": year {year}"
        if key is not None:
            where += f": {key}"
        super().__init__(f"{where}: {message}")


CALENDAR_GAP_SUFFIX = "_working_day_calendar"
"""A computation needing a year a calendar lacks names `<calendar>_working_day_calendar`."""


def is_calendar_gap(name: str) -> bool:
    """Whether a missing name is a year the working-day calendar lacks: a figure the text does
    give, so the amount is unknown, not unspecified."""
    return name.endswith(CALENDAR_GAP_SUFFIX)


@dataclass(frozen=True, slots=True)
class WorkingDayCalendar:
    """Which days are working days, for the consecutive years in `known_years`.

    Build one with `bundled` or `from_file`, which validate the data; the constructor trusts it.
    """

    name: str
    known_years: frozenset[int]
    title: str = ""
    _days: tuple[date, ...] = field(default=(), repr=False)  # every working day, sorted
    _references: tuple[tuple[int, str], ...] = field(default=(), repr=False)

    @classmethod
    def bundled(cls, name: str = "cn") -> WorkingDayCalendar:
        """The calendar shipped as `subsidy_engine/calendars/<name>.yaml`, loaded once per name.

        Raises InputError for a name with no bundled file, CalendarError if the file is malformed.
        """
        return _load_bundled(name)

    @classmethod
    def from_file(cls, path: Path) -> WorkingDayCalendar:
        """The calendar in the YAML file at `path`, validated.

        Raises InputError if the file cannot be read, CalendarError if it is malformed.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CalendarError(str(path), "not UTF-8 text") from exc
        except OSError as exc:
            raise InputError(f"{path}: cannot read calendar file: {exc.strerror}") from exc
        return _parse(text, str(path))

    def is_working_day(self, day: date) -> bool | None:
        """Whether `day` is a working day; None when the calendar does not know its year."""
        if day.year not in self.known_years:
            return None
        index = bisect.bisect_left(self._days, day)
        return index < len(self._days) and self._days[index] == day

    def add_working_days(self, start: date, n: int) -> date | None:
        """The n-th working day strictly after `start`, or `start` itself when n == 0.

        The start day is never counted, whatever it is (a period's first day is not counted).
        Returns None (unknown) when the start's year is not known, or when counting runs past
        the last known year. Raises ValueError when n is negative.

        >>> from datetime import date
        >>> cn = WorkingDayCalendar.bundled("cn")
        >>> cn.add_working_days(date(2019, 9, 30), 3)  # 2019-10-01..07 is the National Day break
        datetime.date(2019, 10, 10)
        >>> cn.add_working_days(date(2019, 10, 11), 1)  # Saturday 2019-10-12 is worked
        datetime.date(2019, 10, 12)
        >>> cn.add_working_days(date(2019, 10, 3), 0)
        datetime.date(2019, 10, 3)
        >>> cn.add_working_days(date(2026, 12, 30), 5) is None  # 2027 is not in the calendar
        True
        >>> cn.add_working_days(date(2017, 12, 29), 1) is None  # nor is 2017
        True
        """
        if n < 0:
            raise ValueError(f"the number of working days must be >= 0, got {n}")
        if start.year not in self.known_years:
            return None
        if n == 0:
            return start
        index = bisect.bisect_right(self._days, start) + n - 1
        return self._days[index] if index < len(self._days) else None

    def working_days(self) -> tuple[date, ...]:
        """Every working day in the known years, in increasing order."""
        return self._days

    def reference(self, year: int) -> str | None:
        """The official notice(s) the year's dates come from; None for an unknown year."""
        return dict(self._references).get(year)


@functools.cache
def _load_bundled(name: str) -> WorkingDayCalendar:
    folder = resources.files("subsidy_engine.calendars")
    available = sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )
    if name not in available:
        raise InputError(
            f"unknown working-day calendar {name!r}; bundled calendars: {', '.join(available)}"
        )
    resource = folder / f"{name}.yaml"
    return _parse(resource.read_text(encoding="utf-8"), str(resource))


def _parse(text: str, source: str) -> WorkingDayCalendar:
    """A calendar from YAML text; `source` names the file in errors."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2019-02-30
        raise CalendarError(source, f"not a valid YAML calendar: {exc}") from exc
    if not isinstance(data, dict):
        raise CalendarError(source, f"expected a mapping with keys {', '.join(_TOP_KEYS)}")
    _reject_unknown_keys(data, _TOP_KEYS, source, None)
    name, title, years = data.get("name"), data.get("title", ""), data.get("years")
    if not isinstance(name, str) or not name:
        raise CalendarError(source, "must be a non-empty string", key="name")
    if not isinstance(title, str):
        raise CalendarError(source, "must be a string", key="title")
    if not isinstance(years, dict) or not years:
        raise CalendarError(source, "must be a non-empty mapping from year to dates", key="years")
    for year in years:
        if type(year) is not int:
            raise CalendarError(source, f"{year!r} is not a year", key="years")
    known = sorted(years)
    for year, following in itertools.pairwise(known):
        if following != year + 1:
            raise CalendarError(
                source, f"years must be consecutive: missing after {year}", year=year + 1
            )
    days: list[date] = []
    references: list[tuple[int, str]] = []
    for year in known:
        year_days, reference = _parse_year(years[year], year, source)
        days.extend(year_days)
        if reference is not None:
            references.append((year, reference))
    return WorkingDayCalendar(name, frozenset(known), title, tuple(days), tuple(references))


def _parse_year(entry: object, year: int, source: str) -> tuple[list[date], str | None]:
    """The sorted working days of one year's entry, and its reference."""
    if not isinstance(entry, dict):
        raise CalendarError(source, f"expected a mapping with keys {', '.join(_YEAR_KEYS)}", year)
    _reject_unknown_keys(entry, _YEAR_KEYS, source, year)
    reference = entry.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise CalendarError(source, "must be a string", year, "reference")
    off = _parse_dates(entry, "holidays", year, source, weekend=False)
    worked = _parse_dates(entry, "adjusted_working_days", year, source, weekend=True)
    first = date(year, 1, 1)
    every_day = (first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days))
    working = [d for d in every_day if d in worked or (d.weekday() < 5 and d not in off)]
    return working, reference


def _parse_dates(
    entry: dict[object, object], key: str, year: int, source: str, *, weekend: bool
) -> frozenset[date]:
    """The dates under `key`: all distinct, inside `year`, and on weekends iff `weekend`."""
    if key not in entry:
        raise CalendarError(source, "missing (write [] for none)", year, key)
    items = entry[key]
    if not isinstance(items, list):
        raise CalendarError(source, "must be a list of dates (YYYY-MM-DD)", year, key)
    seen: set[date] = set()
    for item in items:
        day = _as_date(item)
        if day is None:
            raise CalendarError(source, f"{item!r} is not a date (YYYY-MM-DD)", year, key)
        if day.year != year:
            raise CalendarError(source, f"{day} is not in {year}", year, key)
        if (day.weekday() >= 5) != weekend:
            allowed = "a Saturday or Sunday" if weekend else "a Monday-Friday"
            weekday = _WEEKDAY_NAMES[day.weekday()]
            raise CalendarError(source, f"{day} is a {weekday}; must be {allowed}", year, key)
        if day in seen:
            raise CalendarError(source, f"{day} is listed twice", year, key)
        seen.add(day)
    return frozenset(seen)


def _as_date(item: object) -> date | None:
    """`item` as a date if it is one (a YAML date or an ISO string), else None."""
    if isinstance(item, datetime):
        return None
    if isinstance(item, date):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item)
        except ValueError:
            return None
    return None


def _reject_unknown_keys(
    mapping: dict[object, object], allowed: tuple[str, ...], source: str, year: int | None
) -> None:
    for key in mapping:
        if key not in allowed:
            expected = f"unknown key; expected one of {', '.join(allowed)}"
            raise CalendarError(source, expected, year, str(key))
