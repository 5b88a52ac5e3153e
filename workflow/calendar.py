"""Working days by the Thai public-holiday calendar (the ``holidays`` package).

A deadline or a round that falls on a weekend or a holiday is flagged, and moved by a stated policy:
``previous`` (the working day before) or ``next`` (the working day after).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

POLICIES = ("previous", "next")


@dataclass(frozen=True)
class DayCheck:
    day: date
    working: bool
    reason_th: str | None  # "วันเสาร์", "วันอาทิตย์" or the holiday's name
    reason_en: str | None


@dataclass(frozen=True)
class Adjusted:
    original: date
    day: date
    moved: bool
    reason_th: str | None
    reason_en: str | None
    policy: str


@lru_cache(maxsize=64)
def _thai_holidays(year: int) -> dict[date, str]:
    th = holidays.Thailand(years=year, categories=("public", "government"), language="th")
    return dict(th.items())


@lru_cache(maxsize=64)
def _english_holidays(year: int) -> dict[date, str]:
    en = holidays.Thailand(years=year, categories=("public", "government"), language="en_US")
    return dict(en.items())


class WorkingCalendar:
    """Thailand's working days: Monday to Friday, except public and government holidays."""

    def __init__(self, extra_holidays: dict[date, str] | None = None):
        self.extra = dict(extra_holidays or {})

    def check(self, day: date) -> DayCheck:
        if day.weekday() == 5:
            return DayCheck(day, False, "วันเสาร์", "Saturday")
        if day.weekday() == 6:
            return DayCheck(day, False, "วันอาทิตย์", "Sunday")
        if day in self.extra:
            return DayCheck(day, False, self.extra[day], self.extra[day])
        name = _thai_holidays(day.year).get(day)
        if name:
            return DayCheck(day, False, name, _english_holidays(day.year).get(day, name))
        return DayCheck(day, True, None, None)

    def is_working_day(self, day: date) -> bool:
        return self.check(day).working

    def adjust(self, day: date, policy: str) -> Adjusted:
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, not {policy!r}")
        check = self.check(day)
        if check.working:
            return Adjusted(day, day, False, None, None, policy)
        step = timedelta(days=-1 if policy == "previous" else 1)
        moved = day + step
        while not self.is_working_day(moved):
            moved += step
        return Adjusted(day, moved, True, check.reason_th, check.reason_en, policy)

    def add_working_days(self, day: date, count: int) -> date:
        """The working day ``count`` working days after (or before, if negative) ``day``."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        current = day
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count
