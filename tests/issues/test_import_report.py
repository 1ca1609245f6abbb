"""`manage.py import_report`: a plain-text report becomes one issue, drafts by default."""

import importlib
import re
import time
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from issues.models import Issue, Series
from issues.reports import IMPORT_MAX_BYTES
from stories.models import RecommendedRead, Source, Story
from tests.seeds import SEED_REPORT, seed_report_headed

SLUG = "the-carter-center-says-goodbye-with-a-damning-verdict"


def run(*args):
    out = StringIO()
    call_command("import_report", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def broken_report(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text(
        "Headline\nDek\nA story\nText.\nRecommended reads:\n- no outlet here\n",
        encoding="utf-8",
    )
    return path


def test_import_prints_the_public_and_preview_urls(db, settings):
    settings.SITE_URL = "https://news.example.org/"

    output = run(SEED_REPORT)

    assert "Created issue No. 1" in output
    assert f"Public URL:  https://news.example.org/issues/{SLUG}/" in output
    assert re.search(r"Preview URL: https://news\.example\.org/preview/\S+/", output)


def test_printed_preview_url_shows_the_draft(db, client):
    output = run(SEED_REPORT)
    preview_url = re.search(r"Preview URL: http://[^/]+(/preview/\S+/)", output)[1]

    response = client.get(preview_url)

    assert response.status_code == 200
    assert "The Carter Center Says Goodbye" in response.content.decode()


def test_import_without_publish_option_makes_a_draft_nobody_sees(db, client):
    run(SEED_REPORT)

    issue = Issue.objects.get()
    assert issue.status == Issue.Status.DRAFT
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert "The Carter Center Says Goodbye" not in client.get("/").content.decode()


def test_import_writes_the_seed_stories_reads_sources_and_series(db):
    run(SEED_REPORT)

    issue = Issue.objects.get()
    series = issue.series
    assert (series.name, series.slug, series.hashtag) == (
        "Now What Venezuela",
        "nowwhatvenezuela",
        "#NowWhatVenezuela",
    )
    assert series.intro.startswith("#NowWhatVenezuela keeps you informed")
    assert (
        series.channel_call == "Join our official channel in English through this link."
    )
    assert series.appeal.startswith("Caracas Chronicles is 100% reader-supported.\n\n")
    assert (issue.intro, issue.channel_call, issue.appeal) == ("", "", "")
    assert issue.effective_intro == series.intro
    assert [story.slug for story in issue.stories.all()] == [
        "key-takeaways-from-the-carter-centers-detailed-report",
        "conflict-between-indigenous-groups-and-miners-in-manapiare-amazonas",
        "situation-reaches-breaking-point-at-the-argentine-embassy-in-caracas",
    ]
    assert [
        sorted(story.sources.values_list("name", flat=True))
        for story in issue.stories.all()
    ] == [
        ["Carter Center"],
        ["Indigenous Rights Promotion Program Wayamoutheri", "Runrunes", "SOS Orinoco"],
        ["El Pitazo"],
    ]
    assert [read.source.name for read in issue.reads.all()] == [
        "Tal Cual",
        "Efecto Cocuyo",
        "Crónica Uno",
        "El Nacional",
    ]
    assert Source.objects.count() == 9


def test_publish_makes_the_issue_public_now(db, client):
    output = run(SEED_REPORT, "--publish")

    issue = Issue.objects.get()
    assert issue.status == Issue.Status.PUBLISHED and issue.is_public
    assert "State: published" in output
    assert client.get(issue.get_absolute_url()).status_code == 200


def test_publish_at_a_past_time_shows_it_from_that_time(db, client):
    run(SEED_REPORT, "--publish-at", "2025-02-21T09:00:00+00:00")

    issue = Issue.objects.get()
    assert issue.published_at == datetime(2025, 2, 21, 9, tzinfo=UTC)
    assert client.get(issue.get_absolute_url()).status_code == 200


def test_publish_at_a_future_time_schedules_it(db, client):
    when = (timezone.now() + timedelta(days=2)).isoformat()

    output = run(SEED_REPORT, "--publish-at", when)

    issue = Issue.objects.get()
    assert issue.status == Issue.Status.PUBLISHED and not issue.is_public
    assert "State: scheduled for" in output
    assert client.get(issue.get_absolute_url()).status_code == 404


def test_publish_after_scheduling_publishes_now_on_the_home_page(db, client):
    run(SEED_REPORT, "--publish-at", (timezone.now() + timedelta(days=2)).isoformat())

    output = run(SEED_REPORT, "--publish")

    issue = Issue.objects.get()
    assert issue.published_at <= timezone.now()
    assert "State: published" in output
    assert issue.headline in client.get("/").content.decode()


def test_publish_again_keeps_a_publish_time_that_has_passed(db):
    run(SEED_REPORT, "--publish-at", "2025-02-21T09:00:00+00:00")

    run(SEED_REPORT, "--publish")

    assert Issue.objects.get().published_at == datetime(2025, 2, 21, 9, tzinfo=UTC)


def history_rows(client, issue):
    """The workflow table of the issue's admin history, one tuple per row."""
    page = client.get(reverse("admin:issues_issue_history", args=[issue.pk]))
    table = page.content.decode().split('id="events-heading"')[1].split("</table>")[0]
    return [
        tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in cells)
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
        )
    ]


def test_publishing_and_scheduling_by_import_show_in_the_issues_history(
    db, client, editor
):
    client.force_login(editor)
    run(SEED_REPORT, "--publish-at", (timezone.now() + timedelta(days=2)).isoformat())
    run(SEED_REPORT, "--publish")
    run(SEED_REPORT)

    rows = history_rows(client, Issue.objects.get())

    assert [row[2:4] for row in rows] == [
        ("Published", "Published"),
        ("Draft", "Scheduled"),
    ]
    assert {row[1] for row in rows} == {"a command"}
    assert {row[-1] for row in rows} == {"Imported from a text report."}
    events = Issue.objects.get().events.values_list("action", "user", "note")
    assert list(events) == [
        ("publish", None, "Imported from a text report."),
        ("schedule", None, "Imported from a text report."),
    ]


def test_a_draft_import_records_no_change_of_state(db):
    run(SEED_REPORT)
    run(SEED_REPORT)

    assert not Issue.objects.get().events.exists()


def test_publish_warns_of_what_the_checklist_would_flag(db):
    output = run(SEED_REPORT, "--publish")

    assert Issue.objects.get().is_public
    assert (
        "Before readers notice: Recommended read 1 (Tal Cual) has no URL, and its "
        "source has no homepage to link to." in output
    )


def test_publish_gives_no_warning_when_every_read_has_a_link(db, make_source):
    for name in ("Tal Cual", "Efecto Cocuyo", "Crónica Uno", "El Nacional"):
        make_source(name=name, homepage_url="https://example.org/")

    output = run(SEED_REPORT, "--publish")

    assert "Before readers notice" not in output


def test_a_naive_publish_time_is_read_in_the_sites_time_zone(db, settings):
    settings.TIME_ZONE = "America/Caracas"

    run(SEED_REPORT, "--publish-at", "2025-02-21T09:00")

    assert Issue.objects.get().published_at == datetime(2025, 2, 21, 13, tzinfo=UTC)


def test_a_bad_publish_time_is_refused_before_anything_is_written(db):
    with pytest.raises(CommandError, match="“next friday” is not an ISO 8601"):
        run(SEED_REPORT, "--publish-at", "next friday")

    assert not Issue.objects.exists() and not Series.objects.exists()


def test_publish_and_publish_at_cannot_be_combined(db):
    with pytest.raises(CommandError, match="not allowed with argument --publish"):
        run(SEED_REPORT, "--publish", "--publish-at", "2025-02-21T09:00")


def test_reimport_updates_the_same_issue_replacing_stories_and_reusing_sources(
    db, tmp_path
):
    run(SEED_REPORT, "--publish")
    issue = Issue.objects.get()
    old_story_pks = set(Story.objects.values_list("pk", flat=True))
    source_pks = set(Source.objects.values_list("pk", flat=True))
    edited = tmp_path / "edited.txt"
    edited.write_text(
        SEED_REPORT.read_text(encoding="utf-8").replace(
            "This will likely be the last we hear", "This is surely the last we hear"
        ),
        encoding="utf-8",
    )

    output = run(edited)

    assert "Updated issue No. 1" in output
    assert Issue.objects.count() == 1
    assert Issue.objects.get().pk == issue.pk
    assert Story.objects.count() == 3 and RecommendedRead.objects.count() == 4
    assert not old_story_pks & set(Story.objects.values_list("pk", flat=True))
    assert set(Source.objects.values_list("pk", flat=True)) == source_pks
    assert "This is surely the last we hear" in Story.objects.first().body


def test_each_import_is_a_revision_and_raises_the_version(db):
    run(SEED_REPORT)
    issue = Issue.objects.get()
    assert issue.version == 1

    run(SEED_REPORT)

    issue.refresh_from_db()
    assert issue.version == 2
    revisions = Version.objects.get_for_object(issue)
    assert revisions.count() == 2
    assert revisions.first().revision.comment == "Imported from a text report."


def test_reimport_without_publish_option_keeps_a_published_issue_public(db, client):
    run(SEED_REPORT, "--publish-at", "2025-02-21T09:00+00:00")

    run(SEED_REPORT)

    issue = Issue.objects.get()
    assert issue.is_public
    assert issue.published_at == datetime(2025, 2, 21, 9, tzinfo=UTC)
    archive = client.get("/issues/").content.decode()
    # Once as an issue; its stories' links start with its address too.
    assert archive.count(f'href="{issue.get_absolute_url()}"') == 1


def test_sources_are_reused_by_name_whatever_the_case(db, make_source):
    runrunes = make_source(name="runrunes", slug="runrunes")

    run(SEED_REPORT)

    story = Story.objects.get(slug__startswith="conflict-between")
    assert runrunes in story.sources.all()
    assert not Source.objects.filter(name="Runrunes").exists()


def test_a_slug_taken_by_another_series_gets_a_suffix_and_reimport_finds_it(
    db, make_series, make_issue
):
    other = make_series(name="Other", slug="other", hashtag="#Other")
    make_issue(series=other, slug=SLUG)
    target = make_series(name="Target", slug="target", hashtag="#NowWhatVenezuela")

    run(SEED_REPORT)
    run(SEED_REPORT)

    assert list(target.issues.values_list("slug", flat=True)) == [f"{SLUG}-2"]


def test_import_of_a_new_report_never_updates_an_issue_it_did_not_make(
    db, tmp_path, series, make_issue, make_story
):
    published = make_issue(
        series=series, headline="Venezuela 2025", slug="venezuela-2025"
    )
    make_story(issue=published, headline="The published story")
    report = tmp_path / "venezuela.txt"
    report.write_text(seed_report_headed("Venezuela"), encoding="utf-8")

    output = run(report)

    assert "Created issue No. 2 “Venezuela”" in output
    new = Issue.objects.get(headline="Venezuela")
    assert (new.slug, new.status) == ("venezuela", Issue.Status.DRAFT)
    published.refresh_from_db()
    assert published.headline == "Venezuela 2025" and published.is_public
    assert list(published.stories.values_list("headline", flat=True)) == [
        "The published story"
    ]


def test_reports_whose_headlines_share_a_slug_prefix_are_separate_issues(db, tmp_path):
    for headline in ("Venezuela 2025", "Venezuela", "Venezuela 2025", "Venezuela"):
        report = tmp_path / "report.txt"
        report.write_text(seed_report_headed(headline), encoding="utf-8")
        run(report)

    assert sorted(Issue.objects.values_list("slug", "version")) == [
        ("venezuela", 2),
        ("venezuela-2025", 2),
    ]


def test_issues_imported_before_the_link_was_recorded_are_still_updated_by_reimport(
    db, make_issue
):
    run(SEED_REPORT, "--publish")
    hand_made = make_issue(headline="The Carter Center", slug="the-carter-center")
    Issue.objects.update(import_key="")
    Issue.objects.filter(slug=SLUG).update(headline="Retitled by an editor")
    migration = importlib.import_module("issues.migrations.0009_issue_import_key")

    migration.link_imported_issues(apps, None)
    # The editor's retitling is replaced, knowingly (see the test below).
    output = run(SEED_REPORT, "--replace-edits")

    assert "Updated issue No. 1" in output
    assert Issue.objects.count() == 2
    assert Issue.objects.get(slug=SLUG).import_key == SLUG
    hand_made.refresh_from_db()
    assert hand_made.import_key == ""


def test_series_option_chooses_the_series(db, make_series):
    make_series(slug="first")
    chosen = make_series(slug="chosen", intro="Our own intro.")

    run(SEED_REPORT, "--series", "chosen")

    issue = Issue.objects.get()
    assert issue.series == chosen
    assert issue.intro.startswith("#NowWhatVenezuela keeps you informed")
    assert chosen.intro == "Our own intro."


def test_an_unknown_series_is_refused_naming_the_known_ones(db, make_series):
    make_series(slug="weekly")

    with pytest.raises(CommandError, match="No series with the slug “nope”.*weekly"):
        run(SEED_REPORT, "--series", "nope")

    assert not Issue.objects.exists()


def test_several_series_without_a_matching_hashtag_ask_for_the_series(db, make_series):
    make_series(slug="one", hashtag="#One")
    make_series(slug="two", hashtag="#Two")

    with pytest.raises(CommandError, match="choose one with --series"):
        run(SEED_REPORT)


def test_a_broken_report_is_refused_naming_file_and_line(db, broken_report):
    with pytest.raises(CommandError) as caught:
        run(broken_report)

    assert str(caught.value) == (
        f"{broken_report}, line 6: a recommended read must read “- Outlet: summary”."
    )
    assert not Issue.objects.exists() and not Series.objects.exists()


def test_a_broken_report_exits_with_status_1_and_changes_nothing(
    db, broken_report, capsys, monkeypatch
):
    # The command line closes every connection when it ends; the test's
    # transaction lives on one of them.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    run(SEED_REPORT, "--publish")
    counts = (Issue.objects.count(), Story.objects.count(), Source.objects.count())

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            ["manage.py", "import_report", str(broken_report), "--skip-checks"]
        )

    assert exited.value.code == 1
    assert "line 6:" in capsys.readouterr().err
    assert (Issue.objects.count(), Story.objects.count(), Source.objects.count()) == (
        counts
    )


def test_a_file_that_is_not_utf8_text_is_refused(db, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Headline\nDek\nCaf\xe9 story\nText.\n".encode("latin-1"))

    with pytest.raises(CommandError, match=r"line 3: is not valid UTF-8"):
        run(path)


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.txt"):
        run(tmp_path / "missing.txt")


def test_a_failure_while_writing_leaves_nothing_half_written(db, monkeypatch):
    run(SEED_REPORT, "--publish")
    before = list(Story.objects.values_list("pk", "headline"))
    create = Story.objects.create
    calls = []

    def fail_on_third_story(**fields):
        calls.append(fields["headline"])
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return create(**fields)

    monkeypatch.setattr(Story.objects, "create", fail_on_third_story)

    with pytest.raises(RuntimeError):
        run(SEED_REPORT)

    assert list(Story.objects.values_list("pk", "headline")) == before
    assert RecommendedRead.objects.count() == 4


class VisibleText(HTMLParser):
    """The text a reader sees: no head, scripts or styles; blocks apart."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "div", "section", "header", "aside", "ul"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in {"head", "script", "style"}
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.hidden -= tag in {"head", "script", "style"}
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    def text(self):
        return " ".join("".join(self.parts).split())


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return parser.text()


def sentences(text):
    """Each line of the report cut into sentences; a bullet's "- " is markup."""
    for line in text.splitlines():
        line = " ".join(line.split()).removeprefix("- ")
        yield from (s for s in re.split(r"(?<=[.!?”])\s+", line) if s)


def test_must_show_the_home_page_links_to_the_issue_which_shows_every_sentence(
    db, client
):
    run(SEED_REPORT, "--publish")
    issue = Issue.objects.get()

    home = client.get("/").content.decode()
    assert f'href="{issue.get_absolute_url()}"' in home

    page = visible_text(client.get(issue.get_absolute_url()).content.decode())
    position = 0
    for sentence in sentences(SEED_REPORT.read_text(encoding="utf-8")):
        # "Recommended reads:" is the list's heading on the page.
        expected = (
            sentence.removesuffix(":") if sentence == "Recommended reads:" else sentence
        )
        found = page.find(expected, position)
        assert found >= 0, f"missing or out of order: {sentence!r}"
        position = found + len(expected)


def test_a_report_file_full_of_attributions_as_long_as_allowed_imports_in_seconds(
    db, tmp_path
):
    head = SEED_REPORT.read_text(encoding="utf-8").split("Recommended reads:")[0]
    sentence = "Runrunes reported "
    room = IMPORT_MAX_BYTES - len(head.encode()) - 1
    report = tmp_path / "long.txt"
    report.write_text(head + sentence * (room // len(sentence)) + "\n", "utf-8")

    started = time.perf_counter()
    output = run(report)

    assert time.perf_counter() - started < 5
    assert "Created issue No. 1" in output


def test_a_report_file_over_the_size_limit_exits_with_status_1_and_writes_nothing(
    db, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(connections, "close_all", lambda: None)
    report = tmp_path / "huge.txt"
    report.write_bytes(SEED_REPORT.read_bytes() + b"More text.\n" * IMPORT_MAX_BYTES)

    with pytest.raises(CommandError) as caught:
        run(report)
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            ["manage.py", "import_report", str(report), "--skip-checks"]
        )

    assert str(caught.value) == (f"{report} is too large: a report is at most 256 kB.")
    assert exited.value.code == 1
    assert "is too large: a report is at most 256 kB." in capsys.readouterr().err
    assert not Issue.objects.exists() and not Series.objects.exists()


def test_a_reimport_over_edits_made_in_the_admin_names_them_and_needs_replace_edits(
    db, client, editor
):
    from tests.issues.admin_forms import change_form_data, change_url

    run(SEED_REPORT)
    issue = Issue.objects.get()
    client.force_login(editor)
    data = change_form_data(client, issue, headline="Retitled in the admin")
    assert client.post(change_url(issue), data).status_code == 302

    with pytest.raises(CommandError) as refused:
        run(SEED_REPORT)

    assert str(refused.value) == (
        "“Retitled in the admin” was edited in the admin since its last import "
        "(changed: Headline, Slug). Importing would replace those edits: run again "
        "with --replace-edits to do so; the edited version stays in the issue's "
        "history, where it can be restored."
    )
    issue.refresh_from_db()
    assert issue.headline == "Retitled in the admin"

    assert "Updated issue No. 1" in run(SEED_REPORT, "--replace-edits")
    issue.refresh_from_db()
    assert issue.headline.startswith("The Carter Center Says Goodbye")
    edited = next(
        v.revision
        for v in Version.objects.get_for_object(issue)
        if v.revision.comment == "Changed Headline."
    )
    response = client.post(
        reverse("admin:issues_issue_restore", args=[issue.pk, edited.pk])
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.headline == "Retitled in the admin"


def test_a_reimport_of_an_issue_untouched_since_needs_no_flag(db):
    run(SEED_REPORT)

    assert "Updated issue No. 1" in run(SEED_REPORT)
