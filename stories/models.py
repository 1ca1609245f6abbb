"""What an issue is made of: stories, recommended reads, the sources they cite,
the contributors its bylines credit, and its corrections."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language_info
from taggit.managers import TaggableManager
from taggit.models import Tag

from issues import images, snapshots
from issues.models import Issue, published_q, unique_slug
from newsroom import reading
from newsroom.fields import RichTextField
from newsroom.richtext import plain_text
from stories import counts, photos


class SourceQuerySet(models.QuerySet):
    def find_or_create(self, name, **defaults):
        """The source called `name`, ignoring case, else a new one with `defaults`.

        Returns it and whether it is new. "Runrunes" and "runrunes" are one
        source (the database refuses a second); a new one gets a free slug.
        """
        source = self.filter(name__iexact=name).first()
        if source is not None:
            return source, False
        slug = unique_slug(self.model.objects.all(), slugify(name)[:190] or "source")
        return self.create(name=name, slug=slug, **defaults), True

    def with_citation_counts(self):
        """Each source with `story_count` and `read_count`: its published citations.

        The counts stored in its SourceCount (kept by `stories.counts` on
        every write) take in scheduled issues; what those cite, a handful of
        rows read once per page-cache generation, is taken off, so the
        figures are exact at every moment without counting every citation.
        """
        stories, reads = counts.scheduled_citations()
        return self.annotate(
            story_count=Coalesce(models.F("listed_count__stories"), 0)
            - counts.case_of(stories),
            read_count=Coalesce(models.F("listed_count__reads"), 0)
            - counts.case_of(reads),
        )

    def published(self):
        """Sources cited by at least one published story or recommended read.

        Only those have a public page: a source is public through what cites it.
        """
        return self.with_citation_counts().filter(
            models.Q(story_count__gt=0) | models.Q(read_count__gt=0)
        )

    def by_kind(self):
        """Ordered as the directory groups them: by kind, in Kind's order, then name."""
        order = models.Case(
            *(
                models.When(kind=kind, then=models.Value(n))
                for n, kind in enumerate(Source.Kind.values)
            ),
            default=models.Value(len(Source.Kind.values)),
        )
        return self.order_by(order, Lower("name"))

    def kind_counts(self):
        """{kind: how many of these sources are of it}, in one query."""
        rows = self.order_by().values_list("kind").annotate(n=models.Count("pk"))
        return dict(rows)

    def cited_beyond_drafts(self):
        """Sources cited by a story or read of an issue that is no longer a draft.

        In review, scheduled, published or unpublished: an editor has seen or
        will publish what cites them, so changing them is an editor's call.
        """
        issues = Issue.objects.exclude(status=Issue.Status.DRAFT)
        return self.filter(
            models.Exists(
                Story.objects.filter(issue__in=issues, sources=models.OuterRef("pk"))
            )
            | models.Exists(
                RecommendedRead.objects.filter(
                    issue__in=issues, source=models.OuterRef("pk")
                )
            )
        )

    def citing_stories(self):
        """The stories that cite any of these sources."""
        return Story.objects.filter(sources__in=self).distinct()

    def refuse_if_cited(self):
        """Raise ProtectedError, as PROTECT does for reads, if a story cites any.

        A deleted source would silently vanish from every story citing it,
        and from what its issues' revisions could bring back.
        """
        citing = self.citing_stories()
        if citing.exists():
            raise ProtectedError(
                "Cannot delete a source that stories cite; merge it into "
                "another source instead.",
                set(citing.select_related("issue")),
            )

    def delete(self):
        self.refuse_if_cited()
        return super().delete()

    @transaction.atomic
    def merge_into(self, kept):
        """Move every citation of these sources onto `kept`, then delete them.

        Stories citing a duplicate cite `kept` instead (once), reads name it as
        their outlet. Returns the issues whose stories or reads changed.
        """
        duplicates = self.exclude(pk=kept.pk)
        stories = list(duplicates.citing_stories())
        reads = RecommendedRead.objects.filter(source__in=duplicates)
        issues = set(
            Issue.objects.filter(
                models.Q(pk__in=[story.issue_id for story in stories])
                | models.Q(pk__in=reads.values("issue"))
            )
        )
        kept.stories.add(*stories)
        Story.sources.through.objects.filter(source__in=duplicates).delete()
        reads.update(source=kept)
        duplicates.delete()
        # The bulk writes above send no signals: the bodies citing them change.
        snapshots.empty(issue.pk for issue in issues)
        counts.recount_sources([kept.pk])
        return issues


class Source(models.Model):
    """An outlet, organisation or account that a story or read cites.

    One row per source, however often it is cited, so its page can list
    everything that cited it.
    """

    class Kind(models.TextChoices):
        OUTLET = "outlet", "News outlet"
        ORGANISATION = "organisation", "Organisation"
        GOVERNMENT = "government", "Government body"
        ACCOUNT = "account", "Social media account"
        PERSON = "person", "Person"
        OTHER = "other", "Other"

    #: How the directory heads the group of each kind.
    KIND_HEADINGS = {
        Kind.OUTLET: "News outlets",
        Kind.ORGANISATION: "Organisations",
        Kind.GOVERNMENT: "Government bodies",
        Kind.ACCOUNT: "Social media accounts",
        Kind.PERSON: "People",
        Kind.OTHER: "Other sources",
    }

    name = models.CharField(
        max_length=200,
        help_text="Unique, ignoring case: “Runrunes” and “runrunes” are one source.",
    )
    slug = models.SlugField(max_length=200, unique=True)
    homepage_url = models.URLField("homepage URL", blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OUTLET)
    language = models.CharField(
        max_length=10,
        blank=True,
        help_text="Language code of its content, e.g. es or en.",
    )
    description = models.CharField(max_length=500, blank=True)
    aliases = models.CharField(
        "other names",
        max_length=300,
        blank=True,
        help_text=(
            "Other names it goes by, separated by commas (e.g. “TalCual, Tal Cual "
            "Digital”); the source picker finds it by them too."
        ),
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="source_name_unique_ignoring_case",
                violation_error_message=(
                    "A source with this name already exists (names are compared "
                    "ignoring case). Cite that one, or change this name."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stories:source_detail", kwargs={"slug": self.slug})

    @property
    def domain(self):
        """The homepage's host as readers write it (`elpitazo.net`), or ''."""
        return reading.domain(self.homepage_url)

    @property
    def language_name(self):
        """The language of its content in English (`es` → Spanish), or the code."""
        if not self.language:
            return ""
        try:
            return get_language_info(self.language.lower())["name"]
        except KeyError:
            return self.language

    def delete(self, *args, **kwargs):
        Source.objects.filter(pk=self.pk).refuse_if_cited()
        return super().delete(*args, **kwargs)


class IssuePartQuerySet(models.QuerySet):
    """Stories and reads: public exactly when the issue they belong to is."""

    def published(self):
        """Parts of published issues: the one rule, borrowed from Issue."""
        return self.filter(published_q("issue__"))


class IssuePartManager(models.Manager.from_queryset(IssuePartQuerySet)):
    """Leaves the search vector, which only the database reads, out of every row."""

    def get_queryset(self):
        return super().get_queryset().defer("search_vector")


class Story(models.Model):
    """One story of an issue, with its optional labelled parts."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="stories")
    position = models.PositiveIntegerField(default=0, db_index=True)
    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200)
    body = RichTextField(blank=True)
    why_it_matters = RichTextField(
        "why it matters",
        blank=True,
        help_text="Shown under the label “Why it matters:”.",
    )
    more_information = RichTextField(
        "more information",
        blank=True,
        help_text="Shown under the label “More information:”.",
    )
    sources = models.ManyToManyField(
        Source, blank=True, related_name="stories", help_text="Who this story cites."
    )
    tags = TaggableManager(blank=True)
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="Kept up to date by the database on every write (PostgreSQL).",
    )

    objects = IssuePartManager()

    class Meta:
        ordering = ["issue", "position", "pk"]
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "slug"], name="story_slug_unique_in_issue"
            )
        ]
        indexes = [GinIndex(fields=["search_vector"], name="stories_story_search")]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return reverse(
            "stories:story_detail",
            kwargs={"issue_slug": self.issue.slug, "slug": self.slug},
        )

    def credits(self):
        """The story's bylines, in order, from its issue's prefetched bylines."""
        return [b for b in self.issue.bylines.all() if b.story_id == self.pk]

    def story_corrections(self):
        """Corrections of this story and of its whole issue, newest first."""
        return [
            c for c in self.issue.corrections.all() if c.story_id in (None, self.pk)
        ]

    def plain_text(self):
        """The story as a reader reads it: body, then its labelled parts, no markup."""
        return plain_text(
            " ".join([self.body, self.why_it_matters, self.more_information])
        )

    def reading_minutes(self):
        return reading.reading_minutes(self.headline, self.plain_text())


class RecommendedRead(models.Model):
    """A link post: an outside piece worth reading, with a one-line summary."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="reads")
    position = models.PositiveIntegerField(default=0, db_index=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="reads", null=True, blank=True
    )
    summary = models.TextField(help_text="One line, shown after the outlet's name.")
    url = models.URLField("URL", max_length=1000, blank=True)
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text=(
            "The outlet's name and the summary; kept up to date by the "
            "database, a renamed source too (PostgreSQL)."
        ),
    )

    objects = IssuePartManager()

    class Meta:
        ordering = ["issue", "position", "pk"]
        verbose_name = "recommended read"
        indexes = [
            GinIndex(fields=["search_vector"], name="stories_read_search"),
        ]

    def __str__(self):
        return (
            f"{self.source}: {self.summary[:60]}" if self.source else self.summary[:80]
        )

    def get_absolute_url(self):
        return self.issue.get_absolute_url() + f"#read-{self.pk}"

    @property
    def link(self):
        """Where the read points: its own URL, else the outlet's homepage."""
        return self.url or (self.source.homepage_url if self.source else "")


#: What a list of stories or reads shows (includes/story_list.html, a source's
#: reads): loading only these keeps the rows a long list sorts narrow.
_LISTED_ISSUE = ["issue__headline", "issue__slug", "issue__published_at"]
STORY_LIST_FIELDS = ["headline", "slug", "position", "issue_id", *_LISTED_ISSUE]
READ_LIST_FIELDS = [
    "summary",
    "url",
    "position",
    "source_id",
    "issue_id",
    *_LISTED_ISSUE,
]


def published_tags():
    """Tags carried by a published issue or story: the tags with a public page.

    Each is annotated with `uses` (the published issues and stories carrying
    it) and `issue_count` (the published issues listed on its page), read
    from its TagCount and made exact for scheduled issues as sources are.
    """
    uses, issues = counts.scheduled_tag_uses()
    return Tag.objects.annotate(
        uses=Coalesce(models.F("listed_count__uses"), 0) - counts.case_of(uses),
        issue_count=Coalesce(models.F("listed_count__issues"), 0)
        - counts.case_of(issues),
    ).filter(uses__gt=0)


def most_used_tags(limit=12):
    """The tags that the most published issues and stories carry, most used first.

    Each is annotated with `uses`; a tag carried only by drafts is not one.
    """
    return published_tags().order_by("-uses", Lower("name"))[:limit]


class SourceCount(models.Model):
    """How many stories and reads of published issues cite a source, kept on write.

    A row of its own rather than fields on Source, so that saving a source
    (in the admin, or an instance loaded earlier) never writes back an old
    count. Scheduled issues are counted here and taken off when read (see
    `SourceQuerySet.with_citation_counts`).
    """

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, primary_key=True, related_name="listed_count"
    )
    stories = models.PositiveIntegerField(default=0)
    reads = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.source}: {self.stories} stories, {self.reads} reads"


class TagCount(models.Model):
    """How many published issues and stories carry a tag, kept on every write.

    Counting a tag's uses across the archive at read time took hundreds of
    milliseconds at 50,000 stories; `stories.counts` updates these rows
    whenever an issue, a story or a tagging changes. Scheduled issues are
    counted here and taken off when read (see `published_tags`).
    """

    tag = models.OneToOneField(
        Tag, on_delete=models.CASCADE, primary_key=True, related_name="listed_count"
    )
    uses = models.PositiveIntegerField(default=0)
    issues = models.PositiveIntegerField(
        default=0, help_text="Issues carrying it, or with a story that does."
    )

    def __str__(self):
        return f"{self.tag}: {self.uses}"


class ContributorQuerySet(models.QuerySet):
    def published(self):
        """Contributors credited on something published: the ones with a page."""
        return self.filter(
            models.Exists(
                Byline.objects.published().filter(contributor=models.OuterRef("pk"))
            )
        )

    def showing_photo(self, path):
        """Contributors whose current photo is stored at `path`, or rendered there.

        The media view serves nothing else of theirs: a photo replaced or
        removed is gone from the site.
        """
        stem = photos.rendered_stem(path)
        if stem is None:
            return self.filter(photo=path)
        candidates = self.filter(photo__startswith=f"{stem}.")
        return self.filter(
            pk__in=[
                pk
                for pk, name in candidates.values_list("pk", "photo")
                if images.original_stem(name) == stem
            ]
        )


class Contributor(models.Model):
    """Someone credited in a byline: a reporter, a translator, an editor.

    Their page lists their published work; until something of theirs is
    published, they have none.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField(
        "short bio", blank=True, help_text="One or two sentences, plain text."
    )
    links = models.TextField(
        blank=True,
        help_text="Their pages elsewhere (a website, a profile), one address a line.",
    )
    photo = photos.PhotoField(
        upload_to=photos.upload_path,
        blank=True,
        help_text=(
            "Shown on their page and beside their bylines, cropped to a square, "
            "with their name as its alt text. JPEG, PNG, WebP or GIF; at most "
            "10 MB, 40 megapixels and 12,000 pixels a side, and at most twice "
            "as tall as wide or as wide as tall."
        ),
    )

    objects = ContributorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Save, then make the photo's missing renditions, in the editor's request."""
        super().save(*args, **kwargs)
        if self.photo:
            photos.make_renditions(self.photo)

    def get_absolute_url(self):
        return reverse("stories:contributor_detail", kwargs={"slug": self.slug})

    def photo_renditions(self):
        """The photo at the sizes we serve, or None if there is none to show."""
        return photos.renditions(self.photo) if self.photo else None

    def link_list(self):
        """The `links` that are web addresses, in order."""
        return [
            line.strip()
            for line in self.links.splitlines()
            if line.strip().startswith(("https://", "http://"))
        ]


class BylineQuerySet(models.QuerySet):
    def published(self):
        """Bylines of published issues, theirs or their stories'."""
        return self.filter(published_q("issue__"))


class Byline(models.Model):
    """A contributor credited on an issue, or on one of its stories.

    An issue lists its bylines in order; those with a story are that story's.
    """

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="bylines")
    story = models.ForeignKey(
        Story,
        on_delete=models.CASCADE,
        related_name="bylines",
        null=True,
        blank=True,
        help_text="Empty: the whole issue's byline.",
    )
    contributor = models.ForeignKey(
        Contributor, on_delete=models.PROTECT, related_name="bylines"
    )
    role = models.CharField(
        max_length=100,
        blank=True,
        help_text="Said before the name, e.g. “Reported and translated by”; "
        "empty: “By”.",
    )
    position = models.PositiveIntegerField(default=0)

    objects = BylineQuerySet.as_manager()

    class Meta:
        ordering = ["issue", "position", "pk"]

    def __str__(self):
        return f"{self.role or 'By'} {self.contributor}"

    def clean(self):
        if self.story_id and self.issue_id and self.story.issue_id != self.issue_id:
            raise ValidationError({"story": "Choose a story of this issue."})


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        """Corrections of published issues: listed at /corrections/."""
        return self.filter(published_q("issue__"))


class Correction(models.Model):
    """A dated correction or update note on a published issue or one of its stories.

    It shows at the top of the page, at /corrections/ and in the feeds. Once
    made it is never deleted: an editor may retract it, and the retraction
    (when, by whom, why) is shown with it.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="corrections"
    )
    story = models.ForeignKey(
        Story,
        on_delete=models.SET_NULL,
        related_name="corrections",
        null=True,
        blank=True,
        help_text="Empty: about the whole issue.",
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField(help_text="What was wrong and what is right. Plain text.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    retracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    retraction = models.TextField(
        "reason for the retraction", blank=True, editable=False
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return (
            f"{self.get_kind_display()} of {self.created_at:%Y-%m-%d}: {self.text[:60]}"
        )

    def get_absolute_url(self):
        page = (
            self.story.get_absolute_url()
            if self.story
            else self.issue.get_absolute_url()
        )
        return f"{page}#correction-{self.pk}"

    @property
    def is_retracted(self):
        return self.retracted_at is not None
