"""`manage.py load_demo`: the demo site: seed sources, seed reports, demo accounts.

Each step is a function in `STEPS`, run in order inside one transaction; add
a step by appending a function that takes the command. Every step only adds
what is missing and never overwrites, so running it again changes nothing
and an edit made in the admin survives `make run`. The demo accounts get
their password from DEMO_PASSWORD when they are created; an existing
account's password is left alone.
"""

import json
import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from issues import reports
from issues.models import Issue, Series
from newsroom.fundraising.models import load_donate_seed
from newsroom.scale import add_issues
from stories.models import Source

DEMO_ACCOUNTS = [("editor", "Editors"), ("writer", "Writers")]
DATED_NAME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_]")


def seeds_dir() -> Path:
    return Path(settings.BASE_DIR) / "seeds"


def load_sources(command):
    """The outlets the seed reports cite, with homepages for the reads' links."""
    created = 0
    for entry in json.loads((seeds_dir() / "sources.json").read_text("utf-8")):
        source, new = Source.objects.find_or_create(**entry)
        if new:
            created += 1
            continue
        blanks = [
            key for key, value in entry.items() if value and not getattr(source, key)
        ]
        for key in blanks:
            setattr(source, key, entry[key])
        if blanks:
            source.save(update_fields=blanks)
    command.stdout.write(f"Sources: {created} added.")


def import_seed_reports(command):
    """Every `seeds/*.txt` report, published; an issue already there is kept."""
    paths = sorted(seeds_dir().glob("*.txt"))
    for index, path in enumerate(paths):
        try:
            report = reports.read_report(path.read_bytes())
        except reports.ReportParseError as error:
            raise CommandError(f"{path.name}, {error}") from None
        try:
            series = reports.series_for(report, may_create=True)
        except reports.SeriesUnclear:
            # Among series of the site's own, none by the demo's hashtag: the
            # demo gets the series its hashtag names, rather than stopping.
            series = reports.series_from_hashtag(report.hashtag)
        if reports.find_existing_issue(report, series):
            command.stdout.write(f"Kept: {report.headline}")
            continue
        published_at = _publish_time(path) or timezone.now() - timedelta(
            minutes=len(paths) - index
        )
        issue, _ = reports.import_report(
            report,
            reports.ImportOptions(
                series=series,
                status=Issue.Status.PUBLISHED,
                published_at=published_at,
            ),
        )
        command.stdout.write(f"Imported: {issue.headline}")


def fill_series_channels(command):
    """The seed series' channel URL from seeds/series.json, where it has none."""
    entries = json.loads((seeds_dir() / "series.json").read_text("utf-8"))
    filled = 0
    for hashtag, fields in entries.items():
        if hashtag.startswith("_"):
            continue
        for series in Series.objects.filter(hashtag__iexact=hashtag, channel_url=""):
            series.channel_url = fields["channel_url"]
            series.save(update_fields=["channel_url"])
            filled += 1
    command.stdout.write(f"Series channels: {filled} added.")


def create_demo_accounts(command):
    """`editor` and `writer`, staff members of their groups."""
    User = get_user_model()
    password = os.environ.get("DEMO_PASSWORD", "demo")
    for username, group_name in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, password=password, is_staff=True)
            command.stdout.write(f"Account: {username} ({group_name}) created.")
        elif not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=group_name))


def load_donate_campaign(command):
    """The donate page and a demo campaign from seeds/donate.json (placeholder links)."""
    seed = json.loads((seeds_dir() / "donate.json").read_text("utf-8"))
    created = load_donate_seed(seed)
    command.stdout.write(f"Donate page and campaign: {len(created)} added.")


def tag_seed_issues(command):
    """The demo issues' and stories' tags from seeds/tags.json; tags are only added."""
    added = 0
    for headline, tags in json.loads(
        (seeds_dir() / "tags.json").read_text("utf-8")
    ).items():
        issue = Issue.objects.filter(headline=headline).first()
        if issue is None:
            continue
        targets = [(issue, tags.get("issue", []))]
        targets += [
            (story, tags["stories"].get(story.headline, []))
            for story in issue.stories.all()
        ]
        for target, names in targets:
            missing = set(names) - set(target.tags.names())
            if missing:
                target.tags.add(*missing)
                added += len(missing)
    command.stdout.write(f"Tags: {added} added.")


STEPS = [
    load_sources,
    import_seed_reports,
    fill_series_channels,
    tag_seed_issues,
    create_demo_accounts,
    load_donate_campaign,
]


class Command(BaseCommand):
    help = (
        "Load the demo: the sources and reports in seeds/ (published) and the "
        "accounts editor and writer (password from DEMO_PASSWORD, default "
        "'demo', set only when an account is created). Running it again "
        "changes nothing. Refuses to run with DEBUG off unless --force. "
        "--scale N adds N synthetic published issues each time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Also add N synthetic published issues (four stories and four "
                "reads each), in bulk, to measure the site at size."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off, e.g. to fill a staging site.",
        )

    def handle(self, *args, force=False, scale=0, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a production site, and load_demo "
                "creates accounts with a known password. Use --force if you "
                "really mean it."
            )
        if scale < 0:
            raise CommandError("--scale takes a number of issues, 0 or more.")
        with transaction.atomic():
            for step in STEPS:
                step(self)
        if scale:
            started = time.monotonic()
            added = add_issues(scale)
            self.stdout.write(
                f"Synthetic issues: {len(added)} added "
                f"in {time.monotonic() - started:.1f} s."
            )
        self.stdout.write(self.style.SUCCESS("Demo loaded."))


def _publish_time(path: Path):
    """The date a file name starts with ("2025-02-21-…"), at noon in TIME_ZONE."""
    match = DATED_NAME_RE.match(path.name)
    if not match:
        return None
    day = datetime.fromisoformat(match.group(1))
    return timezone.make_aware(day.replace(hour=12))
