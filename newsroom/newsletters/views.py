"""Public newsletter pages: sign-up, confirmation and unsubscribe."""

from django.views.generic import TemplateView


class SignupView(TemplateView):
    template_name = "newsletters/signup.html"
