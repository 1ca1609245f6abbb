"""Which outlets a story's text cites: organisations, never the people it quotes."""

import pytest

from issues.reports.attribution import attributed_sources, find_sources


@pytest.mark.parametrize(
    ("text", "sources"),
    [
        ("Runrunes reported that talks began.", ["Runrunes"]),
        ("The Carter Center released its report.", ["Carter Center"]),
        ("Later, the Carter Center noted that it was so.", ["Carter Center"]),
        ("SOS Orinoco highlights that mining grew.", ["SOS Orinoco"]),
        ("Water is short, according to a report from El Pitazo.", ["El Pitazo"]),
        (
            "Peace, according to the Wayamoutheri Program on Instagram.",
            ["Wayamoutheri Program"],
        ),
        (
            "The National Academy of Medicine reports a loss.",
            ["National Academy of Medicine"],
        ),
        ("Runrunes and El Pitazo reported it first.", ["Runrunes", "El Pitazo"]),
        ("Yesterday Runrunes published the list.", ["Runrunes"]),
        ("The NGO Provea denounced the arrests.", ["NGO Provea"]),
    ],
)
def test_outlets_named_as_attribution_are_sources(text, sources):
    assert attributed_sources(text) == sources


@pytest.mark.parametrize(
    "text",
    [
        "Eugenia Olavarría told the press on Friday. “Leave,” Olavarría stated.",
        "CNE head Elvis Amoroso spoke. Then Amoroso announced unverified results.",
        "Jennie Lincoln said the tallies were real.",
        "Quintero said nothing.",
        "Indigenous representatives say they had reported the presence of miners.",
        "This confirms what we previously reported in Anatomy of a Fraud.",
        "Miners reportedly burned houses.",
    ],
)
def test_people_and_plain_verbs_are_not_sources(text):
    assert attributed_sources(text) == []


def test_a_long_run_of_capitalised_words_is_not_taken_for_a_name():
    text = "The Nine Words Of This Long Title Case Line Here reported it."

    assert attributed_sources(text) == []


def test_known_sources_count_anywhere_in_their_known_spelling():
    text = "A piece in Tal Cual and another from the Carter Center. El Pitazo reported."

    assert find_sources(text, ["The Carter Center", "Tal Cual", "efecto cocuyo"]) == [
        "Tal Cual",
        "Carter Center",
        "El Pitazo",
    ]
