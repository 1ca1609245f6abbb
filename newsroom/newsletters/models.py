"""Newsletter lists and editions by email: who receives a series, and what was sent.

One newsletter per series. A `Subscriber` is one address on one series'
list; only an address that confirmed its sign-up (double opt-in) is ever
sent an edition. An `Edition` is one issue sent by email, and each of its
`Delivery` rows is one recipient, written before the first message goes out
so that a send can be resumed without mailing anyone twice.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from issues.models import Issue, Series


class Subscriber(models.Model):
    """One address on one series' list, with its state and when each state began.

    Nothing else about the person is kept: no name, no IP address, no opens
    or clicks. Bounced and complained addresses are suppressed: only a new
    sign-up, confirmed anew, brings them back.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="subscribers"
    )
    email = models.EmailField("address", max_length=254)
    state = models.CharField(
        max_length=20, choices=State, default=State.PENDING, db_index=True
    )
    signed_up_at = models.DateTimeField(
        "signed up", default=timezone.now, help_text="The latest sign-up."
    )
    confirmation_sent_at = models.DateTimeField(
        "confirmation sent",
        null=True,
        blank=True,
        help_text="At most one confirmation message per address and hour.",
    )
    confirmed_at = models.DateTimeField("confirmed", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("unsubscribed", null=True, blank=True)
    bounced_at = models.DateTimeField("bounced", null=True, blank=True)
    complained_at = models.DateTimeField("complained", null=True, blank=True)
    source = models.CharField(
        "signed up on",
        max_length=300,
        blank=True,
        help_text="The page or issue where the address signed up, or “import”.",
    )
    consent_by_import = models.BooleanField(
        "agreed before import",
        default=False,
        help_text=(
            "Imported by an editor who ticked “these people already agreed to "
            "receive it”, so no confirmation was asked."
        ),
    )

    class Meta:
        ordering = ["series", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "series", name="subscriber_address_unique_in_series"
            ),
        ]
        indexes = [models.Index(fields=["series", "state"])]

    def __str__(self):
        return f"{self.email} ({self.series})"


class Edition(models.Model):
    """One issue sent by email to its series' list (or due to be, once public)."""

    issue = models.OneToOneField(
        Issue, on_delete=models.PROTECT, related_name="edition"
    )
    send_when_public = models.BooleanField(
        "email it when it goes public",
        default=False,
        help_text="send_due_editions sends it once the issue is public.",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return str(self.issue)


class Delivery(models.Model):
    """One recipient of one edition: written before sending, marked once sent."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(max_length=10, choices=State, default=State.WAITING)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="one_delivery_per_recipient"
            ),
        ]
        indexes = [models.Index(fields=["edition", "state"])]

    def __str__(self):
        return f"{self.edition} → {self.subscriber.email}: {self.state}"
