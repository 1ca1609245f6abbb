"""Mail that comes back: bounces, delays, complaints, unsubscribe requests.

Each test sends an edition through the loopback SMTP server, takes what
the message carried (its envelope sender, headers, Message-ID), builds the
report a mail system would send back with the email package, or fills in
a real-world-shaped sample from tests/newsletters/mail/, and hands it to
`receive_mail` on standard input, as a mail server's pipe would.
"""

import io
import os
import re
import subprocess
import sys
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from newsroom.newsletters import tokens
from newsroom.newsletters.inbound.reading import Kind, read_message
from newsroom.newsletters.models import Delivery, Subscriber

SAMPLES = Path(__file__).parent / "mail"
ROOT = Path(__file__).resolve().parents[2]
READER = "reader@example.org"


def receive(data, *args):
    out = io.StringIO()
    call_command("receive_mail", *args, stdin=io.BytesIO(data), stdout=out, stderr=out)
    return out.getvalue()


class Sent:
    """One edition sent to `READER`: what the SMTP server received."""

    def __init__(self, smtp_server, issue, subscriber):
        self.issue = issue
        self.subscriber = subscriber
        self.delivery = Delivery.objects.get(subscriber=subscriber)
        index = [to for _, (to,) in smtp_server.envelopes].index(subscriber.email)
        self.envelope_sender = smtp_server.envelopes[index][0]
        self.raw = smtp_server.raw[index]
        self.message = smtp_server.messages[index]

    def refresh(self):
        self.subscriber.refresh_from_db()
        self.delivery.refresh_from_db()
        return self

    def sample(self, name, **values):
        """A sample of tests/newsletters/mail/ filled in with this edition's values."""
        values = {
            "TOKEN": tokens.delivery_token(self.delivery.pk),
            "RECIPIENT": self.subscriber.email,
            "MESSAGE_ID": self.message["Message-ID"],
            "LIST_ID": self.message["List-Id"],
            **values,
        }
        text = (SAMPLES / name).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        return text.replace("\n", "\r\n").encode()


@pytest.fixture
def mail_settings(settings):
    settings.SITE_URL = "https://news.example.org"
    settings.NEWSLETTER_FROM_EMAIL = "Caracas Chronicles <newsletter@news.example.org>"
    settings.NEWSLETTER_UNSUBSCRIBE_EMAIL = "unsubscribe@news.example.org"
    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@news.example.org"
    return settings


@pytest.fixture
def send(smtp_server, mail_settings, make_issue, make_subscriber):
    """Send a new issue of the first series; returns the `Sent` to READER."""

    def send_one(issue=None, address=READER):
        issue = issue or make_issue()
        subscriber = Subscriber.objects.filter(
            email=address
        ).first() or make_subscriber(address, confirmed_at=timezone.now())
        call_command("send_edition", issue.slug, stdout=io.StringIO())
        return Sent(smtp_server, issue, subscriber)

    return send_one


def delivery_report(to, recipient, status, action="failed", original=None):
    """An RFC 3464 delivery status notification, as a receiving MTA writes one."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.net>"
    report["To"] = to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Auto-Submitted"] = "auto-replied"
    report.attach(MIMEText(f"Your message to {recipient} could not be delivered.\n"))
    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = "dns; mx.example.net"
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Diagnostic-Code"] = f"smtp; {status[0]}50 {status} mailbox issue"
    status_part = Message()
    status_part["Content-Type"] = "message/delivery-status"
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    if original is not None:
        report.attach(MIMEMessage(message_from_bytes(original)))
    return report.as_bytes()


def feedback_report(to, original, feedback_type="abuse", mail_from=""):
    """An RFC 5965 abuse report (ARF), as a mailbox provider's feedback loop sends."""
    report = MIMEMultipart("report", report_type="feedback-report")
    report["From"] = "feedback@fbl.example.net"
    report["To"] = to
    report["Subject"] = "Abuse report"
    report.attach(MIMEText("This is an email abuse report.\n"))
    fields = Message()
    fields["Feedback-Type"] = feedback_type
    fields["User-Agent"] = "ExampleFBL/1.0"
    fields["Version"] = "1"
    if mail_from:
        fields["Original-Mail-From"] = f"<{mail_from}>"
    part = Message()
    part["Content-Type"] = "message/feedback-report"
    part.set_payload([fields])
    report.attach(part)
    report.attach(MIMEMessage(message_from_bytes(original)))
    return report.as_bytes()


def plain_message(to, subject, sender="someone@example.net", **headers):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Please take me off this list.\n")
    return message.as_bytes()


# The envelope sender, and what a bounce to it does ---------------------------


def test_each_message_goes_out_from_a_verp_address_carrying_its_delivery(send):
    sent = send()

    local, _, domain = sent.envelope_sender.partition("@")
    assert domain == "news.example.org"
    assert local == f"bounces+{tokens.delivery_token(sent.delivery.pk)}"
    assert len(local) <= 64
    assert tokens.find_delivery_ids(sent.message["Message-ID"]) == [sent.delivery.pk]
    assert sent.message["From"] == "Caracas Chronicles <newsletter@news.example.org>"


def test_without_a_bounce_address_editions_go_out_from_the_sender_as_before(
    send, settings
):
    settings.NEWSLETTER_BOUNCE_ADDRESS = ""

    sent = send()

    assert sent.envelope_sender == "newsletter@news.example.org"


def test_must_show_a_bounce_to_the_envelope_sender_stops_every_later_edition(
    seed_issue, send, make_issue, make_subscriber, smtp_server
):
    make_subscriber("other@example.org")
    sent = send(seed_issue)
    assert sent.delivery.state == Delivery.State.SENT

    output = receive(delivery_report(sent.envelope_sender, READER, "5.1.1"))

    sent.refresh()
    assert "bounce" in output and "bounced" in output
    assert sent.subscriber.state == Subscriber.State.BOUNCED
    assert sent.subscriber.bounced_at is not None
    assert sent.delivery.state == Delivery.State.FAILED
    assert "5.1.1" in sent.delivery.error
    smtp_server.messages.clear()
    smtp_server.envelopes.clear()
    call_command("send_edition", make_issue().slug, stdout=io.StringIO())
    assert [to for _, to in smtp_server.envelopes] == [["other@example.org"]]


def test_a_bounce_that_returns_the_whole_message_is_understood(send):
    sent = send()

    receive(delivery_report(sent.envelope_sender, READER, "5.2.1", original=sent.raw))

    assert sent.refresh().subscriber.state == Subscriber.State.BOUNCED


def test_a_late_bounce_of_an_edition_sent_weeks_ago_still_counts(send):
    sent = send()
    Delivery.objects.filter(pk=sent.delivery.pk).update(
        sent_at=timezone.now() - timedelta(days=60)
    )

    receive(delivery_report(sent.envelope_sender, READER, "5.1.1"))

    sent.refresh()
    assert sent.delivery.state == Delivery.State.FAILED
    assert sent.subscriber.state == Subscriber.State.BOUNCED


def test_a_delay_changes_nothing(send):
    sent = send()

    output = receive(
        delivery_report(sent.envelope_sender, READER, "4.4.7", action="delayed")
    )

    sent.refresh()
    assert output.startswith("delay")
    assert sent.subscriber.state == Subscriber.State.ACTIVE
    assert sent.delivery.state == Delivery.State.SENT and sent.delivery.error == ""


def test_a_report_of_a_temporary_failure_given_up_changes_nothing(send):
    sent = send()

    receive(delivery_report(sent.envelope_sender, READER, "4.2.2"))

    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


def test_a_bounce_of_an_edition_sent_before_the_address_confirmed_anew_changes_nothing(
    send,
):
    sent = send()
    Subscriber.objects.filter(pk=sent.subscriber.pk).update(
        confirmed_at=timezone.now() + timedelta(minutes=5)
    )

    receive(delivery_report(sent.envelope_sender, READER, "5.1.1"))

    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


def test_receiving_the_same_bounce_twice_changes_nothing_the_second_time(send):
    sent = send()
    report = delivery_report(sent.envelope_sender, READER, "5.1.1")
    receive(report)
    bounced_at = sent.refresh().subscriber.bounced_at

    output = receive(report)

    assert "already known" in output
    assert sent.refresh().subscriber.bounced_at == bounced_at


# Bounces without VERP ----------------------------------------------------------


def test_a_bounce_to_the_plain_address_is_found_by_the_returned_message_id(
    send, settings
):
    settings.NEWSLETTER_BOUNCE_ADDRESS = ""
    sent = send()

    receive(
        delivery_report(
            "newsletter@news.example.org", READER, "5.1.1", original=sent.raw
        )
    )

    assert sent.refresh().subscriber.state == Subscriber.State.BOUNCED


def test_a_bounce_with_no_token_is_matched_by_its_final_recipient_to_a_recent_delivery(
    send,
):
    sent = send()

    output = receive(sent.sample("gmail-no-verp.eml"))

    sent.refresh()
    assert "matched by the recipient" in output
    assert sent.subscriber.state == Subscriber.State.BOUNCED
    assert sent.delivery.state == Delivery.State.FAILED


def test_a_bounce_with_no_token_matches_only_the_list_its_returned_headers_name(
    send, make_series, make_issue, make_subscriber
):
    sent = send()
    other = make_series(slug="another-list")
    elsewhere = make_subscriber(READER.upper(), series=other)
    send(make_issue(series=other), address=elsewhere.email)

    receive(sent.sample("gmail-no-verp.eml"))

    elsewhere.refresh_from_db()
    assert sent.refresh().subscriber.state == Subscriber.State.BOUNCED
    assert elsewhere.state == Subscriber.State.ACTIVE


def test_a_bounce_with_no_token_for_a_delivery_older_than_the_window_changes_nothing(
    send, settings
):
    settings.NEWSLETTER_BOUNCE_MATCH_DAYS = 14
    sent = send()
    Delivery.objects.filter(pk=sent.delivery.pk).update(
        sent_at=timezone.now() - timedelta(days=15)
    )

    output = receive(sent.sample("gmail-no-verp.eml"))

    assert "no delivery of ours" in output
    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


def test_matching_by_recipient_can_be_turned_off(send, settings):
    settings.NEWSLETTER_BOUNCE_MATCH_DAYS = 0
    sent = send()

    receive(sent.sample("gmail-no-verp.eml"))

    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


# Forged and tampered tokens --------------------------------------------------------


def tampered(token):
    number, mac = token.split("-")
    return f"{number}-{'0' if mac[0] != '0' else '1'}{mac[1:]}"


def test_a_bounce_with_a_tampered_token_changes_nothing(send):
    sent = send()
    token = tokens.delivery_token(sent.delivery.pk)

    output = receive(
        delivery_report(f"bounces+{tampered(token)}@news.example.org", READER, "5.1.1")
    )

    assert "not ours" in output
    sent.refresh()
    assert sent.subscriber.state == Subscriber.State.ACTIVE
    assert sent.delivery.state == Delivery.State.SENT


def test_a_token_naming_another_delivery_without_its_signature_changes_nothing(
    send, settings
):
    sent = send()
    settings.SECRET_KEY = "a-key-an-attacker-guessed"
    forged = tokens.delivery_token(sent.delivery.pk)
    settings.SECRET_KEY = "tests-only-not-secret"

    receive(delivery_report(f"bounces+{forged}@news.example.org", READER, "5.1.1"))

    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


def test_tokens_signed_with_a_former_secret_key_still_work(send, settings):
    sent = send()
    report = delivery_report(sent.envelope_sender, READER, "5.1.1")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-key"

    receive(report)

    assert sent.refresh().subscriber.state == Subscriber.State.BOUNCED


def test_a_token_survives_a_mail_server_that_folds_the_case_of_addresses(send):
    sent = send()

    receive(delivery_report(sent.envelope_sender.upper(), READER, "5.1.1"))

    assert sent.refresh().subscriber.state == Subscriber.State.BOUNCED


# Complaints ---------------------------------------------------------------------


def test_an_abuse_report_marks_the_address_complained(send):
    sent = send()

    output = receive(feedback_report("fbl@news.example.org", sent.raw))

    sent.refresh()
    assert "complained" in output
    assert sent.subscriber.state == Subscriber.State.COMPLAINED
    assert sent.subscriber.complained_at is not None


def test_an_abuse_report_without_the_message_id_is_found_by_original_mail_from(
    send,
):
    sent = send()
    headers_only = b"Subject: Redacted\r\nTo: redacted@example.net\r\n\r\nRemoved.\r\n"

    receive(
        feedback_report(
            "fbl@news.example.org", headers_only, mail_from=sent.envelope_sender
        )
    )

    assert sent.refresh().subscriber.state == Subscriber.State.COMPLAINED


def test_a_not_spam_report_changes_nothing(send):
    sent = send()

    output = receive(
        feedback_report("fbl@news.example.org", sent.raw, feedback_type="not-spam")
    )

    assert "ignored" in output
    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


def test_an_abuse_report_with_no_token_of_ours_changes_nothing(send):
    sent = send()
    stripped = re.sub(
        rb"(?m)^(Message-ID|List-Unsubscribe):.*(\r\n[ \t].*)*\r\n", b"", sent.raw
    )

    output = receive(feedback_report("fbl@news.example.org", stripped))

    assert "no subscriber of ours" in output
    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


# The unsubscribe mailto ---------------------------------------------------------


def mailto_of(message):
    mailto = re.search(r"<(mailto:[^>]+)>", message["List-Unsubscribe"])[1]
    parts = urlsplit(mailto)
    return parts.path, parse_qs(parts.query)["subject"][0]


def test_mail_to_the_list_unsubscribe_mailto_unsubscribes_that_subscriber(send):
    sent = send()
    address, subject = mailto_of(sent.message)
    assert address == "unsubscribe@news.example.org"

    # Whoever sends it: the From header is not what names the subscriber.
    output = receive(plain_message(address, subject, sender="anyone@example.net"))

    sent.refresh()
    assert "unsubscribed" in output
    assert sent.subscriber.state == Subscriber.State.UNSUBSCRIBED
    assert sent.subscriber.unsubscribed_at is not None


def test_a_reply_quoting_the_unsubscribe_subject_unsubscribes_too(send):
    sent = send()
    address, subject = mailto_of(sent.message)

    receive(plain_message(address, f"Re: {subject}", sender=READER))

    assert sent.refresh().subscriber.state == Subscriber.State.UNSUBSCRIBED


def test_the_unsubscribe_mailto_carries_a_signed_token_not_bare_ids(send):
    sent = send()

    _, subject = mailto_of(sent.message)

    assert subject == "unsubscribe " + tokens.unsubscribe_token(
        sent.subscriber.pk, sent.subscriber.series_id
    )


def test_an_unsubscribe_request_with_a_forged_token_changes_nothing(send):
    sent = send()
    _, subject = mailto_of(sent.message)
    reference = f"{sent.subscriber.pk}.{sent.subscriber.series_id}"

    outputs = [
        receive(plain_message("unsubscribe@news.example.org", text, sender=READER))
        for text in (
            f"unsubscribe {reference}",
            f"unsubscribe {reference}:{'A' * 43}",
            subject[:-2] + ("xx" if not subject.endswith("xx") else "yy"),
            "unsubscribe",
        )
    ]

    assert all(output.startswith("other: ignored") for output in outputs)
    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


def test_a_test_messages_mailto_unsubscribes_nobody(
    seed_issue, smtp_server, mail_settings, make_subscriber
):
    make_subscriber(READER)
    call_command(
        "send_edition", seed_issue.slug, "--test-to", "editor@example.org",
        stdout=io.StringIO(),
    )  # fmt: skip
    address, subject = mailto_of(smtp_server.messages[0])

    output = receive(plain_message(address, subject))

    assert "test message" in output
    assert Subscriber.objects.get().state == Subscriber.State.ACTIVE


# Everything else -----------------------------------------------------------------


def test_an_out_of_office_reply_to_the_envelope_sender_is_ignored(send):
    sent = send()

    output = receive(sent.sample("out-of-office.eml"))

    assert output.startswith("other: ignored, an automatic reply")
    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


def test_a_plain_reply_or_spam_is_ignored(send):
    sent = send()

    outputs = [
        receive(plain_message(sent.envelope_sender, "Great issue!", sender=READER)),
        receive(plain_message("bounces@news.example.org", "Cheap watches")),
        receive(b"\x00\xff not a message at all \r\n\r\n\xfe"),
    ]

    assert all(o.startswith("other: ignored") for o in outputs)
    assert sent.refresh().subscriber.state == Subscriber.State.ACTIVE


def test_an_empty_standard_input_is_taken_and_changes_nothing(db):
    assert receive(b"").startswith("empty")


# Real-world-shaped samples -----------------------------------------------------------


@pytest.mark.parametrize(
    "sample, kind, state",
    [
        ("postfix-user-unknown.eml", "bounce", Subscriber.State.BOUNCED),
        ("exim-delayed.eml", "delay", Subscriber.State.ACTIVE),
        ("gmail-no-verp.eml", "bounce", Subscriber.State.BOUNCED),
        ("arf-abuse.eml", "complaint", Subscriber.State.COMPLAINED),
        ("out-of-office.eml", "other", Subscriber.State.ACTIVE),
    ],
)
def test_real_world_samples(send, sample, kind, state):
    sent = send()

    output = receive(sent.sample(sample))

    assert output.startswith(kind)
    assert sent.refresh().subscriber.state == state


def test_a_samples_kind_and_tokens_are_read_without_the_database(settings):
    settings.SITE_URL = "https://news.example.org"
    token = tokens.delivery_token(41)
    values = {"TOKEN": token, "RECIPIENT": READER, "LIST_ID": "<x.news.example.org>"}
    values["MESSAGE_ID"] = f"<abc.{token}@news.example.org>"

    def read(name):
        text = (SAMPLES / name).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        return read_message(text.encode())

    bounce = read("postfix-user-unknown.eml")
    assert (bounce.kind, bounce.status, bounce.delivery_ids) == (
        Kind.BOUNCE,
        "5.1.1",
        [41],
    )
    assert read("exim-delayed.eml").kind == Kind.DELAY
    anonymous = read("gmail-no-verp.eml")
    assert anonymous.kind == Kind.BOUNCE and not anonymous.has_token
    assert [r.address for r in anonymous.recipients] == [READER]
    assert anonymous.list_ids == ["x.news.example.org"]
    assert read("arf-abuse.eml").kind == Kind.COMPLAINT
    assert read("out-of-office.eml").kind == Kind.OTHER


# Maildir ------------------------------------------------------------------------------


def maildir(tmp_path, *messages):
    root = tmp_path / "Maildir"
    for folder in ("new", "cur", "tmp"):
        (root / folder).mkdir(parents=True)
    for n, data in enumerate(messages):
        (root / "new" / f"1760433123.M{n}P1.mail").write_bytes(data)
    return root


def test_a_maildir_is_read_and_each_message_moved_to_cur_marked_seen(send, tmp_path):
    sent = send()
    address, subject = mailto_of(sent.message)
    root = maildir(
        tmp_path,
        sent.sample("exim-delayed.eml"),
        sent.sample("out-of-office.eml"),
        sent.sample("postfix-user-unknown.eml"),
    )

    output = receive(b"", "--maildir", str(root))

    assert "3 messages taken: 1 bounce, 1 delay, 1 other." in output
    assert sent.refresh().subscriber.state == Subscriber.State.BOUNCED
    assert list((root / "new").iterdir()) == []
    assert sorted(p.name for p in (root / "cur").iterdir()) == [
        f"1760433123.M{n}P1.mail:2,S" for n in range(3)
    ]
    assert "0 messages taken." in receive(b"", "--maildir", str(root))


def test_a_message_a_mail_client_moved_to_cur_unread_is_read_too(send, tmp_path):
    sent = send()
    root = maildir(tmp_path)
    (root / "cur" / "1760433123.M9P1.mail:2,F").write_bytes(
        sent.sample("arf-abuse.eml")
    )

    receive(b"", "--maildir", str(root))

    assert sent.refresh().subscriber.state == Subscriber.State.COMPLAINED
    assert [p.name for p in (root / "cur").iterdir()] == ["1760433123.M9P1.mail:2,FS"]


def test_a_folder_that_is_not_a_maildir_gets_a_clear_message(db, tmp_path):
    with pytest.raises(CommandError, match="is not a Maildir"):
        receive(b"", "--maildir", str(tmp_path))


# A database outage, as the mail server sees it ---------------------------------------


def run_manage(tmp_path, data, *args, **env):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/no-such-folder/db.sqlite3",
        **env,
    }
    environment.pop("DATABASE_REPLICA_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


def bounce_bytes():
    return delivery_report("bounces@news.example.org", READER, "5.1.1")


def test_a_database_outage_exits_75_so_the_mail_server_retries(tmp_path):
    result = run_manage(tmp_path, bounce_bytes(), "receive_mail")

    assert result.returncode == 75
    assert b"Traceback" not in result.stderr
    assert b"The database is unavailable" in result.stderr
    assert b"tried again" in result.stderr


def test_a_database_outage_leaves_the_maildir_as_it_was(tmp_path):
    root = maildir(tmp_path, bounce_bytes(), bounce_bytes())

    result = run_manage(tmp_path, b"", "receive_mail", "--maildir", str(root))

    assert result.returncode == 75
    assert b"Traceback" not in result.stderr
    assert len(list((root / "new").iterdir())) == 2


def test_a_bounce_address_with_a_name_stops_start_up_with_a_clear_message(tmp_path):
    result = run_manage(
        tmp_path,
        b"",
        "check",
        NEWSLETTER_BOUNCE_ADDRESS="Bounces <bounces@news.example.org>",
    )

    assert result.returncode != 0
    assert b"NEWSLETTER_BOUNCE_ADDRESS must be a bare address" in result.stderr


def test_unquote_keeps_the_token_of_a_percent_encoded_subject():
    token = "12.3:" + "a" * 43
    assert (
        tokens.UNSUBSCRIBE_TOKEN.search(unquote("unsubscribe%2012.3%3A" + "a" * 43))[1]
        == token
    )
