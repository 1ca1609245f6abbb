"""Confirmation requests: at most one per address and hour, whoever asks.

The sign-up form sends one at once; an import sends one to each new address,
in batches over one SMTP connection each. The cache key guards against two
requests at the same moment, the stored time against an emptied cache.
"""

import logging
import smtplib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from newsroom.newsletters import emails
from newsroom.newsletters.models import Subscriber
from newsroom.newsletters.sending import ConnectionLost, Outbox

logger = logging.getLogger(__name__)

HOUR = 60 * 60


def hashed(kind, value):
    """A keyed hash, so cache keys name no address or client in clear."""
    return salted_hmac(f"newsroom.newsletters.{kind}", value).hexdigest()


def _address_key(email):
    return f"newsletters:confirm:{hashed('address', email.lower())}"


def may_send_confirmation(email):
    """Whether a confirmation request may go to `email` now; if so, book it."""
    if Subscriber.objects.confirmation_sent_within(email, HOUR):
        return False
    return cache.add(_address_key(email), 1, timeout=HOUR)


def _sent(rows):
    Subscriber.objects.filter(pk__in=[row.pk for row in rows]).update(
        confirmation_sent_at=timezone.now()
    )


def send_confirmation(email, rows):
    """Send `email` one request confirming `rows`; returns whether it went out."""
    try:
        with Outbox() as outbox:
            outbox.send(
                emails.confirmation_message(email, [row.series for row in rows])
            )
    except (ConnectionLost, smtplib.SMTPException, OSError):
        logger.exception("Could not send a newsletter confirmation request")
        cache.delete(_address_key(email))
        return False
    _sent(rows)
    return True


def send_confirmations(rows):
    """One request to each address among `rows` that may have one; (sent, failed)."""
    sent = failed = 0
    batch = []

    def flush():
        nonlocal sent, failed
        done = 0
        try:
            with Outbox() as outbox:
                for row in batch:
                    message = emails.confirmation_message(row.email, [row.series])
                    try:
                        outbox.send(message)
                    except (
                        smtplib.SMTPRecipientsRefused,
                        smtplib.SMTPResponseException,
                    ):
                        failed += 1
                        done += 1
                        cache.delete(_address_key(row.email))
                        continue
                    _sent([row])
                    sent += 1
                    done += 1
        except (ConnectionLost, smtplib.SMTPException, OSError):
            logger.exception("Could not send newsletter confirmation requests")
            for row in batch[done:]:
                cache.delete(_address_key(row.email))
            failed += len(batch) - done
        batch.clear()

    for row in rows.iterator(chunk_size=500) if hasattr(rows, "iterator") else rows:
        if may_send_confirmation(row.email):
            batch.append(row)
        if len(batch) >= settings.NEWSLETTER_BATCH_SIZE:
            flush()
    if batch:
        flush()
    return sent, failed
