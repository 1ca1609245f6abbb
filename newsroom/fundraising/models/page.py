"""The donate page's standing text: appeal, other ways to give, FAQ, thank-you."""

from django.db import models
from django.urls import reverse

from newsroom.fundraising.models.base import web_url


class DonatePageQuerySet(models.QuerySet):
    def load(self):
        """The page's text, or an unsaved default before an editor writes any."""
        return self.filter(pk=DonatePage.SINGLETON_PK).first() or self.model()


class DonatePage(models.Model):
    """The donate page's standing text, which outlives any one campaign.

    There is one row (pk 1). Without an open campaign the page still shows
    this appeal, the other ways to give, the FAQ and the fallback link.
    """

    SINGLETON_PK = 1

    appeal = models.TextField(
        blank=True,
        help_text="Why readers should give; paragraphs separated by blank lines. "
        "A campaign may replace it with its own.",
    )
    impact = models.TextField(
        "what a gift does",
        blank=True,
        help_text="What the money pays for, in a sentence or two; each tier can "
        "add its own line.",
    )
    about = models.TextField(
        "who we are",
        blank=True,
        help_text="Who runs the newsroom and how it is funded; paragraphs "
        "separated by blank lines.",
    )
    legal_status = models.TextField(
        "legal and tax status",
        blank=True,
        help_text="Who receives the gift, and whether it is tax-deductible and where.",
    )
    contact_email = models.EmailField(
        "contact address",
        blank=True,
        help_text="Where donors write with questions; shown on the donate and "
        "thank-you pages.",
    )
    portal_url = models.URLField(
        "manage a monthly gift",
        max_length=1000,
        blank=True,
        validators=[web_url],
        help_text="The processor's customer portal, where monthly donors change or "
        "cancel their gift (Stripe: the customer portal's login link).",
    )
    demo_notice = models.CharField(
        max_length=300,
        blank=True,
        help_text="Only on a demonstration site: a notice at the top of the page "
        "saying so. Leave it empty on a real site.",
    )
    fallback_url = models.URLField(
        "way to give without a campaign",
        max_length=1000,
        blank=True,
        validators=[web_url],
        help_text="A general checkout link shown when no campaign is running.",
    )
    fallback_label = models.CharField(max_length=60, default="Give now")
    thank_you_title = models.CharField(max_length=200, default="Thank you")
    thank_you_text = models.TextField(
        default="Your gift keeps independent reporting alive. "
        "A receipt is on its way from our payment processor.",
        help_text="Shown at /donate/thanks/, where the processor sends donors back.",
    )

    objects = DonatePageQuerySet.as_manager()

    class Meta:
        verbose_name = "donate page"
        verbose_name_plural = "donate page"

    def __str__(self):
        return "Donate page"

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("fundraising:donate")

    def questions(self):
        return self.faq_items.all() if self.pk else FAQItem.objects.none()

    def other_ways(self):
        return self.other_ways_to_give.all() if self.pk else OtherWay.objects.none()


class FAQItem(models.Model):
    page = models.ForeignKey(
        DonatePage, on_delete=models.CASCADE, related_name="faq_items"
    )
    position = models.PositiveIntegerField(default=0)
    question = models.CharField(max_length=300)
    answer = models.TextField(
        help_text="Plain text; paragraphs separated by blank lines."
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "FAQ item"

    def __str__(self):
        return self.question


class OtherWay(models.Model):
    """A way to give outside the tiers: bank transfer, Patreon, a cheque."""

    page = models.ForeignKey(
        DonatePage, on_delete=models.CASCADE, related_name="other_ways_to_give"
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField("URL", max_length=1000, blank=True, validators=[web_url])

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "other way to give"
        verbose_name_plural = "other ways to give"

    def __str__(self):
        return self.title
