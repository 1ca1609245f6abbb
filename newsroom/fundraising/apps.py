from django.apps import AppConfig


class FundraisingConfig(AppConfig):
    """Reader revenue: the donate page, campaigns, donations and donate clicks."""

    name = "newsroom.fundraising"
    label = "fundraising"
    verbose_name = "Reader revenue"
