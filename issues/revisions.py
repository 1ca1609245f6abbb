"""Revisions of an issue with its stories and reads, kept by django-reversion.

Every admin save stores the issue and, by following its relations, all its
stories and recommended reads as one revision. This module turns a revision
into a flat, labelled snapshot ("Story 2 · Body") so any revision can be
compared field by field with the current issue, and restores a revision's
content as a new revision without touching the workflow state.
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property

import reversion
from django.core import serializers
from django.db import transaction
from django.utils.text import capfirst
from reversion.models import Version

from issues.models import Issue, Series
from issues.reports.writer import IMPORTED
from issues.templatetags.admin_times import stamp
from issues.textdiff import readable, word_diff
from stories.models import RecommendedRead, Source, Story

# The search vectors are the database's to compute, not content to keep.
reversion.register(Story, exclude=["search_vector"])
reversion.register(RecommendedRead, exclude=["search_vector"])
reversion.register(Issue, follow=("stories", "reads"), exclude=["search_vector"])

STORY_FIELDS = ["headline", "slug", "body", "why_it_matters", "more_information"]
READ_FIELDS = ["source", "summary", "url"]

# What a restore leaves as it is: the workflow decides the state, the stamps
# record the issue's making and its edit version, and a restore must not bring
# back preview links an editor revoked.
RESTORE_KEEPS = [
    *Issue.WORKFLOW_FIELDS,
    "created_at",
    "created_by",
    "version",
    "preview_key",
]


# Fields whose stored value is rich text, compared as a reader reads it.
RICH_FIELDS = {"body", "why_it_matters", "more_information"}


@dataclass
class Row:
    """One line of a comparison: a field, or a whole story or read added or removed.

    `old` and `new` are the stored values; `old_html` and `new_html` the
    text a reader reads, with the words taken out and added marked.
    """

    label: str
    old: str
    new: str
    rich: bool = False

    @property
    def changed(self):
        return self.old != self.new

    @cached_property
    def _marked(self):
        old, new = self.old, self.new
        if self.rich:
            old, new = readable(old), readable(new)
        return word_diff(old, new)

    @property
    def old_html(self):
        return self._marked[0]

    @property
    def new_html(self):
        return self._marked[1]


@dataclass
class Part:
    """A story or a recommended read as one side of a comparison holds it."""

    kind: str
    number: int
    fields: dict = dataclass_field(default_factory=dict)
    rich: set = dataclass_field(default_factory=set)

    @property
    def name(self):
        return f"{self.kind} {self.number}"

    def as_text(self):
        """The whole part as text, for a part only one side has."""
        return "\n".join(
            f"{label}: {readable(value) if label in self.rich else value}"
            for label, value in self.fields.items()
            if value
        )


@dataclass
class Snapshot:
    """An issue's content at one time: its fields by label, its parts by identity.

    Stories and reads are keyed by their own id, so a comparison matches
    each with itself however the others moved: adding a read is one added
    read, not every read after it changed.
    """

    fields: dict
    parts: dict


def _label(model, field_name):
    return capfirst(str(model._meta.get_field(field_name).verbose_name))


def _snapshot(issue_values, stories, reads, series_names, source_names):
    """A `Snapshot` from plain dicts, the same whatever they were read from."""
    fields = {}
    for name in Issue.CONTENT_FIELDS:
        value = issue_values.get(name)
        if name == "series":
            value = series_names.get(value, "")
        fields[_label(Issue, name)] = "" if value is None else str(value)
    parts = {}
    for n, story in enumerate(stories, 1):
        part = Part("Story", n)
        for name in STORY_FIELDS:
            part.fields[_label(Story, name)] = story.get(name) or ""
            if name in RICH_FIELDS:
                part.rich.add(_label(Story, name))
        names = sorted(source_names.get(pk, "") for pk in story.get("sources", []))
        part.fields["Sources"] = ", ".join(names)
        parts[("story", story["pk"])] = part
    for n, read in enumerate(reads, 1):
        part = Part("Recommended read", n)
        for name in READ_FIELDS:
            value = read.get(name)
            if name == "source":
                value = source_names.get(value, "")
            part.fields[_label(RecommendedRead, name)] = value or ""
        parts[("read", read["pk"])] = part
    return Snapshot(fields, parts)


def _names(model, pks):
    return dict(model.objects.filter(pk__in=set(pks)).values_list("pk", "name"))


def _named_snapshot(issue_values, stories, reads):
    """The snapshot, with the series and sources named as they are called now."""
    source_pks = [pk for s in stories for pk in s["sources"]]
    source_pks += [r["source"] for r in reads if r["source"]]
    return _snapshot(
        issue_values,
        stories,
        reads,
        _names(Series, [issue_values["series"]]),
        _names(Source, source_pks),
    )


def current_snapshot(issue):
    issue_values = {f: getattr(issue, f) for f in Issue.CONTENT_FIELDS}
    issue_values["series"] = issue.series_id
    stories = [
        {
            **{f: getattr(s, f) for f in STORY_FIELDS},
            "pk": s.pk,
            "sources": [src.pk for src in s.sources.all()],
        }
        for s in issue.stories.prefetch_related("sources")
    ]
    reads = [
        {"pk": r.pk, "source": r.source_id, "summary": r.summary, "url": r.url}
        for r in issue.reads.all()
    ]
    return _named_snapshot(issue_values, stories, reads)


def revision_snapshot(revision, issue):
    """The snapshot of `issue` as `revision` stored it, or None if it holds no issue."""
    issue_values, stories, reads = None, [], []
    for version in revision.version_set.select_related("content_type"):
        model = version.content_type.model_class()
        data = version.field_dict
        if model is Issue and version.object_id == str(issue.pk):
            issue_values = dict(data)
            issue_values["series"] = data.get("series_id")
        elif model is Story and data.get("issue_id") == issue.pk:
            stories.append(
                {
                    **data,
                    "pk": data["id"],
                    "sources": list(data.get("sources", [])),
                }
            )
        elif model is RecommendedRead and data.get("issue_id") == issue.pk:
            reads.append({**data, "pk": data["id"], "source": data.get("source_id")})
    if issue_values is None:
        return None
    stories.sort(key=lambda s: (s.get("position", 0), s["pk"]))
    reads.sort(key=lambda r: (r.get("position", 0), r["pk"]))
    return _named_snapshot(issue_values, stories, reads)


def compare(old, new):
    """Rows for every field of either snapshot, in the order an issue reads.

    Stories and reads are matched by identity: one both sides hold gives a
    row per field, labelled by its number in the newer side; one only a
    side holds gives one row, "Story 3 (added)" or "(removed)".
    """
    rows = [
        Row(label, old.fields.get(label, ""), new.fields.get(label, ""))
        for label in {**old.fields, **new.fields}
    ]
    keys = list(new.parts) + [key for key in old.parts if key not in new.parts]
    for key in keys:
        before, after = old.parts.get(key), new.parts.get(key)
        if before is None:
            rows.append(Row(f"{after.name} (added)", "", after.as_text()))
        elif after is None:
            rows.append(Row(f"{before.name} (removed)", before.as_text(), ""))
        else:
            for label in {**before.fields, **after.fields}:
                rows.append(
                    Row(
                        f"{after.name} · {label}",
                        before.fields.get(label, ""),
                        after.fields.get(label, ""),
                        rich=label in after.rich,
                    )
                )
    return rows


def issue_versions(issue):
    """The issue's revisions, newest first, with who made them."""
    return Version.objects.get_for_object(issue).select_related("revision__user")


# Revisions saved in these states were made by editors after the issue went
# public; they can hold text an editor took out of a live issue.
PUBLIC_ERA_STATUSES = {Issue.Status.PUBLISHED, Issue.Status.UNPUBLISHED}


def versions_visible_to(issue, user):
    """The issue's revisions `user` may read, newest first.

    Editors read them all. Anyone else reads only those saved while the
    issue was not yet, or no longer, public: a writer who gets an
    unpublished issue back as a draft must not read in its history what an
    editor removed from it while it was live.
    """
    versions = issue_versions(issue)
    if user.has_perm("issues.publish_issue"):
        return versions
    visible = [
        v.pk for v in versions if v.field_dict.get("status") not in PUBLIC_ERA_STATUSES
    ]
    return versions.filter(pk__in=visible)


def ensure_initial_revision(issue):
    """Keep a first revision of an issue made outside the admin (e.g. imported)."""
    if not Version.objects.get_for_object(issue).exists():
        with reversion.create_revision():
            reversion.add_to_revision(issue)
            reversion.set_comment("Version before the first edit in the admin.")


def edits_since_import(issue):
    """What was changed in `issue` since its last import, by label; [] if nothing.

    The issue as its latest import left it (that import's revision) against
    the issue now: what a new import of the report would replace. An issue
    no import made, or whose import is no longer in the history, has none.
    """
    for version in issue_versions(issue)[:200]:
        if version.revision.comment == IMPORTED:
            then = revision_snapshot(version.revision, issue)
            if then is None:
                return []
            return [
                row.label
                for row in compare(then, current_snapshot(issue))
                if row.changed
            ]
    return []


def snapshot_at_version(issue, version_number):
    """The snapshot that an edit form loaded at `version_number` was showing."""
    for version in issue_versions(issue)[:200]:
        if version.field_dict.get("version") == version_number:
            return revision_snapshot(version.revision, issue)
    return None


def record_revision(issue, user, comment):
    """Keep the issue as it is now, after a change made outside its edit form.

    A merge of sources, say: the history shows who did it, and restoring
    this revision brings back exactly what it left.
    """
    with reversion.create_revision():
        reversion.add_to_revision(issue)
        reversion.set_user(user)
        reversion.set_comment(comment)


def restore(revision, issue, user):
    """Put back `revision`'s content of `issue` as a new revision by `user`.

    Stories and reads added since are deleted, removed ones come back; the
    status, publish time and version counter stay as they are now, so a
    restore never publishes or unpublishes anything and stale edit forms are
    still refused. A citation of a source deleted or merged away since cannot
    come back: it is left out, and the returned notes say where.
    """
    with transaction.atomic(), reversion.create_revision():
        current = Issue.objects.select_for_update().get(pk=issue.pk)
        kept = {f: getattr(current, f) for f in RESTORE_KEEPS}
        left_out = _revert(revision, current)
        restored = Issue.objects.get(pk=issue.pk)
        for field, value in kept.items():
            setattr(restored, field, value)
        restored.version = current.version + 1
        restored.updated_by = user
        restored.save()
        reversion.set_user(user)
        when = stamp(revision.date_created)
        reversion.set_comment(f"Restored the revision of {when}.")
    return restored, left_out


# The order a revision's objects are saved in, so each finds what it points to.
_REVERT_ORDER = {Issue: 0, Story: 1, RecommendedRead: 2}


def _revert(revision, issue):
    """Save every object `revision` holds, as django-reversion's revert does,
    after deleting the issue's stories and reads that it does not hold.

    Unlike reversion's, a reference to a row that no longer exists is
    dropped (a nullable foreign key set to null, a many-to-many entry left
    out) instead of failing the whole restore on the database's constraint.
    Returns a note per object that lost a reference.
    """
    objects = []
    for version in revision.version_set.all():
        (deserialized,) = serializers.deserialize(
            version.format, version.serialized_data, ignorenonexistent=True
        )
        objects.append(deserialized)
    objects.sort(key=lambda d: _REVERT_ORDER.get(type(d.object), len(_REVERT_ORDER)))
    held = {(type(d.object), d.object.pk) for d in objects}
    for part in (*issue.stories.all(), *issue.reads.all()):
        if (type(part), part.pk) not in held:
            part.delete()
    notes = []
    for deserialized in objects:
        if set(_drop_missing_references(deserialized)) - RESTORE_SETS:
            notes.append(_left_out_note(deserialized.object))
        deserialized.save()
    return notes


# Fields the restore sets itself, whatever the revision held.
RESTORE_SETS = {*RESTORE_KEEPS, "updated_by"}


def _drop_missing_references(deserialized):
    """Drop `deserialized`'s references to rows that are gone; the fields' names."""
    obj, dropped = deserialized.object, []
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.is_relation and field.null and value is not None:
            if not field.related_model._base_manager.filter(pk=value).exists():
                setattr(obj, field.attname, None)
                dropped.append(field.name)
    for name, pks in (deserialized.m2m_data or {}).items():
        related = obj._meta.get_field(name).related_model
        existing = set(
            related._base_manager.filter(pk__in=pks).values_list("pk", flat=True)
        )
        if len(existing) < len(set(pks)):
            deserialized.m2m_data[name] = [pk for pk in pks if pk in existing]
            dropped.append(name)
    return dropped


def _left_out_note(obj):
    if isinstance(obj, Story):
        return f"The story “{obj}” no longer cites a source deleted or merged since."
    if isinstance(obj, RecommendedRead):
        return (
            f"The recommended read “{obj.summary[:60]}” lost its outlet, "
            "deleted or merged since; choose one again."
        )
    return f"{capfirst(obj._meta.verbose_name)} “{obj}” lost a link to a row deleted since."
