"""Sending an edition through a real SMTP server on loopback.

The seed report is imported and sent; the messages the server received are
read back: their headers, both parts, every sentence of the seed in each,
and the unsubscribe flow through the URL in the received header.
"""

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from issues.models import Issue
from newsroom.fundraising.models import DonateClick
from newsroom.newsletters import sending
from newsroom.newsletters.models import Delivery, Edition, Subscriber
from tests.issues.test_import_report import sentences, visible_text
from tests.seeds import SEED_REPORT

CHANNEL = "https://t.me/nowwhatvenezuela"


@pytest.fixture
def seed_issue(db):
    call_command("import_report", str(SEED_REPORT), "--publish", stdout=io.StringIO())
    issue = Issue.objects.select_related("series").get()
    issue.series.channel_url = CHANNEL
    issue.series.save()
    return issue


def send(slug, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_edition", slug, *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def parts(message):
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    return html, text


def in_order(haystack, needles):
    """The first needle not found in `haystack` after the ones before it, or None."""
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        if found < 0:
            return needle
        position = found + len(needle)
    return None


def seed_sentences():
    for sentence in sentences(SEED_REPORT.read_text(encoding="utf-8")):
        yield (
            sentence.removesuffix(":") if sentence == "Recommended reads:" else sentence
        )


def test_must_show_only_the_confirmed_address_gets_the_edition_once(
    client, seed_issue, smtp_server
):
    for email in ("confirmed@example.org", "unconfirmed@example.org"):
        client.post("/newsletter/", {"email": email})
    assert len(smtp_server.messages) == 2
    link = re.search(
        r"http://127\.0\.0\.1:8000(/newsletter/confirm/\S+/)",
        smtp_server.to("confirmed@example.org")[0].get_content(),
    ).group(1)
    client.post(link)
    smtp_server.messages.clear()

    output = send(seed_issue.slug)

    assert [m["To"] for m in smtp_server.messages] == ["confirmed@example.org"]
    assert "1 sent, 0 failed" in output
    assert send(seed_issue.slug).endswith("Nothing to send.\n")
    assert len(smtp_server.messages) == 1


def test_the_message_has_the_list_headers_and_a_message_id_of_the_site(
    seed_issue, smtp_server, make_subscriber, settings
):
    settings.SITE_URL = "https://news.example.org"
    settings.NEWSLETTER_FROM_EMAIL = "Caracas Chronicles <newsletter@news.example.org>"
    settings.NEWSLETTER_REPLY_TO = "editors@news.example.org"
    settings.NEWSLETTER_UNSUBSCRIBE_EMAIL = "unsubscribe@news.example.org"
    make_subscriber("reader@example.org")

    send(seed_issue.slug)

    (message,) = smtp_server.messages
    assert message["Subject"] == seed_issue.headline
    assert message["From"] == "Caracas Chronicles <newsletter@news.example.org>"
    assert message["Reply-To"] == "editors@news.example.org"
    assert message["Message-ID"].endswith("@news.example.org>")
    assert message["List-Id"] == (
        f'"{seed_issue.series.name}" <{seed_issue.series.slug}.news.example.org>'
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert https.startswith("https://news.example.org/newsletter/unsubscribe/")
    assert mailto.startswith("mailto:unsubscribe@news.example.org?subject=unsubscribe")
    assert smtp_server.envelopes == [
        ("newsletter@news.example.org", ["reader@example.org"])
    ]


def test_both_parts_hold_every_sentence_of_the_seed_report_in_order(
    seed_issue, smtp_server, make_subscriber
):
    make_subscriber("reader@example.org")
    send(seed_issue.slug)

    html, text = parts(smtp_server.messages[0])

    assert in_order(visible_text(html), seed_sentences()) is None
    assert in_order(" ".join(text.split()), seed_sentences()) is None


def test_both_parts_carry_the_links_written_out(
    seed_issue, smtp_server, make_subscriber
):
    read = seed_issue.reads.get(source__name="Tal Cual")
    read.url = "https://talcualdigital.com/medicos"
    read.save()
    make_subscriber("reader@example.org")
    send(seed_issue.slug)
    html, text = parts(smtp_server.messages[0])
    issue_url = f"http://127.0.0.1:8000{seed_issue.get_absolute_url()}"
    donate = f"http://127.0.0.1:8000/donate/?from={seed_issue.slug}&via=email"

    for link in [CHANNEL, issue_url, "https://talcualdigital.com/medicos", donate]:
        assert link in text, link
        assert f'href="{link.replace("&", "&amp;")}"' in html, link
    for story in seed_issue.stories.all():
        assert f"http://127.0.0.1:8000{story.get_absolute_url()}" in text
    assert "View in your browser: " + issue_url in " ".join(text.split())
    assert re.search(
        rf'<a href="{re.escape(issue_url)}"[^>]*>View in your browser</a>', html
    )


def test_the_html_part_is_600_px_inlined_with_no_script_or_tracking(
    seed_issue, smtp_server, make_subscriber
):
    make_subscriber("reader@example.org")
    send(seed_issue.slug)
    html, _ = parts(smtp_server.messages[0])

    assert 'width="600"' in html and "max-width: 600px" in html
    assert "<style" not in html
    assert 'style="' in html
    assert "<script" not in html.lower()
    assert "<img" not in html  # no lead image, and no tracking pixel
    assert seed_issue.dek in html  # the preheader


def test_a_lead_image_is_linked_absolutely_with_its_alt_text(
    seed_issue, smtp_server, make_subscriber
):
    from tests.public_site import photo

    seed_issue.lead_image.save("embassy.jpg", photo(), save=False)
    seed_issue.lead_image_alt = "The Argentine embassy in Caracas at dusk"
    seed_issue.save()
    make_subscriber("reader@example.org")
    send(seed_issue.slug)
    html, _ = parts(smtp_server.messages[0])

    (img,) = re.findall(r"<img [^>]+>", html)
    assert 'src="http://127.0.0.1:8000/media/' in img
    assert 'alt="The Argentine embassy in Caracas at dusk"' in img


def test_one_click_unsubscribe_through_the_header_url_answers_200_and_sticks(
    client, seed_issue, smtp_server, make_subscriber, make_issue
):
    make_subscriber("leaving@example.org")
    make_subscriber("staying@example.org")
    send(seed_issue.slug)
    header = smtp_server.to("leaving@example.org")[0]["List-Unsubscribe"]
    path = urlsplit(re.findall(r"<([^>]+)>", header)[0]).path

    scanned = client.get(path)
    assert scanned.status_code == 200
    assert Subscriber.objects.get(email="leaving@example.org").state == "active"

    response = client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    row = Subscriber.objects.get(email="leaving@example.org")
    assert row.state == "unsubscribed" and row.unsubscribed_at is not None

    smtp_server.messages.clear()
    next_issue = make_issue(series=seed_issue.series, slug="next-edition")
    send(next_issue.slug)
    assert [m["To"] for m in smtp_server.messages] == ["staying@example.org"]


def test_the_unsubscribe_post_needs_no_csrf_token(
    seed_issue, smtp_server, make_subscriber
):
    from django.test import Client

    make_subscriber("reader@example.org")
    send(seed_issue.slug)
    header = smtp_server.messages[0]["List-Unsubscribe"]
    path = urlsplit(re.findall(r"<([^>]+)>", header)[0]).path

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscriber.objects.get().state == "unsubscribed"


@pytest.mark.parametrize("token", ["1.1:forged", "nonsense", "1.1", "x" * 500])
def test_a_bad_unsubscribe_token_gets_a_clear_page(client, db, token):
    for method in (client.get, client.post):
        response = method(f"/newsletter/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()


def test_an_unsubscribe_token_names_one_subscriber_and_series(
    client, seed_issue, smtp_server, make_subscriber, make_series
):
    make_subscriber("reader@example.org")
    other = make_subscriber("other@example.org")
    send(seed_issue.slug)
    path = urlsplit(
        re.findall(
            r"<([^>]+)>", smtp_server.to("reader@example.org")[0]["List-Unsubscribe"]
        )[0]
    ).path
    token = path.split("/")[3]
    value, signature = token.split(":")
    forged = f"{other.pk}.{seed_issue.series_id}:{signature}"

    assert client.post(f"/newsletter/unsubscribe/{forged}/").status_code == 400
    assert Subscriber.objects.get(pk=other.pk).state == "active"


def test_the_donate_link_counts_email_clicks_apart_from_web_clicks(
    client, seed_issue, smtp_server, make_subscriber
):
    make_subscriber("reader@example.org")
    send(seed_issue.slug)
    _, text = parts(smtp_server.messages[0])
    donate = re.search(r"http://127\.0\.0\.1:8000(/donate/\?\S+)", text).group(1)
    assert parse_qs(urlsplit(donate).query) == {
        "from": [seed_issue.slug],
        "via": ["email"],
    }

    client.get(donate)
    client.get(f"/donate/?from={seed_issue.slug}", REMOTE_ADDR="10.0.0.2")

    counts = dict(DonateClick.objects.values_list("via", "count"))
    assert counts == {DonateClick.Via.EMAIL: 1, DonateClick.Via.ISSUE: 1}


def test_only_a_public_issue_can_be_sent(db, make_issue, make_subscriber):
    make_subscriber("reader@example.org")
    draft = make_issue(status="draft", published_at=None)

    with pytest.raises(CommandError, match="only a public issue can be sent"):
        send(draft.slug)
    with pytest.raises(CommandError, match="No issue has the slug"):
        send("no-such-issue")
    assert not Edition.objects.exists()


def test_dry_run_counts_and_sends_nothing(seed_issue, smtp_server, make_subscriber):
    make_subscriber("a@example.org")
    make_subscriber("b@example.org")
    make_subscriber("c@example.org", state=Subscriber.State.PENDING)

    output = send(seed_issue.slug, "--dry-run")

    assert "would go to 2 confirmed subscribers" in output
    assert smtp_server.messages == []
    assert not Delivery.objects.exists()


def test_test_to_sends_one_marked_message_and_touches_no_list(
    client, seed_issue, smtp_server, make_subscriber
):
    make_subscriber("reader@example.org")

    output = send(seed_issue.slug, "--test-to", "editor@example.org")

    assert "Sent a test" in output
    (message,) = smtp_server.messages
    assert message["To"] == "editor@example.org"
    assert message["Subject"] == f"[Test] {seed_issue.headline}"
    assert not Edition.objects.exists()
    path = urlsplit(re.findall(r"<([^>]+)>", message["List-Unsubscribe"])[0]).path
    page = client.post(path)
    assert "This link came from a test message" in page.content.decode()
    assert Subscriber.objects.get().state == "active"
    with pytest.raises(CommandError, match="line breaks"):
        send(seed_issue.slug, "--test-to", "a@example.org\r\nBcc: b@example.org")


def test_a_permanent_refusal_bounces_the_address_and_a_temporary_one_is_retried(
    seed_issue, smtp_server, make_subscriber
):
    for name in ("ok", "gone", "busy"):
        make_subscriber(f"{name}@example.org")
    smtp_server.refuse = {
        "gone@example.org": "550 5.1.1 No such user",
        "busy@example.org": "451 4.7.1 Greylisted, try again later",
    }

    output = send(seed_issue.slug)

    assert "1 sent, 1 failed, 1 deferred" in output
    assert Subscriber.objects.get(email="gone@example.org").state == "bounced"
    assert Subscriber.objects.get(email="busy@example.org").state == "active"
    edition = Edition.objects.get()
    assert edition.counts() == {"waiting": 1, "sent": 1, "failed": 1, "skipped": 0}
    assert edition.deliveries.get(
        subscriber__email="gone@example.org"
    ).error.startswith("550")
    assert edition.finished_at is None

    smtp_server.refuse = {}
    call_command("send_due_editions", stdout=io.StringIO())

    assert [m["To"] for m in smtp_server.messages] == [
        "ok@example.org",
        "busy@example.org",
    ]
    edition.refresh_from_db()
    assert edition.finished_at is not None
    assert edition.counts()["sent"] == 2


def test_a_bounced_address_gets_no_later_edition(
    seed_issue, smtp_server, make_subscriber, make_issue
):
    make_subscriber("gone@example.org")
    smtp_server.refuse = {"gone@example.org": "550 No such user"}
    send(seed_issue.slug)
    smtp_server.refuse = {}

    send(make_issue(series=seed_issue.series).slug)

    assert smtp_server.messages == []


def test_a_dropped_connection_mid_batch_resumes_without_sending_anyone_twice(
    seed_issue, smtp_server, make_subscriber, settings
):
    settings.NEWSLETTER_BATCH_SIZE = 4
    addresses = [f"reader{n}@example.org" for n in range(10)]
    for address in addresses:
        make_subscriber(address)
    smtp_server.hang_up_after = 6

    first = send(seed_issue.slug)

    assert "SMTP connection lost" in first
    assert len(smtp_server.messages) == 6
    edition = Edition.objects.get()
    assert edition.counts()["waiting"] == 4 and edition.finished_at is None

    smtp_server.hang_up_after = None
    send(seed_issue.slug)

    assert sorted(m["To"] for m in smtp_server.messages) == sorted(addresses)
    assert edition.counts() == {"waiting": 0, "sent": 10, "failed": 0, "skipped": 0}


def test_a_crash_mid_batch_resumes_where_it_stopped(
    seed_issue, smtp_server, make_subscriber, settings, monkeypatch
):
    settings.NEWSLETTER_BATCH_SIZE = 5
    addresses = [f"reader{n}@example.org" for n in range(8)]
    for address in addresses:
        make_subscriber(address)
    real = sending.EditionMessage.recipient_bytes
    calls = []

    def crash_on_the_fourth(self, email, *args):
        calls.append(email)
        if len(calls) == 4:
            raise KeyboardInterrupt("killed")
        return real(self, email, *args)

    monkeypatch.setattr(sending.EditionMessage, "recipient_bytes", crash_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        send(seed_issue.slug)
    monkeypatch.setattr(sending.EditionMessage, "recipient_bytes", real)

    assert len(smtp_server.messages) == 3
    edition = Edition.objects.get()
    assert edition.counts()["sent"] == 3 and edition.counts()["waiting"] == 5

    call_command("send_due_editions", stdout=io.StringIO())

    assert sorted(m["To"] for m in smtp_server.messages) == sorted(addresses)
    assert Delivery.objects.filter(attempts=1).count() == 8


def test_deliveries_are_written_before_the_first_message_goes_out(
    seed_issue, smtp_server, make_subscriber, monkeypatch
):
    for n in range(3):
        make_subscriber(f"reader{n}@example.org")
    seen = []
    real = sending.Outbox.deliver

    def watch(self, *args):
        seen.append(Delivery.objects.count())
        return real(self, *args)

    monkeypatch.setattr(sending.Outbox, "deliver", watch)
    send(seed_issue.slug)

    assert seen == [3, 3, 3]


def test_an_address_that_left_after_the_send_started_is_skipped(
    seed_issue, smtp_server, make_subscriber, settings, monkeypatch
):
    settings.NEWSLETTER_BATCH_SIZE = 1
    make_subscriber("first@example.org")
    leaving = make_subscriber("leaving@example.org")
    real = sending.Outbox.deliver

    def unsubscribe_during_the_first(self, *args):
        leaving.unsubscribe()
        return real(self, *args)

    monkeypatch.setattr(sending.Outbox, "deliver", unsubscribe_during_the_first)
    send(seed_issue.slug)

    assert [m["To"] for m in smtp_server.messages] == ["first@example.org"]
    assert Edition.objects.get().counts()["skipped"] == 1


def test_batches_use_one_connection_each_with_the_pause_between(
    seed_issue, smtp_server, make_subscriber, settings, monkeypatch
):
    settings.NEWSLETTER_BATCH_SIZE = 3
    settings.NEWSLETTER_BATCH_PAUSE = 2.5
    for n in range(7):
        make_subscriber(f"reader{n}@example.org")
    pauses, opened = [], []
    monkeypatch.setattr(sending.time, "sleep", pauses.append)
    real_open = sending.Outbox.__enter__

    def count_open(self):
        opened.append(1)
        return real_open(self)

    monkeypatch.setattr(sending.Outbox, "__enter__", count_open)

    output = send(seed_issue.slug)

    assert len(opened) == 3
    assert pauses == [2.5, 2.5]
    assert "batch 1: 3 handled" in output and "batch 3: 7 handled" in output


def test_the_plain_text_part_is_flowed_with_short_lines(
    seed_issue, smtp_server, make_subscriber
):
    make_subscriber("reader@example.org")
    send(seed_issue.slug)
    (message,) = smtp_server.messages
    text = message.get_body(preferencelist=("plain",))

    assert text.get_param("format") == "flowed"
    assert text["Content-Transfer-Encoding"] == "8bit"
    assert max(len(line) for line in smtp_server.raw[0].split(b"\r\n")) < 998


def test_an_address_with_an_international_domain_is_sent_too(
    seed_issue, smtp_server, make_subscriber
):
    make_subscriber("lector@españa.example")
    make_subscriber("reader@example.org")

    send(seed_issue.slug)

    assert sorted(rcpt for _, (rcpt,) in smtp_server.envelopes) == [
        "lector@xn--espaa-rta.example",
        "reader@example.org",
    ]
