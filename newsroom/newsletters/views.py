"""Public newsletter pages: sign-up, confirmation and unsubscribe.

None of them needs JavaScript. The sign-up answers the same way whether or
not an address is known; the links in messages are signed tokens, and a GET
of them never changes anything: confirming and unsubscribing are POSTs (the
latter RFC 8058's one-click POST, which mail providers send without a CSRF
token), so a scanner that fetches every link in a message changes nobody's
subscription.
"""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from newsroom.client_ip import client_ip
from newsroom.newsletters import tokens
from newsroom.newsletters.forms import SignupForm
from newsroom.newsletters.models import Subscriber
from newsroom.newsletters.signups import (
    HOUR,
    hashed,
    may_send_confirmation,
    send_confirmation,
)


def _client_allowed(request):
    """At most NEWSLETTER_SIGNUPS_PER_HOUR sign-ups per client address and hour."""
    key = f"newsletters:signup:client:{hashed('client', client_ip(request))}"
    cache.add(key, 0, timeout=HOUR)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=HOUR)
        count = 1
    return count <= settings.NEWSLETTER_SIGNUPS_PER_HOUR


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class SignupView(View):
    """/newsletter/: the form, and where every sign-up form on the site posts.

    Whatever the address (new, pending, active, unsubscribed, bounced), a
    valid sign-up gets the same answer, so the form tells no one who is on
    the list. A filled-in honeypot gets that answer too, and nothing is done.
    """

    template_name = "newsletters/signup.html"

    def get(self, request):
        form = SignupForm(initial={"source": request.path})
        return self.render(form)

    def post(self, request):
        form = SignupForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        if form.is_bot:
            return redirect("newsletters:signup_sent")
        if not _client_allowed(request):
            return self.render(form, status=429, too_many=True)
        email = form.cleaned_data["email"]
        rows = Subscriber.objects.sign_up(
            email, form.cleaned_data["series"], form.cleaned_data["source"]
        )
        if may_send_confirmation(email):
            send_confirmation(email, rows)
        return redirect("newsletters:signup_sent")

    def render(self, form, status=200, **context):
        return TemplateResponse(
            self.request,
            self.template_name,
            {"form": form, **context},
            status=status,
        )


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """The link in the confirmation request: a GET shows a button, its POST confirms."""

    def get(self, request, token):
        return self.respond(token, confirm=False)

    def post(self, request, token):
        return self.respond(token, confirm=True)

    def respond(self, token, confirm):
        try:
            confirmation = tokens.read_confirmation(token)
        except tokens.ExpiredToken as expired:
            return self.bad_link("expired", expired.email)
        except tokens.BadToken:
            return self.bad_link("bad", "")
        rows = Subscriber.objects.for_address(confirmation.email).filter(
            series_id__in=confirmation.series_ids
        )
        if not rows.exists():
            return self.bad_link("left", confirmation.email)
        context = {"token": token, "email": confirmation.email}
        if confirm:
            confirmed = Subscriber.objects.confirm(
                confirmation.email, confirmation.series_ids
            )
            if not confirmed:
                return self.bad_link("left", confirmation.email)
            context["confirmed"] = confirmed
        else:
            context["series_list"] = [
                row.series for row in rows.select_related("series")
            ]
        return TemplateResponse(self.request, "newsletters/confirm.html", context)

    def bad_link(self, reason, email):
        """Why the link cannot confirm (expired, bad, or the address left since)."""
        return TemplateResponse(
            self.request,
            "newsletters/confirm_failed.html",
            {"reason": reason},
            status=400,
        )


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class UnsubscribeView(View):
    """The unsubscribe link: a GET shows one button; a POST unsubscribes at once.

    The POST is RFC 8058's one-click unsubscribe, which mail providers send
    with the body `List-Unsubscribe=One-Click` and no CSRF token; the
    button on the page posts the same. The token never expires.
    """

    def get(self, request, token):
        return self.respond(token, unsubscribe=False)

    def post(self, request, token):
        return self.respond(token, unsubscribe=True)

    def respond(self, token, unsubscribe):
        try:
            subscriber_id, series_id = tokens.read_unsubscribe(token)
        except tokens.BadToken:
            return self.page("newsletters/unsubscribe_failed.html", {}, status=400)
        if subscriber_id == tokens.TEST_SUBSCRIBER:
            return self.page("newsletters/unsubscribe_test.html", {})
        subscriber = (
            Subscriber.objects.select_related("series")
            .filter(pk=subscriber_id, series_id=series_id)
            .first()
        )
        if subscriber is None:
            # Deleted by an editor since: nobody is on the list under this link.
            return self.page("newsletters/unsubscribe_done.html", {"series": None})
        if unsubscribe:
            subscriber.unsubscribe()
            return self.page(
                "newsletters/unsubscribe_done.html", {"series": subscriber.series}
            )
        return self.page(
            "newsletters/unsubscribe.html",
            {"series": subscriber.series, "token": token},
        )

    def page(self, template, context, status=200):
        response = TemplateResponse(self.request, template, context, status=status)
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
        return response
