"""Import from text shows what it read, line by line, before it imports; re-imports ask first."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from issues.models import Issue
from tests.issues.admin_forms import change_form_data, change_url
from tests.seeds import SEED_REPORT

IMPORT = reverse("admin:issues_issue_import")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def preview(client, series, **data):
    return client.post(
        IMPORT,
        {"series": series.pk, "text": SEED_REPORT.read_text(), "_preview": "1", **data},
    )


def rows(page):
    """The preview's (line, read as) pairs."""
    return re.findall(
        r'<td class="line-number">(\d*)</td><th scope="row">([^<]+)</th>', page
    )


def test_the_preview_lists_what_was_read_with_its_lines_and_imports_nothing(
    editor_client, series
):
    response = preview(editor_client, series)

    page = response.content.decode()
    assert response.status_code == 200
    assert not Issue.objects.exists()
    assert "3 stories, 4 recommended reads." in page
    read = rows(page)
    assert read[0] == ("1", "Headline")
    assert ("2", "Dek") in read
    assert [what for _, what in read if what.startswith("Story ")] == [
        "Story 1",
        "Story 2",
        "Story 3",
    ]
    reads = [(line, what) for line, what in read if what.startswith("Read ")]
    assert len(reads) == 4 and all(line.isdigit() for line, _ in reads)
    lines = SEED_REPORT.read_text().splitlines()
    for line, what in read:
        if what.startswith("Story "):
            title = re.search(
                rf'<td class="line-number">{line}</td><th scope="row">{what}</th>'
                r"<td>([^<]+)</td>",
                page,
            ).group(1)
            assert lines[int(line) - 1].strip() == title.replace("&#x27;", "'")
    assert "no URL: it will link to the outlet&#x27;s homepage" in page
    assert "· Sources" in page
    assert 'value="Import as a draft"' in page
    assert 'name="_edit" value="Back to edit the text"' in page


def test_importing_from_the_preview_makes_the_draft(editor_client, series):
    page = preview(editor_client, series).content.decode()
    text = re.search(r'<textarea name="text" hidden>(.*?)</textarea>', page, re.S)

    response = editor_client.post(
        IMPORT,
        {"series": series.pk, "text": html.unescape(text.group(1))},
        follow=True,
    )

    assert "as a new draft" in response.content.decode()
    assert Issue.objects.get().stories.count() == 3


def test_back_to_edit_shows_the_text_again_with_line_numbers(editor_client, series):
    response = editor_client.post(
        IMPORT, {"series": series.pk, "text": "Headline\nDek\n", "_edit": "1"}
    )

    page = response.content.decode()
    assert "Headline\nDek\n</textarea>" in page
    assert "data-line-numbers" in page
    assert 'src="/static/issues/admin/line-numbers.js"' in page
    assert not Issue.objects.exists()


def test_an_uploaded_report_is_previewed_and_carried_to_the_import(
    editor_client, series
):
    upload = SimpleUploadedFile("report.txt", SEED_REPORT.read_bytes())

    page = editor_client.post(
        IMPORT, {"series": series.pk, "upload": upload, "_preview": "1"}
    ).content.decode()

    assert "3 stories, 4 recommended reads." in page
    assert "The Carter Center Says Goodbye" in re.search(
        r'<textarea name="text" hidden>(.*?)</textarea>', page, re.S
    ).group(1)


def test_a_report_that_cannot_be_read_names_its_line_beside_the_text(
    editor_client, series
):
    text = "Headline\nDek\n#Tag intro.\nCall.\nA stray paragraph.\nHeading\nText.\n"

    response = preview(editor_client, series, text=text)

    page = response.content.decode()
    assert "The report could not be read at line 5" in page
    assert 'data-error-line="5"' in page


def test_the_preview_says_what_a_reimport_would_replace_and_asks_first(
    editor_client, series
):
    editor_client.post(IMPORT, {"series": series.pk, "text": SEED_REPORT.read_text()})
    issue = Issue.objects.get()
    data = change_form_data(editor_client, issue, dek="A dek an editor wrote.")
    editor_client.post(change_url(issue), data)

    page = preview(editor_client, series).content.decode()
    assert "Since its last import, this issue was changed in the admin:" in page
    assert "Dek" in page
    assert 'value="Update the issue"' in page

    refused = editor_client.post(
        IMPORT, {"series": series.pk, "text": SEED_REPORT.read_text()}
    )
    assert "tick this to replace those changes" in refused.content.decode()
    issue.refresh_from_db()
    assert issue.dek == "A dek an editor wrote."

    editor_client.post(
        IMPORT,
        {"series": series.pk, "text": SEED_REPORT.read_text(), "replace_edits": "on"},
    )
    issue.refresh_from_db()
    assert issue.dek.startswith("This week’s #NowWhatVenezuela")


def test_lines_the_import_was_unsure_of_are_listed(editor_client, series):
    text = (
        "A headline\nThe dek\n#NowWhatVenezuela keeps you informed.\n"
        "First story\nIts text.\nMore information: one.\n"
        "The situation at the embassy.\nNo power.\nMore information: two.\n"
    )

    page = preview(editor_client, series, text=text).content.decode()

    assert "Lines the import was unsure of:" in page
    assert "Line 7, “The situation at the embassy.”" in page
