"""Series and their issues: the recurring report and each edition of it."""

import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from issues import images
from newsroom import reading


def unique_slug(queryset, base: str) -> str:
    """`base`, or `base-2`, `base-3`… whichever no row of `queryset` holds yet."""
    taken = set(queryset.filter(slug__startswith=base).values_list("slug", flat=True))
    return unique_in(base, taken)


def unique_in(base: str, taken: set[str]) -> str:
    """`base`, or the first of `base-2`, `base-3`… not in `taken`, which it joins."""
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


class SeriesQuerySet(models.QuerySet):
    def only_one(self):
        """The only series there is, or None when there is none or there are several.

        Where a person names no series (a new issue, an imported report), this
        is the one they mean.
        """
        candidates = list(self[:2])
        return candidates[0] if len(candidates) == 1 else None

    def published(self):
        """Series with at least one published issue: the only ones the public sees.

        A series is set up before its first issue goes out; until then its
        page, feeds and texts are as private as that issue's draft.
        """
        return self.filter(
            models.Exists(
                Issue.objects.published().filter(series=models.OuterRef("pk"))
            )
        )


class Series(models.Model):
    """A recurring report, such as the weekly #NowWhatVenezuela.

    It holds the text every edition repeats (intro, channel call, donate
    appeal) so a new issue starts from it and can override any of it.
    """

    class Cadence(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Monthly"
        IRREGULAR = "irregular", "Irregular"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    hashtag = models.CharField(
        max_length=100,
        blank=True,
        help_text="As readers know it, e.g. #NowWhatVenezuela.",
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences for the series page and feeds."
    )
    intro = models.TextField(
        blank=True,
        help_text="The standard paragraph every issue opens with. Plain text.",
    )
    channel_call = models.CharField(
        "channel call to action",
        max_length=300,
        blank=True,
        help_text="E.g. “Join our official channel in English through this link.”",
    )
    channel_url = models.URLField(
        "channel URL",
        blank=True,
        help_text=(
            "Where the channel call links on every page that shows it, e.g. "
            "https://t.me/yourchannel. Publishing warns while it is empty."
        ),
    )
    cadence = models.CharField(max_length=20, choices=Cadence, default=Cadence.WEEKLY)
    appeal = models.TextField(
        "donate appeal",
        blank=True,
        help_text=(
            "The closing appeal; paragraphs separated by blank lines. Plain text."
        ),
    )
    donate_label = models.CharField(
        max_length=60, default="Donate", help_text="The text of the appeal's button."
    )

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("issues:series_detail", kwargs={"slug": self.slug})

    def placeholder_headline(self, number):
        """The headline a new issue starts with until it gets its own."""
        return f"{self.name}, issue {number}"

    def next_number(self):
        """The number the next issue of this series should carry."""
        last = self.issues.aggregate(models.Max("number"))["number__max"]
        return (last or 0) + 1

    @transaction.atomic
    def start_next_issue(self, user=None):
        """A new draft numbered next, opening and closing with the series' text.

        The channel URL is left to the series, so a channel that moves is
        linked from every issue once the series has its new address.

        The series row is locked, in a transaction of its own if the caller
        has none, so two people starting the next issue at once get
        consecutive numbers rather than a clash.
        """
        Series.objects.select_for_update().filter(pk=self.pk).get()
        number = self.next_number()
        return self.issues.create(
            number=number,
            headline=self.placeholder_headline(number),
            slug=unique_slug(Issue.objects.all(), f"{self.slug}-{number}"),
            intro=self.intro,
            channel_call=self.channel_call,
            appeal=self.appeal,
            status=Issue.Status.DRAFT,
            created_by=user,
            updated_by=user,
        )


def stamped_by():
    """Who created or last changed a row, set by the admin; kept if the account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )


def new_preview_key():
    """A fresh random key for an issue's preview links (see `issues.previews`)."""
    return secrets.token_urlsafe(16)


def published_q(prefix=""):
    """The condition of `IssueQuerySet.published()`, on the issue at `prefix`.

    Stories, reads and bylines filter on their own issue's columns with it
    (`published_q("issue__")`): one join the planner can walk in date order,
    where `issue__in=Issue.objects.published()` made it a second lookup of
    every published issue.
    """
    return models.Q(
        **{
            f"{prefix}status": Issue.Status.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
        }
    )


#: From how many issues a tag is on, its page walks the archive (`under_tag`).
WALK_TAGS_FROM = 500


class IssueQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: published, and its time has come.

        A scheduled issue is simply a published one whose time is still in
        the future, so it appears without any job having to run.
        """
        return self.filter(published_q())

    def scheduled(self):
        """Published, but its time is still to come: what `published()` awaits."""
        return self.filter(
            status=Issue.Status.PUBLISHED, published_at__gt=timezone.now()
        )

    def in_state(self, state):
        """Issues whose `Issue.state` is `state`, decided in the query.

        "Published" means live: a published issue whose time is still to come
        is "scheduled", as `Issue.state` says.
        """
        if state == Issue.State.SCHEDULED:
            return self.scheduled()
        if state == Issue.State.PUBLISHED:
            return self.published()
        return self.filter(status=state)

    def showing_image(self, path):
        """Issues whose current lead image is stored at `path`, or rendered there.

        The media view serves nothing else: an image replaced or removed, and
        any file that is not a lead image, is gone from the site.
        """
        stem = images.rendered_stem(path)
        if stem is None:
            return self.filter(lead_image=path)
        candidates = self.filter(lead_image__startswith=f"{stem}.")
        return self.filter(
            pk__in=[
                pk
                for pk, name in candidates.values_list("pk", "lead_image")
                if images.original_stem(name) == stem
            ]
        )

    def under_tag(self, tag):
        """Issues that carry `tag`, or one of whose stories does, each once.

        The tag page and the tag's feeds list these: an issue tagged itself
        and through a story is one entry, not two. Each is annotated with
        `carries_tag` (1 when the issue itself carries it, else None).

        A tag on many issues (its stored `issue_count`, when the queryset
        of `published_tags()` gave it) is found by walking the issues newest
        first and looking each one's tags up by index, which stops after a
        page; a rarer tag, by first listing what carries it, which is short.
        """
        from taggit.models import TaggedItem

        stories = apps.get_model("stories", "Story").objects

        def items(model):
            return TaggedItem.objects.filter(
                content_type__app_label=model._meta.app_label,
                content_type__model=model._meta.model_name,
                tag=tag,
            )

        if getattr(tag, "issue_count", 0) < WALK_TAGS_FROM:
            own = items(Issue).filter(object_id=models.OuterRef("pk"))
            through_stories = stories.filter(issue=models.OuterRef("pk"), tags=tag)
            return self.annotate(carries_tag=models.Exists(own)).filter(
                models.Q(carries_tag=True) | models.Exists(through_stories)
            )
        story_items = items(stories.model).filter(object_id=models.OuterRef("pk"))
        # Scalar subqueries, which PostgreSQL runs row by row as the walk
        # reaches each issue (it would read EXISTS's whole list first).
        own = items(Issue).filter(object_id=models.OuterRef("pk")).values("pk")[:1]
        through_stories = (
            stories.filter(issue=models.OuterRef("pk"))
            .filter(models.Exists(story_items))
            .values("pk")[:1]
        )
        return (
            self.annotate(carries_tag=models.Subquery(own))
            .alias(story_carries_tag=models.Subquery(through_stories))
            .filter(
                models.Q(carries_tag__isnull=False)
                | models.Q(story_carries_tag__isnull=False)
            )
        )

    def with_contents(self):
        """Prefetch everything an issue page shows, in a fixed number of queries.

        The reads' model is named rather than imported: the stories app
        depends on this one.
        """
        reads = apps.get_model("stories", "RecommendedRead").objects
        bylines = apps.get_model("stories", "Byline").objects
        corrections = apps.get_model("stories", "Correction").objects
        return self.prefetch_related(
            "tags",
            "stories__sources",
            "stories__tags",
            models.Prefetch("reads", queryset=reads.select_related("source")),
            models.Prefetch("bylines", queryset=bylines.select_related("contributor")),
            models.Prefetch(
                "corrections", queryset=corrections.select_related("story")
            ),
        )


class Issue(models.Model):
    """One edition of a series: headline, dek, stories, reads and the appeal."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    class State(models.TextChoices):
        """The workflow state, as editors speak of it (`Issue.state`).

        Every status is a state of the same value and label; "scheduled" is
        the one state that is not stored: a published issue whose time is
        still to come.
        """

        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    # What editors write, in the order an issue reads: the edit form's fields
    # (with the tags), what its save writes and what revisions compare.
    CONTENT_FIELDS = [
        "series",
        "number",
        "headline",
        "slug",
        "dek",
        "intro",
        "channel_call",
        "channel_url",
        "appeal",
        "lead_image",
        "lead_image_alt",
        "lead_image_caption",
        "lead_image_credit",
    ]
    # What only the workflow's moves change (`issues.workflow`).
    WORKFLOW_FIELDS = ["status", "published_at"]

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="issues")
    number = models.PositiveIntegerField(
        help_text="The issue's number within its series."
    )
    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of the issue's address."
    )
    dek = models.TextField(
        blank=True,
        help_text="The line under the headline: “This week’s … also covers …”",
    )
    intro = models.TextField(
        blank=True, help_text="Leave empty to use the series' standard intro."
    )
    channel_call = models.CharField(
        "channel call to action",
        max_length=300,
        blank=True,
        help_text="Leave empty to use the series' call to action.",
    )
    channel_url = models.URLField(
        "channel URL",
        blank=True,
        help_text="Leave empty to use the series' channel URL.",
    )
    appeal = models.TextField(
        "donate appeal", blank=True, help_text="Leave empty to use the series' appeal."
    )
    lead_image = images.LeadImageField(
        upload_to=images.lead_image_upload_path,
        blank=True,
        help_text=(
            "JPEG, PNG, WebP or GIF; at most 10 MB, 40 megapixels and 12,000 "
            "pixels a side, and at most 5 times as wide as tall or as tall as wide."
        ),
    )
    lead_image_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text=(
            "What the image shows, for readers who cannot see it. "
            "Required with an image."
        ),
    )
    lead_image_caption = models.CharField("caption", max_length=500, blank=True)
    lead_image_credit = models.CharField("credit", max_length=200, blank=True)
    tags = TaggableManager(blank=True)
    status = models.CharField(
        max_length=20, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="Readers see the issue from this time on, once it is published.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = stamped_by()
    updated_by = stamped_by()
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every save; a form loaded at an older version is refused.",
    )
    preview_key = models.CharField(
        max_length=40,
        default=new_preview_key,
        editable=False,
        help_text=(
            "Signed into every preview link; replacing it revokes all the links "
            "made so far."
        ),
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text=(
            "Headline and dek as PostgreSQL searches them; the database keeps "
            "it up to date on every write (a trigger, see the migration)."
        ),
    )
    import_key = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text=(
            "Set when an import makes the issue: the slug of the report's "
            "headline. Importing that report into the series again updates "
            "this issue; empty for an issue made by hand, which no import changes."
        ),
    )

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-number"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"], name="issue_number_unique_in_series"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_issue_has_publish_time",
            ),
            models.UniqueConstraint(
                fields=["series", "import_key"],
                condition=~Q(import_key=""),
                name="issue_import_key_unique_in_series",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            GinIndex(fields=["search_vector"], name="issues_issue_search"),
        ]
        permissions = [("publish_issue", "Can publish, schedule and unpublish issues")]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        """Save, then make the lead image's missing renditions.

        Every editor's save passes here, so the work is done in the editor's
        request and never in a reader's.
        """
        super().save(*args, **kwargs)
        if self.lead_image:
            images.make_renditions(self.lead_image)

    def get_absolute_url(self):
        return reverse("issues:issue_detail", kwargs={"slug": self.slug})

    @property
    def is_public(self):
        """Whether `Issue.objects.published()` includes it: its time has come."""
        return self._has_publish_time() and self.published_at <= timezone.now()

    @property
    def state(self) -> "Issue.State":
        """The status, except that a published issue not public yet is scheduled.

        `Issue.objects.in_state()` says the same in a query.
        """
        if self._has_publish_time() and not self.is_public:
            return self.State.SCHEDULED
        return self.State(self.status)

    @property
    def is_scheduled(self):
        """Published, but not public yet: `Issue.objects.scheduled()` includes it."""
        return self.state == self.State.SCHEDULED

    @property
    def state_label(self):
        """The state's label: "Scheduled" is a published issue's wait."""
        return self.state.label

    def _has_publish_time(self):
        return self.status == self.Status.PUBLISHED and self.published_at is not None

    @property
    def effective_intro(self):
        return self.intro or self.series.intro

    @property
    def effective_channel_call(self):
        return self.channel_call or self.series.channel_call

    @property
    def effective_channel_url(self):
        return self.channel_url or self.series.channel_url

    @property
    def effective_appeal(self):
        return self.appeal or self.series.appeal

    def reading_minutes(self):
        """Minutes a reader needs for the whole issue: intro, stories and reads.

        Counted from the stories and reads a page already prefetched
        (`with_contents`), so it adds no query.
        """
        return reading.reading_minutes(
            self.headline,
            self.dek,
            self.effective_intro,
            *(story.plain_text() for story in self.stories.all()),
            *(read.summary for read in self.reads.all()),
        )

    @property
    def appeal_lead(self):
        """The appeal's first paragraph: the one line that a story page shows."""
        return self.effective_appeal.strip().split("\n\n", 1)[0].strip()

    def credits(self):
        """The issue's own bylines (not its stories'), in order; from the prefetch."""
        return [byline for byline in self.bylines.all() if byline.story_id is None]

    def contributors(self):
        """Everyone credited on the issue or a story of it, each once, in order."""
        seen = {}
        for byline in self.bylines.all():
            seen.setdefault(byline.contributor_id, byline.contributor)
        return list(seen.values())

    @property
    def modified_at(self):
        """When readers last saw a change: a save, or a correction made or retracted."""
        times = [self.updated_at]
        for correction in self.corrections.all():
            times += [correction.created_at, correction.retracted_at]
        return max(time for time in times if time is not None)

    def revoke_preview_links(self):
        """Give the issue a new preview key, so every link handed out stops working.

        A bare UPDATE: the content is unchanged, so neither the edit version
        nor the page cache needs to hear of it.
        """
        self.preview_key = new_preview_key()
        Issue.objects.filter(pk=self.pk).update(preview_key=self.preview_key)

    def lead_image_renditions(self):
        """The lead image at the widths we serve, or None if it has none to show.

        Linked where `issues.media` says readers may fetch them.
        """
        if not self.lead_image:
            return None
        from issues import media

        return images.renditions(self.lead_image, url=media.link(self))

    def share_image(self):
        """The image shared with links: the lead image, else a rendered card.

        Returns (url, width, height, alt); the card is drawn on its first request.
        """
        renditions = self.lead_image_renditions()
        if renditions:
            largest = renditions.largest
            return largest.jpeg_url, largest.width, largest.height, self.lead_image_alt
        url = reverse("issues:share_image", kwargs={"slug": self.slug})
        return (url, *images.CARD_SIZE, self.headline)

    def share_card_name(self, storage):
        """The stored PNG card for this version of the issue, rendered once."""
        return images.share_card(
            storage,
            key=f"issue-{self.pk}-{self.updated_at:%Y%m%d%H%M%S%f}",
            kicker=self.series.hashtag or self.series.name,
            headline=self.headline,
            footer=f"{settings.SITE_NAME} · No. {self.number}",
        )


class IssueSnapshot(models.Model):
    """An issue's public body as rendered after its last change (`issues.snapshots`).

    Empty until rendered; emptied, and its stamp raised, by any change to
    what the body shows. Never edited by hand.
    """

    issue = models.OneToOneField(
        Issue, on_delete=models.CASCADE, primary_key=True, related_name="snapshot"
    )
    html = models.TextField(blank=True)
    head = models.TextField(
        blank=True, help_text="The page's head tags: sharing metadata and JSON-LD."
    )
    keys = models.TextField(
        blank=True, help_text="What the body shows, as cache keys (story-12 …)."
    )
    stamp = models.PositiveBigIntegerField(
        default=0, help_text="Raised whenever the snapshot is emptied."
    )

    class Meta:
        verbose_name = "issue snapshot"

    def __str__(self):
        return f"Snapshot of {self.issue_id}"


class IssueEvent(models.Model):
    """One workflow transition of an issue: who moved it, when, from what, to what."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=Issue.Status)
    to_status = models.CharField(max_length=20, choices=Issue.Status)
    published_at = models.DateTimeField(
        "publish time", null=True, blank=True, help_text="For publish and schedule."
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"{self.issue}: {self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def to_state(self) -> Issue.State:
        """The state the move reached: a schedule stores "published" but reaches
        "scheduled"."""
        if self.action == "schedule":
            return Issue.State.SCHEDULED
        return Issue.State(self.to_status)


class PendingEdit(models.Model):
    """Edits autosave kept from someone's open change form without writing them.

    Autosave writes a draft's (or an issue in review's) changes to the issue
    itself. It never writes over a public issue, nor over a scheduled or an
    unpublished one, where an editor's half-typed text could reach readers:
    their edits are kept here instead, an unpublished revision, until their
    author saves or discards them. So are the edits autosave cannot write to
    a draft: a form gone stale (someone saved since), one with errors, one
    that adds or removes stories or reads. One per person and issue: their
    latest, as the browser sent it, so it can be put back into the form.
    """

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="pending_edits"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)
    loaded_version = models.PositiveIntegerField(
        help_text="The issue's version when the form these edits came from was loaded."
    )
    data = models.JSONField(
        help_text="The form's fields as the browser sent them: [name, [values]] pairs."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "user"], name="one_pending_edit_per_user_and_issue"
            )
        ]

    def __str__(self):
        return f"{self.issue}: edits kept for {self.user} at {self.saved_at}"
