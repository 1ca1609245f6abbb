"""The outlets stories and reads cite, and their citation counts kept on write."""

from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language_info

from issues import snapshots
from issues.models import Issue, unique_slug
from newsroom import reading
from stories import counts
from stories.models.parts import RecommendedRead, Story


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
