"""`export_report ISSUE_SLUG [PATH]` and the admin's "Export as text": the
issue as a report in the seeds' format, which re-imports to the same issue."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from issues.models import Issue, Series
from newsroom.richtext import blocks
from stories.models import RecommendedRead, Source, Story
from tests.issues.admin_forms import change_form_data, change_url
from tests.seeds import SEED_REPORT, SEEDS_DIR

SEED_REPORTS = sorted(SEEDS_DIR.glob("*.txt"))


def import_text(path, *args):
    call_command("import_report", str(path), *args, stdout=StringIO())


def export(slug, *args):
    out, err = StringIO(), StringIO()
    call_command("export_report", slug, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot(issue):
    """Everything the round trip must keep, as a reader sees the issue.

    Story parts are compared as their blocks (`newsroom.richtext.blocks`):
    the editor writes a list item as `<li><p>…</p></li>`, the importer as
    `<li>…</li>`, and readers see the same item.
    """
    issue = Issue.objects.with_contents().select_related("series").get(pk=issue.pk)
    return {
        "headline": issue.headline,
        "dek": issue.dek,
        "intro": issue.effective_intro,
        "channel_call": issue.effective_channel_call,
        "appeal": issue.effective_appeal,
        "donate_label": issue.series.donate_label,
        "stories": [
            (
                story.headline,
                blocks(story.body),
                blocks(story.why_it_matters),
                blocks(story.more_information),
                [source.name for source in story.sources.all()],
            )
            for story in issue.stories.all()
        ],
        "reads": [
            (read.source.name, read.summary, read.url) for read in issue.reads.all()
        ],
    }


def wipe():
    """A new site: no issue, series or source left from the first import."""
    Story.objects.all().delete()
    RecommendedRead.objects.all().delete()
    Issue.objects.all().delete()
    Series.objects.all().delete()
    Source.objects.all().delete()


def round_trip(issue, tmp_path):
    """The issue's snapshot, and that of its export imported on a new site."""
    before = snapshot(issue)
    path = tmp_path / "export.txt"
    _, problems = export(issue.slug, str(path))
    wipe()
    import_text(path)
    return before, snapshot(Issue.objects.get()), problems


@pytest.mark.parametrize("report", SEED_REPORTS, ids=lambda path: path.name)
def test_every_seed_report_exported_and_imported_anew_is_the_same_issue(
    db, report, tmp_path
):
    import_text(report, "--publish")

    before, after, problems = round_trip(Issue.objects.get(), tmp_path)

    assert after == before
    assert problems == ""
    assert len(before["stories"]) == 3 and len(before["reads"]) == 4


@pytest.mark.parametrize("report", SEED_REPORTS, ids=lambda path: path.name)
def test_the_export_of_a_seed_report_is_that_report_line_for_line(db, report):
    import_text(report)

    text, _ = export(Issue.objects.get().slug)

    lines = [line for line in text.splitlines() if line.strip()]
    seed = [
        " ".join(line.split())
        for line in report.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert lines == seed


def test_the_export_reimported_on_the_same_site_updates_nothing(db, tmp_path):
    import_text(SEED_REPORT, "--publish")
    issue = Issue.objects.get()
    before = snapshot(issue)
    path = tmp_path / "export.txt"
    export(issue.slug, str(path))

    import_text(path)

    assert Issue.objects.get() == issue
    assert snapshot(issue) == before


def test_an_issue_edited_in_the_admin_round_trips(
    client, editor, db, tmp_path, make_source
):
    import_text(SEED_REPORT, "--publish")
    issue = Issue.objects.get()
    client.force_login(editor)
    el_pitazo = Source.objects.get(name="El Pitazo")
    efecto = Source.objects.get(name="Efecto Cocuyo")
    data = change_form_data(
        client,
        issue,
        dek="A new dek, typed in the admin.",
        intro="#NowWhatVenezuela is our own intro for this week.",
        appeal="This report is 100% reader-supported.\n\nGive what you can.",
    )
    story = next(key for key in data if key.endswith("-0-body")).removesuffix("body")
    data.update(
        {
            f"{story}headline": "A story rewritten in the admin",
            f"{story}body": (
                "<p>El Pitazo reported the first fact.</p>"
                "<p>According to Efecto Cocuyo, there were three more:</p>"
                "<ul><li><p>one &amp; two</p></li><li><p>“three”</p></li></ul>"
                "<p>A closing paragraph after the list.</p>"
            ),
            f"{story}why_it_matters": (
                "<p>It matters first.</p><p>And it matters second.</p>"
                "<ul><li><p>A reason in a list.</p></li></ul>"
            ),
            f"{story}more_information": "",
            f"{story}sources": [str(el_pitazo.pk), str(efecto.pk)],
        }
    )
    read = next(key for key in data if key.endswith("-0-summary")).removesuffix(
        "summary"
    )
    data[f"{read}url"] = "https://talcualdigital.com/a-read/?page=2&lang=es"
    response = client.post(change_url(issue), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    edited = snapshot(issue)
    assert edited["stories"][0][4] == ["Efecto Cocuyo", "El Pitazo"]

    before, after, problems = round_trip(issue, tmp_path)

    assert after == before
    assert problems == ""


def test_export_without_a_path_writes_the_text_to_standard_output(db):
    import_text(SEED_REPORT)

    text, problems = export(Issue.objects.get().slug)

    assert text.startswith("The Carter Center Says Goodbye with a Damning Verdict\n")
    assert text.endswith("\n\nDonate\n")
    assert problems == ""


def test_a_reads_url_is_written_after_its_summary(db, make_read):
    import_text(SEED_REPORT)
    issue = Issue.objects.get()
    issue.reads.filter(position=1).update(url="https://talcualdigital.com/x/")

    text, _ = export(issue.slug)

    assert (
        "- Tal Cual: The National Academy of Medicine reports that 40% of doctors "
        "have left Venezuela. In nursing, 70% of personnel have either left the "
        "country or migrated to the private sector. https://talcualdigital.com/x/\n"
    ) in text


def test_what_a_reimport_would_not_keep_is_named_on_standard_error(
    db, make_issue, make_story, make_read, make_source
):
    issue = make_issue(headline="An issue made by hand", dek="Its dek.")
    make_story(
        issue=issue,
        headline="A story",
        body='<p>Some <strong>bold</strong> and a <a href="https://x.org/">link</a>.</p>',
        sources=[make_source(name="Runrunes")],
    )
    make_story(
        issue=issue,
        headline="Another",
        body="<p>Fine.</p><p>Looks like a heading</p><p>Read as its story.</p>",
    )

    text, problems = export(issue.slug)

    assert "Some bold and a link." in text
    assert (
        "Not kept by a re-import: The issue has 2 stories, but the text would give 3"
        in problems
    )
    issue.stories.filter(headline="Another").delete()
    _, problems = export(issue.slug)
    assert "Story 1 (“A story”): its text would not come back as it is." in problems
    assert (
        "Story 1 (“A story”) cites Runrunes, which its text does not name as a "
        "source: a re-import would not cite it." in problems
    )


def test_an_unknown_slug_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No issue with the slug “nope”"):
        export("nope")


def test_an_unwritable_path_is_a_clear_error(db, tmp_path):
    import_text(SEED_REPORT)

    with pytest.raises(CommandError, match="Cannot write"):
        export(Issue.objects.get().slug, str(tmp_path / "missing" / "x.txt"))


# The admin's "Export as text".


def export_url(issue):
    return reverse("admin:issues_issue_export", args=[issue.pk])


def test_the_issue_page_links_to_its_export(client, editor, db):
    import_text(SEED_REPORT)
    issue = Issue.objects.get()
    client.force_login(editor)

    html = client.get(change_url(issue)).content.decode()

    assert f'<a href="{export_url(issue)}">Export as text</a>' in html


def test_the_export_page_shows_the_text_and_downloads_it_as_a_file(client, writer, db):
    import_text(SEED_REPORT)
    issue = Issue.objects.get()
    client.force_login(writer)

    page = client.get(export_url(issue))
    download = client.get(export_url(issue), {"download": "1"})

    html = page.content.decode()
    assert "this text gives back the same issue" in html
    assert '<textarea id="report-text"' in html
    assert 'data-copy="report-text">Copy</button>' in html
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="{issue.slug}.txt"'
    assert download.content.decode() == export(issue.slug)[0]


def test_the_export_page_lists_what_a_reimport_would_not_keep(
    client, editor, make_issue, make_story
):
    issue = make_issue()
    make_story(issue=issue, body="<p>Text with <em>emphasis</em>.</p>")
    client.force_login(editor)

    html = client.get(export_url(issue)).content.decode()

    assert "would not give back the issue exactly" in html
    assert "its text would not come back as it is" in html


def test_export_needs_the_right_to_see_the_issue(client, make_staff, make_issue):
    issue = make_issue()
    nobody = make_staff("nobody", "Writers")
    nobody.groups.clear()
    client.force_login(nobody)

    assert client.get(export_url(issue)).status_code == 403
    assert client.get(export_url(issue), {"download": "1"}).status_code == 403


def test_markup_in_an_issue_shows_as_text_on_the_export_page(
    client, editor, make_issue, make_story
):
    issue = make_issue(headline="<script>alert(1)</script>")
    make_story(issue=issue, body="<p>&lt;img src=x onerror=alert(1)&gt;</p>")
    client.force_login(editor)

    html = client.get(export_url(issue)).content.decode()

    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.fixture
def build_issue(make_issue, make_story, make_read, make_source):
    """An issue with `size` stories, each citing `size` sources, and `2 * size` reads."""

    def build(size):
        issue = make_issue()
        sources = [make_source() for _ in range(size)]
        for _ in range(size):
            make_story(issue=issue, sources=sources)
            make_read(issue=issue, source=sources[0], url="")
            make_read(issue=issue, source=sources[-1])
        return issue

    return build


# The session, the user and their permissions (2), the issue, then the issue
# with its series, tags, stories, their sources and tags, reads with their
# outlets, bylines and corrections, the known sources' names, and the admin's
# check for a donate page.
EXPORT_PAGE_QUERIES = 15


@pytest.mark.parametrize("size", [1, 8])
def test_the_export_page_runs_a_fixed_number_of_queries(
    client, editor, build_issue, django_assert_num_queries, size
):
    issue = build_issue(size)
    client.force_login(editor)

    with django_assert_num_queries(EXPORT_PAGE_QUERIES):
        assert client.get(export_url(issue)).status_code == 200
