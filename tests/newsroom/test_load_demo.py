"""`manage.py load_demo`: the seed reports, their sources and the demo accounts."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from taggit.models import TaggedItem

from issues.models import Issue, Series
from stories.models import RecommendedRead, Source, Story


def load_demo(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Series, Issue, Story, RecommendedRead, Source, User, TaggedItem)
    }


def test_load_demo_publishes_the_seed_report_on_the_home_page(db, debug, client):
    load_demo()

    issue = Issue.objects.get()
    assert issue.is_public
    html = client.get("/").content.decode()
    assert "The Carter Center Says Goodbye with a Damning Verdict" in html


def test_the_demo_issues_history_records_its_publication_once(db, debug):
    load_demo()
    load_demo()

    event = Issue.objects.get().events.get()
    assert (event.action, event.from_status, event.to_status, event.user) == (
        "publish",
        Issue.Status.DRAFT,
        Issue.Status.PUBLISHED,
        None,
    )
    assert event.published_at == Issue.objects.get().published_at


def test_recommended_reads_link_out_to_the_outlets_homepages(db, debug, client):
    load_demo()

    html = client.get(Issue.objects.get().get_absolute_url()).content.decode()
    for homepage in (
        "https://talcualdigital.com/",
        "https://efectococuyo.com/",
        "https://cronica.uno/",
        "https://www.elnacional.com/",
    ):
        assert f'href="{homepage}"' in html


def test_seed_sources_are_described_once_each(db, debug):
    load_demo()

    carter = Source.objects.get(name="Carter Center")
    assert carter.homepage_url == "https://www.cartercenter.org/"
    assert carter.kind == Source.Kind.ORGANISATION
    wayamoutheri = Source.objects.get(name__contains="Wayamoutheri")
    assert (wayamoutheri.homepage_url, wayamoutheri.kind) == ("", Source.Kind.ACCOUNT)
    assert Source.objects.count() == 9
    assert Story.objects.get(slug__startswith="key-takeaways").sources.get() == carter


def test_demo_accounts_are_staff_in_their_groups_with_the_demo_password(
    db, debug, monkeypatch
):
    monkeypatch.setenv("DEMO_PASSWORD", "s3cret-demo")

    load_demo()

    editor, writer = (
        User.objects.get(username="editor"),
        User.objects.get(username="writer"),
    )
    assert editor.is_staff and writer.is_staff
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert list(writer.groups.values_list("name", flat=True)) == ["Writers"]
    assert editor.check_password("s3cret-demo") and writer.check_password("s3cret-demo")
    assert editor.has_perm("issues.publish_issue")
    assert not writer.has_perm("issues.publish_issue")


def test_password_defaults_to_demo(db, debug, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    load_demo()

    assert User.objects.get(username="editor").check_password("demo")


def test_running_twice_changes_nothing(db, debug):
    load_demo()
    before = counts()
    issue = Issue.objects.get()
    story_pks = list(Story.objects.values_list("pk", flat=True))

    output = load_demo()

    assert counts() == before
    assert Issue.objects.get().published_at == issue.published_at
    assert list(Story.objects.values_list("pk", flat=True)) == story_pks
    assert "Kept: The Carter Center Says Goodbye" in output


def test_running_again_keeps_passwords_and_edits(db, debug, monkeypatch):
    load_demo()
    editor = User.objects.get(username="editor")
    editor.set_password("changed-by-the-editor")
    editor.save()
    Source.objects.filter(name="Runrunes").update(description="Edited in the admin.")
    monkeypatch.setenv("DEMO_PASSWORD", "another")

    load_demo()

    assert User.objects.get(username="editor").check_password("changed-by-the-editor")
    assert Source.objects.get(name="Runrunes").description == "Edited in the admin."


def test_refuses_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off.*--force"):
        load_demo()

    assert counts() == {name: 0 for name in counts()}


def test_force_runs_it_with_debug_off(db, settings):
    settings.DEBUG = False

    load_demo("--force")

    assert Issue.objects.published().count() == 1
    assert User.objects.filter(username__in=["editor", "writer"]).count() == 2


def test_demo_issue_and_stories_are_tagged_and_tag_pages_answer(db, debug, client):
    load_demo()
    issue = Issue.objects.get()
    embassy = issue.stories.get(headline__startswith="Situation reaches breaking point")

    assert "Elections" in issue.tags.names()
    assert "Vente Venezuela" in embassy.tags.names()
    response = client.get("/tags/vente-venezuela/")
    assert response.status_code == 200
    assert embassy.headline in response.content.decode()
    assert "/tags/elections/" in client.get("/sitemap.xml").content.decode()


def test_a_seed_source_already_there_in_another_case_is_kept_and_completed(
    db, debug, make_source
):
    runrunes = make_source(name="RUNRUNES", slug="runrunes-ours", homepage_url="")

    out = load_demo()

    runrunes.refresh_from_db()
    assert Source.objects.filter(name__iexact="runrunes").get() == runrunes
    assert (runrunes.name, runrunes.slug) == ("RUNRUNES", "runrunes-ours")
    assert runrunes.homepage_url == "https://runrun.es/"
    assert "Sources: 8 added." in out
    assert Source.objects.count() == 9


def test_among_series_none_using_its_hashtag_the_demo_gets_its_own(
    db, debug, make_series
):
    make_series(slug="one", hashtag="#One")
    make_series(slug="two", hashtag="#Two")

    load_demo()

    assert Issue.objects.get().series == Series.objects.get(hashtag="#NowWhatVenezuela")
    assert Series.objects.count() == 3


def test_scale_adds_synthetic_published_issues_with_their_parts(db, debug, client):
    load_demo()
    seed = Issue.objects.get()

    output = load_demo("--scale", "3")

    assert "Synthetic issues: 3 added" in output
    added = Issue.objects.exclude(pk=seed.pk)
    assert added.count() == 3
    assert Issue.objects.published().count() == 4
    assert Issue.objects.published().latest() == seed, "the seed issue stays newest"
    for issue in added:
        assert issue.stories.count() == 4
        assert issue.reads.count() == 4
        assert issue.tags.count() == 2
        assert all(story.sources.exists() for story in issue.stories.all())
        page = client.get(issue.get_absolute_url())
        assert page.status_code == 200
        assert issue.stories.first().headline in page.content.decode()
    archive = client.get("/issues/").content.decode()
    assert added.first().headline in archive


def test_scale_adds_more_issues_each_time(db, debug):
    load_demo("--scale", "2")
    load_demo("--scale", "2")

    assert Issue.objects.published().count() == 5
    assert Story.objects.filter(issue__headline__endswith=")").count() == 16


def test_a_negative_scale_is_refused(db, debug):
    with pytest.raises(CommandError, match="--scale"):
        load_demo("--scale", "-1")
