"""The pipeline's database side: reading a report, finding its series, writing it."""

import pytest

from issues.models import Series
from issues.reports import (
    ImportOptions,
    ReportParseError,
    SeriesUnclear,
    import_report,
    read_report,
    series_for,
)
from tests.seeds import MINIMAL_REPORT

REPORT = MINIMAL_REPORT.replace("A paragraph", "As Runrunes reported, a paragraph")


@pytest.mark.parametrize(
    "data", [REPORT, REPORT.encode(), b"\xef\xbb\xbf" + REPORT.encode()]
)
def test_a_report_cites_outlets_the_site_knows_reading_their_names_in_one_query(
    db, make_source, django_assert_num_queries, data
):
    make_source(name="Runrunes")

    with django_assert_num_queries(1):
        report = read_report(data)

    assert report.stories[0].source_names == ["Runrunes"]


def test_bytes_that_are_not_text_are_refused_with_their_line(db):
    with pytest.raises(ReportParseError) as raised:
        read_report(REPORT.encode() + b"\xff\xfe\n")

    assert raised.value.line_number == 7


def test_on_an_empty_site_the_report_makes_the_series_its_hashtag_names(db):
    report = read_report(REPORT)

    assert series_for(report, may_create=False) is None
    assert not Series.objects.exists()
    assert series_for(report, may_create=True) == Series.objects.get(slug="hashtag")


def test_the_only_series_takes_a_report_whatever_its_hashtag(db, make_series):
    only = make_series(slug="only", hashtag="#Other")

    assert series_for(read_report(REPORT), may_create=False) == only
    assert Series.objects.get() == only


def test_the_series_using_the_hashtag_is_chosen_among_several(db, make_series):
    make_series(slug="other", hashtag="#Other")
    mine = make_series(slug="mine", hashtag="#hashtag")

    assert series_for(read_report(REPORT), may_create=False) == mine


def test_several_series_none_using_the_hashtag_is_unclear(db, make_series):
    make_series(slug="one", hashtag="#One")
    make_series(slug="two", hashtag="#Two")

    with pytest.raises(SeriesUnclear, match="#Hashtag"):
        series_for(read_report(REPORT), may_create=True)
    assert Series.objects.count() == 2


def test_a_writers_report_fills_its_own_issue_not_the_series_texts(db, writer, editor):
    series = Series.objects.create(name="Empty Series", slug="empty-series")
    report = read_report(REPORT)

    issue, _ = import_report(report, ImportOptions(series=series, user=writer))

    series.refresh_from_db()
    assert series.intro == ""
    assert issue.effective_intro.startswith("#Hashtag keeps you informed.")

    import_report(report, ImportOptions(series=series, user=editor))

    series.refresh_from_db()
    assert series.intro.startswith("#Hashtag keeps you informed.")
