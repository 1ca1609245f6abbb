"""Corrections and updates of published issues and stories."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from issues.models import Issue, published_q
from stories.models.parts import Story


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
