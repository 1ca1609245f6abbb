from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsroom.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"
