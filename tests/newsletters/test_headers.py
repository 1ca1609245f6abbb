"""Nothing an editor or a reader types can add a header to a newsletter message."""

import io

from django.core.management import call_command


def test_a_headline_or_series_name_with_line_breaks_stays_in_its_header(
    make_issue, make_series, make_subscriber, smtp_server
):
    series = make_series(name='Weekly"\r\nBcc: all@example.org', slug="weekly")
    issue = make_issue(
        series=series,
        headline="Big news\r\nBcc: everyone@example.org\r\nX-Injected: yes",
    )
    make_subscriber("reader@example.org", series=series)

    call_command("send_edition", issue.slug, stdout=io.StringIO())

    (message,) = smtp_server.messages
    assert smtp_server.envelopes[0][1] == ["reader@example.org"]
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert message["Subject"] == ("Big news Bcc: everyone@example.org X-Injected: yes")
    assert "\n" not in message["List-Id"] and '"Weekly Bcc' in message["List-Id"]


def test_a_confirmation_request_goes_to_the_one_address_typed(
    client, make_issue, series, smtp_server
):
    make_issue(series=series)

    client.post("/newsletter/", {"email": "reader@example.org"})
    client.post(
        "/newsletter/", {"email": "other@example.org\r\nBcc: victim@example.org"}
    )

    assert smtp_server.envelopes == [("newsroom@localhost", ["reader@example.org"])]


def test_a_series_name_with_line_breaks_stays_in_the_confirmation_subject(
    client, make_issue, make_series, smtp_server
):
    series = make_series(name="Weekly\r\nBcc: all@example.org", slug="weekly")
    make_issue(series=series)

    response = client.post("/newsletter/", {"email": "reader@example.org"})

    assert response.status_code == 302
    (message,) = smtp_server.messages
    assert (
        message["Subject"] == "Confirm your subscription to Weekly Bcc: all@example.org"
    )
    assert message["Bcc"] is None
