"""The signed tokens in newsletter links.

A confirmation token names an address and the lists it asked for, and
expires (NEWSLETTER_CONFIRM_MAX_AGE). An unsubscribe token names one
subscriber and its series and never expires: a message read years later
must still let its reader leave. Both are Django signatures, checked in
constant time; a token that fails the check is refused, never trusted.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsroom.newsletters.confirm"
UNSUBSCRIBE_SALT = "newsroom.newsletters.unsubscribe"
#: The subscriber named in the unsubscribe links of a test message.
TEST_SUBSCRIBER = 0


class BadToken(Exception):
    """A token that was not made here, or was changed."""


class ExpiredToken(BadToken):
    """A genuine confirmation token past its age; `email` says whose it was."""

    def __init__(self, email):
        super().__init__(email)
        self.email = email


@dataclass(frozen=True)
class Confirmation:
    email: str
    series_ids: tuple


def confirmation_token(email, series_ids):
    return signing.dumps(
        {"e": email, "s": sorted(series_ids)}, salt=CONFIRM_SALT, compress=True
    )


def read_confirmation(token, max_age=None):
    """The `Confirmation` in `token`; raises `ExpiredToken` or `BadToken`."""
    max_age = settings.NEWSLETTER_CONFIRM_MAX_AGE if max_age is None else max_age
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        data = _payload(signing.loads(token, salt=CONFIRM_SALT))
        raise ExpiredToken(data.email) from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise BadToken(token) from None
    return _payload(data)


def _payload(data):
    try:
        email, series_ids = data["e"], tuple(int(pk) for pk in data["s"])
    except (KeyError, TypeError, ValueError):
        raise BadToken(data) from None
    if not isinstance(email, str):
        raise BadToken(data)
    return Confirmation(email, series_ids)


def unsubscribe_token(subscriber_id, series_id):
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{subscriber_id}.{series_id}")


def read_unsubscribe(token):
    """(subscriber id, series id) from `token`; raises `BadToken`."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        subscriber_id, series_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        raise BadToken(token) from None
    return subscriber_id, series_id
