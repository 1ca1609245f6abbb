"""The report pipeline's database side: read a report, then write it.

The parser (`issues.reports.parser`) knows nothing of the database. This
module gives it the outlet names the site knows, finds the series a report
belongs to, and is the one place that turns the parser's dataclasses into a
series, an issue, stories, reads and sources, in one transaction, so a
failure leaves nothing half-written. `report_of` goes the other way, for
the exporter: an issue read back into the parser's dataclasses.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from issues import workflow
from issues.models import Issue, Series, unique_in, unique_slug
from issues.reports.attribution import normalise_source_name
from issues.reports.parser import (
    ReadDraft,
    Report,
    StoryDraft,
    parse_report,
    report_text,
)
from stories import counts
from stories.models import RecommendedRead, Source, Story


def read_report(data: bytes | str) -> Report:
    """Parse a report from a file's bytes or a pasted text.

    Outlet names the site already knows are read first, into a plain list, so
    the parser (which makes no queries) recognises them; callers only turn a
    `ReportTooLarge` or a `ReportParseError` into their own kind of message.
    """
    text = report_text(data)
    known = list(Source.objects.values_list("name", flat=True))
    return parse_report(text, known_sources=known)


def issue_slug(headline: str) -> str:
    """The slug an issue gets from its headline, before any collision suffix."""
    max_length = Issue._meta.get_field("slug").max_length - 5
    return slugify(headline)[:max_length].strip("-") or "issue"


def import_key(report: Report) -> str:
    """What makes two imports "the same document": the slug of its headline.

    An import records it on the issue it makes (`Issue.import_key`), so an
    edited version of the report (a typo fixed, a story rewritten) updates
    that issue, while a report under another headline is another issue.
    """
    return issue_slug(report.headline)


def find_existing_issue(report: Report, series: Series) -> Issue | None:
    """The issue an earlier import of the same document made in `series`, or None.

    Only the recorded key counts, never a slug that looks alike: an issue
    made by hand, or imported from "Venezuela 2025" when the report is
    "Venezuela", is not this report's to overwrite.
    """
    return series.issues.filter(import_key=import_key(report)).first()


#: The comment of an import's revision, by which `edits_since_import` finds it.
IMPORTED = "Imported from a text report."


@dataclass(frozen=True)
class ImportOptions:
    """Where an import writes, in what state, and on whose behalf.

    `status` None keeps an existing issue's status (a new one is a draft), so
    fixing a typo in a published issue does not take it offline; with
    `published_at` None, publishing keeps an existing publish time that has
    passed, else uses now. `user` None is a command. `may_update(issue)`, when
    given, is asked about the existing issue once it is locked, so a check
    made earlier cannot be outrun by a publish in between.
    """

    series: Series
    status: str | None = None
    published_at: datetime | None = None
    user: AbstractBaseUser | None = None
    may_update: Callable[[Issue], bool] | None = None


@transaction.atomic
def import_report(report: Report, options: ImportOptions) -> tuple[Issue, bool]:
    """Create or update the issue `report` describes; return it and whether it is new.

    Re-importing updates the issue an earlier import of the same report made
    (`find_existing_issue`): its fields are rewritten, its stories and reads
    replaced, its sources reused by name. A change of status or publish time
    is recorded in the issue's history as the workflow's buttons record
    theirs.

    The import is one revision of the issue, and it raises the issue's
    version, so an edit form opened before it is refused rather than
    overwriting the imported text. An existing issue that
    `options.may_update` says no to raises `ImportRefused`.
    """
    with reversion.create_revision():
        issue, created = _write(report, options)
        reversion.add_to_revision(issue)
        if options.user is not None:
            reversion.set_user(options.user)
        reversion.set_comment(IMPORTED)
    return issue, created


class ImportRefused(Exception):
    """The report would update an issue that the importing user may not change."""

    def __init__(self, issue):
        super().__init__(f"Not allowed to update “{issue.headline}”.")
        self.issue = issue


def _write(report: Report, options: ImportOptions):
    user, status = options.user, options.status
    series = Series.objects.select_for_update().get(pk=options.series.pk)
    if user is None or user.has_perm("issues.change_series"):
        _fill_series(series, report)

    issue = find_existing_issue(report, series)
    created = issue is None
    if created:
        issue = Issue(
            series=series,
            number=series.next_number(),
            slug=unique_slug(Issue.objects.all(), issue_slug(report.headline)),
            import_key=import_key(report),
            created_by=user,
        )
    else:
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if options.may_update is not None and not options.may_update(issue):
            raise ImportRefused(issue)
        issue.version += 1
    was = (issue.status, issue.published_at)

    issue.headline = report.headline
    issue.dek = report.dek
    issue.intro = _override(report.intro, series.intro)
    issue.channel_call = _override(report.channel_call, series.channel_call)
    issue.appeal = _override(report.appeal, series.appeal)
    if status is not None:
        issue.status = status
    issue.published_at = _publish_time(issue, options)
    if user is not None:
        issue.updated_by = user
    issue.save()

    issue.stories.all().delete()
    issue.reads.all().delete()
    sources = _SourceCache()
    story_slugs: set[str] = set()
    for position, draft in enumerate(report.stories, start=1):
        story = Story.objects.create(
            issue=issue,
            position=position,
            headline=draft.headline,
            slug=unique_in(slugify(draft.headline)[:190] or "story", story_slugs),
            body=draft.body_html,
            why_it_matters=draft.why_it_matters_html,
            more_information=draft.more_information_html,
        )
        story.sources.set([sources.get(name) for name in draft.source_names])
    RecommendedRead.objects.bulk_create(
        RecommendedRead(
            issue=issue,
            position=position,
            source=sources.get(read.outlet),
            summary=read.summary,
            url=read.url,
        )
        for position, read in enumerate(report.reads, start=1)
    )
    # The reads went in in bulk, with no signals to count their sources.
    counts.recount_sources(issue.reads.values_list("source_id", flat=True))
    if (issue.status, issue.published_at) != was:
        workflow.record(
            issue, user=user, from_status=was[0], note="Imported from a text report."
        )
    return issue, created


def _publish_time(issue, options: ImportOptions):
    """When `issue` goes public after the import.

    An explicit time wins. Asked to publish without one, the issue keeps a
    publish time that has already passed (a correction does not move it up
    the archive), but a future one is replaced by now: "publish" means now,
    even for an issue that was scheduled.
    """
    if options.published_at is not None:
        return options.published_at
    if issue.status != Issue.Status.PUBLISHED:
        return issue.published_at
    now = timezone.now()
    kept = issue.published_at
    if kept is None or (options.status is not None and kept > now):
        return now
    return kept


class SeriesUnclear(Exception):
    """Several series exist and none uses the report's hashtag: a person must choose."""

    def __init__(self, report: Report):
        super().__init__(
            "Several series exist and none uses the report's hashtag "
            f"{report.hashtag or '(none)'}."
        )
        self.hashtag = report.hashtag


def series_for(report: Report, *, may_create: bool) -> Series | None:
    """The series a report belongs to when none is named.

    The series using the report's hashtag, else the only series there is.
    On a site with no series yet it is the series the hashtag names, made
    when `may_create`; otherwise None, and nothing is written, so a form can
    ask first and make it when it saves. Several series, none using the
    hashtag: `SeriesUnclear`, for a person to choose.
    """
    if report.hashtag:
        match = Series.objects.filter(hashtag__iexact=report.hashtag).first()
        if match:
            return match
    only = Series.objects.only_one()
    if only is not None:
        return only
    if Series.objects.exists():
        raise SeriesUnclear(report)
    return series_from_hashtag(report.hashtag) if may_create else None


def series_from_hashtag(hashtag: str) -> Series:
    """The series a report's hashtag names, made if missing: "#NowWhatVenezuela"
    becomes "Now What Venezuela" with the slug "nowwhatvenezuela", as readers
    type it."""
    tag = hashtag.lstrip("#")
    if not tag:
        series, _ = Series.objects.get_or_create(
            slug="weekly-report", defaults={"name": "Weekly report"}
        )
        return series
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", tag)
    slug = slugify(tag)[:100] or "series"
    series = Series.objects.filter(slug=slug).first()
    if series is None:
        if Series.objects.filter(name=name).exists():
            name = hashtag
        series = Series.objects.create(name=name, slug=slug, hashtag=hashtag)
    return series


def _fill_series(series: Series, report: Report):
    """Give a series the report's standard texts where it has none yet.

    Only for a command or someone who may change the series: its texts show on
    every published issue that leaves its own empty, so a writer's report
    fills the issue's fields instead.
    """
    changed = []
    for field_name, value in (
        ("hashtag", report.hashtag),
        ("intro", report.intro),
        ("channel_call", report.channel_call),
    ):
        if value and not getattr(series, field_name):
            setattr(series, field_name, value)
            changed.append(field_name)
    if report.appeal and not series.appeal:
        series.appeal = report.appeal
        changed.append("appeal")
        if report.donate_label:
            series.donate_label = report.donate_label
            changed.append("donate_label")
    if changed:
        series.save(update_fields=changed)


def _override(value: str, series_value: str) -> str:
    """An issue keeps its own text only where it differs from the series'."""
    return "" if value == series_value else value


class _SourceCache:
    """Sources by name, case-insensitively, created on first use."""

    def __init__(self):
        self._by_name: dict[str, Source] = {}

    def get(self, name: str) -> Source:
        name = normalise_source_name(name)
        key = name.casefold()
        if key not in self._by_name:
            self._by_name[key], _ = Source.objects.find_or_create(name)
        return self._by_name[key]


def report_of(issue: Issue) -> Report:
    """The issue as the parser's `Report`: what `exporter.export_report` writes.

    Its texts are the ones readers see (the series' where the issue has
    none). It reads the issue's stories, their sources and its reads:
    prefetch them (`Issue.objects.with_contents()`) to read any issue in a
    fixed number of queries.
    """
    return Report(
        headline=issue.headline,
        dek=issue.dek,
        intro=issue.effective_intro,
        channel_call=issue.effective_channel_call,
        stories=[
            StoryDraft(
                headline=story.headline,
                body_html=story.body,
                why_it_matters_html=story.why_it_matters,
                more_information_html=story.more_information,
                source_names=[source.name for source in story.sources.all()],
            )
            for story in issue.stories.all()
        ],
        reads=[
            ReadDraft(
                outlet=read.source.name if read.source else "",
                summary=read.summary,
                url=read.url,
            )
            for read in issue.reads.all()
        ],
        appeal=issue.effective_appeal,
        donate_label=issue.series.donate_label,
    )
