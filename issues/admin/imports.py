"""Import from text in the issue admin: paste or upload a report, see what was read, import."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from issues.forms import ImportReportForm
from issues.reports import ImportRefused
from issues.textdiff import readable


class IssueImportViews:
    """The "Import from text" page and its preview, mixed into the issue admin."""

    def import_view(self, request):
        """Paste or upload a report, see what was read, then import it.

        The form's button shows the preview ("_preview"); the preview's
        "Back to edit the text" ("_edit") shows the form again with the text;
        its import button (or any other POST) imports.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        template = "admin/issues/issue/import.html"
        form = ImportReportForm(user=request.user)
        if request.method == "POST" and "_edit" in request.POST:
            form = ImportReportForm(
                user=request.user,
                initial={
                    "series": request.POST.get("series") or None,
                    "text": request.POST.get("text", ""),
                },
            )
        elif request.method == "POST":
            previewing = "_preview" in request.POST
            form = ImportReportForm(
                request.POST, request.FILES, user=request.user, preview=previewing
            )
            if form.is_valid() and not previewing:
                try:
                    issue, created = form.save()
                except ImportRefused as refused:
                    form.add_error(None, form.refusal(refused.issue))
                else:
                    messages.success(
                        request,
                        f"Imported “{issue.headline}” as a new draft."
                        if created
                        else f"Updated “{issue.headline}” from the report "
                        f"(it is {issue.state_label.lower()}).",
                    )
                    return redirect(self._change_url(issue))
            if "report" in form.cleaned_data and not form.non_field_errors():
                template = "admin/issues/issue/import_preview.html"
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an issue from text",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
        }
        if template.endswith("_preview.html"):
            context.update(
                title="What the import read",
                preview=import_preview(form.cleaned_data["report"]),
                report=form.cleaned_data["report"],
                existing=form.cleaned_data["existing"],
                series=form.cleaned_data["series"],
                edits=form.edits,
            )
        return TemplateResponse(request, template, context)


def import_preview(report):
    """What an import of `report` would write, as (line, what, text) rows.

    In the report's order, each with the line it was read from, so the
    editor can check the reading against the text; rich text as readers
    read it.
    """
    labels = {
        "headline": "Headline",
        "dek": "Dek",
        "intro": "Series intro",
        "channel_call": "Call to action",
    }
    rows = [
        (report.lines.get(key), label, getattr(report, key))
        for key, label in labels.items()
        if getattr(report, key)
    ]
    for n, story in enumerate(report.stories, 1):
        rows.append((story.line, f"Story {n}", story.headline))
        for part, label, html in (
            ("body", "Text", story.body_html),
            ("why_it_matters", "Why it matters", story.why_it_matters_html),
            ("more_information", "More information", story.more_information_html),
        ):
            if html:
                rows.append((story.part_lines.get(part), f"· {label}", readable(html)))
        rows.append((None, "· Sources", ", ".join(story.source_names) or "none found"))
    for n, read in enumerate(report.reads, 1):
        where = read.url or "no URL: it will link to the outlet's homepage"
        rows.append((read.line, f"Read {n}", f"{read.outlet}: {read.summary}\n{where}"))
    if report.appeal:
        label = f"\nButton: {report.donate_label}" if report.donate_label else ""
        rows.append((report.lines.get("appeal"), "Appeal", report.appeal + label))
    return rows
