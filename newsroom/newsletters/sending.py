"""Sending an edition: its deliveries are written first, then sent in batches.

- `Edition.start()` writes one waiting delivery per confirmed address, once.
- Each batch of NEWSLETTER_BATCH_SIZE messages goes over one SMTP connection,
  with NEWSLETTER_BATCH_PAUSE seconds between batches.
- Each message is sent inside a short transaction that first claims its
  delivery: a row lock (`select_for_update(skip_locked=True)` where the
  database has it) and a compare-and-set from waiting. A second run at the
  same moment skips or fails to claim that row, so no one is sent twice; a
  run that dies mid-message rolls back, and its row is still waiting for
  the next run. The row is marked sent in the same transaction, as soon as
  the server has accepted the message.
- A permanent refusal (5xx) fails the delivery and marks the address
  bounced; a temporary one (4xx) leaves it waiting for the next run, up to
  MAX_ATTEMPTS runs. A dropped connection ends the batch; the next batch
  reconnects and goes on where it stopped.
"""

import logging
import smtplib
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from newsroom.newsletters.emails import EditionMessage
from newsroom.newsletters.models import Delivery, Subscriber

logger = logging.getLogger(__name__)

#: A delivery refused temporarily this many times is given up as failed.
MAX_ATTEMPTS = 10
#: Batches in a row that lose their connection before the run gives up.
MAX_CONNECTION_FAILURES = 3
DKIM_HEADERS = [
    b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Reply-To",
    b"List-Id", b"List-Unsubscribe", b"List-Unsubscribe-Post",
    b"MIME-Version", b"Content-Type",
]  # fmt: skip


class NotPublic(Exception):
    """Only a public issue is ever sent."""


class ConnectionLost(Exception):
    """The SMTP server cannot be reached or hung up: the rest waits."""


@dataclass
class Progress:
    """What one run did, for the command's output and the admin."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    waiting: int = 0
    total: int = 0
    batches: int = 0
    problems: list = field(default_factory=list)

    @property
    def finished(self):
        return self.waiting == 0


def dkim_signer():
    """A function adding a DKIM-Signature to message bytes, or None if not set up."""
    domain, selector = settings.DKIM_DOMAIN, settings.DKIM_SELECTOR
    key_path = settings.DKIM_PRIVATE_KEY_PATH
    if not (domain and selector and key_path):
        return None
    import dkim

    private_key = Path(key_path).read_bytes()

    def sign(message):
        signature = dkim.sign(
            message,
            selector.encode(),
            domain.encode(),
            private_key,
            include_headers=DKIM_HEADERS,
            linesep=b"\r\n",
        )
        return signature + message

    return sign


class Outbox:
    """One SMTP connection for one batch; messages go out as signed bytes.

    With a backend that is not SMTP (the console, in a local run) the message
    goes through the backend as it is, unsigned.
    """

    def __init__(self, sign=None):
        self.backend = get_connection(fail_silently=False)
        self.sign = sign

    def __enter__(self):
        try:
            self.backend.open()
        except (smtplib.SMTPException, OSError) as error:
            raise ConnectionLost(str(error)) from error
        return self

    def __exit__(self, *exc):
        try:
            self.backend.close()
        except (smtplib.SMTPException, OSError):
            pass

    def send(self, message):
        if not isinstance(self.backend, SMTPBackend):
            self.backend.send_messages([message])
            return
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(to, encoding) for to in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")
        if self.sign is not None:
            data = self.sign(data)
        if self.backend.connection is None:
            raise ConnectionLost("the connection is closed")
        self.backend.connection.sendmail(sender, recipients, data)


def refusal(error, address):
    """(code, text) of an SMTP refusal for `address`, or None if the link broke."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    else:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return code, f"{code} {text}"[:500]


class EditionSender:
    """Sends one edition's waiting deliveries; `run()` returns a `Progress`."""

    def __init__(self, edition, batch_size=None, pause=None, report=None):
        self.edition = edition
        self.batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
        self.pause = settings.NEWSLETTER_BATCH_PAUSE if pause is None else pause
        self.report = report or (lambda progress: None)
        self.progress = Progress()

    def run(self):
        issue = self.edition.issue
        if not issue.is_public:
            raise NotPublic(f"“{issue.headline}” is not public.")
        self.edition.start()
        message = EditionMessage(issue)
        sign = dkim_signer()
        waiting = Delivery.objects.filter(edition=self.edition)
        self.progress.total = waiting.count()
        after, failures = 0, 0
        while True:
            batch = list(
                waiting.filter(state=Delivery.State.WAITING, pk__gt=after)
                .order_by("pk")
                .values_list(
                    "pk", "subscriber_id", "subscriber__email", "subscriber__state"
                )[: self.batch_size]
            )
            if not batch:
                break
            if self.progress.batches:
                time.sleep(self.pause)
            self.progress.batches += 1
            try:
                after = self._send_batch(message, batch, sign)
                failures = 0
            except ConnectionLost as lost:
                after = lost.args[1] if len(lost.args) > 1 else after
                failures += 1
                self.progress.problems.append(f"SMTP connection lost: {lost.args[0]}")
                if failures >= MAX_CONNECTION_FAILURES:
                    break
            self.report(self.progress)
        self.progress.waiting = waiting.filter(state=Delivery.State.WAITING).count()
        if self.progress.finished:
            type(self.edition).objects.filter(
                pk=self.edition.pk, finished_at__isnull=True
            ).update(finished_at=timezone.now())
        return self.progress

    def _send_batch(self, message, batch, sign):
        """Send one batch; returns the last delivery handled.

        On a lost connection, raises ConnectionLost(reason, last handled pk)
        so the next batch starts with the delivery that did not go out.
        """
        last = batch[0][0] - 1
        try:
            with Outbox(sign) as outbox:
                for pk, subscriber_id, email, state in batch:
                    self._deliver(outbox, message, pk, subscriber_id, email, state)
                    last = pk
        except ConnectionLost as lost:
            raise ConnectionLost(lost.args[0], last) from lost
        return last

    def _deliver(self, outbox, message, pk, subscriber_id, email, state):
        progress = self.progress
        with transaction.atomic():
            claimed = Delivery.objects.filter(pk=pk, state=Delivery.State.WAITING)
            if db_connection.features.has_select_for_update_skip_locked:
                if not claimed.select_for_update(skip_locked=True).exists():
                    return
            if not claimed.update(attempts=F("attempts") + 1):
                return  # another run has it, or sent it already
            row = Delivery.objects.filter(pk=pk)
            if state != Subscriber.State.ACTIVE:
                row.update(state=Delivery.State.SKIPPED, error="Left the list first.")
                progress.skipped += 1
                return
            try:
                outbox.send(message.for_recipient(email, subscriber_id))
            except (smtplib.SMTPException, OSError) as error:
                answer = refusal(error, email)
                if (
                    answer is None
                    or answer[0] == 421
                    or isinstance(error, smtplib.SMTPSenderRefused)
                ):
                    # Not this recipient's fault: undo the claim and stop the batch.
                    transaction.set_rollback(True)
                    raise ConnectionLost(str(error) or type(error).__name__) from error
                self._refused(row, pk, subscriber_id, *answer)
                return
            row.update(state=Delivery.State.SENT, sent_at=timezone.now(), error="")
            progress.sent += 1

    def _refused(self, row, pk, subscriber_id, code, text):
        if 500 <= code < 600:
            row.update(state=Delivery.State.FAILED, error=text)
            subscriber = Subscriber.objects.get(pk=subscriber_id)
            subscriber.move_to(Subscriber.State.BOUNCED)
            self.progress.failed += 1
        elif Delivery.objects.get(pk=pk).attempts >= MAX_ATTEMPTS:
            row.update(state=Delivery.State.FAILED, error=text)
            self.progress.failed += 1
        else:
            row.update(error=text)
            self.progress.deferred += 1
