"""Every save is a revision: listed in the history, compared with now, restored."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from issues import workflow
from issues.models import Issue
from stories.models import RecommendedRead, Source, Story
from tests.issues.admin_forms import change_form_data, change_url

XSS = "<script>alert('x')</script>"


@pytest.fixture
def issue(make_issue, make_story, make_read):
    issue = make_issue(headline="First headline", status=Issue.Status.DRAFT)
    make_story(issue=issue, headline="Only story", body="<p>First body.</p>")
    make_read(issue=issue)
    return issue


def save(client, issue, **changes):
    response = client.post(
        change_url(issue), change_form_data(client, issue, **changes)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def field_named(data, value):
    return next(k for k, v in data.items() if v == value)


def history_url(issue):
    return reverse("admin:issues_issue_history", args=[issue.pk])


def versions_of(issue):
    return list(Version.objects.get_for_object(issue).select_related("revision"))


def test_each_save_is_a_revision_with_its_author_and_what_changed(
    client, editor, issue
):
    client.force_login(editor)

    save(client, issue, headline="Second headline")

    newest = versions_of(issue)[0].revision
    assert newest.user == editor
    assert newest.comment == "Changed Headline."
    stored = {v.object_repr for v in newest.version_set.all()}
    assert {"Second headline", "Only story"} <= stored


def test_the_history_lists_revisions_and_transitions_with_who_and_when(
    client, editor, issue
):
    client.force_login(editor)
    save(client, issue, headline="Second headline")
    workflow.perform(issue, editor, "publish")

    page = client.get(history_url(issue)).content.decode()

    assert "Changed Headline." in page
    assert "Version before the first edit in the admin." in page
    assert page.count("editor1") >= 2
    assert "<td>Draft</td>" in page and "<td>Published</td>" in page
    assert "Compare with current" in page


def test_compare_shows_each_changed_field_beside_its_current_value(
    client, editor, issue
):
    client.force_login(editor)
    client.get(change_url(issue))
    first = versions_of(issue)[0].revision
    data = change_form_data(client, issue, headline="Second headline")
    data[field_named(data, "<p>First body.</p>")] = "<p>Second body.</p>"
    client.post(change_url(issue), data)

    response = client.get(
        reverse("admin:issues_issue_compare", args=[issue.pk, first.pk])
    )

    assert response.status_code == 200
    changed = {
        row.label: (row.old, row.new) for row in response.context["rows"] if row.changed
    }
    assert changed == {
        "Headline": ("First headline", "Second headline"),
        "Story 1 · Body": ("<p>First body.</p>", "<p>Second body.</p>"),
    }
    assert "2 fields differ" in response.content.decode()


def test_restore_brings_back_content_and_stories_as_a_new_revision(
    client, editor, issue
):
    client.force_login(editor)
    client.get(change_url(issue))
    original = versions_of(issue)[0].revision
    workflow.perform(issue, editor, "publish")
    story = issue.stories.get()
    data = change_form_data(client, issue, headline="Rewritten")
    data["stories-0-DELETE"] = "on"
    assert client.post(change_url(issue), data).status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()
    count_before = len(versions_of(issue))

    response = client.post(
        reverse("admin:issues_issue_restore", args=[issue.pk, original.pk]),
        follow=True,
    )

    issue.refresh_from_db()
    assert issue.headline == "First headline"
    assert list(issue.stories.values_list("headline", "body")) == [
        ("Only story", "<p>First body.</p>")
    ]
    assert issue.status == Issue.Status.PUBLISHED
    assert len(versions_of(issue)) == count_before + 1
    assert versions_of(issue)[0].revision.comment.startswith("Restored the revision of")
    assert any(
        "Restored the revision of" in str(m) for m in response.context["messages"]
    )


def restore_url(issue, revision):
    return reverse("admin:issues_issue_restore", args=[issue.pk, revision.pk])


def test_restoring_a_revision_citing_a_source_merged_away_since_restores_the_rest(
    client, editor, make_issue, make_story, make_read, make_source
):
    kept, duplicate = make_source(name="Runrunes"), make_source(name="Runrun.es")
    issue = make_issue(headline="First headline", status=Issue.Status.DRAFT)
    story = make_story(issue=issue, headline="Primaries", sources=[duplicate])
    read = make_read(issue=issue, source=duplicate)
    client.force_login(editor)
    client.get(change_url(issue))
    original = versions_of(issue)[0].revision
    save(client, issue, headline="Rewritten")
    Source.objects.filter(pk__in=[kept.pk, duplicate.pk]).merge_into(kept)

    response = client.post(restore_url(issue, original), follow=True)

    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.headline == "First headline"
    assert list(Story.objects.get(pk=story.pk).sources.all()) == []
    assert RecommendedRead.objects.get(pk=read.pk).source is None
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Restored the revision of") for m in messages)
    assert (
        "The story “Primaries” no longer cites a source deleted or merged since."
        in (messages)
    )
    assert any("lost its outlet" in m for m in messages)


def test_restoring_a_revision_citing_a_source_deleted_since_restores_the_rest(
    client, editor, make_issue, make_story, make_read, make_source
):
    gone, stays = make_source(name="Gone Outlet"), make_source(name="Stays")
    issue = make_issue(status=Issue.Status.DRAFT)
    story = make_story(issue=issue, headline="Blackouts", sources=[gone, stays])
    make_read(issue=issue, source=stays)
    client.force_login(editor)
    client.get(change_url(issue))
    original = versions_of(issue)[0].revision
    story.sources.remove(gone)
    gone.delete()

    response = client.post(restore_url(issue, original))

    assert response.status_code == 302
    assert list(story.sources.all()) == [stays]
    page = client.get(response.url).content.decode()
    assert (
        "The story “Blackouts” no longer cites a source deleted or merged since."
        in (page)
    )


def test_a_form_opened_before_a_restore_is_refused(client, editor, issue):
    client.force_login(editor)
    client.get(change_url(issue))
    original = versions_of(issue)[0].revision
    save(client, issue, headline="Rewritten")
    stale = change_form_data(client, issue, headline="Typed before the restore")

    client.post(reverse("admin:issues_issue_restore", args=[issue.pk, original.pk]))
    response = client.post(change_url(issue), stale)

    assert response.status_code == 200
    assert "Your changes were not saved" in response.content.decode()
    issue.refresh_from_db()
    assert issue.headline == "First headline"


def test_restore_is_post_only(client, editor, issue):
    client.force_login(editor)
    client.get(change_url(issue))
    revision = versions_of(issue)[0].revision

    url = reverse("admin:issues_issue_restore", args=[issue.pk, revision.pk])
    assert client.get(url).status_code == 405


def test_a_revision_of_another_issue_cannot_be_compared_or_restored_through_this_one(
    client, editor, issue, make_issue
):
    other = make_issue(status=Issue.Status.DRAFT)
    client.force_login(editor)
    client.get(change_url(other))
    foreign = versions_of(other)[0].revision

    compare_url = reverse("admin:issues_issue_compare", args=[issue.pk, foreign.pk])
    restore_url = reverse("admin:issues_issue_restore", args=[issue.pk, foreign.pk])
    assert client.get(compare_url).status_code == 404
    assert client.post(restore_url).status_code == 404


# Titles are text everywhere in the admin, never markup.


def test_a_script_in_a_headline_is_shown_as_text_in_history_compare_and_messages(
    client, editor, make_issue, make_story, make_read
):
    issue = make_issue(headline=XSS, status=Issue.Status.DRAFT)
    make_story(issue=issue, headline=XSS)
    make_read(issue=issue)
    client.force_login(editor)
    client.get(change_url(issue))
    first = versions_of(issue)[0].revision
    save(client, issue, headline=XSS + " again")

    pages = {
        "history": client.get(history_url(issue)),
        "compare": client.get(
            reverse("admin:issues_issue_compare", args=[issue.pk, first.pk])
        ),
        "message": client.post(
            reverse("admin:issues_issue_transition", args=[issue.pk, "submit"]),
            follow=True,
        ),
        "list": client.get(reverse("admin:issues_issue_changelist")),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert "<script>alert(" not in html, name
        assert "&lt;script&gt;alert(" in html, name


def test_line_breaks_as_a_browser_sends_them_are_not_a_change(client, editor, issue):
    Issue.objects.filter(pk=issue.pk).update(appeal="One paragraph.\n\nAnother.")
    client.force_login(editor)
    data = change_form_data(client, issue)
    data["appeal"] = data["appeal"].replace("\n", "\r\n")

    assert client.post(change_url(issue), data).status_code == 302

    issue.refresh_from_db()
    assert issue.appeal == "One paragraph.\n\nAnother."
    assert versions_of(issue)[0].revision.comment == "Saved without changes."


def test_compare_lists_only_changed_fields_unless_asked_for_all(client, editor, issue):
    client.force_login(editor)
    client.get(change_url(issue))
    first = versions_of(issue)[0].revision
    save(client, issue, dek="A new dek.")
    url = reverse("admin:issues_issue_compare", args=[issue.pk, first.pk])

    changed_only = client.get(url).context["rows"]
    every_field = client.get(url, {"all": "1"}).context["rows"]

    assert [row.label for row in changed_only] == ["Dek"]
    assert "Channel URL" in [row.label for row in every_field]
    assert len(every_field) > len(changed_only)


def test_any_two_revisions_can_be_compared_from_the_history(client, editor, issue):
    client.force_login(editor)
    client.get(change_url(issue))
    save(client, issue, headline="Second headline")
    save(client, issue, headline="Third headline")
    third, second, first = (v.revision for v in versions_of(issue))

    response = client.get(
        reverse("admin:issues_issue_compare_pair", args=[issue.pk]),
        {"from": first.pk, "to": second.pk},
        follow=True,
    )

    changed = [(row.label, row.old, row.new) for row in response.context["rows"]]
    assert changed == [("Headline", "First headline", "Second headline")]
    assert response.context["other"] == second
    history = client.get(history_url(issue)).content.decode()
    assert 'name="from"' in history and "Compare selected" in history


def test_comparing_with_a_revision_of_another_issue_is_a_404(
    client, editor, issue, make_issue
):
    other = make_issue(status=Issue.Status.DRAFT)
    client.force_login(editor)
    client.get(change_url(issue))
    client.get(change_url(other))
    mine = versions_of(issue)[0].revision
    foreign = versions_of(other)[0].revision

    url = reverse("admin:issues_issue_compare", args=[issue.pk, mine.pk])
    assert client.get(url, {"with": foreign.pk}).status_code == 404


def test_a_writer_given_back_an_unpublished_issue_cannot_read_what_an_editor_removed(
    client, editor, writer, issue
):
    client.force_login(editor)
    save(client, issue)
    draft_era = versions_of(issue)[0].revision
    workflow.perform(issue, editor, "publish")
    data = change_form_data(client, issue)
    data[field_named(data, "<p>First body.</p>")] = "<p>A libellous sentence.</p>"
    assert client.post(change_url(issue), data).status_code == 302
    live_with_it = versions_of(issue)[0].revision
    data = change_form_data(client, issue)
    data[field_named(data, "<p>A libellous sentence.</p>")] = "<p>Taken out.</p>"
    assert client.post(change_url(issue), data).status_code == 302
    workflow.perform(issue, editor, "unpublish")
    writer_client = client_for(writer)
    moved = writer_client.post(
        reverse("admin:issues_issue_transition", args=[issue.pk, "return_to_draft"])
    )
    assert moved.status_code == 302

    history = writer_client.get(history_url(issue))
    compare = writer_client.get(compare_url(issue, live_with_it))
    pair = writer_client.get(compare_url(issue, draft_era), {"with": live_with_it.pk})
    restore = writer_client.post(f"{compare_url(issue, live_with_it)}restore/")

    assert history.status_code == 200
    page = history.content.decode()
    assert f'name="from" value="{draft_era.pk}"' in page
    assert f'name="from" value="{live_with_it.pk}"' not in page
    assert (
        "2 revisions saved while the issue was public are shown to editors only" in page
    )
    assert (compare.status_code, pair.status_code, restore.status_code) == (
        404,
        404,
        404,
    )
    assert "libellous" not in compare.content.decode() + pair.content.decode()
    assert writer_client.get(compare_url(issue, draft_era)).status_code == 200
    assert issue.stories.get().body == "<p>Taken out.</p>"
    editor_view = client.get(compare_url(issue, live_with_it)).content.decode()
    assert "A libellous sentence." in editor_view
    assert (
        f'name="from" value="{live_with_it.pk}"'
        in client.get(history_url(issue)).content.decode()
    )


def client_for(user):
    other = Client()
    other.force_login(user)
    return other


def compare_url(issue, revision):
    return reverse("admin:issues_issue_compare", args=[issue.pk, revision.pk])
