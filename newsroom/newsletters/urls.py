from django.urls import path
from django.views.generic import TemplateView

from newsroom.newsletters import views

app_name = "newsletters"

urlpatterns = [
    path("", views.SignupView.as_view(), name="signup"),
    path(
        "check-your-inbox/",
        TemplateView.as_view(template_name="newsletters/signup_sent.html"),
        name="signup_sent",
    ),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path(
        "unsubscribe/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
]
