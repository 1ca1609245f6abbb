"""An issue page's body is rendered when an editor saves; every change shows at once."""

import pytest
from django.core.cache import cache

from issues import snapshots
from issues.models import Issue, IssueSnapshot

pytestmark = pytest.mark.django_db


def page_text(client, issue):
    cache.clear()
    response = client.get(issue.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block as a committed change: what waits for the commit runs."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_published_issue_is_rendered_at_commit(committed, make_issue, make_story):
    with committed():
        issue = make_issue()
        make_story(issue=issue, headline="Fuel queues in Maracaibo")

    assert "Fuel queues in Maracaibo" in IssueSnapshot.objects.get(issue=issue).html


def test_a_draft_is_not_rendered_until_published(committed, make_issue, make_story):
    with committed():
        draft = make_issue(status=Issue.Status.DRAFT, published_at=None)
        make_story(issue=draft)

    assert IssueSnapshot.objects.get(issue=draft).html == ""


def test_the_page_renders_an_empty_snapshot_and_keeps_it(client, make_story):
    story = make_story(headline="Fuel queues in Maracaibo")

    assert "Fuel queues in Maracaibo" in page_text(client, story.issue)
    assert "Fuel queues in Maracaibo" in story.issue.snapshot.html


@pytest.mark.parametrize(
    "change, shown, gone",
    [
        ("rename_source", "Runrun.es", ">Runrunes<"),
        ("rename_tag", "Mining arc", ">Mining<"),
        ("untag", None, ">Mining<"),
        ("cite_from_the_source_side", "Tal Cual", None),
        ("merge_sources", "Tal Cual", ">Runrunes<"),
        ("edit_read", "Hospitals without water", None),
        ("delete_story", None, "Fuel queues"),
    ],
)
def test_a_change_to_what_the_body_shows_shows_at_once(
    client,
    committed,
    make_issue,
    make_story,
    make_read,
    make_source,
    change,
    shown,
    gone,
):
    runrunes = make_source(name="Runrunes")
    tal_cual = make_source(name="Tal Cual")
    with committed():
        issue = make_issue(tags=["Mining"])
        story = make_story(issue=issue, headline="Fuel queues", sources=[runrunes])
        read = make_read(issue=issue, source=runrunes)
    before = page_text(client, issue)
    assert ">Runrunes<" in before and ">Mining<" in before

    with committed():
        if change == "rename_source":
            runrunes.name = "Runrun.es"
            runrunes.save()
        elif change == "rename_tag":
            tag = issue.tags.get()
            tag.name = "Mining arc"
            tag.save()
        elif change == "untag":
            issue.tags.clear()
        elif change == "cite_from_the_source_side":
            tal_cual.stories.add(story)
        elif change == "merge_sources":
            type(runrunes).objects.filter(pk__in=[runrunes.pk, tal_cual.pk]).merge_into(
                tal_cual
            )
        elif change == "edit_read":
            read.summary = "Hospitals without water"
            read.save()
        elif change == "delete_story":
            story.delete()

    after = page_text(client, issue)
    if shown:
        assert shown in after
    if gone:
        assert gone not in after


def test_a_rendering_of_a_state_since_replaced_is_not_stored(make_issue):
    issue = make_issue(headline="Before")
    read = Issue.objects.select_related("snapshot").get(pk=issue.pk)
    stale = snapshots.render(Issue.objects.with_contents().get(pk=issue.pk))

    issue.headline = "After"
    issue.save()  # empties the snapshot, raising its stamp

    assert not snapshots.store(issue.pk, read.snapshot.stamp, *stale)
    assert IssueSnapshot.objects.get(issue=issue).html == ""


def test_an_issue_without_a_snapshot_row_still_shows(client, make_story):
    story = make_story(headline="Fuel queues in Maracaibo")
    IssueSnapshot.objects.filter(issue=story.issue).delete()

    assert "Fuel queues in Maracaibo" in page_text(client, story.issue)
    assert "Fuel queues in Maracaibo" in page_text(client, story.issue)


def test_a_stored_body_shares_the_address_the_page_was_asked_on(client, make_story):
    story = make_story()
    page_text(client, story.issue)  # renders and stores the body

    text = page_text(client, story.issue)

    assert "snapshot-origin.invalid" not in text
    assert "http%3A%2F%2Ftestserver%2Fissues%2F" in text
    assert story.issue.snapshot.html.count("snapshot-origin.invalid") > 0


def test_bylines_contributors_and_corrections_show_at_once_in_body_and_head(
    client, committed, make_issue
):
    from stories.models import Byline, Contributor, Correction

    with committed():
        issue = make_issue()
        ana = Contributor.objects.create(name="Ana Pérez", slug="ana-perez")
        Byline.objects.create(issue=issue, contributor=ana)
    before = page_text(client, issue)
    assert before.count("Ana Pérez") >= 2  # the byline and the JSON-LD's author

    with committed():
        ana.name = "Ana María Pérez"
        ana.save()
        Correction.objects.create(
            issue=issue, text="An earlier version misdated the vote."
        )

    after = page_text(client, issue)
    assert "Ana Pérez" not in after
    assert after.count("Ana María Pérez") >= 2
    assert after.count("An earlier version misdated the vote.") >= 2  # note and JSON-LD
