"""Which saves purge what: the public models' signals, turned into keys.

Each change readers can see enqueues the keys of the pages that show it
(newsroom/purge/keys.py), in the transaction of the change:

- an issue published, or unpublished, or whose publication time moves:
  `listing_keys` (its pages and every list it joins or leaves);
- an issue scheduled, or anything of a scheduled issue changed: its
  `listing_keys`, due at its publication time (the moment it goes public);
- a public issue edited, or its stories, reads, bylines or corrections:
  `shown_keys` (its pages, the lists that show it, feeds, sitemap), with
  /corrections/ for a correction and the contributor's page for a byline;
- a source, tag, series or contributor on public pages changed: its page,
  its list, and the pages of the public issues and stories showing it.

Drafts, and anything only drafts use, purge nothing.
"""

from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from django.utils import timezone

from issues.models import Issue, Series
from newsroom.purge import keys as k
from newsroom.purge.backends import enabled
from newsroom.purge.outbox import enqueue

WAS = "_purge_was"


def _state(issue):
    """(public now, scheduled, publication time) of an issue as saved."""
    out = issue.status == Issue.Status.PUBLISHED and issue.published_at is not None
    public = out and issue.published_at <= timezone.now()
    return public, out and not public, issue.published_at if out else None


def _remember(sender, instance, raw=False, **kwargs):
    if not enabled() or raw:
        return
    old = Issue.objects.filter(pk=instance.pk).first() if instance.pk else None
    setattr(instance, WAS, _state(old) if old else (False, False, None))


def _issue_saved(sender, instance, raw=False, **kwargs):
    if not enabled() or raw:
        return
    was_public, _, was_time = getattr(instance, WAS, (False, False, None))
    public, scheduled, time = _state(instance)
    label = f"issue {instance.pk}"
    if public != was_public or (public and time != was_time):
        enqueue(k.listing_keys(instance), f"{label} published or unpublished")
    elif public:
        enqueue(k.shown_keys(instance), f"{label} changed")
    if scheduled:
        _at_publication(instance)


def _at_publication(issue):
    enqueue(
        k.listing_keys(issue),
        f"issue {issue.pk} goes public",
        due_at=issue.published_at,
    )


def _issue_deleted(sender, instance, **kwargs):
    if enabled() and _state(instance)[0]:
        enqueue(k.listing_keys(instance), f"issue {instance.pk} deleted")


def _part_changed(sender, instance, **kwargs):
    """A story, read, byline or correction of an issue."""
    if not enabled() or kwargs.get("raw"):
        return
    from stories.models import Byline, Correction, Story

    issue = Issue.objects.filter(pk=instance.issue_id).first()
    if issue is None:
        return
    public, scheduled, _ = _state(issue)
    label = f"{sender._meta.verbose_name} {instance.pk} of issue {issue.pk}"
    if public:
        extra = []
        if isinstance(instance, Story):
            extra.append(f"story-{instance.pk}")
        if isinstance(instance, Correction):
            extra += k.CORRECTIONS
        if isinstance(instance, Byline):
            extra.append(f"contributor-{instance.contributor_id}")
        enqueue([*k.shown_keys(issue), *extra], label)
    elif scheduled:
        _at_publication(issue)


def _issue_of_tagged(item):
    from stories.models import Story

    model = item.content_type.model_class()
    if model is Issue:
        return Issue.objects.filter(pk=item.object_id).first()
    if model is Story:
        return Issue.objects.filter(stories__pk=item.object_id).first()
    return None


def _tagged(sender, instance, **kwargs):
    """A tag put on, or taken off, an issue or a story."""
    if not enabled() or kwargs.get("raw"):
        return
    issue = _issue_of_tagged(instance)
    if issue is None:
        return
    public, scheduled, _ = _state(issue)
    if public:
        tag_keys = [f"tag-{instance.tag_id}", "issues-tag-feed", "issues-archive"]
        enqueue([*k.shown_keys(issue), *tag_keys], f"tags of issue {issue.pk}")
    elif scheduled:
        _at_publication(issue)


def _cited(sender, instance, action, pk_set, **kwargs):
    """Sources cited by a story, changed from either side."""
    if not enabled() or not action.startswith(("post_", "pre_clear")):
        return
    from stories.models import Source, Story

    if action == "post_clear":
        return
    if isinstance(instance, Story):
        stories, sources = [instance], set(pk_set or ())
        if action == "pre_clear":
            sources = set(instance.sources.values_list("pk", flat=True))
    else:
        sources = {instance.pk}
        if action == "pre_clear":
            stories = list(instance.stories.all())
        else:
            stories = list(Story.objects.filter(pk__in=pk_set or ()))
    issues = Issue.objects.filter(pk__in={story.issue_id for story in stories})
    for issue in issues:
        public, scheduled, _ = _state(issue)
        if public:
            cited = [f"source-{pk}" for pk in sorted(sources)]
            if sources and Source.objects.filter(pk__in=sources).exists():
                cited.append("stories-source-list")
            enqueue([*k.shown_keys(issue), *cited], f"sources of issue {issue.pk}")
        elif scheduled:
            _at_publication(issue)


def _citing(source):
    """The keys of the public issues and stories citing `source`."""
    from stories.models import RecommendedRead, Story

    stories = Story.objects.published().filter(sources=source)
    reads = RecommendedRead.objects.published().filter(source=source)
    issue_ids = set(stories.values_list("issue_id", flat=True)) | set(
        reads.values_list("issue_id", flat=True)
    )
    return [f"issue-{pk}" for pk in sorted(issue_ids)] + [
        f"story-{pk}" for pk in stories.values_list("pk", flat=True)
    ]


def _source_changed(sender, instance, **kwargs):
    if not enabled() or kwargs.get("raw"):
        return
    citing = _citing(instance)
    if citing:
        keys = [f"source-{instance.pk}", "stories-source-list", *citing]
        enqueue(keys, f"source {instance.pk}")


def _series_changed(sender, instance, **kwargs):
    if not enabled() or kwargs.get("raw"):
        return
    issues = list(Issue.objects.published().filter(series=instance))
    if issues:
        keys = [f"series-{instance.pk}", *k.shown_keys_of(issues)]
        enqueue(keys, f"series {instance.pk}")


def _tag_changed(sender, instance, **kwargs):
    if not enabled() or kwargs.get("raw"):
        return
    from stories.models import Story

    issues = set(Issue.objects.published().filter(tags=instance))
    stories = list(Story.objects.published().filter(tags=instance))
    issues |= set(Issue.objects.filter(pk__in={s.issue_id for s in stories}))
    if issues:
        keys = [f"tag-{instance.pk}", "issues-tag-feed", "issues-archive"]
        keys += k.shown_keys_of(sorted(issues, key=lambda issue: issue.pk))
        enqueue(keys, f"tag {instance.pk}")


def _contributor_changed(sender, instance, **kwargs):
    if not enabled() or kwargs.get("raw"):
        return
    issues = list(Issue.objects.published().filter(bylines__contributor=instance))
    if issues:
        keys = [f"contributor-{instance.pk}", *k.shown_keys_of(set(issues))]
        enqueue(keys, f"contributor {instance.pk}")


def connect():
    from taggit.models import Tag, TaggedItem

    from stories.models import (
        Byline,
        Contributor,
        Correction,
        RecommendedRead,
        Source,
        Story,
    )

    pre_save.connect(_remember, sender=Issue, dispatch_uid="purge-was")
    post_save.connect(_issue_saved, sender=Issue, dispatch_uid="purge-issue")
    pre_delete.connect(_issue_deleted, sender=Issue, dispatch_uid="purge-issue-del")
    for model in (Story, RecommendedRead, Byline, Correction):
        uid = f"purge-{model._meta.label}"
        post_save.connect(_part_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_part_changed, sender=model, dispatch_uid=f"{uid}-del")
    post_save.connect(_tagged, sender=TaggedItem, dispatch_uid="purge-tagged")
    post_delete.connect(_tagged, sender=TaggedItem, dispatch_uid="purge-tagged-del")
    m2m_changed.connect(
        _cited, sender=Story.sources.through, dispatch_uid="purge-cited"
    )
    for model, handler in (
        (Source, _source_changed),
        (Series, _series_changed),
        (Tag, _tag_changed),
        (Contributor, _contributor_changed),
    ):
        uid = f"purge-{model._meta.label}"
        post_save.connect(handler, sender=model, dispatch_uid=uid)
        pre_delete.connect(handler, sender=model, dispatch_uid=f"{uid}-del")
