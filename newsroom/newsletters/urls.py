from django.urls import path

from newsroom.newsletters import views

app_name = "newsletters"

urlpatterns = [
    path("", views.SignupView.as_view(), name="signup"),
]
