"""Autosave of the change form: drafts saved, public issues' edits kept aside, conflicts reported."""

from django.test import Client
from django.urls import reverse
from reversion.models import Version

from issues.models import Issue, PendingEdit
from stories.models import Story
from tests.issues.admin_forms import change_form_data, change_url
from tests.newsroom.test_caching import CACHED, cached_get

DRAFT = Issue.Status.DRAFT
IN_REVIEW = Issue.Status.IN_REVIEW
PUBLISHED = Issue.Status.PUBLISHED


def autosave_url(issue):
    return reverse("admin:issues_issue_autosave", args=[issue.pk])


def autosave(client, issue, data):
    return client.post(autosave_url(issue), data)


def revisions(issue):
    return [v.revision for v in Version.objects.get_for_object(issue)]


def test_autosave_saves_a_draft_as_a_revision_and_answers_the_new_version(
    client, writer, issue_in
):
    issue = issue_in(DRAFT)
    client.force_login(writer)
    data = change_form_data(client, issue, headline="Typed a minute ago")
    before = issue.version

    response = autosave(client, issue, data)

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "saved"
    assert answer["message"].startswith("Autosaved at ")
    issue.refresh_from_db()
    assert (issue.headline, issue.version) == ("Typed a minute ago", before + 1)
    assert answer["version"] == issue.version
    assert revisions(issue)[0].comment == "Autosaved: changed Headline."
    assert not PendingEdit.objects.exists()


def test_a_run_of_autosaves_is_one_revision_and_a_save_after_it_is_no_conflict(
    client, writer, issue_in
):
    issue = issue_in(DRAFT)
    client.force_login(writer)
    data = change_form_data(client, issue)
    kept_before = len(revisions(issue))
    for n in range(1, 4):
        data["headline"] = f"Draft {n}"
        version = autosave(client, issue, data).json()["version"]
        data["loaded_version"] = version

    data["headline"] = "Saved by hand"
    response = client.post(change_url(issue), data)

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.headline == "Saved by hand"
    comments = [r.comment for r in revisions(issue)]
    assert comments[:2] == ["Changed Headline.", "Autosaved: changed Headline."]
    assert len(comments) == kept_before + 2


def test_autosave_of_a_stale_form_is_refused_and_the_text_kept_aside(
    client, editor, make_staff, issue_in
):
    issue = issue_in(DRAFT)
    client.force_login(editor)
    mine = change_form_data(client, issue, headline="Mine")
    other = Client()
    other.force_login(make_staff("editor2", "Editors"))
    other.post(change_url(issue), change_form_data(other, issue, headline="Theirs"))

    response = autosave(client, issue, mine)

    assert response.status_code == 409
    answer = response.json()
    assert answer["status"] == "conflict"
    assert (
        "Not autosaved: Your changes were not saved: editor2 saved"
        in (answer["message"])
    )
    issue.refresh_from_db()
    assert issue.headline == "Theirs"
    pending = PendingEdit.objects.get(issue=issue, user=editor)
    assert ["headline", ["Mine"]] in pending.data


def test_a_public_issue_is_never_autosaved_over_its_edits_are_kept_aside(
    client, editor, issue_in
):
    issue = issue_in(PUBLISHED)
    client.force_login(editor)
    data = change_form_data(client, issue, headline="Half-typed headline")

    answer = autosave(client, issue, data).json()

    assert answer["status"] == "kept"
    assert "readers see them only once you press Save" in answer["message"]
    issue.refresh_from_db()
    assert issue.headline == "Before"
    assert (
        "Half-typed headline"
        not in client.get(issue.get_absolute_url()).content.decode()
    )
    assert PendingEdit.objects.get(issue=issue, user=editor).loaded_version == (
        issue.version
    )


def test_kept_edits_are_offered_back_then_shown_in_the_form_without_being_saved(
    client, editor, issue_in
):
    issue = issue_in(PUBLISHED)
    story = issue.stories.get()
    client.force_login(editor)
    data = change_form_data(client, issue, headline="Kept headline")
    data[next(k for k, v in data.items() if v == story.body)] = "<p>Kept body.</p>"
    autosave(client, issue, data)
    pending = PendingEdit.objects.get()

    page = client.get(change_url(issue)).content.decode()
    assert "Autosave kept edits of yours from" in page
    assert "Bring them back into the form" in page
    shown = client.post(change_url(issue), {"_restore_pending": pending.pk})

    page = shown.content.decode()
    assert shown.status_code == 200
    assert "These are the edits autosave kept for you on" in page
    assert 'value="Kept headline"' in page
    assert "Kept body." in page
    issue.refresh_from_db()
    story.refresh_from_db()
    assert (issue.headline, story.body) == ("Before", "<p>Story text.</p>")

    resubmitted = {
        key: shown.context["adminform"].form[key].value()
        for key in ("headline", "loaded_version")
    }
    assert client.post(change_url(issue), {**data, **resubmitted}).status_code == 302
    issue.refresh_from_db()
    assert issue.headline == "Kept headline"
    assert not PendingEdit.objects.exists()


def test_kept_edits_can_be_discarded(client, editor, issue_in):
    issue = issue_in(PUBLISHED)
    client.force_login(editor)
    autosave(client, issue, change_form_data(client, issue, headline="Not wanted"))

    response = client.post(
        reverse("admin:issues_issue_discard_pending", args=[issue.pk]), follow=True
    )

    assert "Your kept edits were discarded." in response.content.decode()
    assert not PendingEdit.objects.exists()
    assert "Bring them back" not in client.get(change_url(issue)).content.decode()


def test_nobody_brings_back_someone_else_s_kept_edits(
    client, editor, make_staff, issue_in
):
    issue = issue_in(PUBLISHED)
    client.force_login(editor)
    autosave(client, issue, change_form_data(client, issue, headline="Editor's own"))
    pending = PendingEdit.objects.get()
    other = Client()
    other.force_login(make_staff("editor2", "Editors"))

    response = other.post(
        change_url(issue), {"_restore_pending": pending.pk}, follow=True
    )

    page = response.content.decode()
    assert "Those kept edits are gone." in page
    assert "Editor&#x27;s own" not in page and "Editor's own" not in page
    assert "Bring them back" not in page


def test_autosave_with_nothing_changed_writes_nothing(client, writer, issue_in):
    issue = issue_in(DRAFT)
    client.force_login(writer)
    data = change_form_data(client, issue)
    kept = len(revisions(issue))

    answer = autosave(client, issue, data).json()

    assert answer["status"] == "unchanged"
    issue.refresh_from_db()
    assert issue.version == 1
    assert len(revisions(issue)) == kept


def test_a_new_story_is_kept_aside_until_a_real_save(client, writer, issue_in):
    issue = issue_in(DRAFT)
    client.force_login(writer)
    data = change_form_data(client, issue, headline="With a new story")
    data.update(
        {
            "stories-TOTAL_FORMS": "2",
            "stories-1-headline": "A second story",
            "stories-1-slug": "a-second-story",
            "stories-1-body": "<p>New.</p>",
            "stories-1-position": "9",
        }
    )

    answer = autosave(client, issue, data).json()

    assert answer["status"] == "kept"
    assert (
        "new or removed stories and reads are saved when you press Save"
        in (answer["message"])
    )
    issue.refresh_from_db()
    assert issue.headline == "Before"
    assert Story.objects.filter(issue=issue).count() == 1
    assert PendingEdit.objects.filter(issue=issue, user=writer).exists()


def test_a_form_with_errors_is_kept_aside_not_saved(client, writer, issue_in):
    issue = issue_in(DRAFT)
    client.force_login(writer)

    answer = autosave(
        client, issue, change_form_data(client, issue, headline="")
    ).json()

    assert answer["status"] == "kept"
    assert "some fields need fixing" in answer["message"]
    issue.refresh_from_db()
    assert issue.headline == "Before"


def test_a_form_shown_again_after_a_refusal_is_only_ever_kept_aside(
    client, writer, issue_in
):
    """Its version has moved on, so a save of it would replace the other one:
    only the person's own Save may do that."""
    issue = issue_in(DRAFT)
    client.force_login(writer)
    data = change_form_data(client, issue, headline="Typed", autosave_mode="keep")

    answer = autosave(client, issue, data).json()

    assert answer["status"] == "kept"
    issue.refresh_from_db()
    assert issue.headline == "Before"


def test_the_refused_page_tells_its_script_to_keep_edits_aside(
    client, writer, make_staff, issue_in
):
    issue = issue_in(DRAFT)
    client.force_login(writer)
    data = change_form_data(client, issue, headline="Mine")
    other = Client()
    other.force_login(make_staff("editor2", "Editors"))
    other.post(change_url(issue), change_form_data(other, issue, headline="Theirs"))

    page = client.post(change_url(issue), data).content.decode()

    assert 'data-autosave-mode="keep"' in page
    assert 'data-unsaved="1"' in page


def test_autosave_never_makes_a_workflow_move(client, editor, issue_in):
    issue = issue_in(IN_REVIEW)
    client.force_login(editor)
    data = change_form_data(client, issue, headline="Typed", transition="publish")

    answer = autosave(client, issue, data).json()

    assert answer["status"] == "saved"
    issue.refresh_from_db()
    assert (issue.headline, issue.status) == ("Typed", IN_REVIEW)
    assert not issue.events.exists()


def test_a_writer_s_autosave_of_an_issue_in_review_is_refused(client, writer, issue_in):
    issue = issue_in(DRAFT)
    client.force_login(writer)
    data = change_form_data(client, issue, headline="Typed")
    Issue.objects.filter(pk=issue.pk).update(status=IN_REVIEW)

    response = autosave(client, issue, data)

    assert response.status_code == 403
    assert "only an editor can change it" in response.json()["message"]
    issue.refresh_from_db()
    assert issue.headline == "Before"


def test_autosave_needs_a_login_and_a_post(client, writer, issue_in):
    issue = issue_in(DRAFT)

    assert client.post(autosave_url(issue), {}).status_code == 302
    client.force_login(writer)
    assert client.get(autosave_url(issue)).status_code == 405


def test_the_change_page_loads_the_editing_script_from_a_static_file(
    client, writer, issue_in
):
    issue = issue_in(DRAFT)
    client.force_login(writer)

    page = client.get(change_url(issue)).content.decode()

    assert 'src="/static/issues/admin/editing.js"' in page
    assert f'data-autosave-url="{autosave_url(issue)}"' in page
    assert 'data-autosave-mode="save"' in page


def test_edits_kept_aside_leave_the_cached_public_pages_as_they_are(
    client, editor, issue_in
):
    issue = issue_in(PUBLISHED)
    reader = Client()
    for path in ("/", issue.get_absolute_url()):
        cached_get(reader, path)
    client.force_login(editor)

    for headline in ("Half", "Half-typed"):
        data = change_form_data(client, issue, headline=headline)
        assert autosave(client, issue, data).json()["status"] == "kept"

    for path in ("/", issue.get_absolute_url()):
        response = reader.get(path)
        assert response.headers.get(CACHED) == "hit", path
        assert "Half-typed" not in response.content.decode()
