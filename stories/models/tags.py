"""The tags readers see: those of published issues and stories, counted on write."""

from django.db import models
from django.db.models.functions import Coalesce, Lower
from taggit.models import Tag

from stories import counts


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
