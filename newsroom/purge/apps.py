from django.apps import AppConfig


class PurgeConfig(AppConfig):
    name = "newsroom.purge"
    label = "purge"
    verbose_name = "CDN purges"

    def ready(self):
        from newsroom.purge import signals

        signals.connect()
