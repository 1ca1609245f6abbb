"""Who may do what in the admin, tried over HTTP: anonymous, writer, editor × every action.

Each action is attempted for real; an action refused must leave the issue
exactly as it was.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from issues.models import Issue, Series
from tests.issues.admin_forms import change_form_data, change_url

DRAFT = Issue.Status.DRAFT
IN_REVIEW = Issue.Status.IN_REVIEW
PUBLISHED = Issue.Status.PUBLISHED
UNPUBLISHED = Issue.Status.UNPUBLISHED

LOGIN, DENIED, ALLOWED = "login", 403, "allowed"
REFUSED = "refused"  # shown again with the reason and the user's text, not saved
ROLES = ["anonymous", "writer", "editor"]


def matrix(rows):
    """One case per role from rows of (…arguments, anonymous, writer, editor)."""
    return [
        pytest.param(
            *row[:-3], role, outcome, id=f"{'-'.join(map(str, row[:-3]))}-{role}"
        )
        for row in rows
        for role, outcome in zip(ROLES, row[-3:], strict=True)
    ]


@pytest.fixture
def issue_in(make_issue, make_story, make_read):
    def make(status):
        published_at = timezone.now() - timedelta(hours=1)
        issue = make_issue(
            status=status,
            published_at=published_at if status == PUBLISHED else None,
            headline="Before",
        )
        make_story(issue=issue)
        make_read(issue=issue)
        return issue

    return make


@pytest.fixture
def as_role(client, writer, editor):
    def login(role):
        if role != "anonymous":
            client.force_login({"writer": writer, "editor": editor}[role])
        return client

    return login


@pytest.fixture
def editor_client(db, django_user_model):
    """Someone else who loads forms, so each role posts what a browser would."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("loader", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    loader = Client()
    loader.force_login(user)
    return loader


def assert_outcome(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif expected == DENIED:
        assert response.status_code == 403
    elif expected == REFUSED:
        assert response.status_code == 200
        assert "Nothing was saved: this issue is now" in response.content.decode()
    else:
        assert response.status_code in (200, 302), response.status_code


def transition_url(issue, action):
    return reverse("admin:issues_issue_transition", args=[issue.pk, action])


TRANSITIONS = [
    # action, from, to, anonymous, writer, editor
    ("submit", DRAFT, IN_REVIEW, LOGIN, ALLOWED, ALLOWED),
    ("publish", IN_REVIEW, PUBLISHED, LOGIN, DENIED, ALLOWED),
    ("schedule", IN_REVIEW, PUBLISHED, LOGIN, DENIED, ALLOWED),
    ("unpublish", PUBLISHED, UNPUBLISHED, LOGIN, DENIED, ALLOWED),
    ("return_to_draft", IN_REVIEW, DRAFT, LOGIN, ALLOWED, ALLOWED),
    ("return_to_draft", UNPUBLISHED, DRAFT, LOGIN, ALLOWED, ALLOWED),
]


@pytest.mark.parametrize("action, source, target, role, expected", matrix(TRANSITIONS))
def test_transitions_over_http(
    as_role, issue_in, action, source, target, role, expected
):
    issue = issue_in(source)
    client = as_role(role)
    data = {}
    if action == "schedule":
        data["publish_at"] = (timezone.now() + timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"
        )

    response = client.post(transition_url(issue, action), data)

    assert_outcome(response, expected)
    issue.refresh_from_db()
    if expected == ALLOWED:
        assert issue.status == target
        assert issue.events.get().user.username == f"{role}1"
    else:
        assert issue.status == source
        assert not issue.events.exists()


EDITS = [
    # state, anonymous, writer, editor
    (DRAFT, LOGIN, ALLOWED, ALLOWED),
    (IN_REVIEW, LOGIN, REFUSED, ALLOWED),
    (PUBLISHED, LOGIN, REFUSED, ALLOWED),
    (UNPUBLISHED, LOGIN, REFUSED, ALLOWED),
]


@pytest.mark.parametrize("state, role, expected", matrix(EDITS))
def test_editing_an_issue_over_http(
    as_role, issue_in, editor_client, state, role, expected
):
    """Writers edit drafts only; editors edit an issue in any state.

    A writer's refused edit is shown again with the reason, so what they
    typed is not lost; nothing of it is saved.
    """
    issue = issue_in(state)
    data = change_form_data(editor_client, issue, headline="After")
    client = as_role(role)

    response = client.post(change_url(issue), data)

    assert_outcome(response, expected)
    issue.refresh_from_db()
    expected_headline = "After" if expected == ALLOWED else "Before"
    assert issue.headline == expected_headline
    assert issue.status == state


def test_a_writer_sees_a_published_issue_read_only_without_buttons(
    client, writer, issue_in
):
    issue = issue_in(PUBLISHED)
    client.force_login(writer)

    response = client.get(change_url(issue))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="headline"' not in page
    assert "only an editor can change it" in page
    for label in ("Unpublish", "Publish now", "Schedule", "Submit for review"):
        assert f">{label}</button>" not in page


def test_a_writer_cannot_publish_by_posting_status_in_the_form(
    client, writer, issue_in, editor_client
):
    issue = issue_in(DRAFT)
    data = change_form_data(editor_client, issue)
    data.update(status=PUBLISHED, published_at_0="2020-01-01", published_at_1="10:00")
    client.force_login(writer)

    assert client.post(change_url(issue), data).status_code == 302

    issue.refresh_from_db()
    assert issue.status == DRAFT
    assert issue.published_at is None


def test_adding_an_issue_ignores_a_posted_status(client, writer, series):
    client.force_login(writer)
    data = {
        "series": series.pk,
        "number": 7,
        "headline": "Typed by a writer",
        "slug": "typed-by-a-writer",
        "status": PUBLISHED,
        "published_at_0": "2020-01-01",
        "published_at_1": "10:00",
        "stories-TOTAL_FORMS": 0,
        "stories-INITIAL_FORMS": 0,
        "reads-TOTAL_FORMS": 0,
        "reads-INITIAL_FORMS": 0,
    }

    response = client.post(reverse("admin:issues_issue_add"), data)

    assert response.status_code == 302
    issue = Issue.objects.get(slug="typed-by-a-writer")
    assert (issue.status, issue.published_at) == (DRAFT, None)
    assert (issue.created_by, issue.updated_by) == (writer, writer)


SIDE_VIEWS = [
    # view, anonymous, writer, editor (on a published issue)
    ("history", LOGIN, ALLOWED, ALLOWED),
    ("compare", LOGIN, DENIED, ALLOWED),
    ("compare_pair", LOGIN, DENIED, ALLOWED),
    ("restore", LOGIN, DENIED, ALLOWED),
]


def side_view_request(client, view, issue):
    revision = Version.objects.get_for_object(issue).first().revision
    if view == "history":
        return client.get(reverse("admin:issues_issue_history", args=[issue.pk]))
    if view == "compare_pair":
        url = reverse("admin:issues_issue_compare_pair", args=[issue.pk])
        return client.get(url, {"from": revision.pk})
    name = f"admin:issues_issue_{view}"
    url = reverse(name, args=[issue.pk, revision.pk])
    return client.post(url) if view == "restore" else client.get(url)


@pytest.mark.parametrize("view, role, expected", matrix(SIDE_VIEWS))
def test_history_compare_and_restore_check_the_object_permission(
    as_role, issue_in, editor_client, view, role, expected
):
    """The history is shown to whoever may view the issue; old content only to
    whoever may edit it (a writer may not edit a published issue)."""
    issue = issue_in(PUBLISHED)
    editor_client.get(change_url(issue))
    client = as_role(role)

    response = side_view_request(client, view, issue)

    assert_outcome(response, expected)


@pytest.mark.parametrize("view", ["history", "compare", "compare_pair", "restore"])
def test_staff_without_issue_permissions_get_403_on_every_side_view(
    client, issue_in, editor_client, view
):
    issue = issue_in(DRAFT)
    editor_client.get(change_url(issue))
    client.force_login(User.objects.create_user("intern", is_staff=True))

    assert side_view_request(client, view, issue).status_code == 403


def test_staff_without_issue_permissions_cannot_move_an_issue(client, issue_in):
    issue = issue_in(DRAFT)
    client.force_login(User.objects.create_user("intern", is_staff=True))

    assert client.post(transition_url(issue, "submit")).status_code == 403
    issue.refresh_from_db()
    assert issue.status == DRAFT


@pytest.mark.parametrize(
    "role, expected", [("anonymous", LOGIN), ("writer", ALLOWED), ("editor", ALLOWED)]
)
def test_import_from_text_is_for_writers_and_editors(as_role, role, expected):
    response = as_role(role).get(reverse("admin:issues_issue_import"))

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    "role, expected", [("anonymous", LOGIN), ("writer", ALLOWED), ("editor", ALLOWED)]
)
def test_starting_the_next_issue_is_for_writers_and_editors(
    as_role, series, role, expected
):
    url = reverse("admin:issues_series_start_next", args=[series.pk])

    response = as_role(role).post(url)

    assert_outcome(response, expected)
    assert series.issues.exists() == (expected == ALLOWED)


@pytest.mark.parametrize(
    "role, expected", [("anonymous", LOGIN), ("writer", DENIED), ("editor", ALLOWED)]
)
def test_only_editors_change_a_series(as_role, series, role, expected):
    url = reverse("admin:issues_series_change", args=[series.pk])
    data = {
        "name": "Renamed",
        "slug": series.slug,
        "cadence": series.cadence,
        "donate_label": "Donate",
    }

    response = as_role(role).post(url, data)

    assert_outcome(response, expected)
    assert Series.objects.get(pk=series.pk).name == (
        "Renamed" if expected == ALLOWED else series.name
    )


def test_the_demo_roles_hold_the_publish_permission_as_the_contract_says(
    writer, editor
):
    assert not writer.has_perm("issues.publish_issue")
    assert editor.has_perm("issues.publish_issue")
