"""`manage.py export_report ISSUE_SLUG [PATH]`: an issue as a plain-text report.

The text is in the format `import_report` reads (the format of `seeds/`),
reads' URLs included, so importing it as a new document gives the same
issue. Without PATH it goes to standard output. What the format cannot
hold (an admin edit's bold or links, say) is named on standard error, so
the text itself stays clean to pipe or paste.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from issues.models import Issue
from issues.reports import export_report, report_of, round_trip_problems
from stories.models import Source


class Command(BaseCommand):
    help = (
        "Write an issue as a plain-text report in the format import_report "
        "reads, to PATH or standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue_slug", metavar="ISSUE_SLUG")
        parser.add_argument(
            "path", metavar="PATH", nargs="?", help="The file to write (UTF-8)."
        )

    def handle(self, *args, issue_slug, path=None, **options):
        issue = (
            Issue.objects.with_contents()
            .select_related("series")
            .filter(slug=issue_slug)
            .first()
        )
        if issue is None:
            raise CommandError(f"No issue with the slug “{issue_slug}”.")
        report = report_of(issue)
        text = export_report(report)
        if path:
            try:
                Path(path).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
            self.stdout.write(
                self.style.SUCCESS(f"Wrote “{issue.headline}” to {path}.")
            )
        else:
            self.stdout.write(text, ending="")
        known = Source.objects.values_list("name", flat=True)
        for problem in round_trip_problems(report, known_sources=list(known)):
            self.stderr.write(self.style.WARNING(f"Not kept by a re-import: {problem}"))
