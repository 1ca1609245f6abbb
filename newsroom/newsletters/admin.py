"""Admin for newsletter lists and editions: counts, CSV in and out, sending.

Editors (the `newsletters` permissions given to their group) manage the
lists and send; writers see none of it. The issue admin links to the "Send
by email" page by its URL name and imports nothing from here.
"""

import smtplib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from issues.models import Issue
from newsroom.newsletters import csvfiles
from newsroom.newsletters.emails import EditionMessage
from newsroom.newsletters.forms import SendForm, SubscriberImportForm, TestSendForm
from newsroom.newsletters.models import STATE_TIMES, Delivery, Edition, Subscriber
from newsroom.newsletters.sending import ConnectionLost, Outbox, dkim_signer
from newsroom.newsletters.signups import send_confirmations


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "series",
        "state",
        "signed_up_at",
        "confirmed_at",
        "source",
        "consent_by_import",
    ]
    list_filter = ["state", "series", "consent_by_import"]
    search_fields = ["email"]
    list_select_related = ["series"]
    readonly_fields = [
        "signed_up_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
        "complained_at",
        "source",
        "consent_by_import",
    ]
    fields = ["email", "series", "state", *readonly_fields]
    change_list_template = "admin/newsletters/subscriber/change_list.html"

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "export/", wrap(self.export_view), name="newsletters_subscriber_export"
            ),
            path(
                "import/", wrap(self.import_view), name="newsletters_subscriber_import"
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        counts = Subscriber.objects.counts_by_series()
        context = {
            "state_choices": Subscriber.State.choices,
            "counts": [
                (series, [by_state[state] for state in Subscriber.State.values])
                for series, by_state in sorted(counts.items())
            ],
            "export_query": request.GET.urlencode(),
            "can_import": self.has_add_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def save_model(self, request, obj, form, change):
        """An editor's change of state stamps that state's time, as the site's do."""
        if "state" in form.changed_data and obj.state in STATE_TIMES:
            setattr(obj, STATE_TIMES[obj.state], timezone.now())
        super().save_model(request, obj, form, change)

    def export_view(self, request):
        """The list as CSV, as filtered on the page; streamed, formula-safe."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request).select_related("series").order_by("pk")
        response = StreamingHttpResponse(
            csvfiles.export_rows(rows.iterator(chunk_size=2000)),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="subscribers-{stamp}.csv"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def import_view(self, request):
        """Add the addresses of a CSV file to one series' list, idempotently."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SubscriberImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            parsed = csvfiles.parse_addresses(form.cleaned_data["file"].read())
            errors = parsed.errors
            if not errors:
                self._import(request, form.cleaned_data, parsed)
                return redirect("admin:newsletters_subscriber_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import subscribers",
            "form": form,
            "errors": errors[:50],
            "more_errors": max(0, len(errors) - 50),
        }
        return TemplateResponse(
            request, "admin/newsletters/subscriber/import.html", context
        )

    def _import(self, request, data, parsed):
        series, consented = data["series"], data["consented"]
        with transaction.atomic():
            added = Subscriber.objects.import_addresses(
                series, parsed.addresses, consented
            )
        kept = len(parsed.addresses) - len(added)
        text = (
            f"{len(added)} address{'es' if len(added) != 1 else ''} added to "
            f"{series.name}; {kept} already on the list, left as they were"
        )
        if parsed.repeated:
            text += f"; {parsed.repeated} repeated in the file"
        if consented:
            messages.success(
                request, text + ". Recorded on each new row: they already agreed."
            )
            return
        lowered = [row.email.lower() for row in added]
        new_rows = (
            Subscriber.objects.filter(series=series, state=Subscriber.State.PENDING)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=lowered)
            .select_related("series")
        )
        sent, failed = send_confirmations(new_rows)
        text += f". {sent} confirmation request{'s' if sent != 1 else ''} sent"
        if failed:
            messages.warning(
                request,
                text + f"; {failed} could not be sent (the mail server refused or "
                "could not be reached): those addresses stay pending.",
            )
        else:
            messages.success(request, text + ".")


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Each issue sent by email, with its deliveries counted by state."""

    list_display = [
        "issue",
        "send_when_public",
        "started_at",
        "finished_at",
        "waiting",
        "sent",
        "failed",
        "skipped",
    ]
    list_select_related = ["issue"]
    readonly_fields = [
        "issue",
        "send_when_public",
        "requested_at",
        "requested_by",
        "started_at",
        "finished_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    @admin.display(ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    @admin.display(ordering="skipped_count")
    def skipped(self, obj):
        return obj.skipped_count

    def get_urls(self):
        return [
            path(
                "send/<int:issue_id>/",
                self.admin_site.admin_view(self.send_view),
                name="newsletters_edition_send",
            ),
        ] + super().get_urls()

    def send_view(self, request, issue_id):
        """Send by email: who would receive it, a test send, then the confirmed send.

        Editors only, and only a public issue (or, to email it when it goes
        public, a scheduled one). The send itself is queued for
        send_due_editions, which runs every minute, so no request waits on
        a whole list.
        """
        if not request.user.has_perm("newsletters.send_edition"):
            raise PermissionDenied
        issue = get_object_or_404(Issue.objects.select_related("series"), pk=issue_id)
        edition = Edition.objects.filter(issue=issue).first()
        sendable = issue.is_public or issue.is_scheduled
        test_form, send_form = TestSendForm(), SendForm()
        if request.method == "POST":
            action = request.POST.get("action")
            if not sendable:
                messages.error(request, "Only a public or scheduled issue can be sent.")
                return redirect(request.path)
            if action == "test":
                test_form = TestSendForm(request.POST)
                if test_form.is_valid() and self._send_test(
                    request, issue, test_form.cleaned_data["test_to"]
                ):
                    return redirect(request.path)
            elif action == "send":
                send_form = SendForm(request.POST)
                if send_form.is_valid():
                    self._queue(request, issue, edition)
                    return redirect(request.path)
            elif action == "cancel" and edition and not edition.is_started:
                Edition.objects.filter(pk=edition.pk).update(send_when_public=False)
                messages.success(request, "This issue will not be emailed.")
                return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Send by email: {issue.headline}",
            "issue": issue,
            "edition": edition,
            "counts": edition.counts() if edition else None,
            "recipients": Subscriber.objects.receiving()
            .filter(series=issue.series)
            .count(),
            "sendable": sendable,
            "test_form": test_form,
            "send_form": send_form,
            "issue_change_url": reverse("admin:issues_issue_change", args=[issue.pk]),
        }
        return TemplateResponse(request, "admin/newsletters/edition/send.html", context)

    def _send_test(self, request, issue, address):
        try:
            with Outbox(dkim_signer()) as outbox:
                outbox.send(EditionMessage(issue).test_message(address))
        except (ConnectionLost, smtplib.SMTPException, OSError) as error:
            messages.error(request, f"The test could not be sent: {error}")
            return False
        messages.success(request, f"A test was sent to {address}.")
        return True

    def _queue(self, request, issue, edition):
        if edition is None:
            edition, _ = Edition.objects.get_or_create(issue=issue)
        if edition.finished_at is not None:
            messages.info(request, "This issue was sent already; nothing more to send.")
            return
        Edition.objects.filter(pk=edition.pk).update(
            send_when_public=True,
            requested_at=timezone.now(),
            requested_by=request.user,
        )
        if issue.is_public:
            messages.success(
                request,
                "Queued: send_due_editions sends it within a minute; this page "
                "shows its progress.",
            )
        else:
            messages.success(request, "It will be emailed when it goes public.")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Who each edition went to, and what the mail server answered; read only."""

    list_display = ["subscriber", "edition", "state", "attempts", "sent_at", "error"]
    list_filter = ["state", "edition"]
    search_fields = ["subscriber__email"]
    list_select_related = ["subscriber", "subscriber__series", "edition__issue"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The channel's pages (an issue's Telegram post and WhatsApp text) register themselves.
import newsroom.newsletters.channel.admin  # noqa: E402, F401
