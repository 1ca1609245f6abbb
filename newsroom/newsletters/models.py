"""Newsletter lists and editions by email: who receives a series, and what was sent.

One newsletter per series. A `Subscriber` is one address on one series'
list; only an address that confirmed its sign-up (double opt-in) is ever
sent an edition. An `Edition` is one issue sent by email, and each of its
`Delivery` rows is one recipient, written before the first message goes out
so that a send can be resumed without mailing anyone twice
(`newsroom.newsletters.sending`).
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue, Series


class SubscriberQuerySet(models.QuerySet):
    def for_address(self, email):
        """Rows of this address on any list, ignoring the case of its letters."""
        return self.annotate(email_lower=Lower("email")).filter(
            email_lower=email.lower()
        )

    def receiving(self):
        """Confirmed addresses: the only ones an edition is ever sent to."""
        return self.filter(state=Subscriber.State.ACTIVE)

    def sign_up(self, email, series_list, source=""):
        """Put `email` on each list, pending its confirmation; returns the rows.

        An active address stays active; any other (new, pending, unsubscribed,
        bounced, complained) becomes pending, which receives nothing but the
        confirmation request until it confirms anew.
        """
        now = timezone.now()
        rows = []
        with transaction.atomic():
            existing = {
                row.series_id: row
                for row in self.for_address(email).filter(series__in=series_list)
            }
            for series in series_list:
                row = existing.get(series.pk)
                if row is None:
                    row = self._create_pending(email, series, source, now)
                elif row.state != Subscriber.State.ACTIVE:
                    row.state = Subscriber.State.PENDING
                    row.signed_up_at = now
                    row.source = source
                    row.save(update_fields=["state", "signed_up_at", "source"])
                rows.append(row)
        return rows

    def _create_pending(self, email, series, source, now):
        try:
            with transaction.atomic():
                return self.create(
                    email=email, series=series, source=source, signed_up_at=now
                )
        except IntegrityError:  # the same address, signing up at the same moment
            return self.for_address(email).get(series=series)

    def confirmation_sent_within(self, email, seconds):
        cutoff = timezone.now() - timedelta(seconds=seconds)
        return self.for_address(email).filter(confirmation_sent_at__gt=cutoff).exists()

    def confirm(self, email, series_ids):
        """Activate this address's pending rows on these lists; returns its active rows.

        Confirming twice changes nothing the second time; a row that left the
        list since (unsubscribed, bounced) is not brought back by an old link.
        """
        now = timezone.now()
        rows = list(
            self.for_address(email)
            .filter(series_id__in=series_ids)
            .select_related("series")
        )
        for row in rows:
            if row.state == Subscriber.State.PENDING:
                row.move_to(Subscriber.State.ACTIVE, now)
        return [row for row in rows if row.state == Subscriber.State.ACTIVE]

    @transaction.atomic
    def import_addresses(self, series, addresses, consented):
        """Add the addresses not on `series`' list yet; returns the new rows.

        Idempotent by address, ignoring case: an address already on the list
        is left exactly as it is (an unsubscribed one stays unsubscribed).
        With `consented`, new rows are active and record that the editor said
        they agreed; without it they are pending, awaiting confirmation.
        """
        on_list = set()
        lowered = [address.lower() for address in addresses]
        for start in range(0, len(lowered), CHUNK):
            on_list.update(
                self.filter(series=series)
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=lowered[start : start + CHUNK])
                .values_list("email_lower", flat=True)
            )
        now = timezone.now()
        state = Subscriber.State.ACTIVE if consented else Subscriber.State.PENDING
        rows = [
            Subscriber(
                series=series,
                email=address,
                state=state,
                signed_up_at=now,
                confirmed_at=now if consented else None,
                source="import",
                consent_by_import=consented,
            )
            for address in addresses
            if address.lower() not in on_list
        ]
        return self.bulk_create(rows, batch_size=CHUNK)

    def counts_by_series(self):
        """{series name: {state: count}} for every series, in one query."""
        rows = (
            self.order_by()
            .values("series__name", "state")
            .annotate(n=Count("pk"))
            .values_list("series__name", "state", "n")
        )
        counts = {}
        for series, state, n in rows:
            counts.setdefault(series, dict.fromkeys(Subscriber.State.values, 0))
            counts[series][state] = n
        return counts


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

    objects = SubscriberQuerySet.as_manager()

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

    def unsubscribe(self):
        """Leave the list now; a suppressed address stays suppressed."""
        if self.state in (self.State.ACTIVE, self.State.PENDING):
            return self.move_to(self.State.UNSUBSCRIBED)
        return False

    def move_to(self, state, when=None):
        """Enter `state` and stamp its time; returns whether anything changed."""
        if self.state == state:
            return False
        when = when or timezone.now()
        self.state = state
        fields = ["state"]
        if state in STATE_TIMES:
            setattr(self, STATE_TIMES[state], when)
            fields.append(STATE_TIMES[state])
        self.save(update_fields=fields)
        return True


#: The time field each state stamps when an address enters it.
STATE_TIMES = {
    Subscriber.State.ACTIVE: "confirmed_at",
    Subscriber.State.UNSUBSCRIBED: "unsubscribed_at",
    Subscriber.State.BOUNCED: "bounced_at",
    Subscriber.State.COMPLAINED: "complained_at",
}
#: Rows written or read at a time when a whole list is walked.
CHUNK = 2000


class EditionQuerySet(models.QuerySet):
    def due(self):
        """Editions to send now: asked for, public, and not finished.

        A started edition whose issue is public again (a resumed or retried
        send) counts too; an issue taken down stops its edition.
        """
        return self.filter(
            send_when_public=True,
            finished_at__isnull=True,
            issue__in=Issue.objects.published(),
        )

    def with_counts(self):
        """Each edition with its deliveries counted by state, in the same query."""
        return self.annotate(
            **{
                f"{state}_count": Count("deliveries", filter=Q(deliveries__state=state))
                for state in Delivery.State.values
            }
        )


class Edition(models.Model):
    """One issue sent by email to its series' list, or due to be once it is public.

    Its deliveries are written when sending starts: who is on the list at
    that moment receives it, and a second run of a finished edition sends
    nothing.
    """

    issue = models.OneToOneField(
        Issue, on_delete=models.PROTECT, related_name="edition"
    )
    send_when_public = models.BooleanField(
        "email it when it goes public",
        default=False,
        help_text=(
            "send_due_editions sends it once the issue is public (at once if "
            "it is public already)."
        ),
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When its deliveries were written."
    )
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When no delivery was waiting any more."
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        permissions = [("send_edition", "Can send an issue by email")]

    def __str__(self):
        return str(self.issue)

    def get_absolute_url(self):
        return reverse("admin:newsletters_edition_send", args=[self.issue_id])

    @property
    def is_started(self):
        return self.started_at is not None

    def counts(self):
        """{state: count} of its deliveries."""
        found = dict(
            self.deliveries.order_by()
            .values("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        return {state: found.get(state, 0) for state in Delivery.State.values}

    @transaction.atomic
    def start(self):
        """Write one waiting delivery per confirmed address, once; returns the count.

        The compare-and-set on `started_at` lets one run write the list; a
        second run starting at the same moment waits on that row (a row lock
        on PostgreSQL, the write lock on SQLite) and then finds it started.
        The addresses are read in chunks (`.iterator()`), so a list of any
        length never sits in memory.
        """
        now = timezone.now()
        claimed = Edition.objects.filter(pk=self.pk, started_at__isnull=True).update(
            started_at=now
        )
        if not claimed:
            self.started_at = Edition.objects.values_list("started_at", flat=True).get(
                pk=self.pk
            )
            return 0
        self.started_at = now
        subscribers = (
            Subscriber.objects.receiving()
            .filter(series_id=self.issue.series_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        written, chunk = 0, []
        for pk in subscribers.iterator(chunk_size=CHUNK):
            chunk.append(Delivery(edition=self, subscriber_id=pk))
            if len(chunk) == CHUNK:
                written += len(Delivery.objects.bulk_create(chunk))
                chunk = []
        if chunk:
            written += len(Delivery.objects.bulk_create(chunk))
        return written


class Delivery(models.Model):
    """One recipient of one edition: written before sending, marked once sent.

    A temporary refusal (4xx) leaves it waiting for the next run; a permanent
    one (5xx) marks it failed and the address bounced. An address that left
    the list after the edition started is skipped.
    """

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(max_length=10, choices=State, default=State.WAITING)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(
        max_length=500, blank=True, help_text="The SMTP server's last answer."
    )

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


class ChannelPost(models.Model):
    """An issue posted to the series' Telegram channel, so it is posted only once.

    `messages` is the post as planned when its first message went out, and
    `message_ids` the ids Telegram gave each message sent, saved one by one:
    a post cut short (a refusal, a crash) resumes with the next message
    rather than repeating any, and a finished post is never sent again.
    `claimed_until` marks a post under way, so two editors pressing the
    button at once do not both send it.
    """

    class Channel(models.TextChoices):
        TELEGRAM = "telegram", "Telegram"

    issue = models.ForeignKey(
        Issue, on_delete=models.PROTECT, related_name="channel_posts"
    )
    channel = models.CharField(max_length=20, choices=Channel, default=Channel.TELEGRAM)
    chat_id = models.CharField("chat", max_length=100, blank=True)
    messages = models.JSONField(default=list, blank=True, editable=False)
    message_ids = models.JSONField("message ids", default=list, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField("posted", null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.CharField("last refusal", max_length=500, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "channel"], name="one_channel_post_per_issue"
            ),
        ]
        permissions = [("post_to_channel", "Can post issues to the channel")]

    def __str__(self):
        return f"{self.issue} on {self.get_channel_display()}"

    @property
    def is_finished(self):
        return self.finished_at is not None
