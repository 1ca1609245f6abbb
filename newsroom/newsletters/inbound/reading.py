"""What one returned message is, and which of our tokens it carries.

No database here. A message is one of:

- a bounce: a delivery status notification (RFC 3464, `multipart/report;
  report-type=delivery-status`) naming a recipient with a permanent 5.x.x
  status;
- a delay: the same with only temporary (4.x.x) or "delayed" recipients;
- a complaint: an abuse feedback report (ARF, RFC 5965,
  `report-type=feedback-report`, Feedback-Type abuse or fraud);
- an unsubscribe: a message whose Subject holds a genuine unsubscribe
  token (the List-Unsubscribe mailto's, RFC 2369);
- anything else (auto-replies, out-of-office, replies, spam), ignored.

Who a report is about is never taken from the words of the message alone:
the tokens are HMACs (`newsroom.newsletters.tokens`), found in the address
the report was sent to (VERP), in the returned message's Message-ID,
Return-Path and List-Unsubscribe, or in an ARF's Original-Mail-From; a
forged or changed token is simply not found. Only a bounce that carries no
token at all lists the recipients it names, which the caller may match to
a recent delivery; one whose only tokens fail the check is `forged`.
"""

import enum
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.parser import HeaderParser
from urllib.parse import unquote

from newsroom.newsletters import tokens

STATUS = re.compile(r"(?<![0-9.])([245])\.([0-9]{1,3})\.([0-9]{1,3})(?![0-9])")
SMTP_REPLY = re.compile(r"(?<![0-9])([245])[0-9]{2}(?![0-9])")
LIST_ID = re.compile(r"<([^<>\s]+)>")
#: Headers of the message itself that name where it was delivered.
ENVELOPE_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "To", "Cc")
#: Headers of a returned message that carry our tokens.
RETURNED_HEADERS = ("Message-ID", "Return-Path", "List-Unsubscribe")
COMPLAINT_TYPES = {"abuse", "fraud"}
RETURNED_TYPES = {
    "message/rfc822",
    "message/global",
    "text/rfc822-headers",
    "message/global-headers",
}
AUTO_REPLY_SUBJECT = re.compile(
    r"^(auto(matic)?[ -]?(reply|response|answer)|out of (the )?office|"
    r"abwesenheit|absence|respuesta autom|réponse automatique|vacation)",
    re.IGNORECASE,
)


class Kind(enum.StrEnum):
    BOUNCE = "bounce"
    DELAY = "delay"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"
    OTHER = "other"


@dataclass(frozen=True)
class Recipient:
    """One recipient block of a delivery status notification."""

    address: str
    status: str
    action: str

    @property
    def permanent(self):
        return self.status.startswith("5") and self.action not in (
            "delivered",
            "relayed",
            "expanded",
        )

    @property
    def temporary(self):
        return self.status.startswith("4") or self.action == "delayed"


@dataclass
class Reading:
    """What `read_message` found: the kind, and the genuine tokens in it."""

    kind: Kind
    why: str = ""
    status: str = ""
    delivery_ids: list = field(default_factory=list)
    unsubscribes: list = field(default_factory=list)
    recipients: list = field(default_factory=list)
    list_ids: list = field(default_factory=list)
    forged: bool = False

    @property
    def has_token(self):
        return bool(self.delivery_ids or self.unsubscribes)


def read_message(data, envelope_recipients=()):
    """The `Reading` of one RFC 5322 message given as bytes.

    `envelope_recipients` are the addresses the mail server delivered it to
    (a pipe transport's `${recipient}`), where a VERP token is looked for
    first; the message's own delivery headers are looked at too.
    """
    message = message_from_bytes(data)
    report = _report(message)
    if report is not None:
        return report(message, envelope_recipients)
    unsubscribes = tokens.find_unsubscribes(unquote(header(message, "Subject")))
    if unsubscribes:
        return Reading(Kind.UNSUBSCRIBE, unsubscribes=unsubscribes)
    if is_auto_reply(message):
        return Reading(Kind.OTHER, why="an automatic reply")
    return Reading(Kind.OTHER, why="neither a report nor an unsubscribe request")


def _report(message):
    """The reader for the report this message is, or None."""
    types = {part.get_content_type() for part in message.walk()}
    if "message/feedback-report" in types:
        return _read_feedback
    if "message/delivery-status" in types or "message/global-delivery-status" in types:
        return _read_delivery_status
    return None


def _read_delivery_status(message, envelope_recipients):
    recipients = []
    for part in message.walk():
        if part.get_content_type() in (
            "message/delivery-status",
            "message/global-delivery-status",
        ):
            recipients.extend(_recipients(_blocks(part)))
    permanent = [r for r in recipients if r.permanent]
    reading = _with_tokens(Kind.BOUNCE, message, envelope_recipients)
    if permanent:
        reading.status = permanent[0].status
        reading.recipients = permanent
        return reading
    if any(r.temporary for r in recipients):
        reading.kind = Kind.DELAY
        reading.status = next(r.status for r in recipients if r.temporary)
        return reading
    return Reading(Kind.OTHER, why="a report of no failed delivery")


def _read_feedback(message, envelope_recipients):
    fields = {}
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            for block in _blocks(part):
                for name, value in block.items():
                    fields.setdefault(name.lower(), text(value))
    feedback_type = fields.get("feedback-type", "").strip().lower()
    if feedback_type not in COMPLAINT_TYPES:
        return Reading(
            Kind.OTHER, why=f"a feedback report of type “{feedback_type[:40]}”"
        )
    reading = _with_tokens(Kind.COMPLAINT, message, envelope_recipients)
    for delivery_id in tokens.find_delivery_ids(fields.get("original-mail-from", "")):
        if delivery_id not in reading.delivery_ids:
            reading.delivery_ids.append(delivery_id)
    return reading


def _with_tokens(kind, message, envelope_recipients):
    """A Reading of `kind` with the tokens where a report carries them."""
    places = list(envelope_recipients)
    places += [header(message, name, all_values=True) for name in ENVELOPE_HEADERS]
    returned = list(_returned_headers(message))
    for headers in returned:
        places += [header(headers, name, all_values=True) for name in RETURNED_HEADERS]
    delivery_ids, unsubscribes, bad = [], [], 0
    for place in places:
        found, not_ours = tokens.scan_delivery_tokens(place)
        delivery_ids += [pk for pk in found if pk not in delivery_ids]
        bad += not_ours
    for headers in returned:
        found = tokens.find_unsubscribes(
            unquote(header(headers, "List-Unsubscribe", all_values=True))
        )
        unsubscribes += [ref for ref in found if ref not in unsubscribes]
    list_ids = []
    for headers in returned:
        for value in LIST_ID.findall(header(headers, "List-Id", all_values=True)):
            list_ids.append(value.lower())
    return Reading(
        kind,
        delivery_ids=delivery_ids,
        unsubscribes=unsubscribes,
        list_ids=list_ids,
        forged=bool(bad) and not (delivery_ids or unsubscribes),
    )


def _returned_headers(message):
    """The headers of each original message a report sends back."""
    for part in message.walk():
        if part.get_content_type() not in RETURNED_TYPES:
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            yield from (item for item in payload if hasattr(item, "items"))
        else:
            yield HeaderParser().parsestr(_decoded_text(part), headersonly=True)


def _blocks(part):
    """The field blocks of a machine-readable report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if hasattr(block, "items")]
    parser = HeaderParser()
    return [
        parser.parsestr(chunk.strip() + "\n")
        for chunk in re.split(r"\r?\n\s*\r?\n", _decoded_text(part))
        if chunk.strip()
    ]


def _recipients(blocks):
    for block in blocks:
        final = header(block, "Final-Recipient")
        original = header(block, "Original-Recipient")
        if not (final or original):
            continue  # the per-message block
        action = header(block, "Action").strip().lower()
        status = _status(header(block, "Status"), header(block, "Diagnostic-Code"))
        if not status and action == "failed":
            status = "5.0.0"
        for value in dict.fromkeys(filter(None, (original, final))):
            yield Recipient(_address(value), status, action)


def _status(status_field, diagnostic):
    match = STATUS.search(status_field) or STATUS.search(diagnostic)
    if match:
        return ".".join(match.groups())
    reply = SMTP_REPLY.search(diagnostic)
    return f"{reply[1]}.0.0" if reply else ""


def _address(value):
    """`rfc822; Reader@Example.org` → `reader@example.org`."""
    value = value.rpartition(";")[2] if ";" in value else value
    return value.strip().strip("<>").strip().lower()


def is_auto_reply(message):
    auto = header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if any(
        header(message, name)
        for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
    ):
        return True
    if header(message, "Precedence").strip().lower() in ("auto_reply", "bulk", "junk"):
        return True
    return bool(AUTO_REPLY_SUBJECT.match(header(message, "Subject").strip()))


def header(message, name, all_values=False):
    """A header as text (RFC 2047 words decoded); all its values joined if asked."""
    values = message.get_all(name, []) if all_values else [message.get(name, "")]
    return " ".join(text(value) for value in values if value is not None)


def text(value):
    try:
        return str(make_header(decode_header(str(value))))
    except (LookupError, UnicodeError, ValueError, TypeError):
        return str(value)


def _decoded_text(part):
    data = part.get_payload(decode=True)
    if data is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")
