from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "Series and issues"

    def ready(self):
        # `revisions` registers the issue, its stories and its reads with
        # django-reversion before anything (the admin, import_report) saves a
        # revision; `media` keeps a bucket's public copies of lead images in
        # step with the issues.
        from issues import media, revisions, snapshots  # noqa: F401

        snapshots.connect_signals()
