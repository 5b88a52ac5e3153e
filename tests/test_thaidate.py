from datetime import UTC, date, datetime

import pytest

from workflow.thaidate import (
    ThaiDateError,
    end_of_day_utc,
    fiscal_year_be,
    fiscal_year_bounds,
    format_be,
    format_be_datetime,
    parse_thai_date,
    parse_thai_month,
    to_arabic_digits,
    to_thai_digits,
)


def test_format_be_thai_and_arabic_digits():
    day = date(2024, 6, 15)
    assert format_be(day) == "๑๕ มิ.ย. ๒๕๖๗"
    assert format_be(day, digit_style="arabic") == "15 มิ.ย. 2567"
    assert format_be(day, style="full", digit_style="arabic") == "15 มิถุนายน 2567"
    assert format_be(day, style="full") == "๑๕ มิถุนายน ๒๕๖๗"
    assert format_be(day, style="numeric", digit_style="arabic") == "15/06/2567"


def test_format_datetime_shows_bangkok_time():
    assert format_be_datetime(datetime(2024, 6, 10, 1, 30, tzinfo=UTC), digit_style="arabic") == \
        "10 มิ.ย. 2567 08:30 น."


@pytest.mark.parametrize("text, expected", [
    ("๑๐ มิถุนายน ๒๕๖๗", date(2024, 6, 10)),
    ("๓๐ พ.ค. ๒๕๖๗", date(2024, 5, 30)),
    ("30 พ.ค. 2567", date(2024, 5, 30)),
    ("วันที่ ๗ มิถุนายน พ.ศ. ๒๕๖๗", date(2024, 6, 7)),
    ("15 ก.ค. 2567", date(2024, 7, 15)),
    ("2567-06-10", date(2024, 6, 10)),
    ("2024-06-10", date(2024, 6, 10)),
    ("10/06/2567", date(2024, 6, 10)),
    ("๑๕ มิย ๒๕๖๗", date(2024, 6, 15)),
])
def test_parse_memo_dates(text, expected):
    assert parse_thai_date(text) == expected


def test_month_only_means_first_day():
    assert parse_thai_month("พฤษภาคม ๒๕๖๗") == date(2024, 5, 1)
    assert parse_thai_month("๑๕ กรกฎาคม ๒๕๖๗") == date(2024, 7, 15)


@pytest.mark.parametrize("text", ["30 ก.พ. 2567", "2567-02-30", "31/04/2567", "๓๒ พ.ค. ๒๕๖๗"])
def test_impossible_dates_are_refused_in_thai_and_english(text):
    with pytest.raises(ThaiDateError) as info:
        parse_thai_date(text)
    assert "ไม่มีวันที่นี้" in info.value.message_th
    assert "no such date" in info.value.message_en


@pytest.mark.parametrize("text", ["", "tomorrow", "๑๐ มิถุนา ๒๕๖๗", "10 June"])
def test_unreadable_dates_are_refused(text):
    with pytest.raises(ThaiDateError):
        parse_thai_date(text)


def test_digits_round_trip():
    assert to_thai_digits("2567") == "๒๕๖๗"
    assert to_arabic_digits("๐๑๒๓๔๕๖๗๘๙") == "0123456789"


def test_fiscal_year_runs_october_to_september():
    assert fiscal_year_be(date(2023, 10, 1)) == 2567
    assert fiscal_year_be(date(2024, 9, 30)) == 2567
    assert fiscal_year_be(date(2024, 10, 1)) == 2568
    assert fiscal_year_bounds(2567) == (date(2023, 10, 1), date(2024, 9, 30))


def test_end_of_day_is_bangkok_midnight():
    assert end_of_day_utc(date(2024, 6, 10)).isoformat().startswith("2024-06-10T16:59:59")
