"""The compare page: text as readers read it, words marked, parts matched by identity."""

import re

import pytest
from django.urls import reverse
from reversion.models import Version

from issues.models import Issue
from issues.textdiff import readable, word_diff
from tests.issues.admin_forms import change_form_data, change_url


@pytest.fixture
def issue(make_issue, make_story, make_read):
    issue = make_issue(headline="First headline", status=Issue.Status.DRAFT)
    make_story(
        issue=issue,
        headline="Only story",
        body="<p>The embassy has no power.</p><ul><li>No water</li></ul>",
        position=1,
    )
    for n in range(1, 4):
        make_read(issue=issue, summary=f"Read number {n}.", position=n)
    return issue


def first_revision(client, issue):
    client.get(change_url(issue))
    return Version.objects.get_for_object(issue).first().revision


def compare_page(client, issue, revision):
    return client.get(
        reverse("admin:issues_issue_compare", args=[issue.pk, revision.pk])
    )


def body_field(data):
    return next(k for k in data if k.startswith("stories-0-body"))


def test_rich_text_is_compared_as_text_with_the_changed_words_marked(
    client, editor, issue
):
    client.force_login(editor)
    first = first_revision(client, issue)
    data = change_form_data(client, issue)
    data[body_field(data)] = (
        "<p>The embassy has had no power since Friday.</p><ul><li>No water</li></ul>"
    )
    client.post(change_url(issue), data)

    page = compare_page(client, issue, first).content.decode()

    row = re.search(r"Story 1 · Body.*?</tr>", page, re.S).group(0)
    assert "&lt;p&gt;" not in row and "<p>" not in row
    assert '<ins><span class="visually-hidden">added: </span>had</ins>' in row
    assert (
        '<ins><span class="visually-hidden">added: </span>power since Friday.</ins>'
        in row
    )
    assert '<del><span class="visually-hidden">removed: </span>power.</del>' in row
    assert "• No water" in row


def test_an_added_read_is_one_added_read(client, editor, issue, make_read):
    client.force_login(editor)
    first = first_revision(client, issue)
    data = change_form_data(
        client,
        issue,
        **{
            "reads-TOTAL_FORMS": "4",
            "reads-3-source": str(issue.reads.first().source_id),
            "reads-3-summary": "A read put first.",
            "reads-3-position": "0",
        },
    )
    assert client.post(change_url(issue), data).status_code == 302

    response = compare_page(client, issue, first)

    changed = [row.label for row in response.context["rows"]]
    assert changed == ["Recommended read 1 (added)"]
    assert "1 field differs" in response.content.decode()
    assert "A read put first." in response.content.decode()


def test_a_removed_story_is_one_removed_story(client, editor, issue):
    client.force_login(editor)
    first = first_revision(client, issue)
    data = change_form_data(client, issue, **{"stories-0-DELETE": "on"})
    client.post(change_url(issue), data)

    rows = compare_page(client, issue, first).context["rows"]

    assert [row.label for row in rows] == ["Story 1 (removed)"]
    assert "Headline: Only story" in rows[0].old
    assert "The embassy has no power." in rows[0].old


def test_the_sides_are_named_by_who_saved_them_and_when(client, editor, writer, issue):
    client.force_login(writer)
    first = first_revision(client, issue)
    client.post(change_url(issue), change_form_data(client, issue, headline="Two"))
    client.force_login(editor)
    client.post(change_url(issue), change_form_data(client, issue, headline="Three"))
    second = Version.objects.get_for_object(issue).first().revision

    now = compare_page(client, issue, first).content.decode()
    pair = client.get(
        reverse("admin:issues_issue_compare", args=[issue.pk, first.pk]),
        {"with": second.pk},
    ).content.decode()

    header = re.search(r"<thead>.*?</thead>", now, re.S).group(0)
    assert re.search(r">Saved, \d+ \w+ \d\d:\d\d UTC\+00:00</th>", header)
    assert re.search(
        r">Now: saved by editor1, \d+ \w+ \d\d:\d\d UTC\+00:00</th>", header
    )
    assert "That revision" not in now and "The other revision" not in pair
    assert re.search(r">Saved by editor1, \d+ \w+ \d\d:\d\d", pair)


def test_a_script_typed_in_a_story_is_text_on_the_compare_page(client, editor, issue):
    client.force_login(editor)
    first = first_revision(client, issue)
    data = change_form_data(client, issue, headline="<img src=x onerror=alert(1)>")
    client.post(change_url(issue), data)

    page = compare_page(client, issue, first).content.decode()

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_readable_text_keeps_paragraphs_and_list_items_apart():
    html = "<p>One <strong>bold</strong> line.</p><ul><li>First</li><li>Second &amp; more</li></ul>"

    assert readable(html) == "One bold line.\n• First\n• Second & more"


def test_word_diff_marks_only_the_words_that_changed_and_escapes_the_rest():
    old, new = word_diff("The <cat> sat here.", "The <dog> sat here.")

    assert old == (
        'The <del><span class="visually-hidden">removed: </span>&lt;cat&gt;</del> '
        "sat here."
    )
    assert new == (
        'The <ins><span class="visually-hidden">added: </span>&lt;dog&gt;</ins> '
        "sat here."
    )
