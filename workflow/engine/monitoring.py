"""A measure's monitoring plan as dates: named dates, every N days, or a frequency (monthly, quarterly,
twice a year), and the days they are held once weekends and holidays are moved."""

from __future__ import annotations

import calendar as months
from datetime import date, timedelta

from workflow.calendar import WorkingCalendar

#: frequency -> the months whose last day is a round (quarterly and twice a year follow the fiscal year)
FREQUENCIES: dict[str, set[int]] = {
    "monthly": set(range(1, 13)),
    "quarterly": {12, 3, 6, 9},
    "half_yearly": {3, 9},
}


def frequency_dates(frequency: str, start: date, end: date) -> list[date]:
    """Month ends of the frequency within the period; the period's end when none falls in it."""
    wanted = FREQUENCIES[frequency]
    days = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        last = date(year, month, months.monthrange(year, month)[1])
        if month in wanted and start <= last <= end:
            days.append(last)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days or [end]


def every_dates(start: date, end: date, every_days: int) -> list[date]:
    """Every N days from the period's start (not the start itself), to its end: how a cycle is loaded."""
    days, day = [], start + timedelta(days=every_days)
    while day <= end:
        days.append(day)
        day += timedelta(days=every_days)
    return days


def held_on(days: list[date], policy: str, calendar: WorkingCalendar | None = None
            ) -> list[tuple[date, date, str | None]]:
    """Each planned day, the day it is held (moved off weekends and holidays by the policy) and why."""
    calendar = calendar or WorkingCalendar()
    out = []
    for day in days:
        adjusted = calendar.adjust(day, policy)
        out.append((day, adjusted.day, adjusted.reason_th if adjusted.moved else None))
    return out
