"""Admin forms for the editorial workflow: edits refused when stale, schedules, imports."""

import re

from django import forms
from django.db import connection, transaction

from issues.models import Issue, Series, unique_slug
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
from issues.reports.parser import report_text
from issues.reports.writer import issue_slug
from issues.revisions import (
    compare,
    current_snapshot,
    edits_since_import,
    snapshot_at_version,
)
from issues.templatetags.admin_times import stamp
from issues.workflow import TRANSITIONS, TransitionError, can_edit, check


class NormalisedNewlinesMixin:
    """Store line breaks as "\n", as the importer does.

    Browsers send a textarea's line breaks as CR LF, so an untouched field
    would otherwise count as changed on every save (and be recorded in the
    revision) while the text itself is the same.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            data = self.data.copy()
            for key in data:
                values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                values = [
                    v.replace("\r\n", "\n") if isinstance(v, str) else v for v in values
                ]
                if hasattr(data, "setlist"):
                    data.setlist(key, values)
                else:
                    data[key] = values[0]
            self.data = data


class AdminContentForm(NormalisedNewlinesMixin, forms.ModelForm):
    """A model form of the admin's: the admin's fieldsets or fields choose its fields."""


# Set in the change form's data when it is filled with edits autosave kept
# (`issues.admin.autosave`): shown for their author to look over, not saved.
RESTORING_PENDING = "_restoring_pending"

# An issue in these states may never have been public: its slug may still
# follow its headline.
NOT_YET_PUBLISHED = {Issue.Status.DRAFT, Issue.Status.IN_REVIEW}

SCHEDULE_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class ScheduleForm(forms.Form):
    """The time next to the "Schedule" button, read in the site's time zone."""

    publish_at = forms.DateTimeField(
        label="Publish at",
        input_formats=SCHEDULE_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class IssueAdminForm(NormalisedNewlinesMixin, forms.ModelForm):
    """The issue's change form, carrying the version it was loaded at.

    `clean()` is the one place a save is decided: it locks the issue's row,
    then refuses the save if `user` (set by the admin) may not edit the
    issue as it is now, or if anyone saved or moved it since the form was
    loaded. Both are decided under the lock the save holds, so a publish
    landing just before cannot let a writer's text into the published issue.
    The refused form is shown again with the submitter's text; after a
    conflict its version moves on, so saving once more (after looking at the
    other changes) deliberately replaces them.

    A workflow button on the change page sends the form with `transition`
    (and the schedule's `publish_at`): the move is checked here too, under
    the same lock, so a move that cannot happen saves nothing either, and
    the admin makes it right after the save, in the same transaction.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    transition = forms.ChoiceField(
        choices=[(name, t.label) for name, t in TRANSITIONS.items()],
        required=False,
        widget=forms.HiddenInput,
    )
    publish_at = forms.CharField(required=False)
    user = None

    class Meta:
        model = Issue
        fields = [*Issue.CONTENT_FIELDS, "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        if self.instance.status in NOT_YET_PUBLISHED and "slug" in self.fields:
            self.fields["slug"].help_text = (
                "The last part of the issue's address. Until the issue is first "
                "published, it follows the headline."
            )

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        rows = Issue.objects.filter(pk=self.instance.pk)
        if connection.in_atomic_block:
            rows = rows.select_for_update()
        current = rows.get()
        if self.user is not None and not can_edit(self.user, current):
            raise forms.ValidationError(
                "Nothing was saved: this issue is now %(state)s, and only an "
                "editor can change it. Your text is still in the form below; "
                "copy what you need, or ask an editor to return it to draft.",
                code="not_editable",
                params={"state": current.state_label.lower()},
            )
        loaded = cleaned.get("loaded_version")
        if loaded != current.version:
            self._refuse(current, loaded)
        if self.data.get(RESTORING_PENDING):
            raise forms.ValidationError(
                "These are the edits autosave kept for you on %(when)s, not saved "
                "yet: look them over, then save to keep them in the issue.",
                code="restoring_pending",
                params={"when": self.data[RESTORING_PENDING]},
            )
        if cleaned.get("transition") and self.user is not None:
            self._check_transition(current, cleaned)
        self._follow_headline(current, cleaned)
        return cleaned

    def _follow_headline(self, current, cleaned):
        """Until its first publication, an issue's slug follows its headline.

        Only a slug the headline (or "Start next issue") made, and only when
        the slug itself was not edited: an address someone chose, or one
        readers may have seen, stays.
        """
        headline = cleaned.get("headline")
        if not headline or "headline" not in self.changed_data:
            return
        if "slug" in self.changed_data or current.status not in NOT_YET_PUBLISHED:
            return
        made = {issue_slug(current.headline), f"{current.series.slug}-{current.number}"}
        base = re.sub(r"-\d+$", "", current.slug)
        if current.slug not in made and base not in made:
            return
        if current.events.filter(to_status=Issue.Status.PUBLISHED).exists():
            return
        others = Issue.objects.exclude(pk=current.pk)
        cleaned["slug"] = unique_slug(others, issue_slug(headline))

    def _check_transition(self, current, cleaned):
        """Refuse the save if the move its button asks for cannot happen now."""
        name, publish_at = cleaned["transition"], None
        if TRANSITIONS[name].needs_time:
            schedule = ScheduleForm({"publish_at": cleaned.get("publish_at", "")})
            if not schedule.is_valid():
                raise forms.ValidationError(
                    "Nothing was saved and the issue was not scheduled: give a "
                    "valid date and time to schedule at.",
                    code="bad_time",
                )
            publish_at = schedule.cleaned_data["publish_at"]
        cleaned["publish_at"] = publish_at
        try:
            check(current, self.user, name, publish_at=publish_at)
        except TransitionError as error:
            raise forms.ValidationError(
                "Nothing was saved and the issue was not %(done)s: %(why)s",
                code="transition_refused",
                params={"done": TRANSITIONS[name].done, "why": str(error)},
            ) from None

    @property
    def edited_data(self):
        """The changed fields that the save writes: not the version, nor a button."""
        return [
            name for name in self.changed_data if name in IssueAdminForm.Meta.fields
        ]

    def _refuse(self, current, loaded):
        data = self.data.copy()
        data[self.add_prefix("loaded_version")] = current.version
        self.data = data
        who = current.updated_by.get_username() if current.updated_by else "Someone"
        then = snapshot_at_version(current, loaded) if loaded else None
        if then is None:
            what = ""
        else:
            changed = [
                row.label
                for row in compare(then, current_snapshot(current))
                if row.changed
            ]
            what = f" They changed: {', '.join(changed) or 'none of the text'}."
        what += f" The issue is {current.state_label.lower()} now."
        raise forms.ValidationError(
            "Your changes were not saved: %(who)s saved this issue at %(when)s, "
            "after you opened it.%(what)s Your text is still in the form below. "
            "Compare it with theirs in the history, then save again to replace "
            "their version with yours.",
            code="edit_conflict",
            params={"who": who, "when": stamp(current.updated_at), "what": what},
        )


class ImportReportForm(forms.Form):
    """Paste a report, or upload it as a .txt file, to get a draft issue.

    The same parser and importer as `import_report`. Importing a report that
    an earlier import made an issue of updates that issue, so it needs the
    right to edit it, and, if the issue was edited in the admin since its
    last import, `replace_edits`: `edits` names what would be replaced.
    With `preview` the form only reads the report, for the page that shows
    what it read; `error_line` is the line a parse error names.
    """

    series = forms.ModelChoiceField(
        queryset=Series.objects.all(),
        required=False,
        help_text="Empty: the series whose hashtag the report uses.",
    )
    text = forms.CharField(
        label="Report text",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 20, "cols": 100, "wrap": "off", "data-line-numbers": ""}
        ),
        help_text="Paste the whole report, headline first.",
    )
    upload = forms.FileField(
        label="…or a .txt file",
        required=False,
        help_text=f"UTF-8 plain text, at most {IMPORT_MAX_BYTES // 1024} kB.",
    )

    replace_edits = forms.BooleanField(
        label="Replace the edits made in the admin since the last import",
        required=False,
    )

    def __init__(self, *args, user, preview=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.preview = user, preview
        self.edits, self.error_line = [], None

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None and upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                "The file is too large: a report is at most %(limit)d kB.",
                params={"limit": IMPORT_MAX_BYTES // 1024},
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text, upload = cleaned.get("text", ""), cleaned.get("upload")
        if bool(text.strip()) == bool(upload):
            raise forms.ValidationError(
                "Paste the report or upload a file: one of the two."
            )
        try:
            text = report_text(upload.read() if upload else text)
            report = read_report(text)
        except ReportTooLarge:
            raise forms.ValidationError(
                "The text is too long: a report is at most %(limit)d kB.",
                params={"limit": IMPORT_MAX_BYTES // 1024},
            ) from None
        except ReportParseError as error:
            self.error_line = error.line_number
            raise forms.ValidationError(
                "The report could not be read at line %(line)d: %(message)s",
                params={"line": error.line_number, "message": error.message},
            ) from None
        series = cleaned.get("series") or self._series_for(report)
        existing = find_existing_issue(report, series) if series else None
        if existing and not can_edit(self.user, existing):
            raise self.refusal(existing)
        cleaned.update(report=report, series=series, existing=existing, text=text)
        self.edits = edits_since_import(existing) if existing else []
        if self.edits and not self.preview and not cleaned.get("replace_edits"):
            self.add_error(
                "replace_edits",
                "Since its last import, this issue was changed in the admin "
                f"({', '.join(self.edits)}): tick this to replace those changes "
                "with the report's text.",
            )
        return cleaned

    def _series_for(self, report):
        """The report's series; None on an empty site, where saving makes it."""
        try:
            series = series_for(report, may_create=False)
        except SeriesUnclear as error:
            raise forms.ValidationError(
                "Choose the series: none uses the report's hashtag %(hashtag)s.",
                params={"hashtag": error.hashtag or "(none)"},
            ) from None
        if series is not None:
            return series
        if not self.user.has_perm("issues.add_series"):
            raise forms.ValidationError(
                "There is no series yet: ask an editor to create one first."
            )
        return None

    def save(self):
        """Import (one revision, raising the version); return the issue and if it is new.

        On a site with no series yet, an editor's import makes the series the
        report's hashtag names, as `import_report` does.
        """
        report = self.cleaned_data["report"]
        with transaction.atomic():
            series = self.cleaned_data["series"] or series_for(report, may_create=True)
            return import_report(
                report,
                ImportOptions(
                    series=series,
                    user=self.user,
                    may_update=lambda issue: can_edit(self.user, issue),
                ),
            )

    @staticmethod
    def refusal(issue):
        """Why a report that would update `issue` is refused to this user."""
        return forms.ValidationError(
            "This report is issue %(number)d of %(series)s, “%(headline)s”, "
            "which is %(state)s: only an editor can change it.",
            params={
                "number": issue.number,
                "series": issue.series.name,
                "headline": issue.headline,
                "state": issue.state_label.lower(),
            },
        )
