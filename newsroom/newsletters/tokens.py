"""The signed tokens in newsletter links.

A confirmation token names an address and the lists it asked for, and
expires (NEWSLETTER_CONFIRM_MAX_AGE). An unsubscribe token names one
subscriber and its series and never expires: a message read years later
must still let its reader leave. Both are Django signatures, checked in
constant time; a token that fails the check is refused, never trusted.

A delivery token names one delivery (one recipient of one edition). It
travels in mail addresses (the VERP envelope sender `bounces+<token>@…`)
and Message-IDs, where a mail system may fold the case of letters and the
local part is at most 64 characters: so it is the delivery's id and a
lowercase hex HMAC, checked against SECRET_KEY and each of
SECRET_KEY_FALLBACKS like Django's own signatures.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_SALT = "newsroom.newsletters.confirm"
UNSUBSCRIBE_SALT = "newsroom.newsletters.unsubscribe"
DELIVERY_SALT = "newsroom.newsletters.delivery"
#: Hex digits of a delivery token's HMAC: 80 bits.
DELIVERY_MAC_LENGTH = 20
DELIVERY_TOKEN = re.compile(
    r"(?<![0-9A-Za-z])([1-9][0-9]{0,17})-([0-9A-Fa-f]{20})(?![0-9A-Za-z])"
)
#: An unsubscribe token as `unsubscribe_token` writes it (id.series:signature).
UNSUBSCRIBE_TOKEN = re.compile(
    r"(?<![0-9A-Za-z.])([0-9]{1,18}\.[0-9]{1,18}:[A-Za-z0-9_-]{20,})"
)
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


def _delivery_mac(delivery_id, key):
    return salted_hmac(
        DELIVERY_SALT, str(delivery_id), secret=key, algorithm="sha256"
    ).hexdigest()[:DELIVERY_MAC_LENGTH]


def delivery_token(delivery_id):
    """`<id>-<mac>`: safe in a mail address's local part, whatever its case."""
    return f"{delivery_id}-{_delivery_mac(delivery_id, settings.SECRET_KEY)}"


def read_delivery_token(token):
    """The delivery id in `token`; raises `BadToken` for a forged or changed one."""
    match = DELIVERY_TOKEN.fullmatch(token.strip())
    if match is None:
        raise BadToken(token)
    delivery_id, mac = int(match[1]), match[2].lower()
    for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(mac, _delivery_mac(delivery_id, key)):
            return delivery_id
    raise BadToken(token)


def find_delivery_ids(text):
    """The ids of every genuine delivery token in `text`, in order, once each."""
    return scan_delivery_tokens(text)[0]


def scan_delivery_tokens(text):
    """([ids of genuine delivery tokens], how many look like one but are not)."""
    found, bad = [], 0
    for match in DELIVERY_TOKEN.finditer(text or ""):
        try:
            delivery_id = read_delivery_token(match[0])
        except BadToken:
            bad += 1
            continue
        if delivery_id not in found:
            found.append(delivery_id)
    return found, bad


def find_unsubscribes(text):
    """(subscriber id, series id) of every genuine unsubscribe token in `text`."""
    found = []
    for match in UNSUBSCRIBE_TOKEN.finditer(text or ""):
        try:
            reference = read_unsubscribe(match[1])
        except BadToken:
            continue
        if reference not in found:
            found.append(reference)
    return found
