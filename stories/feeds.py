"""The feed of corrections and updates: every one made to a published issue, newest first."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse

from newsroom.caching import cached_page
from stories.models import Correction


@cached_page
class CorrectionsFeed(Feed):
    """RSS of /corrections/: each correction links to where it is shown."""

    limit = 30

    def title(self):
        return f"Corrections and updates · {settings.SITE_NAME}"

    def link(self):
        return reverse("stories:corrections")

    def description(self):
        return f"Every correction and update {settings.SITE_NAME} made, newest first."

    def items(self):
        corrections = Correction.objects.published().select_related(
            "issue", "story__issue"
        )
        return corrections[: self.limit]

    def item_title(self, item):
        about = item.story.headline if item.story else item.issue.headline
        retracted = " (retracted)" if item.is_retracted else ""
        return f"{item.get_kind_display()}{retracted}: {about}"

    def item_description(self, item):
        if item.is_retracted:
            return f"{item.text} Retracted: {item.retraction}"
        return item.text

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.retracted_at or item.created_at
