"""Admin for reader revenue: the donate page, campaigns, donations and donate clicks,
and the donate clicks each issue sent, on the issue admin."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from issues import extensions
from newsroom.fundraising import charts, donations
from newsroom.fundraising.forms import DonationImportForm
from newsroom.fundraising.models import (
    Campaign,
    DonateClick,
    DonatePage,
    Donation,
    FAQItem,
    OtherWay,
    Tier,
    WebhookEvent,
)
from newsroom.fundraising.models.figures import (
    conversion_display,
    raised_display,
    with_figures,
)


class RevenueOnIssues(extensions.IssueAdminExtension):
    """Reader revenue on the issue admin: sortable columns of donate clicks and
    money raised, and a panel with the figures and weekly charts.

    Shown only to those who may view donate clicks (editors), as the donate
    clicks admin itself is.
    """

    permission = "fundraising.view_donateclick"
    title = "Reader revenue"

    def annotate(self, queryset):
        return with_figures(queryset)

    def columns(self):
        return [donate_click_count, money_raised]

    def panel(self, issue):
        figures = with_figures(type(issue).objects.filter(pk=issue.pk)).get()
        clicks = DonateClick.objects.filter(issue=issue)
        gifts = Donation.objects.filter(issue=issue)
        web = figures.clicks_issue + figures.clicks_story
        currency = figures.gift_currency or "USD"
        return format_html(
            "<p>{} visit{} to the donate page from this issue "
            "({} from the issue page, {} from its stories). "
            "{} more from its email edition and {} from its channel post.</p>"
            "<p>{} gift{} from this issue, {} raised (refunds and disputes taken "
            "out){}.</p>"
            "<figure>{}<figcaption>Donate clicks per week</figcaption></figure>"
            "<figure>{}<figcaption>Money raised per week</figcaption></figure>",
            web,
            "" if web == 1 else "s",
            figures.clicks_issue,
            figures.clicks_story,
            figures.clicks_email,
            figures.clicks_channel,
            figures.gifts,
            "" if figures.gifts == 1 else "s",
            raised_display(figures),
            f"; {conversion_display(figures)} of donate visits gave"
            if figures.clicks_total
            else "",
            charts.weekly_chart_svg(clicks.per_week()),
            charts.weekly_chart_svg(
                gifts.per_week(),
                label="Money raised per week",
                show=lambda amount: donations.format_money(amount, currency),
            ),
        )


# Not "donate_clicks": that is the reverse relation's name, which the
# changelist would sort by instead of this column's total.
@admin.display(description="donate clicks", ordering="clicks_total")
def donate_click_count(issue):
    return getattr(issue, "clicks_total", 0)


@admin.display(description="raised", ordering="raised")
def money_raised(issue):
    return raised_display(issue)


extensions.register(RevenueOnIssues())


class OtherWayInline(admin.StackedInline):
    model = OtherWay
    extra = 0


class FAQItemInline(admin.StackedInline):
    model = FAQItem
    extra = 0


@admin.register(DonatePage)
class DonatePageAdmin(admin.ModelAdmin):
    """The one donate page: its list goes straight to the page itself."""

    inlines = [OtherWayInline, FAQItemInline]
    fieldsets = [
        (None, {"fields": ["appeal", "impact", "demo_notice"]}),
        (
            "Who we are",
            {"fields": ["about", "legal_status", "contact_email"]},
        ),
        ("Monthly donors", {"fields": ["portal_url"]}),
        ("When no campaign is running", {"fields": ["fallback_url", "fallback_label"]}),
        ("Thank-you page", {"fields": ["thank_you_title", "thank_you_text"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DonatePage.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        page = DonatePage.objects.first()
        if page is not None and self.has_view_or_change_permission(request, page):
            return redirect("admin:fundraising_donatepage_change", page.pk)
        if page is None and self.has_add_permission(request):
            return redirect("admin:fundraising_donatepage_add")
        return super().changelist_view(request, extra_context)


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
    fields = [
        "position",
        "label",
        "amount",
        "frequency",
        "checkout_url",
        "most_popular",
        "is_visible",
        "description",
    ]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_active",
        "starts_on",
        "ends_on",
        "progress_summary",
        "supporters",
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["progress_summary", "supporters"]
    inlines = [TierInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "appeal",
                    "is_active",
                    "starts_on",
                    "ends_on",
                    "default_frequency",
                ]
            },
        ),
        (
            "Goal and progress",
            {
                "fields": [
                    "goal",
                    "currency",
                    "raised_offline",
                    "supporters_offline",
                    "progress_summary",
                    "supporters",
                ]
            },
        ),
        ("Custom amount", {"fields": ["custom_amount_url", "custom_amount_label"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    @admin.display(description="progress", ordering="raised_total")
    def progress_summary(self, obj):
        return obj.progress().summary if obj.pk else "—"

    @admin.display(description="supporters", ordering="supporters_total")
    def supporters(self, obj):
        return obj.progress().supporters_display if obj.pk else "—"


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    change_list_template = "admin/fundraising/donation/change_list.html"
    list_display = [
        "received_on",
        "amount",
        "currency",
        "frequency",
        "campaign",
        "issue",
        "transaction_id",
        "refunded",
        "disputed",
        "donor_name",
        "listed",
    ]
    list_filter = ["campaign", "frequency", "disputed", "listed", "currency"]
    raw_id_fields = ["issue", "story"]
    search_fields = ["transaction_id", "donor_name"]
    date_hierarchy = "received_on"
    list_select_related = ["campaign", "issue"]
    readonly_fields = ["imported_at", "received_at"]

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="fundraising_donation_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a processor's export; a file with any bad line is refused whole."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DonationImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            result = form.import_donations()
            if result is not None:
                created, skipped = result
                campaign = Campaign.objects.with_totals().get(
                    pk=form.cleaned_data["campaign"].pk
                )
                messages.success(
                    request,
                    f"Imported {created} donation{'s' if created != 1 else ''} into "
                    f"{campaign} ({skipped} already imported). "
                    f"{campaign.progress().summary}.",
                )
                return redirect("admin:fundraising_donation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import donations",
            "form": form,
        }
        return TemplateResponse(
            request, "admin/fundraising/donation/import.html", context
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """The processor's events already handled, for tracing a gift; read-only."""

    list_display = ["received_at", "type", "event_id"]
    list_filter = ["type"]
    search_fields = ["event_id"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DonateClick)
class DonateClickAdmin(admin.ModelAdmin):
    """Read-only counters, with a chart of the last weeks above them."""

    change_list_template = "admin/fundraising/donateclick/change_list.html"
    list_display = ["day", "issue", "series", "via", "count"]
    list_filter = ["via"]
    date_hierarchy = "day"
    list_select_related = ["issue", "series"]
    search_fields = ["issue__headline", "issue__slug", "series__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        campaign = Campaign.objects.order_by("-starts_on", "-pk").first()
        currency = campaign.currency if campaign else "USD"
        extra_context = {
            **(extra_context or {}),
            "chart": charts.weekly_chart_svg(DonateClick.objects.per_week()),
            "money_chart": charts.weekly_chart_svg(
                Donation.objects.per_week(),
                label="Money raised per week",
                show=lambda amount: donations.format_money(amount, currency),
            ),
        }
        return super().changelist_view(request, extra_context)
