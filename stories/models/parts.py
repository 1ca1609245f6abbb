"""An issue's stories and recommended reads, and what their lists load."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from taggit.managers import TaggableManager

from issues.models import Issue, published_q
from newsroom import reading
from newsroom.fields import RichTextField
from newsroom.richtext import plain_text


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
        "stories.Source",
        blank=True,
        related_name="stories",
        help_text="Who this story cites.",
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
        "stories.Source",
        on_delete=models.PROTECT,
        related_name="reads",
        null=True,
        blank=True,
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
