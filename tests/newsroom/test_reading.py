"""The reader's text helpers: reading time, first sentences, HTML dates, domains."""

from datetime import UTC, datetime

import pytest
from django.test import override_settings

from newsroom.reading import (
    domain,
    first_sentence,
    html_datetime,
    reading_minutes,
)


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (1, 1), (230, 1), (231, 2), (1150, 5)]
)
def test_reading_time_rounds_up_to_whole_minutes(words, minutes):
    assert reading_minutes("word " * words) == minutes


def test_reading_time_adds_up_every_text():
    assert reading_minutes("word " * 200, "", None, "word " * 200) == 2


def test_the_first_sentence_ends_at_its_full_stop():
    text = "Runrunes reported an attack on January 22. Miners burned houses."

    assert first_sentence(text) == "Runrunes reported an attack on January 22."


def test_a_first_sentence_keeps_its_closing_quote():
    text = "“They must set a date,” she said. “There are armed men outside.” Then more."

    assert first_sentence(text) == "“They must set a date,” she said."


def test_decimals_and_initials_inside_a_sentence_do_not_end_it():
    text = "Growth was 2.5 percent in the U.S. economy. Next sentence."

    assert first_sentence(text) == "Growth was 2.5 percent in the U.S. economy."


def test_a_long_first_sentence_is_cut_on_a_word_with_an_ellipsis():
    assert first_sentence("one two three four five.", max_words=3) == "one two three…"


def test_text_without_a_full_stop_is_its_own_first_sentence():
    assert first_sentence("  A dek   with no stop ") == "A dek with no stop"


@override_settings(TIME_ZONE="America/Caracas")
def test_html_datetimes_have_whole_seconds_and_the_local_offset():
    value = datetime(2025, 2, 2, 16, 30, 5, 123456, tzinfo=UTC)

    assert html_datetime(value) == "2025-02-02T12:30:05-04:00"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.elpitazo.net/", "elpitazo.net"),
        ("https://runrun.es/investigacion/x?y=1", "runrun.es"),
        ("http://WWW.Example.ORG:8080/", "example.org"),
        ("", ""),
        ("not a url", ""),
    ],
)
def test_a_domain_is_the_host_without_www(url, expected):
    assert domain(url) == expected
