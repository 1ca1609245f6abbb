"""Sending an edition: its deliveries are written first, then sent in batches.

- `Edition.start()` writes one waiting delivery per confirmed address, once.
- Each batch of NEWSLETTER_BATCH_SIZE messages goes over one SMTP connection,
  with NEWSLETTER_BATCH_PAUSE seconds between batches.
- Each message is sent inside a short transaction that first claims its
  delivery: on PostgreSQL a row lock taken with FOR UPDATE SKIP LOCKED, on
  SQLite a compare-and-set from waiting that holds the write lock. A second
  run at the same moment skips or fails to claim that row, so no one is
  sent twice; a run that dies mid-message rolls back, and its row is still
  waiting for the next run. The row is marked sent in the same transaction,
  as soon as the server has accepted the message: only a crash in the
  instant between the server's acceptance and that commit could send one
  message twice.
- With NEWSLETTER_BOUNCE_ADDRESS, each message's envelope sender carries
  its delivery's signed id (VERP), so a bounce that comes back later is
  matched to it by `receive_mail` (`newsroom.newsletters.inbound`).
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

from newsroom.newsletters.emails import EditionMessage, bounce_sender
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

    def send(self, message, envelope_sender=None):
        """Send a Django EmailMessage, from `envelope_sender` if given."""
        if not isinstance(self.backend, SMTPBackend):
            self.backend.send_messages([message])
            return
        encoding = message.encoding or settings.DEFAULT_CHARSET
        self._sendmail(
            envelope_sender or sanitize_address(message.from_email, encoding),
            [sanitize_address(to, encoding) for to in message.recipients()],
            message.message().as_bytes(linesep="\r\n"),
        )

    def deliver(self, edition_message, email, subscriber_id, delivery_id=None):
        """Send one recipient an edition, from its bytes rendered once where it can."""
        sender = bounce_sender(delivery_id)
        if isinstance(self.backend, SMTPBackend):
            data = edition_message.recipient_bytes(email, subscriber_id, delivery_id)
            if data is not None:
                sender = sender or sanitize_address(
                    settings.NEWSLETTER_FROM_EMAIL, "utf-8"
                )
                self._sendmail(sender, [email], data)
                return
        message = edition_message.for_recipient(email, subscriber_id, delivery_id)
        self.send(message, envelope_sender=sender)

    def _sendmail(self, sender, recipients, data):
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
        self.row_locks = db_connection.vendor == "postgresql"

    def run(self):
        if db_connection.vendor != "postgresql":
            return self._run()
        # Commits return before the server flushes them to disk: a crash of
        # this process loses nothing, and only a crash of the database
        # server itself could forget the last fraction of a second of marks.
        with db_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
        try:
            return self._run()
        finally:
            with db_connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")

    def _run(self):
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
        row = Delivery.objects.filter(pk=pk)
        with transaction.atomic():
            if not self._claim(pk):
                return  # another run has it, or sent it already
            if state != Subscriber.State.ACTIVE:
                row.update(state=Delivery.State.SKIPPED, error="Left the list first.")
                progress.skipped += 1
                return
            try:
                outbox.deliver(message, email, subscriber_id, pk)
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

    def _claim(self, pk):
        """Take delivery `pk` if it is still waiting; False if another run has it.

        PostgreSQL: one statement locks the row (skipping it if a second run
        holds it) and counts the attempt; the lock lasts until the commit
        that marks it. Elsewhere a compare-and-set, which on SQLite takes the
        write lock until that commit.
        """
        if not self.row_locks:
            return bool(
                Delivery.objects.filter(pk=pk, state=Delivery.State.WAITING).update(
                    attempts=F("attempts") + 1
                )
            )
        table = db_connection.ops.quote_name(Delivery._meta.db_table)
        with db_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET attempts = attempts + 1 WHERE id = ("
                f"SELECT id FROM {table} WHERE id = %s AND state = %s "
                "FOR UPDATE SKIP LOCKED)",
                [pk, Delivery.State.WAITING],
            )
            return cursor.rowcount == 1

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
