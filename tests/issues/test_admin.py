"""The editors' admin as they use it: lists, filters, import, next issue, preview, login."""

import re
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from issues.forms import ImportReportForm
from issues.models import Issue, Series
from issues.reports import IMPORT_MAX_BYTES
from tests.issues.admin_forms import change_form_data, change_url
from tests.seeds import SEED_REPORT, seed_report_headed

CHANGELIST = reverse("admin:issues_issue_changelist")
IMPORT = reverse("admin:issues_issue_import")


def listed(response):
    return [issue.headline for issue in response.context["cl"].result_list]


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# The list of issues.


def test_the_list_shows_state_series_number_and_who_saved_last(
    editor_client, editor, make_issue, series
):
    make_issue(
        headline="Next week's",
        series=series,
        published_at=timezone.now() + timedelta(days=3),
    )
    issue = make_issue(headline="A draft", series=series, status=Issue.Status.DRAFT)
    editor_client.post(change_url(issue), change_form_data(editor_client, issue))

    page = editor_client.get(CHANGELIST).content.decode()

    assert '<td class="field-state">Scheduled</td>' in page
    assert '<td class="field-state">Draft</td>' in page
    assert "Now What Venezuela" in page
    assert re.search(r'<td class="field-updated">[^<]* by editor1</td>', page)


def test_the_list_says_how_many_issues_await_review_and_filters_them(
    editor_client, make_issue
):
    make_issue(headline="Waiting one", status=Issue.Status.IN_REVIEW)
    make_issue(headline="Waiting two", status=Issue.Status.IN_REVIEW)
    make_issue(headline="Already out")

    page = editor_client.get(CHANGELIST).content.decode()
    assert "2 issues await review." in page

    assert sorted(listed(editor_client.get(CHANGELIST, {"state": "review"}))) == [
        "Waiting one",
        "Waiting two",
    ]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("draft", ["Draft"]),
        ("scheduled", ["Scheduled"]),
        ("published", ["Live"]),
        ("unpublished", ["Taken down"]),
    ],
)
def test_the_state_filter_tells_scheduled_from_live(
    editor_client, make_issue, state, expected
):
    make_issue(headline="Draft", status=Issue.Status.DRAFT, published_at=None)
    make_issue(headline="Scheduled", published_at=timezone.now() + timedelta(days=1))
    make_issue(headline="Live")
    make_issue(headline="Taken down", status=Issue.Status.UNPUBLISHED)

    assert listed(editor_client.get(CHANGELIST, {"state": state})) == expected


def test_the_mine_filter_lists_what_i_started_or_saved_last(
    editor_client, editor, writer, make_issue
):
    make_issue(headline="Mine", created_by=editor)
    make_issue(headline="Edited by me", created_by=writer, updated_by=editor)
    make_issue(headline="The writer's", created_by=writer, updated_by=writer)

    assert sorted(listed(editor_client.get(CHANGELIST, {"mine": "1"}))) == [
        "Edited by me",
        "Mine",
    ]


def test_the_list_filters_by_tag_and_searches_story_headlines(
    editor_client, make_issue, make_story
):
    tagged = make_issue(headline="About elections", tags=["elections"])
    make_issue(headline="About mining")
    make_story(issue=tagged, headline="Carter Center verdict")

    tag_id = tagged.tags.get().pk
    assert listed(editor_client.get(CHANGELIST, {"tags__id__exact": tag_id})) == [
        "About elections"
    ]
    assert listed(editor_client.get(CHANGELIST, {"q": "Carter"})) == ["About elections"]


def test_sources_are_found_by_autocomplete_for_stories(editor_client, make_source):
    make_source(name="El Pitazo")
    make_source(name="Efecto Cocuyo")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "stories",
            "model_name": "story",
            "field_name": "sources",
            "term": "pita",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == ["El Pitazo"]


# The change form.


def test_the_change_form_shows_a_working_preview_link_for_a_draft(
    editor_client, client, make_issue
):
    issue = make_issue(headline="Not out yet", status=Issue.Status.DRAFT)

    response = editor_client.get(change_url(issue))

    url = response.context["preview_url"]
    assert url.startswith("http://testserver/preview/")
    assert f'value="{url}"' in response.content.decode()
    week = timezone.localtime(timezone.now() + timedelta(days=7))
    # In the newsroom's time zone, with its offset (see issues.templatetags).
    until = f"without an account, until {week.day} {week:%b %Y} "
    assert until in response.content.decode()
    assert "UTC+00:00, unless an editor revokes" in response.content.decode()
    client.logout()
    preview = client.get(url)
    assert preview.status_code == 200
    assert "Not out yet" in preview.content.decode()


def test_saving_stamps_who_saved_last(client, writer, make_issue):
    issue = make_issue(status=Issue.Status.DRAFT, headline="Before")
    client.force_login(writer)

    client.post(change_url(issue), change_form_data(client, issue, headline="After"))

    issue.refresh_from_db()
    assert (issue.headline, issue.updated_by) == ("After", writer)


def test_the_change_form_edits_each_content_field_once_and_no_workflow_field(
    editor_client, make_issue
):
    response = editor_client.get(change_url(make_issue()))
    page = response.content.decode()

    for name in [*Issue.CONTENT_FIELDS, "tags"]:
        assert page.count(f'name="{name}"') == 1, name
    for name in [*Issue.WORKFLOW_FIELDS, "preview_key", "import_key"]:
        assert f'name="{name}"' not in page, name
    assert set(response.context["adminform"].form.fields) == {
        *Issue.CONTENT_FIELDS,
        "tags",
        "loaded_version",
        # What a workflow button sends with the form: its move, checked
        # before the save, and the schedule's time.
        "transition",
        "publish_at",
    }


def test_an_edit_keeps_the_issues_workflow_fields_and_keys(client, writer, make_issue):
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    Issue.objects.filter(pk=issue.pk).update(import_key="a-report")
    client.force_login(writer)
    data = change_form_data(client, issue, headline="After")
    data.update(status="published", published_at="2020-01-01 00:00", import_key="x")

    client.post(change_url(issue), data)

    issue.refresh_from_db()
    assert issue.headline == "After"
    assert (issue.status, issue.published_at, issue.import_key) == (
        Issue.Status.DRAFT,
        None,
        "a-report",
    )


def test_the_series_form_edits_each_field_of_the_series_once(editor_client, series):
    page = editor_client.get(
        reverse("admin:issues_series_change", args=[series.pk])
    ).content.decode()

    for field in Series._meta.concrete_fields:
        if not field.primary_key:
            assert page.count(f'name="{field.name}"') == 1, field.name


# Import from text.


def test_pasting_the_seed_report_creates_a_draft_with_its_stories_and_reads(
    client, writer, series
):
    client.force_login(writer)

    response = client.post(
        IMPORT, {"series": series.pk, "text": SEED_REPORT.read_text()}, follow=True
    )

    issue = Issue.objects.get()
    assert issue.status == Issue.Status.DRAFT
    assert issue.headline == "The Carter Center Says Goodbye with a Damning Verdict"
    assert issue.stories.count() == 3
    assert issue.reads.count() == 4
    assert issue.created_by == writer
    assert response.redirect_chain[-1][0] == change_url(issue)
    assert "as a new draft" in response.content.decode()


def test_uploading_the_report_as_a_text_file_works_too(editor_client, series):
    upload = SimpleUploadedFile("report.txt", SEED_REPORT.read_bytes(), "text/plain")

    editor_client.post(IMPORT, {"series": series.pk, "upload": upload})

    assert Issue.objects.get().stories.count() == 3


def test_a_report_that_cannot_be_parsed_is_refused_naming_the_line(
    editor_client, series
):
    broken = "A headline\n\n\n" + "\n".join(SEED_REPORT.read_text().splitlines()[3:6])

    response = editor_client.post(IMPORT, {"series": series.pk, "text": broken})

    assert response.status_code == 200
    assert "The report could not be read at line" in response.content.decode()
    assert not Issue.objects.exists()


def test_an_oversized_upload_is_refused(editor_client, series):
    upload = SimpleUploadedFile("big.txt", b"x" * (IMPORT_MAX_BYTES + 1), "text/plain")

    response = editor_client.post(IMPORT, {"series": series.pk, "upload": upload})

    assert "The file is too large: a report is at most 256 kB." in (
        response.content.decode()
    )
    assert not Issue.objects.exists()


def test_a_paste_full_of_attributions_as_long_as_allowed_is_imported_in_seconds(
    editor_client, series
):
    head = seed_report_headed("Runrunes everywhere").split("Recommended reads:")[0]
    sentence = "Runrunes reported "
    room = IMPORT_MAX_BYTES - len(head.encode()) - 1
    text = head + sentence * (room // len(sentence)) + "\n"

    started = time.perf_counter()
    response = editor_client.post(
        IMPORT, {"series": series.pk, "text": text}, follow=True
    )

    assert time.perf_counter() - started < 5
    assert "Imported “Runrunes everywhere” as a new draft." in (
        response.content.decode()
    )
    story = Issue.objects.get().stories.last()
    assert "Runrunes" in story.sources.values_list("name", flat=True)


def test_a_paste_over_the_size_limit_is_refused_unread(editor_client, series):
    text = SEED_REPORT.read_text() + "Runrunes reported " * (IMPORT_MAX_BYTES // 18)

    response = editor_client.post(IMPORT, {"series": series.pk, "text": text})

    assert response.status_code == 200
    assert "The text is too long: a report is at most 256 kB." in (
        response.content.decode()
    )
    assert not Issue.objects.exists()


def test_a_binary_upload_is_refused_with_a_message(editor_client, series):
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n\x00\x01", "text/plain")

    response = editor_client.post(IMPORT, {"series": series.pk, "upload": upload})

    assert "this is not a plain-text file" in response.content.decode()


def test_an_import_with_neither_text_nor_file_asks_for_one(editor_client, series):
    response = editor_client.post(IMPORT, {"series": series.pk, "text": "  "})

    assert "Paste the report or upload a file" in response.content.decode()


def test_a_pasted_script_stays_text(editor_client, series):
    text = SEED_REPORT.read_text().replace(
        "The Carter Center Says Goodbye", "<script>alert(1)</script> Goodbye", 1
    )

    response = editor_client.post(
        IMPORT, {"series": series.pk, "text": text}, follow=True
    )

    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Goodbye" in html


def test_a_writer_cannot_overwrite_a_published_issue_by_importing_it_again(
    client, writer, editor, series
):
    client.force_login(editor)
    client.post(IMPORT, {"series": series.pk, "text": SEED_REPORT.read_text()})
    issue = Issue.objects.get()
    issue.stories.update(headline="Edited after import")
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.PUBLISHED, published_at=timezone.now()
    )
    client.force_login(writer)

    response = client.post(
        IMPORT, {"series": series.pk, "text": SEED_REPORT.read_text()}
    )

    assert "which is published: only an editor can change it." in (
        response.content.decode()
    )
    assert set(issue.stories.values_list("headline", flat=True)) == {
        "Edited after import"
    }


def test_a_publish_landing_between_checking_and_saving_a_writers_import_wins(
    client, writer, editor, series, monkeypatch
):
    client.force_login(editor)
    client.post(IMPORT, {"series": series.pk, "text": SEED_REPORT.read_text()})
    issue = Issue.objects.get()
    issue.stories.update(headline="Edited after import")
    save = ImportReportForm.save

    def publish_first(form):
        # The editor publishes after the writer's form was checked, before it saves.
        Issue.objects.filter(pk=issue.pk).update(
            status=Issue.Status.PUBLISHED, published_at=timezone.now()
        )
        return save(form)

    monkeypatch.setattr(ImportReportForm, "save", publish_first)
    client.force_login(writer)

    # The writer knowingly replaces the edit (the import asks first, see
    # test_import_preview), so what stops them is the publish.
    response = client.post(
        IMPORT,
        {"series": series.pk, "text": SEED_REPORT.read_text(), "replace_edits": "on"},
    )

    assert response.status_code == 200
    assert "which is published: only an editor can change it." in (
        response.content.decode()
    )
    assert set(issue.stories.values_list("headline", flat=True)) == {
        "Edited after import"
    }


def test_importing_a_new_report_never_updates_a_published_issue_it_did_not_make(
    editor_client, series
):
    editor_client.post(
        IMPORT, {"series": series.pk, "text": seed_report_headed("Venezuela 2025")}
    )
    published = Issue.objects.get()
    assert published.slug == "venezuela-2025"
    Issue.objects.filter(pk=published.pk).update(
        status=Issue.Status.PUBLISHED, published_at=timezone.now()
    )
    stories = list(published.stories.values_list("pk", "headline"))

    response = editor_client.post(
        IMPORT,
        {"series": series.pk, "text": seed_report_headed("Venezuela")},
        follow=True,
    )

    assert "Imported “Venezuela” as a new draft." in response.content.decode()
    new = Issue.objects.exclude(pk=published.pk).get()
    assert (new.headline, new.slug, new.status) == (
        "Venezuela",
        "venezuela",
        Issue.Status.DRAFT,
    )
    published.refresh_from_db()
    assert published.headline == "Venezuela 2025" and published.is_public
    assert list(published.stories.values_list("pk", "headline")) == stories


def test_a_writers_import_never_overwrites_a_colleagues_draft_made_by_hand(
    client, writer, make_staff, series, make_issue, make_story
):
    colleague = make_staff("writer2", "Writers")
    draft = make_issue(
        series=series,
        headline="Venezuela",
        slug="venezuela",
        dek="My own dek.",
        status=Issue.Status.DRAFT,
        published_at=None,
        created_by=colleague,
    )
    make_story(issue=draft, headline="My own story")
    client.force_login(writer)

    response = client.post(
        IMPORT,
        {"series": series.pk, "text": seed_report_headed("Venezuela")},
        follow=True,
    )

    assert "Imported “Venezuela” as a new draft." in response.content.decode()
    new = Issue.objects.exclude(pk=draft.pk).get()
    assert (new.slug, new.created_by) == ("venezuela-2", writer)
    draft.refresh_from_db()
    assert (draft.dek, draft.created_by) == ("My own dek.", colleague)
    assert list(draft.stories.values_list("headline", flat=True)) == ["My own story"]


# Start next issue.


def test_start_next_issue_makes_a_numbered_draft_with_the_series_text(
    client, writer, series, make_issue
):
    make_issue(series=series, number=41)
    client.force_login(writer)

    response = client.post(
        reverse("admin:issues_series_start_next", args=[series.pk]), follow=True
    )

    issue = Issue.objects.get(number=42)
    assert issue.status == Issue.Status.DRAFT
    assert (issue.intro, issue.channel_call, issue.appeal) == (
        series.intro,
        series.channel_call,
        series.appeal,
    )
    assert issue.created_by == writer
    assert response.redirect_chain[-1][0] == change_url(issue)
    assert "Started issue 42 of Now What Venezuela as a draft" in (
        response.content.decode()
    )


def test_the_series_page_offers_start_next_issue(editor_client, series):
    page = editor_client.get(
        reverse("admin:issues_series_change", args=[series.pk])
    ).content.decode()

    assert ">Start next issue</button>" in page


# Logging in.


@override_settings(AXES_ENABLED=True)
def test_repeated_failed_admin_logins_are_locked_out(client, editor, settings):
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "editor1", "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter the correct username and password" in (
            response.content.decode()
        )
    client.post(login, {"username": "editor1", "password": "wrong"})

    locked = client.post(login, {"username": "editor1", "password": "pw"})

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True)
def test_a_correct_login_before_the_limit_still_works(client, editor):
    login = reverse("admin:login")
    client.post(login, {"username": "editor1", "password": "wrong"})

    response = client.post(login, {"username": "editor1", "password": "pw"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_a_series_appeal_keeps_its_paragraphs_as_blank_lines(editor_client, series):
    url = reverse("admin:issues_series_change", args=[series.pk])
    data = {
        "name": series.name,
        "slug": series.slug,
        "cadence": series.cadence,
        "donate_label": "Donate",
        "appeal": "We are reader-supported.\r\n\r\nPlease give.",
    }

    assert editor_client.post(url, data).status_code == 302

    series.refresh_from_db()
    assert series.appeal == "We are reader-supported.\n\nPlease give."


def test_a_new_issue_starts_in_the_only_series_numbered_next(
    editor_client, series, make_issue
):
    make_issue(series=series, number=9)

    form = editor_client.get(reverse("admin:issues_issue_add")).context["adminform"]

    assert form.form.initial["series"] == series.pk
    assert form.form.initial["number"] == 10


def test_view_on_site_opens_the_preview_until_the_issue_is_public(
    editor_client, make_issue
):
    draft = make_issue(status=Issue.Status.DRAFT, published_at=None)
    live = make_issue()

    draft_link = editor_client.get(change_url(draft)).context["absolute_url"]
    live_link = editor_client.get(change_url(live)).context["absolute_url"]

    assert draft_link.startswith("/preview/")
    assert editor_client.get(draft_link).status_code == 200
    assert live_link == live.get_absolute_url()


def test_an_editor_importing_on_a_site_without_series_gets_the_reports_series(
    editor_client,
):
    editor_client.post(IMPORT, {"text": SEED_REPORT.read_text()})

    issue = Issue.objects.get()
    assert issue.series.hashtag == "#NowWhatVenezuela"


def test_a_writer_importing_on_a_site_without_series_is_asked_for_an_editor(
    client, writer
):
    client.force_login(writer)

    response = client.post(IMPORT, {"text": SEED_REPORT.read_text()})

    assert "There is no series yet: ask an editor to create one first." in (
        response.content.decode()
    )
    assert not Issue.objects.exists()


@pytest.mark.parametrize("asked", ["abc", "99999", "-1"])
def test_a_bad_series_in_the_add_link_is_ignored(editor_client, series, asked):
    response = editor_client.get(reverse("admin:issues_issue_add"), {"series": asked})

    page = response.content.decode()
    choices = re.search(r'<select name="series".*?</select>', page, re.S)[0]
    number = re.search(r'<input[^>]* name="number"[^>]*>', page)[0]
    assert response.status_code == 200
    assert "errorlist" not in page
    assert f'<option value="{series.pk}">{series.name}</option>' in choices
    assert "selected" not in choices
    assert "value=" not in number


@override_settings(AXES_ENABLED=True, TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_a_lockout_is_per_client_and_ignores_spoofed_addresses(
    client, editor, settings
):
    login = reverse("admin:login")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            login,
            {"username": "editor1", "password": "wrong"},
            # The attacker changes the address it claims; the proxy appends the real one.
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.66",
            **proxy,
        )
    attacker = client.post(
        login,
        {"username": "editor1", "password": "pw"},
        HTTP_X_FORWARDED_FOR="203.0.113.66",
        **proxy,
    )

    editor_elsewhere = Client().post(
        login,
        {"username": "editor1", "password": "pw"},
        HTTP_X_FORWARDED_FOR="192.0.2.10",
        **proxy,
    )

    assert attacker.status_code == 429
    assert editor_elsewhere.status_code == 302


# Big issues.


def test_an_issue_of_120_stories_and_reads_is_saved_through_the_admin(
    editor, make_issue, make_story, make_read, make_source
):
    """Past Django's 1,000 form fields, through the CSRF check a browser passes."""
    issue = make_issue(headline="A long week")
    cited = [make_source(), make_source()]
    for _ in range(60):
        make_story(issue=issue, sources=cited)
        make_read(issue=issue)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    data = change_form_data(browser, issue, headline="A very long week")
    last_read = issue.reads.order_by("position").last()
    data[next(k for k, v in data.items() if v == last_read.summary)] = "Edited last."
    data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"].value
    assert sum(len(v) if isinstance(v, list) else 1 for v in data.values()) > 1000

    response = browser.post(change_url(issue), data)

    assert response.status_code == 302
    issue.refresh_from_db()
    last_read.refresh_from_db()
    assert (issue.headline, last_read.summary) == ("A very long week", "Edited last.")
    assert (issue.stories.count(), issue.reads.count()) == (60, 60)


def test_the_public_site_keeps_django_s_limit_on_form_fields():
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["csrftoken"] = "x" * 32

    response = browser.post("/donate/", {f"field{n}": "x" for n in range(1500)})

    assert response.status_code == 400
