"""A real SMTP server on loopback for the newsletter tests, and small builders.

`smtp_server` starts aiosmtpd's Controller on a free port and points the
mail settings at it exactly as `EMAIL_URL=smtp://127.0.0.1:<port>` would.
Its handler records every message it accepts, and can be told to refuse
some recipients (permanently or for now) or to hang up after a number of
messages.
"""

import asyncio
from email import message_from_bytes, policy
from io import StringIO

import environ
import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command

from issues.models import Issue, Series
from newsroom.newsletters.models import Subscriber
from tests.newsletters.fake_telegram import FakeTelegram
from tests.pgcluster import free_port
from tests.seeds import SEED_REPORT


class RecordingHandler:
    def __init__(self):
        self.messages = []
        self.raw = []
        self.envelopes = []
        self.refuse = {}
        self.hang_up_after = None
        self.accepted = 0
        self.delay = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hang_up_after is not None and self.accepted >= self.hang_up_after:
            return "421 Service not available, closing transmission channel"
        self.accepted += 1
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.raw.append(envelope.original_content)
        self.messages.append(
            message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server(settings):
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    email_settings = environ.Env.email_url_config(f"smtp://127.0.0.1:{port}")
    for name, value in email_settings.items():
        setattr(settings, name, value)
    settings.EMAIL_TIMEOUT = 10
    settings.NEWSLETTER_BATCH_PAUSE = 0
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def make_subscriber(db, request):
    """An address on a list: the first series', made if there is none yet."""

    def make(email, state=Subscriber.State.ACTIVE, **fields):
        if "series" not in fields:
            fields["series"] = Series.objects.order_by("pk").first() or (
                request.getfixturevalue("series")
            )
        return Subscriber.objects.create(email=email, state=state, **fields)

    return make


@pytest.fixture
def outbox():
    """Django's test outbox, for the tests that need no SMTP server."""
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def telegram(settings):
    """A fake Telegram Bot API on loopback, with the settings pointing at it."""
    fake = FakeTelegram().start()
    settings.TELEGRAM_BOT_TOKEN = fake.token
    settings.TELEGRAM_CHAT_ID = fake.chat_id
    settings.TELEGRAM_API_URL = fake.url
    settings.SITE_URL = "https://news.example.org"
    yield fake
    fake.stop()


@pytest.fixture
def seed_issue(db):
    """The seed report, imported and published."""
    call_command("import_report", str(SEED_REPORT), "--publish", stdout=StringIO())
    return Issue.objects.get()
