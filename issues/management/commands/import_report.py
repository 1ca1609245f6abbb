"""`manage.py import_report PATH`: turn a plain-text weekly report into an issue.

The format is described in `issues/reports/parser.py`. Without a publish
option the issue is a draft; importing the same report again updates the
issue it made, unless that issue was edited in the admin since: then the
command lists what would be replaced and needs --replace-edits. A report
that cannot be parsed is refused with its line number, and nothing is
written.

Publishing from here is recorded in the issue's history like the admin's
buttons, but the admin's publish checklist only warns: the command is the
operator's, and the contract's own report format names its reads' outlets
without links, so on a site whose sources have no homepages yet a refusal
would turn away the very documents the command exists for.
"""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from issues.models import Issue, Series
from issues.previews import preview_path
from issues.reports import (
    IMPORT_MAX_BYTES,
    ImportOptions,
    ReportParseError,
    ReportTooLarge,
    SeriesUnclear,
    find_existing_issue,
    import_report,
    read_report,
    series_for,
)
from issues.revisions import edits_since_import
from issues.workflow import publish_problems, publish_warnings


class Command(BaseCommand):
    help = (
        "Import a plain-text weekly report as an issue (a draft unless "
        "--publish or --publish-at is given) and print its public and preview "
        "URLs. Importing the same report again updates that issue."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The report, a UTF-8 plain-text file.")
        parser.add_argument(
            "--series",
            metavar="SLUG",
            help=(
                "The series the issue belongs to. Default: the series whose "
                "hashtag the report uses, else the only series, else a new one "
                "named after the report's hashtag."
            ),
        )
        parser.add_argument(
            "--replace-edits",
            action="store_true",
            help=(
                "Update the issue even though it was edited in the admin since "
                "its last import; the edited version stays in its history."
            ),
        )
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--publish", action="store_true", help="Publish the issue now."
        )
        when.add_argument(
            "--publish-at",
            metavar="ISO8601",
            help=(
                "Publish at this time, e.g. 2025-02-21T09:00 (in TIME_ZONE) or "
                "2025-02-21T09:00+00:00. A time in the future schedules the issue."
            ),
        )

    def handle(
        self,
        *args,
        path,
        series=None,
        publish=False,
        publish_at=None,
        replace_edits=False,
        **options,
    ):
        published_at = _parse_time(publish_at) if publish_at else None
        report = self._read_report(Path(path))
        # Without a publish option a new issue is a draft and an existing one
        # keeps its state: re-importing a correction never takes it offline.
        status = Issue.Status.PUBLISHED if publish or published_at else None
        with transaction.atomic():
            series = self._series(series, report)
            existing = find_existing_issue(report, series)
            edits = edits_since_import(existing) if existing else []
            if edits and not replace_edits:
                raise CommandError(
                    f"“{existing.headline}” was edited in the admin since its last "
                    f"import (changed: {', '.join(edits)}). Importing would "
                    "replace those edits: run again with --replace-edits to do "
                    "so; the edited version stays in the issue's history, where "
                    "it can be restored."
                )
            issue, created = import_report(
                report,
                ImportOptions(
                    series=series,
                    status=status,
                    published_at=published_at,
                ),
            )

        self.stdout.write(
            self.style.SUCCESS(
                f"{'Created' if created else 'Updated'} issue No. {issue.number} "
                f"“{issue.headline}” in {issue.series.name}: "
                f"{issue.stories.count()} stories, {issue.reads.count()} "
                f"recommended reads. State: {_state(issue)}."
            )
        )
        if status is not None:
            for problem in publish_problems(issue):
                self.stdout.write(
                    self.style.WARNING(f"Before readers notice: {problem}")
                )
            for warning in publish_warnings(issue):
                self.stdout.write(self.style.WARNING(f"Worth fixing: {warning}"))
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"Public URL:  {site}{issue.get_absolute_url()}")
        self.stdout.write(f"Preview URL: {site}{preview_path(issue)}")

    def _read_report(self, path: Path):
        """Parse the file, reading no more of it than a report may hold."""
        try:
            with path.open("rb") as file:
                return read_report(file.read(IMPORT_MAX_BYTES + 1))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except ReportTooLarge:
            raise CommandError(
                f"{path} is too large: a report is at most "
                f"{IMPORT_MAX_BYTES // 1024} kB."
            ) from None
        except ReportParseError as error:
            raise CommandError(f"{path}, {error}") from None

    def _series(self, slug, report) -> Series:
        if slug:
            try:
                return Series.objects.get(slug=slug)
            except Series.DoesNotExist:
                known = ", ".join(Series.objects.values_list("slug", flat=True))
                raise CommandError(
                    f"No series with the slug “{slug}”. "
                    + (f"Known series: {known}." if known else "There is none yet.")
                ) from None
        try:
            return series_for(report, may_create=True)
        except SeriesUnclear as error:
            raise CommandError(
                "Several series exist and none uses the report's hashtag "
                f"{error.hashtag or '(none)'}: choose one with --series SLUG."
            ) from None


def _parse_time(value: str):
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--publish-at: “{value}” is not an ISO 8601 date and time; "
            "write e.g. 2025-02-21T09:00 or 2025-02-21T09:00+00:00."
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _state(issue: Issue) -> str:
    state = issue.state
    if state not in (Issue.State.PUBLISHED, Issue.State.SCHEDULED):
        return f"{state.label.lower()}, not public"
    when = timezone.localtime(issue.published_at).strftime("%Y-%m-%d %H:%M %Z")
    if state == Issue.State.SCHEDULED:
        return f"scheduled for {when}"
    return f"published {when}"
