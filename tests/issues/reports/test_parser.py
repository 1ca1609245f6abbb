"""The plain-text report parser: the seed report in detail, and every malformed case.

No database here: the parser is a plain module that returns dataclasses.
"""

import time

import pytest

from issues.reports.parser import (
    IMPORT_MAX_BYTES,
    ReportParseError,
    ReportTooLarge,
    parse_report,
    report_text,
)
from tests.seeds import MINIMAL_REPORT as MINIMAL
from tests.seeds import SEED_REPORT


@pytest.fixture(scope="module")
def seed():
    return parse_report(SEED_REPORT.read_text(encoding="utf-8"))


def test_seed_headline_dek_intro_and_call_to_action(seed):
    assert seed.headline == "The Carter Center Says Goodbye with a Damning Verdict"
    assert seed.dek.startswith("This week’s #NowWhatVenezuela also covers the brutal")
    assert seed.dek.endswith("illegal miners and indigenous groups in Amazonas")
    assert seed.intro.startswith("#NowWhatVenezuela keeps you informed about what’s")
    assert seed.intro.endswith("This report is published weekly.")
    assert seed.hashtag == "#NowWhatVenezuela"
    assert (
        seed.channel_call == "Join our official channel in English through this link."
    )


def test_seed_has_its_three_stories_in_order(seed):
    assert [story.headline for story in seed.stories] == [
        "Key takeaways from the Carter Center’s detailed report",
        "Conflict between indigenous groups and miners in Manapiare, Amazonas",
        "Situation reaches breaking point at the Argentine Embassy in Caracas",
    ]


def test_first_story_has_three_paragraphs_then_three_bullets_in_one_list(seed):
    body = seed.stories[0].body_html

    assert body.count("<p>") == 3
    assert body.count("<ul>") == 1 and body.endswith("</ul>")
    assert body.count("<li>") == 3
    assert "<li>After maintaining direct contact with CNE personnel" in body
    assert "<li>The Carter Center deployed observers across 55 voting centers" in body
    assert "- " not in body
    assert seed.stories[0].why_it_matters_html == ""
    assert seed.stories[0].more_information_html == ""


def test_second_story_has_a_more_information_part_without_its_label(seed):
    story = seed.stories[1]

    assert story.body_html.count("<p>") == 2
    assert story.why_it_matters_html == ""
    assert story.more_information_html.startswith(
        "<p>Indigenous representatives say they had reported"
    )
    assert "More information:" not in story.more_information_html


def test_quoted_paragraph_after_why_it_matters_stays_in_that_part(seed):
    story = seed.stories[2]

    assert story.body_html.count("<p>") == 1
    assert story.why_it_matters_html.startswith("<p>Eugenia Olavarría, daughter of")
    assert story.why_it_matters_html.count("<p>") == 2
    assert (
        "“Brazil [responsible for the embassy since Maduro’s election fraud]"
        in story.why_it_matters_html
    )
    assert story.more_information_html.startswith("<p>The ordeal for these five")


def test_curly_quotes_dashes_and_accents_are_kept(seed):
    body = seed.stories[1].body_html
    assert "a “coordinated action” by around 90" in body
    assert "boats—also assaulting" in body
    assert "Edmundo González" in seed.stories[0].body_html


def test_seed_sources_per_story(seed):
    assert [story.source_names for story in seed.stories] == [
        ["Carter Center"],
        ["Runrunes", "Indigenous Rights Promotion Program Wayamoutheri", "SOS Orinoco"],
        ["El Pitazo"],
    ]


def test_seed_recommended_reads(seed):
    assert [(read.outlet, read.url) for read in seed.reads] == [
        ("Tal Cual", ""),
        ("Efecto Cocuyo", ""),
        ("Crónica Uno", ""),
        ("El Nacional", ""),
    ]
    assert seed.reads[0].summary.startswith("The National Academy of Medicine reports")
    assert seed.reads[3].summary == (
        "Fedecámaras warns of conservative economic growth in 2025 due to a "
        "slow start to the year."
    )


def test_seed_appeal_and_donate_label(seed):
    paragraphs = seed.appeal.split("\n\n")

    assert paragraphs[0] == "Caracas Chronicles is 100% reader-supported."
    assert paragraphs[1].startswith("We’ve been able to hang on for 22 years")
    assert paragraphs[1].endswith("helping us weather the storm.")
    assert len(paragraphs) == 2
    assert seed.donate_label == "Donate"


def test_markup_typed_in_a_report_is_text():
    report = parse_report(
        MINIMAL.replace(
            "A paragraph of the first story.",
            "Look: <script>alert(1)</script> & <b>bold</b>.\n- <img src=x onerror=alert(1)>",
        )
    )
    body = report.stories[0].body_html

    assert "<script>" not in body and "<img" not in body and "<b>" not in body
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;." in body
    )
    assert "<li>&lt;img src=x onerror=alert(1)&gt;</li>" in body


def test_windows_line_endings_a_bom_and_blank_lines_are_accepted():
    text = "\ufeff" + MINIMAL.replace("\n", "\r\n\r\n")

    report = parse_report(text)

    assert report.headline == "A headline"
    assert report.stories[0].body_html == "<p>A paragraph of the first story.</p>"


def test_a_read_may_end_with_its_address_bare_or_in_parentheses():
    report = parse_report(
        MINIMAL
        + "Recommended reads:\n"
        + "- Tal Cual: Doctors leave the country https://talcualdigital.com/a?b=1\n"
        + "- El Pitazo: Power cuts in Zulia (https://elpitazo.net/zulia/)\n"
    )

    assert [(r.outlet, r.summary, r.url) for r in report.reads] == [
        ("Tal Cual", "Doctors leave the country", "https://talcualdigital.com/a?b=1"),
        ("El Pitazo", "Power cuts in Zulia", "https://elpitazo.net/zulia/"),
    ]


def test_a_report_without_appeal_dek_intro_or_call_parses():
    report = parse_report("Headline\nDek line\nStory heading\nText.\n")

    assert report.dek == "Dek line"
    assert (report.intro, report.channel_call, report.hashtag) == ("", "", "")
    assert (report.appeal, report.donate_label) == ("", "")


def test_the_appeal_may_come_straight_after_the_last_story():
    report = parse_report(
        MINIMAL + "Our newsroom is reader-supported.\nPlease give.\nSupport us\n"
    )

    assert report.stories[0].body_html == "<p>A paragraph of the first story.</p>"
    assert report.appeal == "Our newsroom is reader-supported.\n\nPlease give."
    assert report.donate_label == "Support us"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "the report is empty"),
        ("\n  \n\t\n", 1, "the report is empty"),
        ("Only a headline\n", 1, "no story found"),
        (
            "Headline\nDek\n#Tag intro.\nCall.\nA stray paragraph.\nHeading\nText.\n",
            5,
            "text before the first story heading",
        ),
        (
            "Headline\nDek\n- a bullet\nHeading\nText.\n",
            3,
            "a bullet item comes before",
        ),
        ("Headline\nDek\nHeading one\nHeading two\nText.\n", 3, "has no text"),
        (MINIMAL + "Why it matters:\n", 7, "“Why it matters:” needs text after it"),
        (MINIMAL + "More information:   \n", 7, "“More information:” needs text"),
        (
            MINIMAL + "Why it matters: one.\nWhy it matters: two.\n",
            8,
            "a second “Why it matters:”",
        ),
        (MINIMAL + "Recommended reads:\n- no colon here\n", 8, "“- Outlet: summary”"),
        (MINIMAL + "Recommended reads:\n- : summary\n", 8, "“- Outlet: summary”"),
        (MINIMAL + "Recommended reads:\n- Tal Cual:  \n", 8, "has no summary"),
        (MINIMAL + "Recommended reads:\nNot a read.\n", 8, "expected a recommended"),
        (MINIMAL + "Recommended reads:\n", 7, "has no items"),
        (
            MINIMAL + "Recommended reads:\nWe are reader-supported.\nDonate\n",
            7,
            "has no items",
        ),
        ("Headline\nDek\nRecommended reads:\n- A: b\n", 3, "before any story"),
        ("Headline\nDek\nHeading\nText with a NUL \x00 byte.\n", 4, "control char"),
        ("x" * 301 + "\nDek\nHeading\nText.\n", 1, "the limit is 300"),
        (
            "Headline\nDek\n#Tag intro.\n" + "Call " * 61 + ".\nHeading\nText.\n",
            4,
            "The call to action is 306 characters long; the limit is 300",
        ),
        ("Headline\nDek\n#" + "t" * 101 + " intro.\nHeading\nText.\n", 3, "hashtag"),
    ],
    ids=[
        "empty",
        "only-blank-lines",
        "no-story",
        "paragraph-before-first-story",
        "bullet-before-first-story",
        "empty-story",
        "why-it-matters-without-text",
        "more-information-without-text",
        "label-twice",
        "read-without-outlet-colon",
        "read-with-empty-outlet",
        "read-without-summary",
        "paragraph-among-reads",
        "reads-heading-without-items",
        "reads-heading-then-appeal",
        "reads-before-stories",
        "binary",
        "headline-too-long",
        "call-to-action-too-long",
        "hashtag-too-long",
    ],
)
def test_malformed_report_is_refused_naming_the_line(text, line, message):
    with pytest.raises(ReportParseError) as caught:
        parse_report(text)

    assert caught.value.line_number == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")


@pytest.mark.parametrize(
    "data", [MINIMAL, MINIMAL.encode(), b"\xef\xbb\xbf" + MINIMAL.encode()]
)
def test_a_report_is_read_from_text_or_utf8_bytes_with_or_without_a_bom(data):
    assert parse_report(report_text(data)) == parse_report(MINIMAL)


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (MINIMAL.encode() + b"\xff\xfe\n", 7, "is not valid UTF-8 text"),
        (b"A headline\nThe dek\x00\n", 2, "contains NUL bytes"),
    ],
    ids=["not-utf8", "nul-bytes"],
)
def test_bytes_that_are_not_text_are_refused_naming_the_line(data, line, message):
    with pytest.raises(ReportParseError) as caught:
        report_text(data)

    assert caught.value.line_number == line
    assert message in caught.value.message


@pytest.mark.parametrize(
    "data", ["x" * (IMPORT_MAX_BYTES + 1), "é" * (IMPORT_MAX_BYTES // 2 + 1)]
)
def test_a_report_over_the_size_limit_is_refused_before_it_is_read(data):
    with pytest.raises(ReportTooLarge, match="at most 256 kB"):
        report_text(data)
    with pytest.raises(ReportTooLarge):
        report_text(data.encode())


def test_a_story_citing_an_outlet_of_the_reads_gets_it_as_source():
    report = parse_report(
        MINIMAL.replace("A paragraph", "As Tal Cual wrote, a paragraph")
        + "Recommended reads:\n- Tal Cual: Something worth reading.\n"
    )

    assert report.stories[0].source_names == ["Tal Cual"]


def _filled_to_the_limit(head: str, sentence: str, tail: str = "") -> str:
    """`head`, a paragraph of `sentence` over and over, then `tail`: as long as allowed."""
    room = IMPORT_MAX_BYTES - len(head.encode()) - len(tail.encode()) - 1
    return head + sentence * (room // len(sentence.encode())) + "\n" + tail


def test_a_story_of_attributions_as_long_as_allowed_is_read_in_seconds():
    text = _filled_to_the_limit(MINIMAL, "Runrunes reported ")
    assert IMPORT_MAX_BYTES - 20 < len(text.encode()) <= IMPORT_MAX_BYTES

    started = time.perf_counter()
    report = parse_report(text)

    assert time.perf_counter() - started < 5
    assert report.stories[0].source_names == ["Runrunes"]


def test_a_long_story_among_many_reads_is_read_in_seconds():
    reads = "Recommended reads:\n" + "".join(
        f"- Outlet {n}: a read.\n" for n in range(2000)
    )
    text = _filled_to_the_limit(MINIMAL, "Outlet 1999 was cited. ", reads)
    assert IMPORT_MAX_BYTES - 30 < len(text.encode()) <= IMPORT_MAX_BYTES

    started = time.perf_counter()
    report = parse_report(text)

    assert time.perf_counter() - started < 5
    assert len(report.reads) == 2000
    assert report.stories[0].source_names == ["Outlet 1999"]


def test_a_word_too_long_for_a_source_name_is_not_taken_for_one():
    long_word = "A" + "b" * 150
    report = parse_report(MINIMAL + f"{long_word} reported it. Runrunes reported.\n")

    assert report.stories[0].source_names == ["Runrunes"]
