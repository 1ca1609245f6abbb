"""The editorial workflow through the admin: buttons, transitions, the checklist."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue, IssueEvent

DRAFT = Issue.Status.DRAFT
IN_REVIEW = Issue.Status.IN_REVIEW
PUBLISHED = Issue.Status.PUBLISHED
UNPUBLISHED = Issue.Status.UNPUBLISHED


@pytest.fixture
def ready_issue(make_issue, make_story, make_read):
    """A draft with everything the publish checklist asks for."""

    def make(**overrides):
        fields = {"status": DRAFT, "published_at": None}
        fields.update(overrides)
        issue = make_issue(**fields)
        make_story(issue=issue)
        make_read(issue=issue)
        return issue

    return make


def transition(client, issue, action, **data):
    url = reverse("admin:issues_issue_transition", args=[issue.pk, action])
    return client.post(url, data, follow=True)


def change_page(client, issue):
    return client.get(reverse("admin:issues_issue_change", args=[issue.pk]))


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_a_writer_submits_a_draft_for_review_and_it_is_recorded(
    client, writer, ready_issue
):
    issue = ready_issue()
    client.force_login(writer)

    response = transition(client, issue, "submit")

    issue.refresh_from_db()
    assert issue.status == IN_REVIEW
    assert f"“{issue.headline}” was submitted for review." in messages_of(response)
    event = IssueEvent.objects.get(issue=issue)
    assert (event.user, event.from_status, event.to_status) == (
        writer,
        DRAFT,
        IN_REVIEW,
    )


def test_an_editor_publishes_an_issue_in_review_now(client, editor, ready_issue):
    issue = ready_issue(status=IN_REVIEW)
    client.force_login(editor)
    before = timezone.now()

    transition(client, issue, "publish")

    issue.refresh_from_db()
    assert issue.status == PUBLISHED
    assert before <= issue.published_at <= timezone.now()
    assert issue.updated_by == editor
    assert Issue.objects.published().filter(pk=issue.pk).exists()


def test_an_editor_schedules_an_issue_and_it_waits_for_its_time(
    client, editor, ready_issue
):
    issue = ready_issue(status=IN_REVIEW)
    client.force_login(editor)
    when = timezone.now() + timedelta(days=2)

    response = transition(
        client, issue, "schedule", publish_at=when.strftime("%Y-%m-%dT%H:%M")
    )

    issue.refresh_from_db()
    assert issue.status == PUBLISHED
    assert issue.published_at == when.replace(second=0, microsecond=0)
    assert issue.state_label == "Scheduled"
    assert not Issue.objects.published().filter(pk=issue.pk).exists()
    assert any("was scheduled for" in m for m in messages_of(response))
    assert client.get("/").content.count(issue.headline.encode()) == 0


def test_scheduling_in_the_past_is_refused_with_a_message(client, editor, ready_issue):
    issue = ready_issue(status=IN_REVIEW)
    client.force_login(editor)
    past = timezone.now() - timedelta(hours=1)

    response = transition(
        client, issue, "schedule", publish_at=past.strftime("%Y-%m-%dT%H:%M")
    )

    issue.refresh_from_db()
    assert issue.status == IN_REVIEW
    assert "already passed" in " ".join(messages_of(response))


def test_scheduling_without_a_valid_time_is_refused_with_a_message(
    client, editor, ready_issue
):
    issue = ready_issue(status=IN_REVIEW)
    client.force_login(editor)

    response = transition(client, issue, "schedule", publish_at="next tuesday")

    issue.refresh_from_db()
    assert issue.status == IN_REVIEW
    assert "Give a valid date and time" in " ".join(messages_of(response))


def test_unpublishing_takes_an_issue_off_the_site_and_it_can_return_to_draft(
    client, editor, ready_issue
):
    issue = ready_issue(status=PUBLISHED, published_at=timezone.now())
    client.force_login(editor)

    transition(client, issue, "unpublish")
    issue.refresh_from_db()
    assert issue.status == UNPUBLISHED
    assert client.get(issue.get_absolute_url()).status_code == 404

    transition(client, issue, "return_to_draft")
    issue.refresh_from_db()
    assert issue.status == DRAFT
    assert list(
        IssueEvent.objects.filter(issue=issue)
        .order_by("pk")
        .values_list("from_status", "to_status")
    ) == [(PUBLISHED, UNPUBLISHED), (UNPUBLISHED, DRAFT)]


def test_a_transition_from_the_wrong_state_changes_nothing_and_says_why(
    client, editor, ready_issue
):
    issue = ready_issue(status=PUBLISHED, published_at=timezone.now())
    client.force_login(editor)

    response = transition(client, issue, "submit")

    issue.refresh_from_db()
    assert issue.status == PUBLISHED
    assert "An issue that is published cannot be submitted for review" in " ".join(
        messages_of(response)
    )
    assert not IssueEvent.objects.exists()


def test_an_unknown_action_is_refused_with_a_message(client, editor, ready_issue):
    issue = ready_issue()
    client.force_login(editor)

    response = transition(client, issue, "explode")

    assert "There is no such action." in messages_of(response)


def test_transitions_are_post_only(client, editor, ready_issue):
    issue = ready_issue(status=IN_REVIEW)
    client.force_login(editor)

    url = reverse("admin:issues_issue_transition", args=[issue.pk, "publish"])
    assert client.get(url).status_code == 405
    issue.refresh_from_db()
    assert issue.status == IN_REVIEW


@pytest.mark.parametrize(
    ("status", "writer_sees", "editor_sees"),
    [
        (
            DRAFT,
            ["Submit for review"],
            ["Submit for review", "Publish now", "Schedule"],
        ),
        (
            IN_REVIEW,
            ["Return to draft"],
            ["Publish now", "Schedule", "Return to draft"],
        ),
        (
            UNPUBLISHED,
            ["Return to draft"],
            ["Publish now", "Schedule", "Return to draft"],
        ),
    ],
)
def test_the_change_form_offers_only_the_allowed_buttons(
    client, writer, editor, ready_issue, status, writer_sees, editor_sees
):
    issue = ready_issue(status=status)
    all_labels = [
        "Submit for review",
        "Publish now",
        "Schedule",
        "Unpublish",
        "Return to draft",
    ]
    for user, expected in ((writer, writer_sees), (editor, editor_sees)):
        client.force_login(user)
        page = change_page(client, issue).content.decode()
        shown = [label for label in all_labels if f">{label}</button>" in page]
        assert shown == expected, user


def test_a_published_issue_offers_the_editor_only_unpublish(
    client, editor, ready_issue
):
    issue = ready_issue(status=PUBLISHED, published_at=timezone.now())
    client.force_login(editor)

    page = change_page(client, issue).content.decode()

    assert ">Unpublish</button>" in page
    assert ">Publish now</button>" not in page
    assert "State: Published · live since" in page


def test_a_scheduled_issue_shows_its_state_and_can_still_be_published_now(
    client, editor, ready_issue
):
    issue = ready_issue(
        status=PUBLISHED, published_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(editor)

    page = change_page(client, issue).content.decode()
    assert "State: Scheduled · goes live" in page
    assert ">Publish now</button>" in page

    transition(client, issue, "publish")
    issue.refresh_from_db()
    assert issue.published_at <= timezone.now()


# The publish checklist.


def test_publishing_an_issue_without_stories_is_blocked(client, editor, make_issue):
    issue = make_issue(status=IN_REVIEW, published_at=None)
    client.force_login(editor)

    response = transition(client, issue, "publish")

    issue.refresh_from_db()
    assert issue.status == IN_REVIEW
    assert messages_of(response) == [
        "This issue is not ready to publish:",
        "The issue has no stories.",
    ]


def test_an_empty_story_blocks_publishing_and_is_named(
    client, editor, ready_issue, make_story
):
    issue = ready_issue(status=IN_REVIEW)
    make_story(
        issue=issue, headline="Nothing here yet", body="<p></p>", position=100_000
    )
    client.force_login(editor)

    response = transition(client, issue, "publish")

    issue.refresh_from_db()
    assert issue.status == IN_REVIEW
    assert "Story 2 (“Nothing here yet”) has no text." in messages_of(response)


def test_a_lead_image_without_alt_text_blocks_scheduling(client, editor, ready_issue):
    issue = ready_issue(status=IN_REVIEW, lead_image="issues/2025/02/photo.jpg")
    client.force_login(editor)
    when = timezone.now() + timedelta(days=1)

    response = transition(
        client, issue, "schedule", publish_at=when.strftime("%Y-%m-%dT%H:%M")
    )

    issue.refresh_from_db()
    assert issue.status == IN_REVIEW
    assert "The lead image has no alt text." in messages_of(response)


def test_a_read_without_a_source_blocks_publishing(
    client, editor, ready_issue, make_read
):
    issue = ready_issue(status=IN_REVIEW)
    make_read(issue=issue, source=None, position=100_000)
    client.force_login(editor)

    response = transition(client, issue, "publish")

    assert "Recommended read 2 names no source." in messages_of(response)


def test_a_read_without_a_url_needs_its_source_to_have_a_homepage(
    client, editor, ready_issue, make_read, make_source
):
    issue = ready_issue(status=IN_REVIEW)
    make_read(issue=issue, url="", source=make_source(name="Tal Cual"), position=99_999)
    with_homepage = make_source(name="El Pitazo", homepage_url="https://elpitazo.net")
    make_read(issue=issue, url="", source=with_homepage, position=100_000)
    client.force_login(editor)

    response = transition(client, issue, "publish")

    problems = messages_of(response)
    assert (
        "Recommended read 2 (Tal Cual) has no URL, and its source has no homepage "
        "to link to." in problems
    )
    assert not any("read 3" in p for p in problems)


def test_slugs_that_differ_only_in_case_block_publishing(
    client, editor, ready_issue, make_issue
):
    make_issue(slug="Weekly-Report", headline="The other one")
    issue = ready_issue(status=IN_REVIEW, slug="weekly-report")
    client.force_login(editor)

    response = transition(client, issue, "publish")

    assert (
        "Another issue (“The other one”) already has the address “Weekly-Report”; "
        "change this issue's slug." in messages_of(response)
    )


def test_the_change_form_lists_what_blocks_publishing_before_anyone_tries(
    client, editor, make_issue
):
    issue = make_issue(status=IN_REVIEW, published_at=None)
    client.force_login(editor)

    page = change_page(client, issue).content.decode()

    assert "Before this issue can be published:" in page
    assert "The issue has no stories." in page


def test_publishing_shows_the_issue_on_a_front_page_that_was_already_cached(
    client, editor, ready_issue
):
    issue = ready_issue(status=IN_REVIEW, headline="Fresh off the press")
    assert "Fresh off the press" not in client.get("/").content.decode()
    client.force_login(editor)

    transition(client, issue, "publish")

    client.logout()
    assert "Fresh off the press" in client.get("/").content.decode()
