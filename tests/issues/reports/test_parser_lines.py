"""Where the parser read each part, what it was unsure of, and errors naming their cause."""

import pytest

from issues.reports.parser import ReportParseError, parse_report
from tests.seeds import SEED_REPORT

HEADER = """\
A headline
The dek
#Hashtag keeps you informed. This report is published weekly.
Join our channel through this link.
"""


def test_each_text_story_part_and_read_knows_its_line():
    report = parse_report(SEED_REPORT.read_text(encoding="utf-8"))
    text = SEED_REPORT.read_text(encoding="utf-8").splitlines()

    assert report.lines["headline"] == 1
    assert text[report.lines["dek"] - 1].startswith("This week’s")
    assert text[report.lines["intro"] - 1].startswith("#NowWhatVenezuela")
    assert len(report.stories) == 3 and len(report.reads) == 4
    for story in report.stories:
        assert text[story.line - 1].strip() == story.headline
        assert story.part_lines["body"] > story.line
    for read in report.reads:
        assert text[read.line - 1].startswith(f"- {read.outlet}:")
    assert text[report.lines["appeal"] - 1].endswith("reader-supported.")
    assert report.unsure == []


def test_a_heading_ending_with_a_full_stop_is_read_as_a_heading_when_the_labels_say_so():
    text = HEADER + (
        "First story\n"  # 5
        "Its text.\n"
        "More information: the first story's.\n"
        "The situation at the embassy.\n"  # 8: a heading, but for its full stop
        "The embassy has no power.\n"
        "More information: the second story's.\n"  # 10
    )

    report = parse_report(text)

    assert [s.headline for s in report.stories] == [
        "First story",
        "The situation at the embassy.",
    ]
    assert report.stories[0].more_information_html == "<p>the first story's.</p>"
    assert report.stories[1].body_html == "<p>The embassy has no power.</p>"
    assert report.stories[1].line == 8
    (unsure,) = report.unsure
    assert unsure.line == 8
    assert "read as a story's heading, though it ends with “.”" in unsure.note


def test_a_question_as_a_heading_is_read_as_one_when_the_labels_say_so():
    text = HEADER + (
        "First story\n"
        "Its text.\n"
        "Why it matters: it does.\n"
        "What did the Carter Center find?\n"
        "That the results were not verified.\n"
        "Why it matters: it matters too.\n"
    )

    report = parse_report(text)

    assert report.stories[1].headline == "What did the Carter Center find?"
    assert report.unsure[0].line == 8


def test_a_line_that_may_be_a_heading_is_listed_as_unsure():
    text = HEADER + (
        "First story\n"
        "Its text.\n"
        "Why it matters: it does.\n"
        "Is this the end?\n"
        "Probably not, say the lawyers of the five asylum seekers, who expect the "
        "siege of the embassy to go on for weeks.\n"
    )

    report = parse_report(text)

    assert len(report.stories) == 1
    (unsure,) = report.unsure
    assert (unsure.line, unsure.text) == (8, "Is this the end?")
    assert "read as part of the story “First story”" in unsure.note


def test_the_first_heading_like_line_after_the_label_starts_the_new_story():
    text = HEADER + (
        "First story\n"
        "Why it matters: it does.\n"
        "A short aside.\n"  # 7: in the why-it-matters part, before the label
        "More information: one.\n"
        "A heading with a full stop.\n"  # 9
        "A short first paragraph.\n"
        "More information: two.\n"
    )

    report = parse_report(text)

    assert [s.headline for s in report.stories] == [
        "First story",
        "A heading with a full stop.",
    ]
    assert report.stories[1].body_html == "<p>A short first paragraph.</p>"


def test_a_second_label_with_no_heading_before_it_names_its_line_and_the_fix():
    long = "This paragraph goes on for far longer than any heading would, " * 2
    text = HEADER + (
        "First story\n"
        "Its text.\n"
        "More information: one.\n"
        f"{long.strip()}\n"
        "More information: two.\n"  # 9
    )

    with pytest.raises(ReportParseError) as raised:
        parse_report(text)

    assert raised.value.line_number == 9
    assert raised.value.message == (
        "a second “More information:” in the story “First story”; if another "
        "story starts before this line, its heading must be a short line "
        "without end punctuation."
    )
