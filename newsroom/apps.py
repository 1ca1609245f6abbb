from django.apps import AppConfig
from taggit.apps import TaggitAppConfig


class NewsroomConfig(AppConfig):
    default = True
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        from django.conf import settings
        from django.contrib import admin

        from newsroom import caching

        caching.connect_signals()
        # The admin says whose it is, not "Django administration".
        admin.site.site_header = settings.SITE_NAME
        admin.site.site_title = f"{settings.SITE_NAME} admin"
        admin.site.index_title = "The newsroom"


class TagsConfig(TaggitAppConfig):
    """django-taggit, called "Tags" where the admin would say "Taggit"."""

    default = False
    verbose_name = "Tags"
