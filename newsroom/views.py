"""Site-wide pages: home, donate, health check."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from issues.views import PublishedIssueMixin


class HomeView(PublishedIssueMixin, TemplateView):
    """The latest published issue in full, then links to the ones before it."""

    template_name = "newsroom/home.html"
    recent_count = 6

    def get_context_data(self, **kwargs):
        issues = self.get_issue_queryset()
        latest = self.with_contents(issues).first()
        recent = []
        if latest is not None:
            recent = list(issues.exclude(pk=latest.pk)[: self.recent_count])
        return super().get_context_data(issue=latest, recent_issues=recent, **kwargs)


class DonateView(TemplateView):
    template_name = "newsroom/donate.html"


@never_cache
def healthz(request):
    """200 `ok` when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")
