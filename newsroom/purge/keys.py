"""The surrogate keys of the pages that show a change.

The keys are the ones public pages send (newsroom/caching.py): each page
names its list (the URL's name, e.g. `issues-archive`, `home`, `feed`) and
every object it shows (`issue-12`, `story-40`, `source-3`, `tag-7`,
`series-1`, `contributor-5`). Two sets matter:

- `shown_keys(issue)`: the pages that show an issue as it is. A change to a
  public issue's text (or its stories', reads', bylines', corrections') is
  on its page, its stories' pages, every list that lists it (they carry
  `issue-N`), the feeds and the sitemap (which carry its dates).
- `listing_keys(issue)`: those, and every list the issue joins or leaves
  when it is published, scheduled time arriving, or unpublished: the home
  page, the archive, its series' page, its tags', sources' and
  contributors' pages, their lists, and /corrections/ if it has any.
"""

from issues.models import Issue

FEEDS = ("feed", "feed-atom", "issues-series-feed")
SITEMAP = ("sitemap", "sitemap-section")
CORRECTIONS = ("stories-corrections", "stories-corrections-feed")


def story_keys(issue_id):
    from stories.models import Story

    pks = Story.objects.filter(issue_id=issue_id).values_list("pk", flat=True)
    return [f"story-{pk}" for pk in pks]


def shown_keys(issue):
    return [f"issue-{issue.pk}", *story_keys(issue.pk), *FEEDS, *SITEMAP]


def listing_keys(issue):
    from stories.models import Byline, Correction, RecommendedRead, Source, Story

    keys = [*shown_keys(issue), "home", "issues-archive", f"series-{issue.series_id}"]
    stories = Story.objects.filter(issue_id=issue.pk)
    tags = set(issue.tags.values_list("pk", flat=True))
    for story in stories.prefetch_related("tags"):
        tags.update(tag.pk for tag in story.tags.all())
    if tags:
        keys += [f"tag-{pk}" for pk in sorted(tags)] + ["issues-tag-feed"]
    sources = set(
        Source.objects.filter(stories__issue_id=issue.pk).values_list("pk", flat=True)
    ) | set(
        RecommendedRead.objects.filter(issue_id=issue.pk).values_list(
            "source_id", flat=True
        )
    )
    if sources:
        keys += [f"source-{pk}" for pk in sorted(sources)] + ["stories-source-list"]
    contributors = set(
        Byline.objects.filter(issue_id=issue.pk).values_list(
            "contributor_id", flat=True
        )
    )
    keys += [f"contributor-{pk}" for pk in sorted(contributors)]
    if Correction.objects.filter(issue_id=issue.pk).exists():
        keys += CORRECTIONS
    return keys


def public_issues(pks):
    """The public issues among `pks`."""
    return Issue.objects.published().filter(pk__in=set(pks))


def shown_keys_of(issues):
    keys = []
    for issue in issues:
        keys += shown_keys(issue)
    return keys
