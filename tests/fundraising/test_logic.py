"""The database-free rules behind reader revenue: references, money, CSV, charts."""

from datetime import date
from decimal import Decimal

import pytest

from newsroom.fundraising.charts import fill_weeks, weekly_chart_svg
from newsroom.fundraising.donations import (
    Reference,
    format_money,
    parse_donations_csv,
    parse_reference,
    percent_of,
)
from newsroom.spreadsheets import csv_safe


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"from": "issue-7"}, Reference(issue_slug="issue-7")),
        (
            {"from": "issue-7", "story": "the-siege"},
            Reference(issue_slug="issue-7", story_slug="the-siege"),
        ),
        ({"from": "series:now-what"}, Reference(series_slug="now-what")),
        ({}, None),
        ({"from": "issue 7"}, None),
        ({"from": "issue-7", "story": "a/b"}, None),
        ({"from": "series:now-what", "story": "x"}, None),
        ({"from": "x" * 201}, None),
    ],
)
def test_references_are_read_strictly(params, expected):
    assert parse_reference(params) == expected


@pytest.mark.parametrize(
    "amount,currency,text",
    [
        ("12340", "USD", "$12,340"),
        ("12.5", "USD", "$12.50"),
        ("1000000", "EUR", "€1,000,000"),
        ("2500", "VES", "2,500 VES"),
    ],
)
def test_money_reads_as_people_write_it(amount, currency, text):
    assert format_money(Decimal(amount), currency) == text


def test_percent_is_rounded_down_and_zero_without_a_goal():
    assert percent_of(Decimal("12340"), Decimal("50000")) == 24
    assert percent_of(Decimal("1"), Decimal("0")) == 0


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\t1", "\r1"])
def test_csv_cells_that_start_a_formula_are_prefixed(cell):
    assert csv_safe(cell) == "'" + cell


def test_csv_cells_that_are_plain_text_are_left_alone():
    assert csv_safe("Carter Center") == "Carter Center"
    assert csv_safe(12) == "12"


def test_amounts_are_decimals_without_rounding():
    parsed = parse_donations_csv(
        "date,amount,currency,id\n2025-03-01,0.10,USD,a\n2025-03-01,0.20,USD,b\n"
    )

    assert parsed.errors == []
    assert sum(row.amount for row in parsed.rows) == Decimal("0.30")


def test_consent_without_a_name_lists_nobody():
    parsed = parse_donations_csv(
        "date,amount,currency,id,name,consent\n2025-03-01,5,USD,a,,yes\n"
    )

    assert parsed.rows[0].listed is False


def test_missing_weeks_are_filled_with_zero():
    weeks = fill_weeks({date(2025, 3, 3): 4}, 3, today=date(2025, 3, 12))

    assert weeks == [
        (date(2025, 2, 24), 0),
        (date(2025, 3, 3), 4),
        (date(2025, 3, 10), 0),
    ]


def test_the_chart_escapes_its_label_and_says_every_week_in_words():
    svg = weekly_chart_svg([(date(2025, 3, 3), 4)], label='<script>"x"</script>')

    assert "<script>" not in svg
    assert (
        'aria-label="&lt;script&gt;&quot;x&quot;&lt;/script&gt;: week of Mar 3: 4"'
        in svg
    )
    assert svg.count("<rect ") == 1
