"""The editors' side: lists with counts, CSV out and in, and "Send by email"."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from newsroom.newsletters.models import Edition, Subscriber

SUBSCRIBERS = "/admin/newsletters/subscriber/"


def send_page(issue):
    return f"/admin/newsletters/edition/send/{issue.pk}/"


@pytest.fixture
def public_issue(make_issue, series):
    return make_issue(series=series, headline="The public issue", slug="public-issue")


def test_editors_see_send_by_email_on_the_issue_page_and_writers_do_not(
    client, editor, writer, public_issue
):
    change = f"/admin/issues/issue/{public_issue.pk}/change/"
    client.force_login(editor)
    assert f'href="{send_page(public_issue)}"' in client.get(change).text

    client.force_login(writer)
    response = client.get(change)
    assert response.status_code == 200
    assert "Send by email" not in response.text
    assert client.get(send_page(public_issue)).status_code == 403
    assert (
        client.post(
            send_page(public_issue), {"action": "send", "confirm": "on"}
        ).status_code
        == 403
    )
    assert not Edition.objects.exists()


def test_the_send_page_counts_who_would_receive_it(
    client, editor, public_issue, make_subscriber
):
    make_subscriber("a@example.org")
    make_subscriber("b@example.org")
    make_subscriber("c@example.org", state=Subscriber.State.PENDING)
    make_subscriber("d@example.org", state=Subscriber.State.BOUNCED)
    client.force_login(editor)

    response = client.get(send_page(public_issue))

    assert response.status_code == 200
    assert "<strong>2</strong> confirmed addresses" in response.text


def test_a_test_send_from_the_admin_reaches_one_address(
    client, editor, public_issue, make_subscriber, smtp_server
):
    make_subscriber("reader@example.org")
    client.force_login(editor)

    response = client.post(
        send_page(public_issue),
        {"action": "test", "test_to": "editor@example.org"},
        follow=True,
    )

    assert "A test was sent to editor@example.org." in response.text
    assert [m["To"] for m in smtp_server.messages] == ["editor@example.org"]
    assert not Edition.objects.exists()

    bad = client.post(
        send_page(public_issue),
        {"action": "test", "test_to": "x@example.org\r\nBcc: all@example.org"},
    )
    assert "line breaks" in bad.text
    assert len(smtp_server.messages) == 1


def test_sending_asks_for_confirmation_then_queues_for_send_due_editions(
    client, editor, public_issue, make_subscriber, smtp_server
):
    make_subscriber("reader@example.org")
    client.force_login(editor)

    unconfirmed = client.post(send_page(public_issue), {"action": "send"})
    assert "Tick the box to confirm the send." in unconfirmed.text
    assert not Edition.objects.exists()

    response = client.post(
        send_page(public_issue), {"action": "send", "confirm": "on"}, follow=True
    )
    assert "Queued" in response.text
    edition = Edition.objects.get()
    assert edition.send_when_public and edition.requested_by == editor
    assert smtp_server.messages == []

    call_command("send_due_editions", stdout=io.StringIO())

    assert [m["To"] for m in smtp_server.messages] == ["reader@example.org"]
    page = client.get(send_page(public_issue)).text
    assert "<td>0</td><td>1</td><td>0</td><td>0</td>" in page


def test_only_a_public_issue_can_be_sent_from_the_admin(
    client, editor, make_issue, series, make_subscriber
):
    make_subscriber("reader@example.org")
    draft = make_issue(series=series, status="draft", published_at=None)
    client.force_login(editor)

    page = client.get(send_page(draft))
    assert "Only a public issue can be sent" in page.text
    assert 'value="send"' not in page.text and 'value="test"' not in page.text

    client.post(send_page(draft), {"action": "send", "confirm": "on"})
    assert not Edition.objects.exists()


def test_a_scheduled_issue_is_emailed_when_it_goes_public(
    client, editor, make_issue, series, make_subscriber, smtp_server
):
    make_subscriber("reader@example.org")
    scheduled = make_issue(
        series=series, published_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(editor)

    page = client.get(send_page(scheduled)).text
    assert "Email it when it goes public" in page
    client.post(send_page(scheduled), {"action": "send", "confirm": "on"})
    assert Edition.objects.get().send_when_public

    call_command("send_due_editions", stdout=io.StringIO())
    assert smtp_server.messages == []

    scheduled.published_at = timezone.now() - timedelta(seconds=1)
    scheduled.save()
    call_command("send_due_editions", stdout=io.StringIO())
    call_command("send_due_editions", stdout=io.StringIO())

    assert [m["To"] for m in smtp_server.messages] == ["reader@example.org"]


def test_an_editor_can_call_off_the_email_before_it_starts(
    client, editor, make_issue, series, make_subscriber, smtp_server
):
    make_subscriber("reader@example.org")
    scheduled = make_issue(
        series=series, published_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(editor)
    client.post(send_page(scheduled), {"action": "send", "confirm": "on"})

    client.post(send_page(scheduled), {"action": "cancel"})
    scheduled.published_at = timezone.now() - timedelta(seconds=1)
    scheduled.save()
    call_command("send_due_editions", stdout=io.StringIO())

    assert smtp_server.messages == []


def test_the_editions_list_shows_waiting_sent_and_failed(
    client, editor, public_issue, make_subscriber, smtp_server
):
    make_subscriber("ok@example.org")
    make_subscriber("gone@example.org")
    make_subscriber("busy@example.org")
    smtp_server.refuse = {
        "gone@example.org": "550 No such user",
        "busy@example.org": "452 Mailbox full for now",
    }
    call_command("send_edition", public_issue.slug, stdout=io.StringIO())
    client.force_login(editor)

    page = client.get("/admin/newsletters/edition/").text

    for column, figure in [("waiting", 1), ("sent", 1), ("failed", 1)]:
        assert f'<td class="field-{column}">{figure}</td>' in page


def test_the_subscriber_list_counts_per_series_and_state_and_filters(
    client, editor, writer, public_issue, make_subscriber, make_series
):
    other = make_series(name="Economy Weekly", slug="economy")
    make_subscriber("a@example.org")
    make_subscriber("b@example.org")
    make_subscriber("c@example.org", state=Subscriber.State.UNSUBSCRIBED)
    make_subscriber("d@example.org", series=other, state=Subscriber.State.BOUNCED)
    client.force_login(editor)

    page = client.get(SUBSCRIBERS).text

    assert (
        '<th scope="row">Now What Venezuela</th><td>0</td><td>2</td><td>1</td><td>0</td><td>0</td>'
        in page
    )
    assert (
        '<th scope="row">Economy Weekly</th><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td>'
        in page
    )
    filtered = client.get(SUBSCRIBERS, {"state__exact": "active"}).text
    assert "a@example.org" in filtered and "c@example.org" not in filtered
    assert f"series__id__exact={other.pk}" in page

    client.force_login(writer)
    assert client.get(SUBSCRIBERS).status_code == 403


def export(client, **params):
    response = client.get(SUBSCRIBERS + "export/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_export_is_formula_safe(client, editor, public_issue, make_subscriber):
    make_subscriber("=HYPERLINK(1)@example.org", source="/issues/public-issue/")
    make_subscriber("+1@example.org")
    make_subscriber("-x@example.org")
    make_subscriber("home@example.org", source="@home")
    client.force_login(editor)

    rows = export(client)

    assert rows[0][:3] == ["email", "series", "state"]
    emails = {row[0] for row in rows[1:]}
    assert emails == {
        "'=HYPERLINK(1)@example.org",
        "'+1@example.org",
        "'-x@example.org",
        "home@example.org",
    }
    assert "'@home" in [row[8] for row in rows[1:]]


def test_the_csv_export_follows_the_list_s_filters(
    client, editor, public_issue, make_subscriber
):
    make_subscriber("a@example.org")
    make_subscriber("c@example.org", state=Subscriber.State.UNSUBSCRIBED)
    client.force_login(editor)

    rows = export(client, state__exact="unsubscribed")

    assert [row[0] for row in rows[1:]] == ["c@example.org"]


def upload(client, series, text, consented=False):
    data = {
        "series": series.pk,
        "file": SimpleUploadedFile("list.csv", text.encode(), "text/csv"),
    }
    if consented:
        data["consented"] = "on"
    return client.post(SUBSCRIBERS + "import/", data, follow=True)


def test_an_import_is_idempotent_by_address_ignoring_case(
    client, editor, public_issue, series, make_subscriber, smtp_server
):
    make_subscriber("Gone@Example.org", state=Subscriber.State.UNSUBSCRIBED)
    client.force_login(editor)
    text = "email,name\nnew@example.org,New\ngone@example.org,Gone\nNEW@example.org,Again\n"

    first = upload(client, series, text, consented=True)
    second = upload(
        client, series, text.upper().replace("EMAIL,NAME", "email,name"), consented=True
    )

    assert "1 address added to Now What Venezuela; 1 already on the list" in first.text
    assert "0 addresses added" in second.text
    rows = {row.email.lower(): row for row in Subscriber.objects.all()}
    assert set(rows) == {"new@example.org", "gone@example.org"}
    assert rows["gone@example.org"].state == Subscriber.State.UNSUBSCRIBED
    new = rows["new@example.org"]
    assert (new.state, new.consent_by_import, new.source) == ("active", True, "import")
    assert smtp_server.messages == []


def test_an_import_without_consent_asks_each_new_address_to_confirm(
    client, editor, public_issue, series, smtp_server
):
    client.force_login(editor)

    response = upload(client, series, "a@example.org\nb@example.org\n")

    assert "2 confirmation requests sent" in response.text
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "a@example.org",
        "b@example.org",
    ]
    assert set(Subscriber.objects.values_list("state", "consent_by_import")) == {
        ("pending", False)
    }
    assert not Subscriber.objects.receiving().exists()


def test_an_import_with_a_bad_line_imports_nothing_and_names_the_line(
    client, editor, public_issue, series
):
    client.force_login(editor)

    response = upload(
        client, series, "email\nok@example.org\nnot an address\n", consented=True
    )

    assert "Nothing was imported" in response.text
    assert "line 3" in response.text
    assert not Subscriber.objects.exists()


def test_writers_cannot_import_or_export(client, writer, public_issue, series):
    client.force_login(writer)
    assert client.get(SUBSCRIBERS + "export/").status_code == 403
    assert upload(client, series, "a@example.org\n").status_code == 403
    assert not Subscriber.objects.exists()
