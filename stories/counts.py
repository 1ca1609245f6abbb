"""Counts of what is published, kept when something is written, not when read.

A tag's uses (published issues and stories carrying it, in `TagCount`) and a
source's citations (stories and reads, in `SourceCount`) are
counted over the issues whose status is *published*, scheduled ones
included, because a status only changes on a write; the signals below count
again exactly the tags and sources a write touches. What scheduled issues
hold, usually nothing and at most a few rows, is read when a page asks
(`scheduled_tag_uses`, `scheduled_citations`) and taken off, so the figures
shown are exact the moment a scheduled time arrives, with no job running.

Bulk writes send no signals: whoever makes them (`load_demo --scale`, the
report writer's reads, merging sources) calls `recount_*` itself.
"""

from collections import defaultdict

from django.apps import apps
from django.db import models
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)

from issues.models import Issue

LISTED = Issue.Status.PUBLISHED


def _models():
    get = apps.get_model
    return (
        get("stories", "Story"),
        get("stories", "RecommendedRead"),
        get("stories", "SourceCount"),
        get("stories", "TagCount"),
    )


def case_of(amounts):
    """`amounts` ({pk: n}) as an expression of each row's pk: n, else 0."""
    if not amounts:
        return models.Value(0)
    return models.Case(
        *(models.When(pk=pk, then=models.Value(n)) for pk, n in amounts.items()),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


def _scheduled_ids():
    """The scheduled issues, read once per page-cache generation and process.

    Scheduling, changing or unpublishing a scheduled issue starts a new
    generation, and so does a scheduled time arriving (newsroom/caching.py):
    this is exact whenever the page cache is. With no issue scheduled, the
    cache's own next publication time says so, and nothing is read.
    """
    from newsroom import caching

    def read():
        if caching.next_publication(caching.live_generation()) is None:
            return []
        return list(Issue.objects.scheduled().values_list("pk", flat=True))

    return caching.per_generation("scheduled_issues", read)


def scheduled_tag_uses():
    """({tag pk: uses}, {tag pk: issues}) of the scheduled issues and their stories."""
    from taggit.models import TaggedItem

    Story = _models()[0]
    scheduled = _scheduled_ids()
    if not scheduled:
        return {}, {}
    return _tag_counts(
        TaggedItem.objects.filter(
            content_type__app_label="issues",
            content_type__model="issue",
            object_id__in=scheduled,
        ).values_list("tag_id", "object_id"),
        Story.objects.filter(issue__in=scheduled, tags__isnull=False).values_list(
            "tags", "issue_id"
        ),
    )


def scheduled_citations():
    """({source pk: stories}, {source pk: reads}) of the scheduled issues."""
    Story, RecommendedRead, _, _ = _models()
    scheduled = _scheduled_ids()
    if not scheduled:
        return {}, {}
    return (
        _per(Story.objects.filter(issue__in=scheduled), "sources"),
        _per(RecommendedRead.objects.filter(issue__in=scheduled), "source"),
    )


def _per(queryset, field):
    """{pk of `field`: rows}, grouped on the join the queryset's filter made.

    (A second filter on a many-to-many field would join it again, and count
    each row once per citation.)
    """
    rows = queryset.order_by().values_list(field).annotate(n=models.Count("pk"))
    return {pk: n for pk, n in rows if pk is not None}


def _tag_counts(issue_pairs, story_pairs):
    uses, issues = defaultdict(int), defaultdict(set)
    for tag, issue in issue_pairs:
        uses[tag] += 1
        issues[tag].add(issue)
    for tag, issue in story_pairs:
        uses[tag] += 1
        issues[tag].add(issue)
    return dict(uses), {tag: len(ids) for tag, ids in issues.items()}


def recount_tags(tag_ids):
    """Count again the uses of these tags by published (and scheduled) issues."""
    from taggit.models import Tag

    Story, _, _, TagCount = _models()
    tag_ids = set(
        Tag.objects.filter(pk__in=set(tag_ids) - {None}).values_list("pk", flat=True)
    )
    if not tag_ids:
        return
    uses, issues = _tag_counts(
        Issue.objects.filter(status=LISTED, tags__in=tag_ids).values_list("tags", "pk"),
        Story.objects.filter(issue__status=LISTED, tags__in=tag_ids).values_list(
            "tags", "issue_id"
        ),
    )
    # A tag with no row and no use gets none: it may be a tag being deleted.
    kept = set(TagCount.objects.filter(pk__in=tag_ids).values_list("pk", flat=True))
    TagCount.objects.bulk_create(
        [
            TagCount(tag_id=tag, uses=uses.get(tag, 0), issues=issues.get(tag, 0))
            for tag in tag_ids
            if tag in kept or tag in uses
        ],
        update_conflicts=True,
        unique_fields=["tag"],
        update_fields=["uses", "issues"],
    )


def recount_sources(source_ids):
    """Count again the published (and scheduled) citations of these sources."""
    from stories.models import Source

    Story, RecommendedRead, SourceCount, _ = _models()
    source_ids = set(source_ids) - {None}
    if not source_ids:
        return
    stories = _per(
        Story.objects.filter(issue__status=LISTED, sources__in=source_ids), "sources"
    )
    reads = _per(
        RecommendedRead.objects.filter(issue__status=LISTED, source__in=source_ids),
        "source",
    )
    # A source with no row and no citation gets none: it may be being deleted.
    kept = set(
        SourceCount.objects.filter(pk__in=source_ids).values_list("pk", flat=True)
    )
    exists = set(Source.objects.filter(pk__in=source_ids).values_list("pk", flat=True))
    SourceCount.objects.bulk_create(
        [
            SourceCount(
                source_id=pk, stories=stories.get(pk, 0), reads=reads.get(pk, 0)
            )
            for pk in source_ids & exists
            if pk in kept or pk in stories or pk in reads
        ],
        update_conflicts=True,
        unique_fields=["source"],
        update_fields=["stories", "reads"],
    )


def recount_all():
    """Every tag's and source's counts, after bulk writes."""
    from taggit.models import Tag

    from stories.models import Source

    recount_tags(Tag.objects.values_list("pk", flat=True))
    recount_sources(Source.objects.values_list("pk", flat=True))


# What each write touches.


def _tags_and_sources_of(issue_ids=(), story_ids=()):
    from taggit.models import TaggedItem

    Story, RecommendedRead, _, _ = _models()
    stories = Story.objects.filter(
        models.Q(issue__in=issue_ids) | models.Q(pk__in=story_ids)
    )
    story_pks = set(stories.values_list("pk", flat=True))
    tags = set(
        TaggedItem.objects.filter(
            models.Q(
                content_type__app_label="issues",
                content_type__model="issue",
                object_id__in=issue_ids,
            )
            | models.Q(
                content_type__app_label="stories",
                content_type__model="story",
                object_id__in=story_pks,
            )
        ).values_list("tag_id", flat=True)
    )
    sources = set(
        Story.sources.through.objects.filter(story__in=story_pks).values_list(
            "source_id", flat=True
        )
    ) | set(
        RecommendedRead.objects.filter(issue__in=issue_ids).values_list(
            "source_id", flat=True
        )
    )
    return tags, sources


def _recount(touched):
    tags, sources = touched
    recount_tags(tags)
    recount_sources(sources)


def _issue_saving(sender, instance, raw=False, **kwargs):
    instance._listed_status_was = (
        Issue.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        if instance.pk
        else None
    )


def _issue_saved(sender, instance, created=False, **kwargs):
    was = getattr(instance, "_listed_status_was", None)
    if (was == LISTED) != (instance.status == LISTED):
        _recount(_tags_and_sources_of(issue_ids=[instance.pk]))


def _deleting(sender, instance, **kwargs):
    if isinstance(instance, Issue):
        instance._listed_touched = _tags_and_sources_of(issue_ids=[instance.pk])
    else:
        instance._listed_touched = _tags_and_sources_of(story_ids=[instance.pk])


def _deleted(sender, instance, **kwargs):
    _recount(getattr(instance, "_listed_touched", (set(), set())))


def _read_saving(sender, instance, **kwargs):
    RecommendedRead = _models()[1]
    instance._source_was = (
        RecommendedRead.objects.filter(pk=instance.pk)
        .values_list("source_id", flat=True)
        .first()
        if instance.pk
        else None
    )


def _read_saved(sender, instance, **kwargs):
    recount_sources({instance.source_id, getattr(instance, "_source_was", None)})


def _read_deleted(sender, instance, **kwargs):
    recount_sources({instance.source_id})


def _tagging_changed(sender, instance, **kwargs):
    recount_tags({instance.tag_id})


def _citations_changed(sender, instance, action, pk_set, **kwargs):
    Story = _models()[0]
    if not isinstance(instance, Story):  # from a source's side
        if action.startswith("post_"):
            recount_sources({instance.pk})
        return
    if action == "pre_clear":
        instance._sources_cleared = set(instance.sources.values_list("pk", flat=True))
    elif action == "post_clear":
        recount_sources(getattr(instance, "_sources_cleared", set()))
    elif action in ("post_add", "post_remove"):
        recount_sources(pk_set or ())


def connect_signals():
    from taggit.models import TaggedItem

    Story, RecommendedRead, _, _ = _models()
    uid = "listed-counts-"
    pre_save.connect(_issue_saving, sender=Issue, dispatch_uid=uid + "issue-pre")
    post_save.connect(_issue_saved, sender=Issue, dispatch_uid=uid + "issue")
    for model in (Issue, Story):
        label = model._meta.label
        pre_delete.connect(_deleting, sender=model, dispatch_uid=uid + "pre" + label)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid + "del" + label)
    pre_save.connect(_read_saving, sender=RecommendedRead, dispatch_uid=uid + "rp")
    post_save.connect(_read_saved, sender=RecommendedRead, dispatch_uid=uid + "rs")
    post_delete.connect(_read_deleted, sender=RecommendedRead, dispatch_uid=uid + "rd")
    post_save.connect(_tagging_changed, sender=TaggedItem, dispatch_uid=uid + "ts")
    post_delete.connect(_tagging_changed, sender=TaggedItem, dispatch_uid=uid + "td")
    m2m_changed.connect(
        _citations_changed, sender=Story.sources.through, dispatch_uid=uid + "m2m"
    )
