from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "Series and issues"

    def ready(self):
        # Registers the issue, its stories and its reads with django-reversion
        # before anything (the admin, import_report) saves a revision.
        from issues import revisions, snapshots  # noqa: F401

        snapshots.connect_signals()
