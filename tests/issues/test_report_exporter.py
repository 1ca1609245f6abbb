"""The exporter without a database: a parsed report written back as text parses
to the same report, and what would not survive is named."""

from dataclasses import replace

import pytest

from issues.reports import export_report, parse_report, round_trip_problems
from issues.reports.parser import ReadDraft, StoryDraft
from tests.seeds import SEEDS_DIR

SEED_REPORTS = sorted(SEEDS_DIR.glob("*.txt"))


def seed(path=SEED_REPORTS[0]):
    return parse_report(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", SEED_REPORTS, ids=lambda path: path.name)
def test_a_seed_report_written_back_parses_to_the_same_report(path):
    report = seed(path)

    assert parse_report(export_report(report)) == report
    assert round_trip_problems(report) == []


def test_reads_urls_are_written_and_read_back():
    report = seed()
    reads = [
        replace(report.reads[0], url="https://talcualdigital.com/a/?x=1&y=(2)"),
        *report.reads[1:],
    ]
    report = replace(report, reads=reads)

    again = parse_report(export_report(report))

    assert again.reads == reads


def test_an_issue_without_dek_or_intro_is_named_as_not_surviving():
    report = replace(seed(), dek="", intro="", channel_call="")

    problems = round_trip_problems(report)

    assert problems
    assert any("Dek" in p or "cannot be imported" in p for p in problems)


def test_a_dek_that_opens_with_a_hashtag_would_be_read_as_the_intro():
    report = replace(seed(), dek="#Breaking: a dek with a hashtag first.")

    assert round_trip_problems(report)


def test_a_read_without_an_outlet_is_named():
    report = seed()
    report = replace(report, reads=[ReadDraft(outlet="", summary="Orphan read.")])

    problems = round_trip_problems(report)

    assert problems[0] == (
        "Recommended read 1 names no source, and a read in the text must start "
        "with its outlet."
    )


def test_formatting_the_text_format_cannot_hold_is_named():
    report = seed()
    story = replace(
        report.stories[0],
        body_html="<p>Some <strong>bold</strong>.</p>",
        source_names=[],
    )
    report = replace(report, stories=[story, *report.stories[1:]])

    problems = round_trip_problems(report)

    assert problems == [
        "Story 1 (“Key takeaways from the Carter Center’s detailed report”): its "
        "text would not come back as it is. The text format holds paragraphs and "
        "bulleted lists only: no bold, italics, links, headings, quotes or "
        "numbered lists."
    ]


def test_a_source_its_story_does_not_name_is_named():
    report = seed()
    story = replace(
        report.stories[1], source_names=[*report.stories[1].source_names, "Reuters"]
    )
    report = replace(report, stories=[report.stories[0], story, *report.stories[2:]])

    problems = round_trip_problems(report)

    assert problems == [
        "Story 2 (“Conflict between indigenous groups and miners in Manapiare,…”) "
        "cites Reuters, which its text does not name as a source: a "
        "re-import would not cite it."
    ]


def test_markup_in_a_report_stays_text_both_ways():
    story = StoryDraft(
        headline="A <b>story</b> heading",
        body_html="<p>Typed &lt;script&gt;alert(1)&lt;/script&gt; &amp; more.</p>",
    )
    report = replace(seed(), stories=[story])

    text = export_report(report)

    assert "Typed <script>alert(1)</script> & more." in text
    assert parse_report(text).stories[0].body_html == story.body_html
