"""Two people editing one issue: the later save from a stale form is refused, nothing is lost."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from issues import workflow
from issues.admin import IssueAdmin
from issues.forms import IssueAdminForm
from issues.models import Issue
from stories.models import Story
from tests.issues.admin_forms import change_form_data, change_url


@pytest.fixture
def second_editor(db):
    user = User.objects.create_user("editor2", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def two_clients(editor, second_editor):
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(second_editor)
    return first, second


@pytest.fixture
def issue(make_issue, make_story, make_read):
    issue = make_issue(headline="Original headline", status=Issue.Status.DRAFT)
    make_story(issue=issue, headline="First story", body="<p>Original body.</p>")
    make_read(issue=issue)
    return issue


def test_the_second_of_two_saves_from_the_same_version_is_refused(
    two_clients, issue, editor
):
    first, second = two_clients
    first_data = change_form_data(first, issue, headline="Headline from the first")
    second_data = change_form_data(second, issue, headline="Headline from the second")

    assert first.post(change_url(issue), first_data).status_code == 302
    response = second.post(change_url(issue), second_data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your changes were not saved: editor1 saved this issue at" in page
    assert "They changed: Headline." in page
    assert 'value="Headline from the second"' in page
    issue.refresh_from_db()
    assert issue.headline == "Headline from the first"
    assert issue.updated_by == editor


def test_a_change_to_an_inline_story_alone_makes_other_forms_stale(two_clients, issue):
    first, second = two_clients
    story = issue.stories.get()
    first_data = change_form_data(first, issue)
    second_data = change_form_data(second, issue, headline="A new headline")
    body_field = next(k for k, v in first_data.items() if v == story.body)
    first_data[body_field] = "<p>Body rewritten by the first editor.</p>"

    assert first.post(change_url(issue), first_data).status_code == 302
    response = second.post(change_url(issue), second_data)

    assert response.status_code == 200
    assert "They changed: Story 1 · Body." in response.content.decode()
    issue.refresh_from_db()
    assert issue.headline == "Original headline"
    assert Story.objects.get(pk=story.pk).body == (
        "<p>Body rewritten by the first editor.</p>"
    )


def test_a_stale_form_that_changes_only_a_read_is_refused_too(two_clients, issue):
    first, second = two_clients
    read = issue.reads.get()
    first_data = change_form_data(first, issue, headline="Saved first")
    second_data = change_form_data(second, issue)
    summary_field = next(k for k, v in second_data.items() if v == read.summary)
    second_data[summary_field] = "A summary typed by the second editor."

    first.post(change_url(issue), first_data)
    response = second.post(change_url(issue), second_data)

    assert response.status_code == 200
    assert "A summary typed by the second editor." in response.content.decode()
    read.refresh_from_db()
    assert read.summary != "A summary typed by the second editor."


def test_saving_again_after_the_refusal_deliberately_replaces_the_other_version(
    two_clients, issue
):
    first, second = two_clients
    first_data = change_form_data(first, issue, headline="Headline from the first")
    second_data = change_form_data(second, issue, headline="Headline from the second")
    first.post(change_url(issue), first_data)
    refused = second.post(change_url(issue), second_data)
    resubmitted = dict(second_data)
    resubmitted["loaded_version"] = (
        refused.context["adminform"].form["loaded_version"].value()
    )

    assert second.post(change_url(issue), resubmitted).status_code == 302

    issue.refresh_from_db()
    assert issue.headline == "Headline from the second"


def test_consecutive_saves_by_one_editor_are_not_conflicts(client, editor, issue):
    client.force_login(editor)

    for headline in ("One", "Two", "Three"):
        data = change_form_data(client, issue, headline=headline)
        assert client.post(change_url(issue), data).status_code == 302

    issue.refresh_from_db()
    assert issue.headline == "Three"
    assert issue.version == 4


def test_an_editor_s_form_loaded_before_a_publish_is_refused_and_keeps_the_text(
    two_clients, issue, second_editor
):
    """What goes live is what someone saw: a form from before the move is stale."""
    first, second = two_clients
    data = change_form_data(first, issue, dek="A new dek.")

    workflow.perform(issue, second_editor, "publish")
    response = first.post(change_url(issue), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your changes were not saved: editor2 saved this issue at" in page
    assert "The issue is published now." in page
    assert "A new dek." in page
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PUBLISHED
    assert issue.dek != "A new dek."


def test_saving_again_after_a_move_keeps_the_issue_where_the_move_put_it(
    two_clients, issue, second_editor
):
    first, second = two_clients
    data = change_form_data(first, issue, dek="A new dek.")
    workflow.perform(issue, second_editor, "publish")
    refused = first.post(change_url(issue), data)
    data["loaded_version"] = refused.context["adminform"].form["loaded_version"].value()

    assert first.post(change_url(issue), data).status_code == 302

    issue.refresh_from_db()
    assert (issue.status, issue.dek) == (Issue.Status.PUBLISHED, "A new dek.")


@pytest.mark.parametrize(
    "status, action",
    [
        (Issue.Status.DRAFT, "submit"),
        (Issue.Status.DRAFT, "publish"),
        (Issue.Status.IN_REVIEW, "publish"),
        (Issue.Status.IN_REVIEW, "schedule"),
        (Issue.Status.IN_REVIEW, "return_to_draft"),
        (Issue.Status.PUBLISHED, "unpublish"),
        (Issue.Status.UNPUBLISHED, "return_to_draft"),
    ],
)
def test_every_workflow_move_raises_the_version(
    client, editor, make_issue, make_story, status, action
):
    issue = make_issue(status=status)
    make_story(issue=issue)
    before = issue.version
    client.force_login(editor)
    data = {
        "publish_at": (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    }

    response = client.post(
        reverse("admin:issues_issue_transition", args=[issue.pk, action]), data
    )

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.version == before + 1


def test_a_writer_whose_draft_is_published_before_they_save_keeps_their_text(
    client, writer, editor, issue
):
    client.force_login(writer)
    data = change_form_data(client, issue, headline="Unreviewed headline")
    workflow.perform(issue, editor, "publish")

    response = client.post(change_url(issue), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved: this issue is now published" in page
    assert 'value="Unreviewed headline"' in page
    issue.refresh_from_db()
    assert (issue.status, issue.headline) == (
        Issue.Status.PUBLISHED,
        "Original headline",
    )


def test_a_publish_landing_after_the_writer_s_check_keeps_their_text_out_of_it(
    client, writer, editor, issue, monkeypatch
):
    """The race the change view's own check cannot see.

    The editor's publish is simulated as committing after the change view
    decided the writer may edit the draft, just before the form locks the
    row, as it would from another connection.
    """
    client.force_login(writer)
    data = change_form_data(client, issue, headline="Unreviewed headline")
    story = issue.stories.get()
    data[next(k for k, v in data.items() if v == story.body)] = "<p>Unreviewed.</p>"
    real_clean = IssueAdminForm.clean

    def clean(self):
        if Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT:
            workflow.perform(issue, editor, "publish")
        return real_clean(self)

    monkeypatch.setattr(IssueAdminForm, "clean", clean)

    response = client.post(change_url(issue), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved: this issue is now published" in page
    assert 'value="Unreviewed headline"' in page
    assert "Unreviewed." in page
    issue.refresh_from_db()
    story.refresh_from_db()
    assert issue.status == Issue.Status.PUBLISHED
    assert (issue.headline, story.body) == (
        "Original headline",
        "<p>Original body.</p>",
    )


def test_a_publish_from_a_page_older_than_the_last_save_is_refused(
    client, editor, writer, issue
):
    """The editor publishes what they looked at, not a writer's later save."""
    client.force_login(editor)
    page = client.get(change_url(issue)).content.decode()
    seen = re.search(r'name="loaded_version" value="(\d+)"', page).group(1)
    writer_client = Client()
    writer_client.force_login(writer)
    data = change_form_data(writer_client, issue, headline="Typed after the review")
    assert writer_client.post(change_url(issue), data).status_code == 302

    response = client.post(
        reverse("admin:issues_issue_transition", args=[issue.pk, "publish"]),
        {"version": seen},
        follow=True,
    )

    page = response.content.decode()
    assert "changed this issue after you opened it, so it was not published" in page
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_on_the_row_lock_is_refused_once_the_other_save_commits(
    make_issue, make_story, make_staff
):
    """The check and the write are one step under the issue's row lock.

    Another editor's save, on a connection of its own, holds the row while
    this form is sent: the form waits for it and is then refused, so the
    other save, landing between this form's loading and its save, is kept.
    """
    editor = make_staff("editor1", "Editors")
    second_editor = make_staff("editor2", "Editors")
    issue = make_issue(headline="Original headline", status=Issue.Status.DRAFT)
    make_story(issue=issue)
    client = Client()
    client.force_login(editor)
    data = change_form_data(client, issue, headline="Mine")
    holding, release = threading.Event(), threading.Event()

    def their_save():
        try:
            with transaction.atomic():
                row = Issue.objects.select_for_update().get(pk=issue.pk)
                row.headline, row.updated_by = "Theirs", second_editor
                row.version += 1
                row.save()
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    other = threading.Thread(target=their_save)
    other.start()
    assert holding.wait(timeout=10)
    threading.Timer(0.5, release.set).start()
    response = client.post(change_url(issue), data)
    release.set()
    other.join(timeout=30)

    page = response.content.decode()
    if connection.vendor == "sqlite" and response.status_code == 503:
        # The test's in-memory SQLite locks whole tables and does not wait:
        # this save is turned away to try again, which loses nothing either.
        assert "try again" in page.lower()
    else:
        assert response.status_code == 200
        assert "Your changes were not saved: editor2 saved this issue" in page
        assert 'value="Mine"' in page
    issue.refresh_from_db()
    assert (issue.headline, issue.updated_by) == ("Theirs", second_editor)


def test_a_writer_whose_draft_was_submitted_meanwhile_keeps_their_text(
    client, writer, issue
):
    client.force_login(writer)
    data = change_form_data(client, issue, headline="Typed by the writer")
    story = issue.stories.get()
    data[next(k for k, v in data.items() if v == story.body)] = "<p>New body text.</p>"
    workflow.perform(issue, writer, "submit")

    response = client.post(change_url(issue), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved: this issue is now in review" in page
    assert 'value="Typed by the writer"' in page
    assert "New body text." in page
    issue.refresh_from_db()
    story.refresh_from_db()
    assert (issue.headline, story.body) == (
        "Original headline",
        "<p>Original body.</p>",
    )


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_one_wins_and_one_is_refused(
    make_issue, make_story, make_staff, monkeypatch
):
    """Two real requests in two threads, each on its own database connection.

    The first save is held open for a moment after its check, so the second
    arrives while the first is still uncommitted: it must wait for it and be
    refused, never overwrite it.
    """
    editor = make_staff("editor1", "Editors")
    second_editor = make_staff("editor2", "Editors")
    issue = make_issue(headline="Original headline", status=Issue.Status.DRAFT)
    make_story(issue=issue)
    clients = {}
    forms = {}
    for user, headline in ((editor, "First"), (second_editor, "Second")):
        clients[headline] = Client()
        clients[headline].force_login(user)
        forms[headline] = change_form_data(clients[headline], issue, headline=headline)
    first_checked = threading.Event()
    real_save_model = IssueAdmin.save_model

    def slow_save_model(self, request, obj, form, change):
        if obj.headline == "First":
            first_checked.set()
            time.sleep(0.5)
        return real_save_model(self, request, obj, form, change)

    monkeypatch.setattr(IssueAdmin, "save_model", slow_save_model)
    responses = {}

    def post(headline):
        try:
            responses[headline] = clients[headline].post(
                change_url(issue), forms[headline]
            )
        finally:
            connection.close()

    first = threading.Thread(target=post, args=["First"])
    first.start()
    assert first_checked.wait(timeout=10)
    second = threading.Thread(target=post, args=["Second"])
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    assert not first.is_alive() and not second.is_alive()
    assert responses["First"].status_code == 302
    # The winner's save went through: the admin sends it back to the list.
    assert responses["First"]["Location"] == reverse("admin:issues_issue_changelist")
    second = responses["Second"]
    if connection.vendor == "sqlite" and second.status_code == 503:
        # The test's in-memory SQLite locks whole tables and does not wait:
        # the second writer is turned away to try again, which is still no
        # lost update. PostgreSQL (production) waits on the row lock.
        assert "try again" in second.content.decode().lower()
    else:
        assert second.status_code == 200
        assert "Your changes were not saved: editor1 saved this issue" in (
            second.content.decode()
        )
    issue.refresh_from_db()
    assert issue.headline == "First"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["publish", "save"])
def test_a_writer_s_save_racing_an_editor_s_publish_never_goes_live_unreviewed(
    make_issue, make_story, make_staff, monkeypatch, first
):
    """A writer's save and an editor's publish, two requests in two threads.

    Whichever takes the row lock first, the published issue holds only what
    the editor had in front of them: a publish first turns the writer's save
    away, a save first turns the publish away.
    """
    writer = make_staff("writer1", "Writers")
    editor = make_staff("editor1", "Editors")
    issue = make_issue(headline="Reviewed headline", status=Issue.Status.DRAFT)
    make_story(issue=issue)
    writer_client, editor_client = Client(), Client()
    writer_client.force_login(writer)
    editor_client.force_login(editor)
    form = change_form_data(writer_client, issue, headline="Unreviewed headline")
    seen = str(Issue.objects.get(pk=issue.pk).version)
    checked, published = threading.Event(), threading.Event()
    real_clean, real_save_model = IssueAdminForm.clean, IssueAdmin.save_model

    def clean(self):
        checked.set()
        if first == "publish":
            published.wait(timeout=10)
        return real_clean(self)

    def save_model(self, request, obj, form, change):
        result = real_save_model(self, request, obj, form, change)
        if first == "save":
            time.sleep(0.5)
        return result

    monkeypatch.setattr(IssueAdminForm, "clean", clean)
    monkeypatch.setattr(IssueAdmin, "save_model", save_model)
    responses = {}

    def save():
        try:
            responses["save"] = writer_client.post(change_url(issue), form)
        finally:
            connection.close()

    def publish():
        try:
            assert checked.wait(timeout=10)
            if first == "save":
                time.sleep(0.1)
            responses["publish"] = editor_client.post(
                reverse("admin:issues_issue_transition", args=[issue.pk, "publish"]),
                {"version": seen},
            )
        finally:
            published.set()
            connection.close()

    threads = [threading.Thread(target=save), threading.Thread(target=publish)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    issue.refresh_from_db()
    if issue.status == Issue.Status.PUBLISHED:
        assert issue.headline == "Reviewed headline"
    if first == "publish" and connection.vendor == "postgresql":
        assert issue.status == Issue.Status.PUBLISHED
        assert "Nothing was saved: this issue is now published" in (
            responses["save"].content.decode()
        )
    if first == "save" and connection.vendor == "postgresql":
        assert (issue.status, issue.headline) == (
            Issue.Status.DRAFT,
            "Unreviewed headline",
        )
