"""Contributors and the bylines that credit them on issues and stories."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from issues import images
from issues.models import Issue, published_q
from stories import photos
from stories.models.parts import Story


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
