from django.urls import path

from newsroom.fundraising import views

app_name = "fundraising"

urlpatterns = [
    path("", views.DonateView.as_view(), name="donate"),
    path("thanks/", views.DonateThanksView.as_view(), name="thanks"),
    path("checkout/", views.checkout_view, name="checkout"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
]
