from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories, reads and sources"

    def ready(self):
        from stories import counts

        counts.connect_signals()
