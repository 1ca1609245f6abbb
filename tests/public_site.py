"""The demo site with one page of each public type, for the tests that walk them
all (axe and screenshots in a browser, the Nu HTML Checker)."""

import io
import os
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image, ImageDraw

from issues.models import Issue
from stories.models import Source


def photo():
    """A JPEG with some structure to it, standing in for a news photo."""
    image = Image.new("RGB", (1600, 900), "#2f4858")
    draw = ImageDraw.Draw(image)
    for band in range(0, 900, 60):
        draw.rectangle((0, band, 1600, band + 30), fill=(47 + band // 8, 72, 88))
    draw.ellipse((1100, 120, 1400, 420), fill="#f6ae2d")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return ContentFile(buffer.getvalue())


def demo_site(make_issue):
    """The demo edition, tagged, with an older issue a year earlier: one URL per
    page type, by name."""
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", "--force", stdout=quiet)
    issue = Issue.objects.published().get()
    issue.tags.add("Elections")
    issue.lead_image.save("embassy.jpg", photo(), save=False)
    issue.lead_image_alt = "The Argentine embassy in Caracas at dusk"
    issue.lead_image_caption = "The embassy, without power since Friday."
    issue.lead_image_credit = "Demo photo"
    issue.save()
    story = issue.stories.order_by("position").last()
    story.tags.add("Elections")
    make_issue(
        series=issue.series,
        headline="Mega-elections called for May",
        published_at=issue.published_at - timedelta(days=365),
    )
    source = Source.objects.published().get(name="El Pitazo")
    return {
        "home": "/",
        "archive": "/issues/",
        "issue": issue.get_absolute_url(),
        "story": story.get_absolute_url(),
        "series": issue.series.get_absolute_url(),
        "tag": "/tags/elections/",
        "sources": "/sources/",
        "source": source.get_absolute_url(),
        "search": "/search/?q=carter+center",
        "donate": "/donate/",
        "not-found": "/issues/no-such-issue/",
    }
