"""Each issue's public body, rendered when an editor saves, not when a reader asks.

An issue page used to build five prefetches (tags, stories' sources and tags,
reads with their sources) and render them for every reader the page cache
missed. Now the body (`includes/issue_body.html`) is rendered once per change
and stored in the issue's `IssueSnapshot`, with the page's head tags (its
sharing metadata and JSON-LD) and the keys of what it shows; a miss reads it with the issue
in one query.

Anything the body shows may change it: the issue, its stories and reads, the
sources they cite, its tags, its series, its bylines and the contributors they
credit, its corrections. A change to any of them empties the
snapshots of the issues concerned at once, in the same transaction (so no
reader is ever given an outdated body), and renders them again once the change
is committed. An issue whose snapshot is still empty (one of many a series'
rename emptied) is rendered by its next reader and stored then.

Every emptying also raises the snapshot's `stamp`, and a rendering is stored
only if the stamp is still the one read with the issue: a reader (or a
commit) that rendered what a later change has since replaced never
overwrites the newer state, whichever transaction commits first.
"""

import logging
from urllib.parse import quote

from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string

from issues.models import Issue, IssueSnapshot, Series

logger = logging.getLogger(__name__)

TEMPLATE = "includes/issue_body.html"
#: The page's head tags for sharing and search engines (JSON-LD included).
HEAD_TEMPLATE = "includes/issue_head.html"
#: Stands for the site's origin in a stored body (its share links are
#: absolute); each page puts the origin it was asked on in its place.
ORIGIN = "http://snapshot-origin.invalid"


class _Origin:
    """What the body's template tags ask of a request, answered for ORIGIN."""

    def build_absolute_uri(self, location):
        return ORIGIN + location


def for_request(html, request):
    """A stored body with the origin of `request` in it."""
    origin = f"{request.scheme}://{request.get_host()}"
    return html.replace(ORIGIN, origin).replace(
        quote(ORIGIN, safe=""), quote(origin, safe="")
    )


#: How many emptied snapshots a commit renders again at once, newest first;
#: the others wait for their next reader.
RENDERED_AT_COMMIT = 20
PENDING = "_issue_snapshots_pending"


def render(issue):
    """The body, head tags and cache keys of `issue` as its public page shows them.

    `issue` must carry its contents (`Issue.objects.with_contents()`).
    """
    context = {"issue": issue, "request": _Origin()}
    html = render_to_string(TEMPLATE, context)
    head = render_to_string(HEAD_TEMPLATE, context)
    keys = [f"story-{story.pk}" for story in issue.stories.all()]
    return html, head, keys


def store(issue_id, stamp, html, head, keys):
    """Store a rendering made from the state read at `stamp`; False if stale."""
    return bool(
        IssueSnapshot.objects.filter(issue_id=issue_id, stamp=stamp).update(
            html=html, head=head, keys=" ".join(keys)
        )
    )


def render_and_store(issue_ids):
    """Render the issues' bodies from what is committed, and store each if current."""
    snapshots = dict(
        IssueSnapshot.objects.filter(issue_id__in=issue_ids).values_list(
            "issue_id", "stamp"
        )
    )
    issues = Issue.objects.filter(pk__in=snapshots).select_related("series")
    for issue in issues.with_contents():
        store(issue.pk, snapshots[issue.pk], *render(issue))


def body_of(issue):
    """(html, head, keys) of `issue`'s public page, rendering it if need be.

    `issue` was read with `select_related("snapshot")`, so its stamp is the
    one of the row read; a rendering is stored only if still current.
    """
    snapshot = getattr(issue, "snapshot", None) if _has_snapshot(issue) else None
    if snapshot is not None and snapshot.html:
        return snapshot.html, snapshot.head, snapshot.keys.split()
    full = Issue.objects.filter(pk=issue.pk).select_related("series").with_contents()
    html, head, keys = render(full.get())
    if snapshot is None:
        IssueSnapshot.objects.bulk_create(
            [IssueSnapshot(issue_id=issue.pk)], ignore_conflicts=True
        )
    else:
        try:
            store(issue.pk, snapshot.stamp, html, head, keys)
        except DatabaseError:
            logger.warning("Could not store the snapshot of issue %s", issue.pk)
    return html, head, keys


def _has_snapshot(issue):
    try:
        issue.snapshot  # noqa: B018
    except IssueSnapshot.DoesNotExist:
        return False
    return True


def empty(issue_ids):
    """Empty these issues' snapshots now, and render them again at commit."""
    issue_ids = set(issue_ids)
    if not issue_ids:
        return
    IssueSnapshot.objects.filter(issue_id__in=issue_ids).update(
        html="", stamp=F("stamp") + 1
    )
    # Every change asks for a rendering at commit; the first callback renders
    # all the issues pending, the others find nothing left to do. (A rolled
    # back transaction drops its callbacks: its issues are rendered, from
    # what is committed, with the next commit's.)
    connection = transaction.get_connection()
    pending = getattr(connection, PENDING, None)
    if pending is None:
        pending = set()
        setattr(connection, PENDING, pending)
    pending |= issue_ids
    transaction.on_commit(lambda: _render_pending(connection))


def _render_pending(connection):
    issue_ids = set(getattr(connection, PENDING, None) or ())
    if not issue_ids:
        return
    getattr(connection, PENDING).clear()
    # Only what is public now: a scheduled issue's body (its image links
    # among them) is rendered by its first reader once its time comes.
    shown = (
        Issue.objects.filter(pk__in=issue_ids)
        .published()
        .order_by("-published_at")
        .values_list("pk", flat=True)[:RENDERED_AT_COMMIT]
    )
    try:
        render_and_store(list(shown))
    except Exception:
        # The page renders it for its next reader instead.
        logger.exception("Could not render the snapshots of issues %s", issue_ids)


# What changes which issues' bodies.


def _issues_citing(source_ids):
    from stories.models import RecommendedRead, Story

    return set(
        Story.objects.filter(sources__in=source_ids).values_list("issue_id", flat=True)
    ) | set(
        RecommendedRead.objects.filter(source__in=source_ids).values_list(
            "issue_id", flat=True
        )
    )


def _issues_of(instance):
    from taggit.models import Tag, TaggedItem

    from stories.models import (
        Byline,
        Contributor,
        Correction,
        RecommendedRead,
        Source,
        Story,
    )

    if isinstance(instance, Issue):
        return {instance.pk}
    if isinstance(instance, (Story, RecommendedRead, Byline, Correction)):
        return {instance.issue_id}
    if isinstance(instance, Contributor):
        return set(instance.bylines.values_list("issue_id", flat=True))
    if isinstance(instance, Source):
        return _issues_citing([instance.pk])
    if isinstance(instance, Series):
        return set(instance.issues.values_list("pk", flat=True))
    if isinstance(instance, TaggedItem):
        if instance.content_type.model_class() is Issue:
            return {instance.object_id}
        return set()
    if isinstance(instance, Tag):
        return set(Issue.objects.filter(tags=instance).values_list("pk", flat=True))
    return set()


def _changed(sender, instance, created=False, raw=False, **kwargs):
    if isinstance(instance, Issue) and created:
        IssueSnapshot.objects.bulk_create(
            [IssueSnapshot(issue_id=instance.pk)], ignore_conflicts=True
        )
    empty(_issues_of(instance))


def _deleted(sender, instance, **kwargs):
    if not isinstance(instance, Issue):
        empty(_issues_of(instance))


def _relation_changed(sender, instance, action, model, pk_set, **kwargs):
    """Sources cited by stories, and issues' tags, added or removed (either side)."""
    from stories.models import Story

    if sender is Story.sources.through and not isinstance(instance, Story):
        # From a source's side: its stories are named, or all of them cleared.
        if action == "pre_clear":
            empty(_issues_citing([instance.pk]))
        elif action.startswith("post_") and pk_set:
            empty(
                Story.objects.filter(pk__in=pk_set).values_list("issue_id", flat=True)
            )
        return
    if not action.startswith("post_"):
        return
    if isinstance(instance, Story) and sender is Story.sources.through:
        empty({instance.issue_id})
    elif isinstance(instance, Issue):
        empty({instance.pk})


def connect_signals():
    from taggit.models import Tag, TaggedItem

    from stories.models import (
        Byline,
        Contributor,
        Correction,
        RecommendedRead,
        Source,
        Story,
    )

    models = (Issue, Series, Story, RecommendedRead, Source, Tag, TaggedItem)
    for model in (*models, Byline, Contributor, Correction):
        label = model._meta.label
        post_save.connect(_changed, sender=model, dispatch_uid=f"snapshot-{label}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"snapshot-del-{label}"
        )
    for through in (Story.sources.through, Issue.tags.through):
        m2m_changed.connect(
            _relation_changed,
            sender=through,
            dispatch_uid=f"snapshot-m2m-{through._meta.label}",
        )
