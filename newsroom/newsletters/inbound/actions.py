"""What a returned message changes, in one transaction each.

- A bounce (5.x.x) fails the delivery it is about and marks its address
  bounced; a late bounce, for a delivery marked sent long ago, does the
  same. An address that confirmed anew after that edition went out stays
  as it is: the bounce is about the address it was then.
- A delay (4.x.x) changes nothing: the receiving server is still trying.
- A complaint marks the address complained.
- An unsubscribe request unsubscribes the address from the list its token
  names.

Only what the tokens name is changed. A bounce with no token is matched by
the recipient it names to a delivery sent in the last
NEWSLETTER_BOUNCE_MATCH_DAYS days (0: never), of the list its returned
message names, if it names one. Nothing is stored but states and their
times, and on the delivery the status code.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from newsroom.newsletters import tokens
from newsroom.newsletters.emails import site_domain
from newsroom.newsletters.inbound.reading import Kind
from newsroom.newsletters.models import Delivery, Subscriber


@dataclass
class Outcome:
    """What one message did: its kind and the changes, for the log."""

    kind: str
    changes: list = field(default_factory=list)
    note: str = ""

    def describe(self):
        if self.changes:
            return f"{self.kind}: " + "; ".join(self.changes)
        return f"{self.kind}: {self.note or 'nothing changed'}"


def act(reading):
    """Apply a `Reading`; returns an `Outcome`."""
    handler = {
        Kind.BOUNCE: _bounce,
        Kind.COMPLAINT: _complaint,
        Kind.UNSUBSCRIBE: _unsubscribe,
    }.get(reading.kind)
    if handler is None:
        note = f"status {reading.status}" if reading.kind == Kind.DELAY else ""
        return Outcome(str(reading.kind), note=note or f"ignored, {reading.why}")
    outcome = Outcome(str(reading.kind))
    with transaction.atomic():
        handler(reading, outcome)
    if not outcome.changes and not outcome.note:
        outcome.note = "nothing changed"
    return outcome


def _deliveries(ids):
    return list(
        Delivery.objects.select_for_update(of=("self",))
        .select_related("edition")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def _bounce(reading, outcome):
    if reading.forged:
        outcome.note = "its token is not ours: nothing changed"
        return
    deliveries = _deliveries(reading.delivery_ids)
    matched = not deliveries and not reading.has_token
    if matched:
        deliveries = _deliveries(_matched(reading))
    for delivery in deliveries:
        _bounce_delivery(delivery, reading.status, outcome)
    if not deliveries:
        for subscriber in _subscribers(reading.unsubscribes):
            if subscriber.state == Subscriber.State.ACTIVE:
                subscriber.move_to(Subscriber.State.BOUNCED)
                outcome.changes.append(f"subscriber #{subscriber.pk} bounced")
    if matched and outcome.changes:
        outcome.changes.insert(0, "matched by the recipient it names")
    if not outcome.changes and not outcome.note:
        outcome.note = "already known" if deliveries else "no delivery of ours found"


def _bounce_delivery(delivery, status, outcome):
    if delivery.state == Delivery.State.SKIPPED:
        outcome.note = f"delivery #{delivery.pk} was never sent"
        return
    if delivery.state in (Delivery.State.SENT, Delivery.State.WAITING):
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED,
            error=f"Bounced ({status}), as reported by mail.",
        )
        outcome.changes.append(f"delivery #{delivery.pk} failed")
    subscriber = _locked(delivery.subscriber_id)
    if subscriber is not None and _still_the_same(subscriber, delivery):
        if subscriber.state == Subscriber.State.ACTIVE:
            subscriber.move_to(Subscriber.State.BOUNCED)
            outcome.changes.append(f"subscriber #{subscriber.pk} bounced")


def _complaint(reading, outcome):
    subscribers = {}
    for delivery in _deliveries(reading.delivery_ids):
        subscriber = _locked(delivery.subscriber_id)
        if subscriber is not None and _still_the_same(subscriber, delivery):
            subscribers[subscriber.pk] = subscriber
    for subscriber in _subscribers(reading.unsubscribes):
        subscribers.setdefault(subscriber.pk, subscriber)
    for subscriber in subscribers.values():
        if subscriber.move_to(Subscriber.State.COMPLAINED):
            outcome.changes.append(f"subscriber #{subscriber.pk} complained")
    if not subscribers:
        outcome.note = "no subscriber of ours named by a token"


def _unsubscribe(reading, outcome):
    references = [
        ref for ref in reading.unsubscribes if ref[0] != tokens.TEST_SUBSCRIBER
    ]
    subscribers = _subscribers(references)
    for subscriber in subscribers:
        if subscriber.unsubscribe():
            outcome.changes.append(f"subscriber #{subscriber.pk} unsubscribed")
    if not subscribers:
        outcome.note = (
            "a test message's token" if not references else "no such subscriber"
        )


def _locked(subscriber_id):
    return Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()


def _subscribers(references):
    """The subscribers named by (subscriber id, series id) pairs, locked."""
    found = []
    for subscriber_id, series_id in references:
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(pk=subscriber_id, series_id=series_id)
            .first()
        )
        if subscriber is not None:
            found.append(subscriber)
    return found


def _still_the_same(subscriber, delivery):
    """False if the address confirmed anew after this delivery's edition started."""
    started = delivery.edition.started_at
    confirmed = subscriber.confirmed_at
    return not (started and confirmed and confirmed > started)


def _matched(reading):
    """Deliveries sent lately to the recipients a token-less bounce names."""
    days = settings.NEWSLETTER_BOUNCE_MATCH_DAYS
    if days <= 0:
        return []
    since = timezone.now() - timedelta(days=days)
    slugs = {
        list_id.removesuffix("." + site_domain())
        for list_id in reading.list_ids
        if list_id.endswith("." + site_domain())
    }
    ids = []
    for address in dict.fromkeys(r.address for r in reading.recipients):
        sent = (
            Delivery.objects.filter(state=Delivery.State.SENT, sent_at__gte=since)
            .annotate(email_lower=Lower("subscriber__email"))
            .filter(email_lower=address.lower())
        )
        if slugs:
            sent = sent.filter(edition__issue__series__slug__in=slugs)
        latest = sent.order_by("-sent_at", "-pk").values_list("pk", flat=True).first()
        if latest is not None:
            ids.append(latest)
    return ids
